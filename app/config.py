"""Settings from environment variables (prefix ``BUURTSCAN_``), documented in the README."""

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import Depends
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
TIMEZONE = ZoneInfo("Europe/Amsterdam")  # dates of scans and votes are the municipality's days
DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - the documented dev default

Language = Literal["nl", "en", "tr", "ar", "pl", "uk"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BUURTSCAN_", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'data' / 'buurtscan.db'}"
    secret_key: str = Field(default=DEVELOPMENT_SECRET, min_length=16)
    gemeente: str = "Zwijndrecht"
    default_language: Language = "nl"
    secure_cookies: bool = False
    demo_banner: bool = False
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    resident_session_days: int = Field(default=30, ge=1)
    small_number_threshold: int = Field(default=5, ge=1)
    # Retention (``buurtscan purge``): days after a closed scan's end date.
    contact_retention_days: int = Field(default=90, ge=0)
    text_retention_days: int = Field(default=365, ge=0)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    if settings.secret_key == DEVELOPMENT_SECRET:
        warnings.warn(
            "BUURTSCAN_SECRET_KEY is not set: using the development secret. "
            "Set a long random value in production.",
            stacklevel=2,
        )
    return settings


async def settings_dependency() -> Settings:
    """Async only so that FastAPI does not send this to the thread pool."""
    return get_settings()


SettingsDep = Annotated[Settings, Depends(settings_dependency)]
