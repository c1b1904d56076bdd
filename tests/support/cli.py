"""Running the ``promptcrafter`` command as a user with a private config directory.

The CLI tests run ``python -m promptcrafter ...`` in a subprocess against the real server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.api import PASSWORD


def unique_email() -> str:
    return f"cli-{uuid.uuid4().hex}@example.com"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class CLI:
    """Runs ``promptcrafter`` as a user whose config lives in ``config_home``."""

    base_url: str
    config_home: Path
    env: dict[str, str]

    @property
    def credentials(self) -> Path:
        return self.config_home / "promptcrafter" / "credentials.json"

    def run(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "promptcrafter", *args],
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**self.env, **(env or {})},
            timeout=120,
        )

    def ok(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        result = self.run(*args, input=input)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result

    def json(self, *args: str, input: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", input=input).stdout)

    def login(self, email: str) -> None:
        self.ok("login", "--email", email, "--password-stdin", input=PASSWORD + "\n")


def make_cli(tmp_path: Path, base_url: str, name: str) -> CLI:
    home = tmp_path / name
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTCRAFTER_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        PROMPTCRAFTER_URL=base_url,
        PYTHONIOENCODING="utf-8",
    )
    return CLI(base_url=base_url, config_home=home / "config", env=env)
