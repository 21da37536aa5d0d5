"""The village or residential group of a Vietnamese address: "Thôn 3", "Tổ dân phố 5", "Buôn Jun Yuh".

Coverage is counted per village (docs/reach.md), and the register holds the village only inside the
permanent address, written as each commune writes it: "Thôn 3, Xã Đức Minh, Huyện Đắk Mil",
"thon 3 xa duc minh", "TDP 05 - TT Đắk Mil", "Số 12, Tổ 4, Phường Tân Lợi". `village_of` reads the
first part of the address that starts with a village word and returns it in one written form, so the
same village counts once however it was typed. No Django: the generator's tests read it too.

Where a word is typed with diacritics, the diacritics must be the village word's own ("Tô Hiến
Thành" is a street, not "Tổ"); typed without any, the folded word decides. The bare words "tổ",
"khu" and "đội" are village words only before a number ("Tổ 4", "Khu 3"), not before a name ("Khu
công nghiệp"). A name ends at the commune's own words (xã, phường, thị trấn …) for addresses typed
without commas.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

from cccd.core import names

MAX_LENGTH: Final = 80
"""`Person.village` holds at most this many characters."""
_READ_AT_MOST: Final = 1000  # characters of the address looked at: a village comes early
_MAX_NAME_WORDS: Final = 6

# (as typed, its written form); longest first so "tổ dân phố" wins over "tổ".
_KINDS: Final[tuple[tuple[str, str], ...]] = (
    ("tổ dân phố", "Tổ dân phố"),
    ("khu phố", "Khu phố"),
    ("khối phố", "Khối phố"),
    ("tổ dp", "Tổ dân phố"),
    ("tdp", "Tổ dân phố"),
    ("kp", "Khu phố"),
    ("thôn", "Thôn"),
    ("buôn", "Buôn"),
    ("bon", "Bon"),
    ("xóm", "Xóm"),
    ("ấp", "Ấp"),
    ("bản", "Bản"),
    ("khối", "Khối"),
    ("khóm", "Khóm"),
    ("làng", "Làng"),
    ("sóc", "Sóc"),
    ("plei", "Plei"),
    ("pơlei", "Plei"),
    ("tổ", "Tổ"),
    ("khu", "Khu"),
    ("đội", "Đội"),
)
_NUMBERED_ONLY: Final = frozenset({"Tổ", "Khu", "Đội"})
_MINOR: Final = frozenset({"Tổ", "Đội"})
"""Groups that sit inside a village in rural communes ("Tổ 2, Thôn 5"): a village named after
them in the same address wins."""
# Where a commune's, district's or province's name begins: a village name stops there.
_STOPS: Final[tuple[str, ...]] = (
    "xã", "phường", "thị trấn", "thị xã", "huyện", "quận", "tỉnh", "thành phố", "tp", "tt", "tx",
    "p", "x", "h", "q",
)  # fmt: skip
Phrase = tuple[tuple[str, ...], tuple[str, ...]]  # (words as written, folded)


def _phrase(text: str) -> Phrase:
    words = tuple(text.split())
    return words, tuple(names.fold(w) for w in words)


_KIND_PHRASES: Final = tuple((_phrase(typed), written) for typed, written in _KINDS)
_KIND_FIRSTS: Final = frozenset(phrase[1][0] for phrase, _written in _KIND_PHRASES)
_STOP_PHRASES: Final = tuple(_phrase(stop) for stop in _STOPS)
_STOP_FIRSTS: Final = frozenset(phrase[1][0] for phrase in _STOP_PHRASES)
_NUMBER = re.compile(r"^(?:\d{1,4}[a-z]?|x{0,3}(?:ix|iv|v?i{0,3}))$")  # 5, 05, 5a, II, XII
_GLUED = re.compile(r"^([a-z]+?)(\d{1,4}[a-z]?)$")  # "tdp5", "thon03"
_PARTS = re.compile(r"[,;\n]|\s[-–]\s")
_TRIM = ".:-–#"


def village_of(address: str) -> str:
    """The village or residential group of ``address`` in its written form, or "" when none.

    "Thôn 3, Xã Đức Minh, Huyện Đắk Mil" → "Thôn 3"; "TDP 05, TT Đắk Mil" → "Tổ dân phố 5";
    "buon jun yuh" → "Buôn Jun Yuh"; "Tổ 2, Thôn 5, Xã Đắk Lao" → "Thôn 5"; "Số 12 Lê Lợi,
    Phường 1" → "". Any text is accepted; the result has at most `MAX_LENGTH` characters.
    """
    if not isinstance(address, str) or not address:
        return ""
    return _village_of(address[:_READ_AT_MOST])


@functools.lru_cache(maxsize=65536)
def _village_of(address: str) -> str:
    """Cached: the people of one household, and of one village, share their address."""
    text = unicodedata.normalize("NFC", _printable(address))
    minor = ""
    for part in _PARTS.split(text):
        found, kind = _village_in(part.split())
        if found and kind not in _MINOR:
            return _bounded(found)
        minor = minor or found
    return _bounded(minor)


def _bounded(village: str) -> str:
    return village[:MAX_LENGTH].rstrip()


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text)


def _village_in(typed: list[str]) -> tuple[str, str]:
    """(the village, its kind's written word) when this part of the address starts with one."""
    words = [w for w in (w.strip(_TRIM) for w in typed) if w]
    if not words:
        return "", ""
    folded = [names.fold(w) for w in words]
    glued = _GLUED.match(folded[0])
    if glued and _kind_at(words[:1], [glued.group(1)]) is not None:  # "TDP5" → "TDP 5"
        cut = len(glued.group(1))
        words = [words[0][:cut], words[0][cut:], *words[1:]]
        folded = [glued.group(1), glued.group(2), *folded[1:]]
    kind = _kind_at(words, folded)
    if kind is None:
        return "", ""
    written, length = kind
    name = _name(words[length:], folded[length:])
    if not name or (written in _NUMBERED_ONLY and not _NUMBER.match(names.fold(name[0]))):
        return "", ""
    return " ".join([written, *_written_name(name)]), written


def _kind_at(words: list[str], folded: list[str]) -> tuple[str, int] | None:
    if not folded or folded[0] not in _KIND_FIRSTS:
        return None
    for phrase, written in _KIND_PHRASES:
        length = _match(words, folded, 0, phrase)
        if length:
            return written, length
    return None


def _match(words: list[str], folded: list[str], at: int, phrase: Phrase) -> int:
    """The number of words of ``phrase`` the words start with at ``at`` (0: they do not).

    A word typed with diacritics must carry the phrase's own ("Tô" is not "tổ"); one typed
    without any is compared folded."""
    expected, keys = phrase
    end = at + len(keys)
    if tuple(folded[at:end]) != keys:
        return 0
    for word, want in zip(words[at:end], expected, strict=True):
        if not word.isascii() and word.lower() != want:
            return 0
    return len(keys)


def _name(words: list[str], folded: list[str]) -> list[str]:
    """The village's own name: its first words, up to where the commune's name begins."""
    if len(folded) > 1 and folded[0] == "so":  # "Tổ dân phố số 5"
        words, folded = words[1:], folded[1:]
    name: list[str] = []
    for index, word in enumerate(words):
        if folded[index] in _STOP_FIRSTS and any(
            _match(words, folded, index, stop)
            for stop in _STOP_PHRASES
            if index or len(stop[0][0]) > 1
        ):
            break  # a one-letter stop ("P.", "X.") may be a village's name: "Thôn X"
        name.append(word)
        if len(name) == _MAX_NAME_WORDS:
            break
    return name


def _written_name(name: list[str]) -> list[str]:
    """Numbers without leading zeros; a name typed all in one case gets capitals on each word."""
    if len(name) == 1 and name[0].isdigit():
        return [str(int(name[0]))]
    one_case = all(w == w.lower() for w in name) or all(w == w.upper() for w in name)
    if not one_case:
        return name
    return [_capitalised(w) for w in name]


def _capitalised(word: str) -> str:
    if _NUMBER.match(word.lower()):
        return word.upper()  # 5a → 5A, ii → II
    return word[:1].upper() + word[1:].lower()
