"""Request and response bodies of the HTTP API (pydantic models)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator
from pydantic_core import PydanticCustomError


# Base64 with padding (RFC 4648), ASCII white space allowed anywhere, as
# the service reads it (`items._BASE64_SPACE`): what OpenAPI publishes.
_W, _C = r"[ \t\n\r\f\v]*", r"[A-Za-z0-9+/]"
_BASE64_PATTERN = (f"^{_W}(?:{(_C + _W) * 4})*"
                   f"(?:{(_C + _W) * 2}={_W}={_W}|{(_C + _W) * 3}={_W})?$")


class RepairRequest(BaseModel):
    """JSON body of ``POST /v1/repair``: exactly one of `text` and `base64`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": [
        {"required": ["text"], "properties": {"text": {"type": "string"},
                                              "charset": {"type": "null"}}},
        {"required": ["base64"], "properties": {"base64": {"type": "string"}}},
    ]})

    text: str | None = Field(None, description="Text to repair (already decoded).")
    base64: str | None = Field(
        None, description="Raw bytes, base64-encoded (RFC 4648, with padding); ASCII white "
                          "space (MIME's or the base64 tool's line breaks) is ignored.",
        json_schema_extra={"pattern": _BASE64_PATTERN})
    charset: str | None = Field(
        None, min_length=1,
        description="The page's declared charset, for `base64`: evidence, not an order.")
    convert: str | None = Field(None, min_length=1,
                                description="OpenCC config id, e.g. t2s, s2t, tw2sp.")
    strip_annotations: bool | None = Field(
        None, strict=True, description="Remove flattened ruby annotations such as 創(chuàng). Default true."
    )
    min_confidence: float | None = Field(
        None, ge=0, le=1, allow_inf_nan=False, strict=True,
        description="Below this confidence the input comes back unchanged (decoded, for bytes), "
                    "with `changed: false`, the spans for information, and a warning.",
    )
    html: bool | None = Field(
        None, strict=True, description="The input is an HTML document: repair its text nodes and attribute "
        "values only, and make its charset declaration say utf-8. Default false."
    )
    detect_only: bool | None = Field(
        None, strict=True, description="Report spans, kinds and confidence; change nothing. Default false."
    )


class BatchItem(RepairRequest):
    """One item of ``POST /v1/repair/batch`` (an array element or an NDJSON line)."""

    id: StrictStr | StrictInt | None = Field(
        None, description="Echoed back in the item's result or error slot."
    )

    @field_validator("id", mode="before")
    @classmethod
    def _string_or_integer(cls, value: object) -> object:
        """One clear error for any other id (1.5, true, a list, an object)
        instead of the union's per-member messages (``id.str: ...``)."""
        if value is None or isinstance(value, str) or (
                isinstance(value, int) and not isinstance(value, bool)):
            return value
        kind = {bool: "a boolean", float: "a number with a decimal point or exponent",
                list: "an array", dict: "an object"}.get(type(value), type(value).__name__)
        raise PydanticCustomError(
            "id_type", "must be a string or an integer (or null, or absent), not {kind}",
            {"kind": kind})


class EditOut(BaseModel):
    start: int
    end: int
    plan: list[tuple[str, str | None]]


class StepOut(BaseModel):
    action: str = Field(
        description="decode, html, unescape, fix_encoding, realign, strip_annotations or convert")
    parameter: str | None
    explanation: str
    edits: list[EditOut]


class SpanOut(BaseModel):
    kind: str
    start: int = Field(description="Code-point offset into the input text, inclusive.")
    end: int = Field(description="Code-point offset into the input text, exclusive.")
    out_start: int = Field(description="Code-point offset into the output text, inclusive.")
    out_end: int = Field(description="Code-point offset into the output text, exclusive.")
    original: str
    repaired: str
    confidence: float
    plan: list[tuple[str, str | None]]
    explanation: str
    start_byte: int | None = Field(None, description="Byte offset into the request body.")
    end_byte: int | None = None
    lost: list[int] = Field(description="Offsets into `repaired` of characters lost (U+FFFD).")
    guessed: list[int] = Field(description="Offsets into `repaired` of characters guessed back.")


class RepairResponse(BaseModel):
    """The repaired text with its confidence and an explanation of every change."""

    text: str
    confidence: float = Field(ge=0, le=1)
    changed: bool
    encoding: str | None = Field(description="Codec used to decode bytes input (Python name).")
    steps: list[StepOut]
    spans: list[SpanOut]
    warnings: list[str]
    version: str = Field(description="luanma version")
    model: str = Field(description="Language model data version")


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable name, e.g. not_text")
    message: str
    field: str | None = Field(None, description="The request field at fault, if any.")
    valid: list[str] | None = Field(None, description="Accepted values, when the fault is a choice.")


class ErrorResponse(BaseModel):
    """The one error shape of the API."""

    error: ErrorDetail


class BatchResult(RepairResponse):
    """A batch slot for an item that was repaired."""

    id: StrictStr | StrictInt | None = Field(description="The item's id, or null.")


class BatchError(BaseModel):
    """A batch slot for an item that could not be repaired."""

    id: StrictStr | StrictInt | None = Field(description="The item's id, or null.")
    error: ErrorDetail
    line: int | None = Field(
        None, description="NDJSON only: the item's line number in the request, from 1."
    )
