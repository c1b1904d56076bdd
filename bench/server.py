"""Start and stop the processes under test.

:class:`Server` runs ``promptcrafter serve`` (or the floor under plain uvicorn) in its own
session, pinned with ``taskset``, waits for ``/health`` and stops the whole tree.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from bench.procfs import process_tree, threads

# The options `promptcrafter serve` passes to uvicorn.run (src/promptcrafter/cli/serve.py).
UVICORN_OPTIONS = [
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--no-access-log",
    "--no-proxy-headers",
    "--no-server-header",
]


class ServerError(RuntimeError):
    """The server did not start, or died."""


def new_secret() -> str:
    """A fresh ``PROMPTCRAFTER_SECRET_KEY`` for one server."""
    return secrets.token_urlsafe(48)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def promptcrafter_command() -> list[str]:
    """The console script next to this interpreter, else ``python -m promptcrafter``."""
    script = Path(sys.executable).parent / "promptcrafter"
    if script.exists():
        return [str(script)]
    found = shutil.which("promptcrafter")
    if found and Path(found).parent == Path(sys.executable).parent:
        return [found]
    return [sys.executable, "-m", "promptcrafter"]


def cpu_plan(workers: int) -> tuple[set[int] | None, set[int] | None, bool]:
    """Where the server and the load generator run: ``(server_cpus, load_cpus, shared)``.

    With enough cores the server gets CPUs ``0..workers-1`` and wrk the next one. On a
    2-core machine a 2-worker server is left unpinned and shares both cores with wrk.
    """
    available = sorted(os.sched_getaffinity(0))
    if len(available) >= workers + 1:
        return set(available[:workers]), {available[workers]}, False
    return None, None, True


@dataclass
class Server:
    """One HTTP server process tree under test."""

    argv: list[str]
    env: dict[str, str]
    port: int
    cpus: set[int] | None
    log_path: Path
    health_path: str = "/health"
    proc: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise ServerError("server not started")
        return self.proc.pid

    @classmethod
    def promptcrafter(
        cls,
        database_url: str,
        *,
        workers: int,
        cpus: set[int] | None,
        log_path: Path,
        secret_key: str,
        extra_env: dict[str, str] | None = None,
        command: list[str] | None = None,
    ) -> Server:
        """``command``: another installation's ``promptcrafter`` (a baseline), else ours."""
        port = free_port()
        argv = [
            *(command or promptcrafter_command()),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
        env = {
            "PROMPTCRAFTER_DATABASE_URL": database_url,
            "PROMPTCRAFTER_SECRET_KEY": secret_key,
            "PROMPTCRAFTER_RATE_LIMIT_ENABLED": "false",
            **(extra_env or {}),
        }
        return cls(argv=argv, env=env, port=port, cpus=cpus, log_path=log_path)

    @classmethod
    def floor(cls, *, workers: int, cpus: set[int] | None, log_path: Path) -> Server:
        port = free_port()
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.floor:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            *UVICORN_OPTIONS,
        ]
        root = Path(__file__).resolve().parent.parent
        paths = [str(root), os.environ.get("PYTHONPATH", "")]
        env = {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}
        return cls(argv=argv, env=env, port=port, cpus=cpus, log_path=log_path, health_path="/")

    def start(self, timeout_s: float = 60.0) -> None:
        cmd: list[str] = []
        if self.cpus:
            cmd += ["taskset", "-c", ",".join(str(c) for c in sorted(self.cpus))]
        cmd += self.argv
        env = dict(os.environ)
        env.update(self.env)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._log.write(f"\n$ {' '.join(cmd)}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.wait_ready(timeout_s)

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        last = "no answer"
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    raise ServerError(
                        f"server exited with {self.proc.returncode} before it was ready:\n"
                        + self.log_tail()
                    )
                try:
                    response = client.get(self.base_url + self.health_path)
                    if response.status_code == 200:
                        return
                    last = f"{response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    last = f"{type(exc).__name__}: {exc}"
                time.sleep(0.1)
        self.stop()
        raise ServerError(f"server not ready after {timeout_s:.0f}s ({last}):\n{self.log_tail()}")

    @contextlib.contextmanager
    def unpinned(self) -> Iterator[None]:
        """Let the server tree use every CPU for a while (bulk seeding), then pin it back."""
        if not self.cpus:
            yield
            return
        everything = os.sched_getaffinity(0) | set(range(os.cpu_count() or 1))
        self._set_affinity(everything)
        try:
            yield
        finally:
            self._set_affinity(self.cpus)

    def _set_affinity(self, cpus: set[int]) -> None:
        for pid in process_tree(self.pid):
            for task in threads(pid):
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(task, cpus)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout_s: float = 15.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            pgid = self.proc.pid  # start_new_session: the group id is our child's pid
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            # Workers of a multi-process server may outlive the supervisor for a moment.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def running(server: Server, timeout_s: float = 60.0) -> Iterator[Server]:
    """Start ``server``, yield it, and always stop it."""
    try:
        server.start(timeout_s)
        yield server
    finally:
        server.stop()
