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
=====================  ======

Every error body has the shape `schemas.ErrorResponse`.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..convert import converter
from ..errors import InputTooLarge, RepairError, UnknownCodec, UnknownConversion
from ..model import get_model
from .page import router as page_router
from .page import static_files
from .routes import ApiError, router

_STATUS = {InputTooLarge: 413}


@asynccontextmanager
async def lifespan(_: FastAPI):
    # Load the model and the converters before serving: the first request
    # then costs no more than the second.
    get_model()
    converter("t2s")
    yield


app = FastAPI(
    title="luanma",
    version=__version__,
    summary="Repairs garbled (mojibake) Chinese text from web scrapes.",
    lifespan=lifespan,
)
app.include_router(router)
app.include_router(page_router)
app.mount("/static", static_files, name="static")


def _error(status: int, code: str, message: str, **extra) -> JSONResponse:
    detail = {"code": code, "message": message}
    detail.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse({"error": detail}, status_code=status)


@app.exception_handler(RepairError)
async def repair_error_handler(_: Request, exc: RepairError) -> JSONResponse:
    status = _STATUS.get(type(exc), 422)
    valid = exc.valid if isinstance(exc, UnknownConversion) else None
    field = {UnknownConversion: "convert", UnknownCodec: "charset"}.get(type(exc))
    return _error(status, exc.code, str(exc), field=field, valid=valid)


@app.exception_handler(ApiError)
async def api_error_handler(_: Request, exc: ApiError) -> JSONResponse:
    return _error(exc.status, exc.code, exc.message, field=exc.field)


@app.exception_handler(RequestValidationError)
async def validation_handler(_: Request, exc: RequestValidationError) -> JSONResponse:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"][1:]) or None
    return _error(422, "invalid_field", f"{field}: {err['msg']}", field=field)


@app.exception_handler(StarletteHTTPException)
async def http_error_handler(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return _error(exc.status_code, code, str(exc.detail))
