"""One settings object, built once at start and passed down.

Values come from arguments, then ``GLITCHCART_*`` environment variables, then
defaults. Nothing reads the environment at import time: call :func:`load_settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GLITCHCART_", extra="ignore")

    home: Path | None = Field(default=None, description="data directory (GLITCHCART_HOME)")
    default_cartridge: str = "dust-signal"
    max_action_length: int = Field(default=280, ge=1, le=4000)
    pictures: bool = Field(default=True, description="paint a frame every turn")
    frame_width: int = Field(default=512, ge=64, le=2048)
    frame_height: int = Field(default=288, ge=64, le=2048)

    @property
    def data_dir(self) -> Path:
        """``--data-dir``/``GLITCHCART_HOME`` if set, else the platform's user data folder."""
        if self.home is not None:
            return self.home.expanduser()
        return Path(platformdirs.user_data_dir("glitchcart", appauthor=False))


def load_settings(**overrides: Any) -> Settings:
    """Build the settings; explicit overrides (e.g. ``home=`` from ``--data-dir``) win."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
