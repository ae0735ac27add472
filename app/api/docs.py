"""``GET /docs``: Swagger UI for the OpenAPI document, served from this
process. Its script, style and icon come from the `swagger-ui-bundle-v2`
package (Swagger UI 5, which reads the OpenAPI 3.1 that FastAPI writes) and
are mounted under ``/static/swagger-ui/``, so the page works on a host with
no Internet access (FastAPI's default page loads them from a CDN). ReDoc is
not served: no package in use ships its script.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/static/swagger-ui"

router = APIRouter()


@router.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    """Swagger UI for ``/openapi.json``, every asset from ``/static/swagger-ui/``."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="luanma - Swagger UI",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        oauth2_redirect_url=None,
        # null: no badge from Swagger's online validator (an outside request)
        swagger_ui_parameters={"validatorUrl": None},
    )


swagger_files = StaticFiles(directory=str(swagger_ui_path))
