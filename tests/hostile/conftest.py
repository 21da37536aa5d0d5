"""The people, session, called number, dossier and batch that the upload points need, reused from
the apps' own fixtures; and the corpus, built once per run."""

from __future__ import annotations

import functools
import html
import re

from django.utils import translation

from cccd.errors import ErrorCode
from tests.enrollments.conftest import (  # noqa: F401
    back_office_dakmil,
    called,
    captured,
    commander_dakmil,
    portrait,
    student,
)
from tests.enrollments.production.conftest import approved  # noqa: F401
from tests.enrollments.production.test_production import sent  # noqa: F401
from tests.hostile import make_corpus
from tests.tickets.conftest import desks, leader, session  # noqa: F401


@functools.cache
def corpus(name: str) -> bytes:
    return make_corpus.build(name)


def filename(name: str) -> str:
    return make_corpus.CORPUS[name][0]


def sentence(code: ErrorCode) -> re.Pattern[str]:
    """The code's English sentence as a pattern, its parameters matching any text."""
    with translation.override("en"):
        text = str(code.message)
    parts = re.split(r"%\(\w+\)s", text)
    return re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)


def shows(content: bytes | str, code: ErrorCode) -> bool:
    """The page (unescaped) or text says the code's sentence."""
    text = content.decode() if isinstance(content, bytes) else content
    return bool(sentence(code).search(html.unescape(text)))
