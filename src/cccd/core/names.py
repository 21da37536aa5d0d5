"""Vietnamese personal names: a stored form, a matching key, and the parts.

docs/domain.md#names-and-matching: order is family name, zero or more middle names, given name (the
last word). Text arrives in NFC or NFD, with or without diacritics, in any case, with old or new tone
placement; it is stored in NFC.
"""

import functools
import re
import unicodedata
from enum import StrEnum
from typing import Final

from cccd.core._errors import CoreError, describe_char, type_name

APOSTROPHE: Final = "'"
HYPHEN: Final = "-"
_PUNCTUATION_VARIANTS: Final = {
    "\u2019": APOSTROPHE,  # RIGHT SINGLE QUOTATION MARK, what word processors type
    "\u02bc": APOSTROPHE,  # MODIFIER LETTER APOSTROPHE
    "\u2010": HYPHEN,
    "\u2011": HYPHEN,  # NON-BREAKING HYPHEN
}
_LOOKALIKES: Final = {
    "\u00d0": "\u0110",  # Ð LATIN CAPITAL LETTER ETH, typed for Đ
    "\u00f0": "\u0111",  # ð LATIN SMALL LETTER ETH, typed for đ
}
_SUBSTITUTIONS: Final = str.maketrans({**_PUNCTUATION_VARIANTS, **_LOOKALIKES})
# The separators of categories Zs, Zl and Zp (Unicode 15) and the ASCII space controls.
_SPACES: Final = re.compile("[\t\n\r\v\f \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_FOLD_LETTERS: Final = {"đ": "d", "\u00f0": "d", "Đ": "d", "\u00d0": "d"}
_BASE_LETTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZđĐ")
MAX_MARKS_PER_LETTER: Final = 2
"""A Vietnamese letter carries at most a vowel mark and a tone mark (ệ = e + ◌̂ + ◌̣)."""


class NameErrorCode(StrEnum):
    """Stable codes of `InvalidName`."""

    NOT_A_STRING = "NOT_A_STRING"
    EMPTY = "EMPTY"
    BAD_CHARACTER = "BAD_CHARACTER"
    BAD_PUNCTUATION = "BAD_PUNCTUATION"
    TOO_MANY_MARKS = "TOO_MANY_MARKS"


class InvalidName(CoreError):
    """A text is not a personal name."""


def _require_str(name: object) -> str:
    if not isinstance(name, str):
        raise InvalidName(NameErrorCode.NOT_A_STRING, f"a name must be text, not {type_name(name)}")
    return name


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


@functools.lru_cache(maxsize=65536)
def _title_word(word: str) -> str:
    """Case one NFD word: the first letter of each segment upper, the rest lower.

    Cached: a register of millions repeats a few thousand words (Nguyễn, Thị, Văn …).
    """
    out: list[str] = []
    segment_start = True
    marks = 0
    for index, char in enumerate(word):
        if char in _BASE_LETTERS:
            out.append(char.upper() if segment_start else char.lower())
            segment_start, marks = False, 0
        elif _is_mark(char) and index > 0 and word[index - 1] not in (APOSTROPHE, HYPHEN):
            marks += 1
            if marks > MAX_MARKS_PER_LETTER:
                raise InvalidName(
                    NameErrorCode.TOO_MANY_MARKS,
                    f"a letter of a name carries at most {MAX_MARKS_PER_LETTER} diacritics",
                )
            out.append(char)
        elif char in (APOSTROPHE, HYPHEN):
            between_letters = 0 < index < len(word) - 1 and word[index + 1] in _BASE_LETTERS
            if not between_letters or word[index - 1] in (APOSTROPHE, HYPHEN):
                raise InvalidName(
                    NameErrorCode.BAD_PUNCTUATION,
                    "an apostrophe or hyphen in a name must stand between two letters",
                )
            out.append(char)
            segment_start = True
        else:
            raise InvalidName(
                NameErrorCode.BAD_CHARACTER,
                "a name has only letters of the Vietnamese (Latin) alphabet with their diacritics, "
                f"spaces, apostrophes and hyphens; found {describe_char(char)}",
            )
    return "".join(out)


def normalize(name: str) -> str:
    """Return the stored form of a personal name.

    docs/domain.md#names-and-matching says to store NFC and that names arrive in NFC or NFD, in
    capitals or not. So: NFC; every run of whitespace becomes one space; each word, and each part
    of a word after an apostrophe or hyphen, starts upper case and continues lower case
    (``"h'hen niê"`` → ``"H'Hen Niê"``, ``"ĐẮK R'LẤP"`` → ``"Đắk R'Lấp"``); spelling and tone
    placement are kept as written (``"Hoà"`` stays ``"Hoà"``, ``"Hòa"`` stays ``"Hòa"``).

    Our own rules, not from a source: typographic apostrophes (’ ʼ) become ``'`` and the look-alike
    Ð/ð (U+00D0/U+00F0) become Đ/đ; a letter is an ASCII letter or đ/Đ with at most two
    diacritics, so digits, control and invisible characters, and letters of other alphabets are
    refused rather than guessed at.

    Raises:
        InvalidName: not a string, blank, or a character that is not part of a name.
    """
    return _normalize(_require_str(name))


@functools.lru_cache(maxsize=262_144)
def _normalize(name: str) -> str:
    # Cached: parents' names and common full names repeat across a register's rows.
    text = unicodedata.normalize("NFD", name).translate(_SUBSTITUTIONS)
    words = [_title_word(word) for word in _SPACES.split(text) if word]
    if not words:
        raise InvalidName(NameErrorCode.EMPTY, "the name is empty")
    return unicodedata.normalize("NFC", " ".join(words))


def fold(name: str) -> str:
    """Return the matching key of a name: no diacritics, lower case, single spaces.

    docs/domain.md#names-and-matching: names are typed without diacritics or in capitals, and old
    and new tone placement are the same name (thuý = thúy), so matching compares folded forms.
    Folding needs NFD and removal of combining marks, **and** an explicit Đ/đ → d because they do
    not decompose, as does the look-alike Ð/ð (U+00D0/U+00F0). Typographic apostrophes become
    ``'``. i and y are kept apart: Vi and Vy are distinct legal names.

    Any text is accepted (it is a key, not a check); a blank name folds to ``""``.

    Raises:
        InvalidName: ``name`` is not a string.
    """
    return _fold(_require_str(name))


@functools.lru_cache(maxsize=65_536)
def _fold(name: str) -> str:
    # Cached whole as well as by word: an import folds each row's full, family and given names
    # and its sex, and a register repeats them (0.6 million calls a 100,000 rows).
    folded = (_fold_word(word) for word in name.split())
    return " ".join(word for word in folded if word)


@functools.lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    # NFD before and after lower(): the key must not depend on how the input was composed.
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFD", word).lower())
    kept = (_FOLD_LETTERS.get(c, _PUNCTUATION_VARIANTS.get(c, c)) for c in text if not _is_mark(c))
    return " ".join("".join(kept).split())


def written_key(name: str) -> tuple[tuple[str, str], ...]:
    """Return the key under which two documents write the same name: the same letters with the
    same marks on each word, in any case or composition, wherever the tone mark sits.

    Stricter than `fold` (which forgives missing diacritics, for what people type): a card's QR
    code is printed text, so "Nhân" and "Nhẫn" differ, while old and new tone placement
    ("Thuý"/"Thúy", docs/domain.md#names-and-matching) and Ð/ð for Đ/đ do not. Our own rule.

    Raises:
        InvalidName: ``name`` is not a string.
    """
    words = unicodedata.normalize("NFD", _require_str(name)).translate(_SUBSTITUTIONS).split()
    return tuple(_written_word(word) for word in words)


def _written_word(word: str) -> tuple[str, str]:
    text = unicodedata.normalize("NFD", word.lower())
    letters = "".join(c for c in text if not _is_mark(c))
    return letters, "".join(sorted(c for c in text if _is_mark(c)))


def split(name: str) -> tuple[str, str, str]:
    """Split a name into family name, middle name(s) and given name, each normalized.

    docs/domain.md#names-and-matching: family name first, then zero or more middle names, then the
    given name, which is the last word. So ``"Đặng Thị Thu Hương"`` → ``("Đặng", "Thị Thu",
    "Hương")`` and ``"Lê Na"`` → ``("Lê", "", "Na")``. A one-word name is taken as a given name
    alone, ``("", "", word)`` (our rule): the given name is what lists sort by.

    Raises:
        InvalidName: as `normalize`.
    """
    words = normalize(name).split(" ")
    if len(words) == 1:
        return ("", "", words[0])
    return (words[0], " ".join(words[1:-1]), words[-1])
