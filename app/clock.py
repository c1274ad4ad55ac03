"""The request's notion of now, as a dependency (tests and rules get ``now`` passed in)."""

from datetime import datetime
from typing import Annotated

from fastapi import Depends

from app.db import utcnow


def now() -> datetime:
    return utcnow()


NowDep = Annotated[datetime, Depends(now)]
