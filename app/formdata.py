"""Posted HTML forms as a list of fields, for handlers that parse dynamic forms themselves."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request


async def get_form_items(request: Request) -> AsyncIterator[list[tuple[str, Any]]]:
    """The posted fields; any uploaded file (never expected) is closed after the request."""
    form = await request.form()
    try:
        yield list(form.multi_items())
    finally:
        await form.close()


FormItemsDep = Annotated[list[tuple[str, Any]], Depends(get_form_items)]
