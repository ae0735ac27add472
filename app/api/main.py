"""The FastAPI application and its one error handler.

Status codes for engine errors (`app.errors`):

=====================  ======
RepairError subclass   status
=====================  ======
InputTooLarge          413
NotText                422
UnknownConversion      422
UnknownCodec           422
InvalidPlan            422
InvalidOption          422
=====================  ======

`items.ItemError` (bad JSON, fields, base64, media types) carries its own
status; the in-flight bound's 503 comes from `ops.OpsMiddleware`.

Every error body has the shape `schemas.ErrorResponse`.
"""

from __future__ import annotations

import warnings
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..engine import warm_up
from ..errors import RepairError
from ..settings import get_settings
from . import batch, docs, ops
from .items import ItemError, error_detail
from .page import router as page_router
from .page import static_files
from .routes import router

@asynccontextmanager
async def lifespan(_: FastAPI):
    # Load the model, the gate and the converters and run one repair before
    # serving: the first request then costs no more than the second.
    warm_up(get_settings().default_convert)
    yield


app = FastAPI(
    title="luanma",
    version=__version__,
    summary="Repairs garbled (mojibake) Chinese text from web scrapes.",
    lifespan=lifespan,
    docs_url=None,  # docs.router serves /docs with local assets
    redoc_url=None,  # ReDoc's script would come from a CDN
    # /v1/repair/ is no path of the API: a JSON 404, not a 307 to /v1/repair
    # (which a client may follow without its body)
    redirect_slashes=False,
)


def _openapi() -> dict:
    """The OpenAPI document, with each HEAD operation's id its GET's plus
    ``_head`` (healthz, healthz_head): FastAPI gives one route's methods one
    id, which OpenAPI forbids, client generators trip on, and whose warning
    went to the log as plain text (fresh-eyes report fe11a S3-2)."""
    if app.openapi_schema is None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Duplicate Operation ID")
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                                 routes=app.routes)
        for operations in schema["paths"].values():
            head, get = operations.get("head"), operations.get("get")
            if head and get and head.get("operationId") == get.get("operationId"):
                head["operationId"] += "_head"
        app.openapi_schema = schema
    return app.openapi_schema


app.openapi = _openapi
app.include_router(router)
app.include_router(page_router)
app.include_router(docs.router)
app.mount(docs.ASSETS, docs.swagger_files, name="swagger-ui")  # before /static, which holds it
app.mount("/static", static_files, name="static")
app.include_router(batch.router)
app.include_router(ops.router)
app.add_middleware(ops.OpsMiddleware)


def _error(status: int, code: str, message: str, **extra) -> JSONResponse:
    detail = {"code": code, "message": message}
    detail.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse({"error": detail}, status_code=status)


@app.exception_handler(RepairError)
@app.exception_handler(ItemError)
async def repair_error_handler(_: Request, exc: RepairError | ItemError) -> JSONResponse:
    status, detail = error_detail(exc)
    return JSONResponse({"error": detail}, status_code=status)


@app.exception_handler(RequestValidationError)
async def validation_handler(_: Request, exc: RequestValidationError) -> JSONResponse:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"][1:]) or None
    return _error(422, "invalid_field", f"{field}: {err['msg']}", field=field)


@app.exception_handler(StarletteHTTPException)
async def http_error_handler(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    response = _error(exc.status_code, code, str(exc.detail))
    response.headers.update(exc.headers or {})  # Allow on a 405 (RFC 9110, section 15.5.6)
    return response


@app.exception_handler(Exception)
async def internal_error_handler(_: Request, exc: Exception) -> JSONResponse:
    # A bug, not bad input: the error shape still holds. `ops.OpsMiddleware`
    # answers and logs (with the request id) whatever a route raises; this
    # is the last resort for a fault in the middleware itself.
    ops.log_internal_error(exc)
    return _error(500, "internal_error", "luanma failed on this request; it has been logged")
