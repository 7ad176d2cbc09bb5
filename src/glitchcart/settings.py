"""One settings object, built once at start and passed down.

Values come from arguments, then ``GLITCHCART_*`` environment variables, then
defaults. Nothing reads the environment at import time: call :func:`load_settings`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from glitchcart.core import ids
from glitchcart.errors import InvalidSetting

ENV_PREFIX = "GLITCHCART_"


class ProviderConfig(BaseModel):
    """One OpenAI-compatible model server: a chat model or an image model.

    ``api_key`` is a :class:`SecretStr`: it prints as ``**********`` and is only
    unwrapped where the request header is built.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=ids.anchored(ids.PROVIDER_NAME_PATTERN))
    kind: Literal["chat", "image"]
    base_url: str = Field(description="e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1")
    model: str = Field(min_length=1, max_length=200)
    api_key: SecretStr | None = None
    timeout: float = Field(default=30.0, gt=0, le=600)
    max_concurrency: int = Field(default=4, ge=1, le=1000)
    price_input_per_1k: float = Field(default=0.0, ge=0)
    price_output_per_1k: float = Field(default=0.0, ge=0)
    price_per_image: float = Field(default=0.0, ge=0)
    supports_json_schema: bool = False
    supports_stream: bool = False
    image_size: str = Field(default="1024x1024", pattern=r"^\d{2,5}x\d{2,5}$")

    @property
    def paid(self) -> bool:
        return max(self.price_input_per_1k, self.price_output_per_1k, self.price_per_image) > 0


