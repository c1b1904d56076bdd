"""Where the CLI keeps its tokens: one per server URL, in a file only the user can read.

The file is ``$XDG_CONFIG_HOME/promptcrafter/credentials.json`` (``~/.config/...`` when the
variable is unset), created with mode 0600 in a directory created with mode 0700. It is
rewritten atomically, so a crash never leaves half a file. Shape::

    {"current": "http://127.0.0.1:8000",
     "servers": {"http://127.0.0.1:8000": {"token": "...", "email": "ada@example.com"}}}

``current`` is the server of the last login; commands use it when neither ``--url`` nor
``$PROMPTCRAFTER_URL`` names one.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOKEN_ENV = "PROMPTCRAFTER_TOKEN"
API_KEY_ENV = "PROMPTCRAFTER_API_KEY"
FILE_NAME = "credentials.json"


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    # The XDG spec says relative values are to be ignored.
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "promptcrafter"


def credentials_path() -> Path:
    return config_dir() / FILE_NAME


def normalize_url(url: str) -> str:
    return url.strip().rstrip("/")


@dataclass
class Credentials:
    current: str | None = None
    servers: dict[str, dict[str, str]] = field(default_factory=dict)

    def token_for(self, url: str) -> str | None:
        entry = self.servers.get(normalize_url(url))
        token = entry.get("token") if entry else None
        return token or None

    def email_for(self, url: str) -> str | None:
        entry = self.servers.get(normalize_url(url))
        return entry.get("email") if entry else None


def _parse(raw: Any) -> Credentials:
    creds = Credentials()
    if not isinstance(raw, dict):
        return creds
    current = raw.get("current")
    if isinstance(current, str) and current:
        creds.current = current
    servers = raw.get("servers")
    if isinstance(servers, dict):
        for url, entry in servers.items():
            if isinstance(url, str) and isinstance(entry, dict):
                creds.servers[url] = {
                    k: v for k, v in entry.items() if isinstance(k, str) and isinstance(v, str)
                }
    return creds


def load(path: Path | None = None) -> Credentials:
    """The stored credentials; an absent or unreadable file means none."""
    path = path or credentials_path()
    try:
        with path.open(encoding="utf-8") as handle:
            return _parse(json.load(handle))
    except (OSError, ValueError):  # absent, unreadable or corrupt: nothing stored
        return Credentials()


def _ensure_dir(directory: Path) -> None:
    if not directory.is_dir():
        directory.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory, 0o700)
    # Tighten a directory some other tool created loosely; it holds only our secrets.
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        os.chmod(directory, 0o700)


def save(creds: Credentials, path: Path | None = None) -> Path:
    """Write ``creds`` atomically with mode 0600; remove the file when nothing is left."""
    path = path or credentials_path()
    if not creds.servers:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return path
    _ensure_dir(path.parent)
    data = json.dumps({"current": creds.current, "servers": creds.servers}, indent=2) + "\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)  # an old leftover file may have kept other bits
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return path


def remember(url: str, token: str, email: str | None, path: Path | None = None) -> Path:
    """Store the token for ``url`` and make ``url`` the current server."""
    creds = load(path)
    key = normalize_url(url)
    entry = {"token": token}
    if email:
        entry["email"] = email
    creds.servers[key] = entry
    creds.current = key
    return save(creds, path)


def forget(url: str, path: Path | None = None) -> bool:
    """Drop the token stored for ``url``; True when there was one."""
    creds = load(path)
    key = normalize_url(url)
    if creds.servers.pop(key, None) is None:
        return False
    if creds.current == key:
        creds.current = None
    save(creds, path)
    return True
