"""Service settings, read from environment variables prefixed ``LUANMA_``.

Example: ``LUANMA_MAX_DOCUMENT_BYTES=1048576 luanma serve``.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Limits and defaults of the HTTP service and the CLI.

    Attributes:
        max_document_bytes: largest request body accepted (bytes); larger
            bodies get 413. Default 10 MiB.
        default_convert: OpenCC config applied when a request names none
            (None: no conversion).
        host: address `luanma serve` binds to.
        port: port `luanma serve` listens on.
        workers: uvicorn worker processes for `luanma serve`.
        log_level: uvicorn's log level.
    """

    model_config = SettingsConfigDict(env_prefix="LUANMA_")

    max_document_bytes: int = 10 * 1024 * 1024
    default_convert: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"

    @field_validator("default_convert")
    @classmethod
    def _known_config(cls, value: str | None) -> str | None:
        """A wrong LUANMA_DEFAULT_CONVERT stops the process at start-up
        instead of failing every request."""
        from .convert import CONFIGS

        if value is not None and value.removesuffix(".json") not in CONFIGS:
            raise ValueError(f"unknown OpenCC config {value!r}; valid: {', '.join(CONFIGS)}")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
