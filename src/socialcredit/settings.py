"""The one settings object. Built once at the edge (CLI, app factory) and passed in; never read at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SHIPPED_SCORECARD = Path(__file__).resolve().parents[2] / "models" / "german-credit.json"


def _shipped_scorecard() -> Path | None:
    return SHIPPED_SCORECARD if SHIPPED_SCORECARD.is_file() else None


class Settings(BaseSettings):
    """Runtime configuration, from ``SOCIALCREDIT_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="SOCIALCREDIT_", extra="ignore")

    database_url: str = "sqlite:///./socialcredit.db"
    evidence_dir: Path = Path("./evidence")
    keys_dir: Path = Path("./keys")
    evidence_max_bytes: int = 20 * 1024 * 1024
    secret_key: str | None = None
    collect_until_day: int = 18
    report_on_day: int = 20
    committee_day: int = 25
    objection_working_days: int = 3
    # The scorecard served by POST /api/v1/scorecard/score (default: the shipped German Credit model).
    scorecard_model: Path | None = Field(default_factory=_shipped_scorecard)


def load_settings() -> Settings:
    """Read settings from the environment (call at the edge, not at import time)."""
    return Settings()
