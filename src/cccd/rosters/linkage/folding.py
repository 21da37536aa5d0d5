"""Names folded for matching: capitals, diacritics (đ too), NFD and old tone placement made the
same by `cccd.core.names.fold`, then split into family, middle and given name."""

from __future__ import annotations

import functools
import re

from cccd.core import names

_NOT_NAME = re.compile(r"[^a-z0-9' -]+")


@functools.lru_cache(maxsize=262144)
def split_folded(name: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(folded name, family, middle, given) of a name as typed, or Nones for a blank one.

    Cached: a register repeats a few hundred thousand distinct names. Punctuation other than
    apostrophes and hyphens becomes a space, so "Nguyễn V. Hùng" folds to "nguyen v hung".
    """
    folded = " ".join(_NOT_NAME.sub(" ", names.fold(name)).split())
    if not folded:
        return None, None, None, None
    words = folded.split(" ")
    if len(words) == 1:
        return folded, None, None, folded
    return folded, words[0], " ".join(words[1:-1]) or None, words[-1]
