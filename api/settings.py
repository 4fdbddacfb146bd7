"""Server settings: built once by the CLI (or a test) and passed to ``create_app``.

Environment variables with the prefix ``TOLERANCE_`` (e.g. ``TOLERANCE_PORT=8100``) fill in
what the command line leaves out. Nothing reads the environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8000
LOOPBACK_HOSTS: Final = ("127.0.0.1", "localhost", "::1")


def default_db_path() -> Path:
    """``tolerance.sqlite3`` in the user's data directory (``~/.local/share/tolerance`` on Linux)."""
    from .files import default_data_folder

    return default_data_folder() / "tolerance.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOLERANCE_", extra="forbid")

    host: str = DEFAULT_HOST
    port: int = Field(DEFAULT_PORT, ge=0, le=65535)
    db: Path = Field(default_factory=default_db_path)
    sims: list[str] = Field(default_factory=list)
    devices: list[str] = Field(default_factory=list)
    accelerometer: bool = True
    """Start a Polar H10's accelerometer (25 Hz, 8 G) on every connect (``--no-accelerometer``: not)."""
    ecg: bool = False
    """Start a Polar H10's ECG (130 Hz) too (``--ecg``); stored raw."""
    replays: list[str] = Field(default_factory=list)
    speed: float = Field(1.0, gt=0)
    seed: int | None = None
    baseline_span_s: tuple[float, float] | None = None
    """Seconds after each session's first beat between which it calibrates (``--baseline``)."""
    profile: str | None = Field(None, min_length=1, max_length=64)
    """``--profile NAME``: the worker's stored baseline and window (a calibration updates it)."""
    replay_dir: Path | None = None
    """Folder whose notification logs ``POST /api/sessions`` may replay (``replay:NAME``); None: no replays."""
    scenario_dir: Path | None = None
    """Folder whose ``.toml`` scenarios ``POST /api/sessions`` may simulate (``sim:NAME``) besides the
    bundled ones; None: bundled scenarios only."""
    extra_origins: list[str] = Field(default_factory=list)
    """Origins besides the app's own allowed to call the API (e.g. a reverse proxy's)."""
    public_names: list[str] = Field(default_factory=list)
    """Host names and addresses besides the bound one that clients may use (``--public-name``)."""
    access_token: str | None = Field(None, min_length=16)
    """Required of every request when serving beyond loopback (``serve`` makes one); None on loopback."""

    @field_validator("host")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip().strip("[]")

    @property
    def loopback_only(self) -> bool:
        """Bound to loopback only (``localhost``, 127.0.0.0/8, ::1): no token is needed."""
        from .security import is_loopback

        return is_loopback(self.host)
