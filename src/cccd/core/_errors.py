"""The base error of `cccd.core` and helpers that describe bad input in messages."""

import unicodedata


class CoreError(ValueError):
    """A rule of the card was broken by the input.

    A `ValueError`, so callers that only know Python's conventions still catch it; `code` is a
    stable identifier the web and API layers turn into a translated sentence
    (docs/design.md#bad-input).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message

    def __reduce__(self) -> tuple[type["CoreError"], tuple[str, str]]:
        # The default pickling passes only `args` (the message) back to __init__.
        return (type(self), (self.code, self.message))


def type_name(value: object) -> str:
    """Name the type of a wrongly typed argument for an error message."""
    return "None" if value is None else type(value).__name__


def describe_char(char: str) -> str:
    """Show one character unambiguously, e.g. ``'5' (U+0035 DIGIT FIVE)``."""
    name = unicodedata.name(char, "")
    suffix = f" {name}" if name else ""
    return f"{char!r} (U+{ord(char):04X}{suffix})"
