"""Service settings, read from environment variables prefixed ``LUANMA_``.

Example: ``LUANMA_MAX_DOCUMENT_BYTES=1048576 luanma serve``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Limits and defaults of the HTTP service and the CLI.

    Attributes:
        max_document_bytes: largest document accepted (bytes, after gzip
            inflation): the body of a single bytes or text request, and the
            document inside any JSON item (its `text` as UTF-8, or the bytes
            its `base64` decodes to), single or batched. Larger: 413 (or the
            item's own `input_too_large` error slot). Default 10 MiB. A JSON
            item's own bytes may be up to `max_item_json_bytes`.
        max_batch_bytes: largest JSON-array body of ``POST /v1/repair/batch``
            (bytes, after inflation; such a body is read whole). Default
            64 MiB. NDJSON streams have no total limit.
        stream_spool_bytes: most bytes of an NDJSON stream read ahead of the
            repairs, held in a temporary file (not memory) so that a client
            may send before it reads. Default 1 GiB.
        deadline_seconds: the search for one document stops after this many
            seconds and returns what it found by then, with a warning; 0 for
            no deadline. Default 10.
        body_timeout_seconds: the most seconds a client may take to send a
            request's body (for an NDJSON stream, the longest wait for its
            next bytes); slower: 408 (a stream: an error slot, then the
            end). Bounds what a stalled or trickling client holds of the
            in-flight slots. Default 60 (a 10 MiB body at 175 KB/s).
        max_in_flight: requests a worker process serves at once (each batch
            is one); more get 503 with Retry-After. Default 64.
        engine_threads: documents a worker repairs at once; the others wait
            in order of arrival. Default 4: the search is CPU-bound Python,
            but with one thread a worker's answer-writing and the next search
            do not overlap (clean 2 KB bodies, 2 workers, 16 connections:
            1 thread about 28 requests/s, 4 threads 41, 40 threads 39).
        default_convert: OpenCC config applied when a request names none
            (None: no conversion).
        host: address `luanma serve` binds to (not empty).
        port: port `luanma serve` listens on, 1..65535.
        workers: uvicorn worker processes for `luanma serve`.
        log_level: level of the JSON logs (critical, error, warning, info, debug).
    """

    model_config = SettingsConfigDict(env_prefix="LUANMA_")

    max_document_bytes: int = Field(10 * 1024 * 1024, ge=1)
    max_batch_bytes: int = Field(64 * 1024 * 1024, ge=1)
    stream_spool_bytes: int = Field(1024 * 1024 * 1024, ge=65536)
    deadline_seconds: float = Field(10.0, ge=0, allow_inf_nan=False)
    body_timeout_seconds: float = Field(60.0, gt=0, allow_inf_nan=False)
    max_in_flight: int = Field(64, ge=1)
    engine_threads: int = Field(4, ge=1)
    default_convert: str | None = None
    host: str = Field("127.0.0.1", min_length=1)
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"

    @property
    def max_item_json_bytes(self) -> int:
        """Largest JSON item (bytes, after inflation): the JSON body of a
        single request, or an NDJSON line. 4 x `max_document_bytes`, so that
        a document at the limit fits however it is sent: base64 grows it
        by 4/3, and ``\\uXXXX`` escapes (JSON encoders' ASCII-only default)
        double Chinese text's UTF-8 bytes (6 bytes for 3), plus the options."""
        return 4 * self.max_document_bytes

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("default_convert")
    @classmethod
    def _known_config(cls, value: str | None) -> str | None:
        """A wrong LUANMA_DEFAULT_CONVERT stops the process at start-up
        instead of failing every request."""
        from .convert import CONFIGS, config_id
        from .errors import UnknownConversion

        if value is None:
            return None
        try:
            return config_id(value)  # the one spelling rule of the API and the CLI
        except UnknownConversion:
            raise ValueError(f"unknown OpenCC config {value!r}; valid: {', '.join(CONFIGS)}") \
                from None


class SettingsError(ValueError):
    """A ``LUANMA_*`` environment variable that does not hold a valid value;
    the message names each variable, its value and what is wrong."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once.

    Raises:
        SettingsError: a ``LUANMA_*`` variable is invalid, e.g.
            ``LUANMA_DEADLINE_SECONDS='abc': Input should be a valid number``.
    """
    try:
        return Settings()
    except ValidationError as exc:
        prefix = Settings.model_config["env_prefix"]
        problems = [
            f"{prefix}{'_'.join(str(part) for part in error['loc']).upper()}="
            f"{error.get('input')!r}: {error['msg']}"
            for error in exc.errors()
        ]
        raise SettingsError("; ".join(problems)) from None
