"""The baseline of benchmarks/load.py: a FastAPI app that only returns
ftfy.fix_text of the request body (UTF-8), as text/plain."""

from __future__ import annotations

import ftfy
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.post("/fix")
async def fix(request: Request) -> PlainTextResponse:
    body = await request.body()
    text = await run_in_threadpool(ftfy.fix_text, body.decode("utf-8", "replace"))
    return PlainTextResponse(text)
