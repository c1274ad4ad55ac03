"""The request's notion of now, as a dependency (tests and rules get ``now`` passed in)."""

from datetime import datetime
from typing import Annotated

from fastapi import Depends

from app.db import utcnow


async def now() -> datetime:
    """Async only so that FastAPI does not send this to the thread pool."""
    return utcnow()


NowDep = Annotated[datetime, Depends(now)]
