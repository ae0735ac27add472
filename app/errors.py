"""Errors that luanma's engine raises. Nothing else escapes `repair*`.

Exception tree::

    RepairError                  base class; every engine error is one
    ├── NotText                  bytes that are not text (binary signature,
    │                            too many control bytes after decoding)
    ├── InputTooLarge            input longer than the caller's limit
    ├── UnknownConversion        `convert` is not an OpenCC config id
    ├── UnknownCodec             a charset label no codec answers to
    ├── InvalidOption            an option out of its range (`min_confidence`)
    └── InvalidPlan              `apply_plan` was given a step it cannot replay

The HTTP layer (`app/api/main.py`) maps each class to one status code; the
engine never imports FastAPI.
"""

from __future__ import annotations


# Longest a value the caller gave is quoted in an error message or warning
# (characters of its repr): a 60,000-character option came back whole in
# the error body (fresh-eyes report fe12 S3-3).
SHOWN_CHARS = 60


def shown(value: object) -> str:
    """`repr(value)`, cut to `SHOWN_CHARS` characters with ``…`` where
    longer: a value the caller gave, as quoted in a message."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


class RepairError(Exception):
    """Base class of every error the engine raises.

    Attributes:
        code: a short machine-readable name, stable across versions
            (used as `error.code` in HTTP error bodies).
    """

    code = "repair_error"


class NotText(RepairError):
    """The bytes given are not text (a binary format, or mostly control bytes)."""

    code = "not_text"


class InputTooLarge(RepairError):
    """The input is longer than the configured limit."""

    code = "input_too_large"


class UnknownConversion(RepairError):
    """`convert` names no OpenCC config.

    Attributes:
        valid: the config ids that are accepted, sorted.
    """

    code = "unknown_conversion"

    def __init__(self, name: str, valid: list[str]):
        self.name = name
        self.valid = valid
        super().__init__(f"unknown OpenCC config {shown(name)}; valid: {', '.join(valid)}")


class UnknownCodec(RepairError):
    """A charset label that neither Python nor the WHATWG label table knows."""

    code = "unknown_codec"


class InvalidPlan(RepairError):
    """`apply_plan` met a step it cannot replay (unknown action, bad offsets)."""

    code = "invalid_plan"


class InvalidOption(RepairError):
    """An option outside its range, e.g. `min_confidence` not in [0, 1].

    Attributes:
        field: the option's name.
    """

    code = "invalid_field"

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)
