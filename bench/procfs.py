"""What ``/proc`` says about a process tree: its members, its memory and its CPU time.

* :func:`process_tree` lists a process and its descendants.
* :class:`RssSampler` sums the resident set of a tree from a background thread and keeps
  the peak.
* :class:`CpuMeter` splits the machine's CPU time during a measurement between the server,
  PostgreSQL, the harness and everything else.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from types import TracebackType


def stat_fields(pid: int) -> list[bytes] | None:
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
        if entry.name.isdigit() and (fields := stat_fields(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def threads(pid: int) -> list[int]:
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
        fields = stat_fields(pid)
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
