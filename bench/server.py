"""Start and stop the processes under test, make fresh databases, and watch memory.

* :class:`Database` gives each run an empty database: a file in a temporary directory for
  SQLite, or ``CREATE DATABASE bench_<random>`` on the PostgreSQL server for PostgreSQL
  (dropped again afterwards).
* :class:`Server` runs ``promptcrafter serve`` (or the floor under plain uvicorn) in its
  own session, pinned with ``taskset``, waits for ``/health`` and stops the whole tree.
* :class:`RssSampler` sums the resident set of a process and all its descendants from
  ``/proc`` in a background thread and keeps the peak.
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
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import urlsplit, urlunsplit

import httpx

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
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
ENGINES = ("sqlite", "postgresql")


class ServerError(RuntimeError):
    """The server did not start, or died."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --------------------------------------------------------------------------- databases


def _pg_connect_args(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password,
        "database": parts.path.lstrip("/") or "postgres",
    }


async def _pg_execute(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    import asyncpg

    conn = await asyncpg.connect(**_pg_connect_args(url))
    try:
        out: list[list[tuple[object, ...]]] = []
        for sql in statements:
            rows = await conn.fetch(sql)
            out.append([tuple(r) for r in rows])
        return out
    finally:
        await conn.close()


def pg_query(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    """Run statements on PostgreSQL (autocommit, so CREATE/DROP DATABASE work)."""
    import asyncio

    return asyncio.run(_pg_execute(url, *statements))


async def pg_query_async(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    """:func:`pg_query` for callers already inside an event loop."""
    return await _pg_execute(url, *statements)


def pg_postmaster_pid(admin_url: str) -> int | None:
    """The local PostgreSQL server's main process (the parent of every backend), if local.
    Found as the parent of the checkpointer, which lives as long as the server does."""
    (rows,) = pg_query(
        admin_url, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"
    )
    fields = _stat_fields(int(str(rows[0][0]))) if rows else None
    # None: PostgreSQL runs on another host or in another pid namespace.
    return int(fields[1]) if fields else None


def pg_info(admin_url: str = PG_ADMIN_URL) -> dict[str, str]:
    """Server version and the settings that decide whether a commit is durable."""
    try:
        rows = pg_query(
            admin_url,
            "SHOW server_version",
            "SHOW synchronous_commit",
            "SHOW fsync",
            "SHOW wal_sync_method",
            "SHOW shared_buffers",
        )
    except Exception as exc:  # report, do not fail the whole run
        return {"error": f"{type(exc).__name__}: {exc}"}
    keys = ("version", "synchronous_commit", "fsync", "wal_sync_method", "shared_buffers")
    return {k: str(r[0][0]) for k, r in zip(keys, rows, strict=True)}


@dataclass
class Database:
    """A fresh, empty database for one engine; use as a context manager."""

    engine: str
    admin_url: str = PG_ADMIN_URL
    url: str = ""
    name: str = ""
    path: Path | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def __enter__(self) -> Database:
        if self.engine == "sqlite":
            self._tmp = tempfile.TemporaryDirectory(prefix="promptcrafter-bench-")
            self.path = Path(self._tmp.name) / "bench.db"
            self.url = f"sqlite:///{self.path}"
            self.name = str(self.path)
        elif self.engine == "postgresql":
            self.name = f"bench_{secrets.token_hex(6)}"
            pg_query(self.admin_url, f'CREATE DATABASE "{self.name}"')
            parts = urlsplit(self.admin_url)
            self.url = urlunsplit(("postgresql", parts.netloc, f"/{self.name}", "", ""))
        else:
            raise ValueError(f"unknown engine {self.engine!r}")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.engine == "postgresql" and self.name:
            # PostgreSQL may be restarting (other tests share it): retry for a while, then
            # say which database was left behind.
            deadline = time.monotonic() + 30
            while True:
                try:
                    pg_query(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                    break
                except Exception as error:
                    if time.monotonic() > deadline:
                        print(
                            f"bench: could not drop database {self.name}: {error}",
                            file=sys.stderr,
                        )
                        break
                    time.sleep(1)
        if self._tmp is not None:
            self._tmp.cleanup()


# --------------------------------------------------------------------------- processes


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
    ) -> Server:
        port = free_port()
        argv = [
            *promptcrafter_command(),
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
            for task in _threads(pid):
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


# --------------------------------------------------------------------------- memory


def _stat_fields(pid: int) -> list[bytes] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state is [0], the parent
    [1], utime [11]), or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name may contain spaces or parentheses; fields follow the last ')'.
    return stat[stat.rfind(b")") + 2 :].split()


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _threads(pid: int) -> list[int]:
    try:
        return [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return []


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants that exist right now."""
    children = _children_map()
    out: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def rss_bytes(pids: Sequence[int]) -> int:
    """Sum of ``VmRSS`` over ``pids`` (shared pages are counted once per process)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


class RssSampler:
    """Sample the RSS of a process tree every ``interval_s`` in a daemon thread."""

    def __init__(self, pid: int, interval_s: float = 0.02) -> None:
        self.pid = pid
        self.interval_s = interval_s
        self.baseline = 0
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._pids: list[int] = []

    def _run(self) -> None:
        refresh = 0
        while not self._stop.is_set():
            if refresh <= 0:
                self._pids = process_tree(self.pid)
                refresh = 25
            refresh -= 1
            value = rss_bytes(self._pids)
            self.peak = max(self.peak, value)
            self.samples += 1
            self._stop.wait(self.interval_s)

    def __enter__(self) -> RssSampler:
        self._pids = process_tree(self.pid)
        self.baseline = rss_bytes(self._pids)
        self.peak = self.baseline
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


# --------------------------------------------------------------------------- CPU accounting

_TICK = os.sysconf("SC_CLK_TCK")


def _machine_busy_s() -> float:
    """CPU seconds spent by the whole machine, all cores, excluding idle and iowait."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / _TICK


def tree_cpu_s(pids: Sequence[int], reaped_of: int | None = None) -> float:
    """CPU seconds of ``pids``; with ``reaped_of``, also what that process's children that
    have exited used (their time moves to the parent when it reaps them)."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is None:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == reaped_of:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / _TICK


class CpuMeter:
    """How much CPU went to processes that are not part of the measurement.

    Everything busy on the machine, minus the server tree, minus PostgreSQL (``db_root``: its
    main process, with every backend, autovacuum worker and WAL writer under it, including
    those that start and exit during the run), minus this harness and the children it reaped
    (wrk). A shared machine shows up as ``foreign_cores`` > 0.
    """

    def __init__(self, server_pid: int | None, db_root: int | None = None) -> None:
        self.server_pid = server_pid
        self.db_root = db_root
        self.wall = 0.0
        self.busy = 0.0
        self.server = 0.0
        self.ours = 0.0
        self.db = 0.0

    @staticmethod
    def _own_s() -> float:
        import resource

        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def _server_s(self) -> float:
        return tree_cpu_s(process_tree(self.server_pid)) if self.server_pid else 0.0

    def _db_s(self) -> float:
        if self.db_root is None:
            return 0.0
        return tree_cpu_s(process_tree(self.db_root), reaped_of=self.db_root)

    def __enter__(self) -> CpuMeter:
        self.db = self._db_s()
        self.wall = time.monotonic()
        self.busy = _machine_busy_s()
        self.server = self._server_s()
        self.ours = self._own_s()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.monotonic() - self.wall
        self.busy = _machine_busy_s() - self.busy
        self.server = self._server_s() - self.server
        self.ours = self._own_s() - self.ours
        self.db = self._db_s() - self.db

    @property
    def server_cores(self) -> float:
        return self.server / self.wall if self.wall else 0.0

    @property
    def foreign_cores(self) -> float:
        if not self.wall:
            return 0.0
        return max(0.0, (self.busy - self.server - self.ours - self.db) / self.wall)

    def to_json(self) -> dict[str, float]:
        return {
            "server_cores": round(self.server_cores, 3),
            "db_cores": round(self.db / self.wall, 3) if self.wall else 0.0,
            "load_cores": round(self.ours / self.wall, 3) if self.wall else 0.0,
            "foreign_cores": round(self.foreign_cores, 3),
        }


@contextlib.contextmanager
def running(server: Server, timeout_s: float = 60.0) -> Iterator[Server]:
    """Start ``server``, yield it, and always stop it."""
    try:
        server.start(timeout_s)
        yield server
    finally:
        server.stop()
