"""Server settings: built once by the CLI (or a test) and passed to ``create_app``.

Environment variables with the prefix ``TOLERANCE_`` (e.g. ``TOLERANCE_PORT=8100``) fill in
what the command line leaves out. Nothing reads the environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .access import MIN_TOKEN_CHARS, new_token

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
    access_token: str = Field(default_factory=new_token, min_length=MIN_TOKEN_CHARS, repr=False)
    """Required of every request, on loopback too (:mod:`.access`): a new one per start unless
    ``TOLERANCE_ACCESS_TOKEN`` gives one (never a command-line option: any user can read those)."""

    max_connections: int = Field(4096, ge=16)
    """Connections held at once (lowered to leave descriptors free below the open-file limit)."""
    max_connections_per_client: int = Field(256, ge=1)
    """Connections held at once from one address: a trainer's laptop with its tabs, not a flood."""
    header_timeout_s: float = Field(10.0, gt=0, le=300)
    """Seconds a client has to send a whole request head (after connecting, or after a response)."""
    body_timeout_s: float = Field(30.0, gt=0, le=3600)
    """Seconds a client has to send a whole request body once its head is in."""

    @field_validator("host")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip().strip("[]")

    @property
    def loopback_only(self) -> bool:
        """Bound to loopback only (``localhost``, 127.0.0.0/8, ::1): no other machine can connect."""
        from .security import is_loopback

        return is_loopback(self.host)
