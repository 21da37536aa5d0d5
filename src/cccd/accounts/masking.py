"""Masking personal data before it reaches a log line.

Runs of 9 to 12 digits — personal ID numbers, old ID numbers, phone numbers — keep their first three and last two
digits, enough for an operator to tell two log lines apart; query strings (where look-ups carry
names) are dropped whole.

Tracebacks are logged without their exceptions' messages: a message can quote any value (openpyxl
names the cell text it refused, a database the row it could not write, `int()` the text it could
not read), and no pattern tells a person's name from other text. What stays is enough to find the
fault: every frame (file, line, function, source line), each exception's type, and a domain
error's stable code. The filter also drops the request a log record carries, so a handler that
would print the request (Django's 500 e-mail: POST data, query string, cookies) has none to print.
"""

import logging
import re
import traceback

_ID_NUMBER = re.compile(r"(?<!\d)(\d{3})(\d{4,7})(\d{2})(?!\d)")
_QUERY_STRING = re.compile(r"\?[^\s\"']*")
_WITHHELD = "(message withheld: it may hold personal data)"
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def _mask_id(match: re.Match[str]) -> str:
    return match.group(1) + "*" * len(match.group(2)) + match.group(3)


def mask_text(text: str) -> str:
    return _ID_NUMBER.sub(_mask_id, _QUERY_STRING.sub("?…", text))


def masked_traceback(error: BaseException) -> str:
    """The traceback Python would print for `error` and the exceptions chained to it, with each
    exception's message replaced (module docstring)."""
    lines: list[str] = []
    _describe(error, lines, seen=set())
    return mask_text("".join(lines).rstrip("\n"))


def _describe(error: BaseException, lines: list[str], *, seen: set[int]) -> None:
    seen.add(id(error))
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        _describe(cause, lines, seen=seen)
        lines.append(_CAUSE)
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        _describe(context, lines, seen=seen)
        lines.append(_CONTEXT)
    if error.__traceback__ is not None:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(traceback.extract_tb(error.__traceback__)))
    kind = type(error)
    code = getattr(error, "code", None)
    label = f"[{code}] " if isinstance(code, str) and code.isidentifier() else ""
    lines.append(f"{kind.__module__}.{kind.__qualname__}: {label}{_WITHHELD}\n")


class MaskPersonalDataFilter(logging.Filter):
    """On every handler of `settings.LOGGING`: the message masked, the traceback without its
    exceptions' messages, and no request attached to the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = masked_traceback(record.exc_info[1])
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        record.exc_info = None
        if getattr(record, "request", None) is not None:
            record.request = None
        return True
