"""The debugging page: ``GET /`` and its static files under ``/static/``.

The page (``app/static/index.html``, ``page.css``, ``page.js``) is plain
HTML, CSS and a script with no build step; it calls ``POST /v1/repair`` like
any other client and holds no repair logic. The only thing filled in on the
server is the list of OpenCC configs (`convert.CONFIGS`), so that the page's
choice of conversions is always the one the engine accepts.
"""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ..convert import CONFIGS

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
_OPTIONS_MARKER = "<!-- convert options -->"

# The page loads nothing from elsewhere and never needs inline script or style.
_CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'")

router = APIRouter()


@lru_cache(maxsize=1)
def page_html() -> str:
    """``index.html`` with one ``<option>`` per OpenCC config in place of its
    marker comment.

    Raises:
        FileNotFoundError: the package was installed without its static files.
        RuntimeError: ``index.html`` lacks the marker.
    """
    text = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    if _OPTIONS_MARKER not in text:
        raise RuntimeError(f"index.html has no {_OPTIONS_MARKER!r} marker")
    options = "".join(
        f'<option value="{html.escape(c)}">{html.escape(c)}</option>' for c in CONFIGS
    )
    return text.replace(_OPTIONS_MARKER, options)


@router.get("/", include_in_schema=False)
def page() -> HTMLResponse:
    """The debugging page."""
    return HTMLResponse(page_html(), headers={"Content-Security-Policy": _CSP,
                                              "Cache-Control": "no-cache"})


static_files = StaticFiles(directory=STATIC_DIR)
