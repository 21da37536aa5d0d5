"""Masking personal data before it reaches a log line.

Runs of 9 to 12 digits — personal ID numbers, old ID numbers, phone numbers — keep their first three and last two
digits, enough for an operator to tell two log lines apart; query strings (where look-ups carry
names) are dropped whole.
"""

import logging
import re

_ID_NUMBER = re.compile(r"(?<!\d)(\d{3})(\d{4,7})(\d{2})(?!\d)")
_QUERY_STRING = re.compile(r"\?[^\s\"']*")


def _mask_id(match: re.Match[str]) -> str:
    return match.group(1) + "*" * len(match.group(2)) + match.group(3)


def mask_text(text: str) -> str:
    return _ID_NUMBER.sub(_mask_id, _QUERY_STRING.sub("?…", text))


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        return True