class ApiKeyConfig(BaseModel):
    """One key of the HTTP API: the session namespaces it may touch and its role.

    ``admin`` may also delete and load games and exit sessions; ``play`` may not.
    ``namespaces`` lists namespaces (``discord``, ``web``) or ``*`` for all.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=ids.anchored(ids.API_KEY_NAME_PATTERN))
    key: SecretStr
    namespaces: list[str] = Field(min_length=1)
    role: Literal["play", "admin"] = "play"
    rate: float | None = Field(default=None, gt=0, description="requests/s; default api_rate")

    @model_validator(mode="after")
    def _check(self) -> ApiKeyConfig:
        if len(self.key.get_secret_value()) < 16:
            raise ValueError(f"api key {self.name}: a key is at least 16 characters")
        for ns in self.namespaces:
            if ns != "*" and not ids.NAMESPACE.fullmatch(ns):
                raise ValueError(f"api key {self.name}: {ns!r} is not a namespace or '*'")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    home: Path | None = Field(default=None, description="data directory (GLITCHCART_HOME)")
    default_cartridge: str = "dust-signal"
    max_action_length: int = Field(default=280, ge=1, le=4000)
    max_players: int = Field(default=100, ge=1, le=10_000, description="players per session")
    active_turns: int = Field(default=2, ge=0, description="ACTIVE within this many turns")
    active_seconds: float = Field(default=15 * 60, ge=0, description="... or this many seconds")
    idle_turns: int = Field(default=5, ge=0, description="IDLE within this many turns")
    idle_seconds_tier: float = Field(default=60 * 60, ge=0, description="... or seconds")
    max_sessions_per_namespace: int = Field(
        default=1000, ge=1, description="sessions in one namespace (discord, web, cli...)"
    )
    games_per_session: int = Field(
        default=50, ge=1, description="saved games (and their media) a session keeps"
    )
    receipt_seconds: float = Field(
        default=24 * 60 * 60, ge=60, description="how long an idempotency key is remembered"
    )
    max_receipts: int = Field(
        default=5_000, ge=100, le=100_000, description="idempotency receipts kept per session"
    )
    pictures: bool = Field(default=True, description="paint a frame every turn")
    flipbook: bool = Field(default=False, description="each turn's picture is a short GIF")
    video: bool = Field(default=False, description="film a clip per turn; a film at death")
    tapes: bool = Field(default=True, description="build a replay tape when a run ends")
    tape_max_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="size cap of a tape (Discord's 8 MB)"
    )
    tapes_per_session: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="tapes (and as many films) a session keeps; the oldest go first,"
        " never the one made at a game's end",
    )
    media_bytes_per_session: int = Field(
        default=1024 * 1024 * 1024,
        ge=1024 * 1024,
        description="all of a session's media (frames, tapes, clips, films); once reached,"
        " new tapes, films and clips are refused",
    )
    frame_width: int = Field(default=512, ge=64, le=2048)
    frame_height: int = Field(default=288, ge=64, le=2048)

    # Model providers (GLITCHCART_PROVIDERS as JSON, or [[providers]] in the TOML file).
    providers: list[ProviderConfig] = Field(default_factory=list)
    providers_file: Path | None = Field(
        default=None, description="TOML: [[providers]] and [chains] (GLITCHCART_PROVIDERS_FILE)"
    )
    narrator_chain: list[str] = Field(
        default_factory=list, description="chat providers to try in order; offline comes last"
    )
    painter_chain: list[str] = Field(
        default_factory=list, description="image providers to try in order; offline comes last"
    )
    session_budget: float | None = Field(default=None, ge=0, description="cost cap per session")
    game_budget: float | None = Field(default=None, ge=0, description="cost cap per game")
    provider_retries: int = Field(default=2, ge=0, le=10)
    provider_max_wait: float = Field(default=20.0, ge=0, description="longest Retry-After obeyed")
    provider_bench_seconds: float = Field(default=30.0, gt=0, le=86400)
    memory_refresh_turns: int = Field(default=5, ge=1, le=1000)
    memory_summary_chars: int = Field(default=1200, ge=100, le=20000)

    # Processes sharing a data directory: who drives a session, and its events.
    lease_seconds: float = Field(
        default=5.0, ge=0.2, le=300, description="a turn's lease TTL, renewed at a third"
    )
    event_keep: int = Field(default=1000, ge=10, le=1_000_000, description="events per session")
    event_poll: float = Field(
        default=0.05, gt=0, le=10, description="seconds between checks for other processes' events"
    )

    # Processes on several machines: session state, history, leases and events on Redis.
    redis_url: str | None = Field(
        default=None,
        pattern=r"^(redis|rediss|unix)://",
        description="redis://host:port/db: sessions on Redis, media still in the data directory",
    )
    redis_prefix: str = Field(
        default="glitchcart", pattern=r"^[A-Za-z0-9_.:-]{1,64}$", description="Redis key prefix"
    )

    # HTTP API (`glitchcart serve`). With no keys the server serves loopback only.
    api_keys: list[ApiKeyConfig] = Field(
        default_factory=list, description="GLITCHCART_API_KEYS as JSON"
    )
    # A 50-player room through one integration key: each player joins, looks and votes
    # at once (150 requests), then keeps to a few requests a second.
    api_rate: float = Field(default=50.0, gt=0, description="requests/s per API key")
    api_burst: int = Field(default=200, ge=1, description="requests a key may send at once")
    new_sessions_per_hour: int = Field(
        default=60, ge=1, description="sessions one API key may create an hour"
    )
    player_rate: float = Field(default=2.0, gt=0, description="actions/s per player")
    player_burst: int = Field(default=6, ge=1, description="actions a player may send at once")
    max_body_bytes: int = Field(default=16_384, ge=256, le=10_000_000)
    sse_keepalive: float = Field(default=15.0, gt=0, le=3600, description="seconds")

    # Player credentials and browsers (README, "HTTP API").
    secret_key: SecretStr | None = Field(
        default=None,
        description="signs player credentials; default: a random key kept in the data dir",
    )
    credential_days: float = Field(
        default=30.0, gt=0, le=3650, description="how long a player credential is valid"
    )
    public_host: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$",
        description="the host name browsers reach the server by, besides loopback names",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="web origins (https://host) allowed to call the API from a page; none",
    )

    # Connections (`glitchcart serve`): see glitchcart.http.connections.
    max_connections: int = Field(
        default=1000, ge=8, description="open connections; kept below the descriptor limit"
    )
    header_timeout: float = Field(
        default=10.0, gt=0, le=600, description="seconds to send a request line and headers"
    )
    body_timeout: float = Field(
        default=30.0, gt=0, le=3600, description="seconds to send a whole request body"
    )
    keep_alive_timeout: float = Field(
        default=5.0, gt=0, le=600, description="seconds an idle kept-alive connection stays"
    )
    max_header_bytes: int = Field(default=16_384, ge=1024, le=1_048_576)

    # Discord bot (`glitchcart discord`). The URLs point it at a Discord-compatible server.
    discord_token: SecretStr | None = Field(default=None, description="the bot's token")
    discord_api_url: str = Field(
        default="https://discord.com/api/v10", pattern=r"^https?://\S+$", description="REST base"
    )
    discord_gateway_url: str | None = Field(
        default=None, pattern=r"^wss?://\S+$", description="default: the one REST names"
    )
    discord_edit_interval: float = Field(
        default=5.0, ge=0, le=60, description="seconds between vote-count edits per channel"
    )

    @model_validator(mode="after")
    def _check_api_keys(self) -> Settings:
        names = [k.name for k in self.api_keys]
        secrets = [k.key.get_secret_value() for k in self.api_keys]
        if len(set(names)) != len(names) or len(set(secrets)) != len(secrets):
            raise ValueError("api_keys: names and keys must be unique")
        return self

    @model_validator(mode="after")
    def _check_origins(self) -> Settings:
        for origin in self.cors_origins:
            if not re.fullmatch(r"https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?", origin):
                raise ValueError(f"cors_origins: {origin!r} is not an origin (https://host)")
        if self.secret_key is not None and len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("secret_key: at least 32 characters")
        return self

    @model_validator(mode="after")
    def _read_providers_file(self) -> Settings:
        """Fill providers and chains from ``providers_file``; values given directly win."""
        if self.providers_file is not None:
            self._merge_providers_file(self.providers_file)
        names = [p.name for p in self.providers]
        if len(set(names)) != len(names) or "offline" in names:
            raise ValueError("providers: names must be unique and not 'offline'")
        kinds = {p.name: p.kind for p in self.providers}
        for field, kind in (("narrator_chain", "chat"), ("painter_chain", "image")):
            for name in getattr(self, field):
                if name != "offline" and kinds.get(name) != kind:
                    raise ValueError(f"{field}: {name!r} is not a configured {kind} provider")
        return self

    def _merge_providers_file(self, path: Path) -> None:
        try:
            data = tomllib.loads(path.expanduser().read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{ENV_PREFIX}PROVIDERS_FILE {path}: {exc}") from exc
        chains = data.get("chains", {})
        if not self.providers:
            try:
                self.providers = [ProviderConfig(**p) for p in data.get("providers", [])]
            except (TypeError, ValidationError) as exc:
                what = _first_problem(exc, "providers") if isinstance(exc, ValidationError) else exc
                raise ValueError(f"{ENV_PREFIX}PROVIDERS_FILE {path}: {what}") from None
        if not self.narrator_chain:
            self.narrator_chain = [str(n) for n in chains.get("narrator", [])]
        if not self.painter_chain:
            self.painter_chain = [str(n) for n in chains.get("painter", [])]

    @property
    def data_dir(self) -> Path:
        """``--data-dir``/``GLITCHCART_HOME`` if set, else the platform's user data folder."""
        if self.home is not None:
            return self.home.expanduser()
        return Path(platformdirs.user_data_dir("glitchcart", appauthor=False))


