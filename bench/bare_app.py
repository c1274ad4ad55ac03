"""The yardstick of the benchmark: a bare FastAPI app answering one 1 KB HTML page.

No middleware, no database, no templates: what one uvicorn worker on this machine can do with
FastAPI at most, so that the Buurtscan figures read as a fraction of it (DESIGN.md §10).
``/`` is the yardstick (an ``async def`` endpoint, FastAPI's hello world); ``/sync`` is the same
page from a plain ``def`` endpoint, which FastAPI runs in its thread pool as it does every
Buurtscan page, shown for information only.
"""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

SIZE = 1024
_HEAD = (
    '<!doctype html>\n<html lang="nl">\n'
    '<head><meta charset="utf-8"><title>Bare</title></head>\n<body>\n'
)
_TAIL = "</body>\n</html>\n"
_LINE = "<p>Buurtscan benchmark: a bare page of one kilobyte of HTML.</p>\n"


def _body() -> bytes:
    lines = (SIZE - len(_HEAD) - len(_TAIL) - 8) // len(_LINE)
    text = _HEAD + _LINE * lines
    text += "<!--" + " " * (SIZE - len(text) - len(_TAIL) - 8) + "-->\n" + _TAIL
    return text.encode()


BODY = _body()
assert len(BODY) == SIZE, len(BODY)

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/")
async def page() -> HTMLResponse:
    return HTMLResponse(BODY)


@app.get("/sync")
def page_sync() -> HTMLResponse:
    return HTMLResponse(BODY)
