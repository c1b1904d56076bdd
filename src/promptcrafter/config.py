"""Settings, read once from ``PROMPTCRAFTER_*`` environment variables.

Insecure or contradictory values stop the process at start-up with a clear message instead of
surfacing later as odd behaviour.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_SECRET_BYTES = 32
DEFAULT_DATABASE_URL = "sqlite:///promptcrafter.db"


class ConfigError(RuntimeError):
    """A setting makes it unsafe or impossible to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROMPTCRAFTER_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str | None = Field(default=None, repr=False)
    token_ttl_seconds: int = Field(default=3600, ge=60, le=60 * 60 * 24 * 30)

    rate_limit_enabled: bool = True
    login_failures_per_account: int = Field(default=10, ge=1)
    login_failure_window_seconds: int = Field(default=15 * 60, ge=1)
    login_attempts_per_ip_per_minute: int = Field(default=30, ge=1)
    signups_per_ip_per_hour: int = Field(default=20, ge=1)
    api_key_failures_per_ip_per_minute: int = Field(default=30, ge=1)
    redis_url: str | None = None
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    docs_enabled: bool = True

    # Argon2id cost; the defaults sit above OWASP's minimum (m=19 MiB, t=2, p=1).
    argon2_memory_kib: int = Field(default=19 * 1024, ge=19 * 1024)
    argon2_time_cost: int = Field(default=2, ge=2)
    argon2_parallelism: int = Field(default=1, ge=1)

    database_pool_size: int = Field(default=10, ge=1, le=200)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # "json": one JSON line per request on standard output, and every other log line as JSON.
    log_format: Literal["text", "json"] = "text"
    metrics_enabled: bool = False
    # When set, GET /metrics wants "Authorization: Bearer <this>"; scrapers usually send none.
    metrics_token: str | None = Field(default=None, repr=False)

    # The browser UI. PUBLIC_URL is the origin people open (behind a proxy, the proxy's); when
    # it is https, the session cookie is Secure with the __Host- prefix. Unset, the origin is
    # taken from each request's Host header and scheme.
    public_url: str | None = None
    session_idle_minutes: int = Field(default=30, ge=1, le=60 * 24 * 30)
    session_max_hours: int = Field(default=12, ge=1, le=24 * 365)

    @field_validator("trusted_proxies", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        # Accept the friendly "a,b" form as well as a JSON list.
        if isinstance(value, str) and not value.lstrip().startswith("["):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ConfigError(
                    f"PROMPTCRAFTER_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
                ) from None
            if network.prefixlen == 0:
                # Every client would be a proxy and could name its own address in
                # X-Forwarded-For, so no per-address limit would hold.
                raise ConfigError(
                    f"PROMPTCRAFTER_TRUSTED_PROXIES: {entry!r} trusts every address; "
                    "name the proxies' own addresses or subnet"
                )
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        # The schemes redis-py's from_url takes; anything else failed only in a worker, and
        # with several workers ``serve`` then exited 0.
        parts = urlsplit(value.strip())
        try:
            parts.port  # noqa: B018  (raises ValueError on a malformed port)
        except ValueError:
            parts = urlsplit("")
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ConfigError(
                "PROMPTCRAFTER_REDIS_URL must be a redis://, rediss:// or unix:// URL, "
                "e.g. redis://127.0.0.1:6379/0"
            )
        return value.strip()

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        try:
            parts.port  # noqa: B018  (raises ValueError on a malformed port)
        except ValueError:
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                "PROMPTCRAFTER_PUBLIC_URL must be an http:// or https:// origin, "
                "e.g. https://prompts.example.com"
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise ConfigError(
                "PROMPTCRAFTER_PUBLIC_URL must be an origin only (no path, query or user)"
            )
        return f"{parts.scheme}://{parts.netloc.lower()}"

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.engine not in ("sqlite", "postgresql"):
            raise ConfigError(
                "PROMPTCRAFTER_DATABASE_URL must start with sqlite:/// or postgresql://"
            )
        if self.secret_key is not None and len(self.secret_key.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"PROMPTCRAFTER_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long"
            )
        if self.secret_key is None and self.engine == "postgresql":
            raise ConfigError(
                "PROMPTCRAFTER_SECRET_KEY is required with PostgreSQL "
                '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        return self

    @property
    def engine(self) -> str:
        scheme = self.database_url.split(":", 1)[0].split("+", 1)[0]
        return "postgresql" if scheme in ("postgresql", "postgres") else scheme

    @property
    def sqlite_path(self) -> Path:
        """The database file of a ``sqlite:///relative`` or ``sqlite:////absolute`` URL."""
        if self.engine != "sqlite":
            raise ConfigError("not a SQLite database URL")
        path = self.database_url.split(":///", 1)[1] if ":///" in self.database_url else ""
        if not path or path == ":memory:":
            raise ConfigError("PROMPTCRAFTER_DATABASE_URL must name a SQLite file")
        return Path(path)

    def resolved_secret_key(self) -> str:
        """The signing key; with the embedded default it is created once beside the database."""
        if self.secret_key is not None:
            return self.secret_key
        return _secret_beside(self.sqlite_path)


def _secret_beside(db_path: Path) -> str:
    key_path = db_path.with_name(db_path.name + ".secret")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _read_secret(key_path)
    except FileNotFoundError:
        pass
    # Write to a private temporary name, then hard-link into place: link() fails if another
    # worker won the race, and then everyone reads the winner's key.
    tmp = key_path.with_name(f"{key_path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, key_path)
    finally:
        tmp.unlink(missing_ok=True)
    return _read_secret(key_path)


def _read_secret(path: Path) -> str:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(f"{path} is readable by other users (mode {mode:o}); chmod 600 it")
    key = path.read_text().strip()
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"{path} holds a key shorter than {MIN_SECRET_BYTES} bytes")
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