def load_settings(**overrides: Any) -> Settings:
    """Build the settings; explicit overrides (e.g. ``home=`` from ``--data-dir``) win.

    A bad value is :class:`InvalidSetting`, one line that names the variable and
    what it expects, never the value (it may be a secret).
    """
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise InvalidSetting(_first_problem(exc, None)) from None
    except SettingsError as exc:  # a JSON-valued variable that is not JSON
        found = re.search(r'field "(\w+)"', str(exc))
        name = f"{ENV_PREFIX}{found[1].upper()}" if found else "a GLITCHCART_ variable"
        raise InvalidSetting(f"{name}: expected JSON (see the README)") from None


def _first_problem(exc: ValidationError, prefix: str | None) -> str:
    """``GLITCHCART_VIDEO: expected a valid boolean``: the first error, in one line."""
    first = exc.errors(include_url=False, include_input=False)[0]
    loc = [str(p) for p in first["loc"]]
    message = str(first["msg"]).removeprefix("Value error, ")
    message = re.sub(r"^Input should be ", "expected ", message)
    message = message.replace(", unable to interpret input", "").replace(
        "a valid boolean", "true or false"
    )
    if prefix is not None:
        return f"{prefix}[{'.'.join(loc)}]: {message}" if loc else message
    if not loc:
        return message
    head, rest = loc[0], loc[1:]
    where = ENV_PREFIX + head.upper() + "".join(f"[{p}]" for p in rest)
    return f"{where}: {message}"
