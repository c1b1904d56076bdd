"""Locks on files beside a SQLite database, shared by every process that opens it.

``flock`` locks belong to an open file and vanish when the process dies (even by ``kill -9``),
so none of them can be left behind by a crash. The files themselves stay; they hold nothing.

- ``<db>.lock``: taken exclusively while migrating, so concurrent starters migrate one by one.
- ``<db>.run-lock``: held shared by every server process for its lifetime; ``restore`` takes
  it exclusively without waiting, which fails exactly when a server is running.
- ``<db>.write-lock`` and ``<db>.write-queue``: the write turn (see ``WriteTurn``).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

# The lock files above, by their suffixes (a backup must never be written over one).
LOCK_FILES = (".lock", ".run-lock", ".write-lock", ".write-queue")


def beside(db_path: Path, suffix: str) -> Path:
    return db_path.with_name(db_path.name + suffix)


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


@contextmanager
def held(path: Path, operation: int) -> Iterator[None]:
    """Hold a flock (``LOCK_EX`` or ``LOCK_SH``, waiting for it) on ``path``."""
    fd = _open(path)
    try:
        fcntl.flock(fd, operation)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the lock


def migration_lock(db_path: Path) -> AbstractContextManager[None]:
    return held(beside(db_path, ".lock"), fcntl.LOCK_EX)


class ServerRunning(Exception):
    """A server holds the database (its run lock)."""


class RunLock:
    """The shared run lock of one server process, from ``acquire`` until ``release``."""

    def __init__(self, db_path: Path) -> None:
        self._path = beside(db_path, ".run-lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        if self._fd is None:
            fd = _open(self._path)
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a restore is running
            self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@contextmanager
def no_server(db_path: Path) -> Iterator[None]:
    """Hold the run lock exclusively, so no server can start; raise ``ServerRunning`` at once
    if one holds it already."""
    fd = _open(beside(db_path, ".run-lock"))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServerRunning(str(db_path)) from None
        yield
    finally:
        os.close(fd)


class WriteTurn:
    """The right to write to the database, handed between processes in the order they asked.

    SQLite's own lock is polled: a writer that finds it taken sleeps and retries, with growing
    sleeps, so under load one process can keep winning while another waits seconds. Here a
    writer first waits in a blocking ``flock`` instead, and the kernel wakes it the moment the
    lock is free, so ``BEGIN IMMEDIATE`` finds SQLite's lock free.

    A bare flock is not fair: the process that just released it usually takes it straight
    back before the woken waiter runs. So a writer queues on a second lock first (the
    turnstile) and holds it while it waits for the write lock. The releasing process must pass
    the turnstile before it can write again, and the next writer holds it: with two processes
    their turns alternate whenever both have writes waiting.

    One instance per connection, used by one thread at a time (the writer thread).
    """

    def __init__(self, db_path: Path) -> None:
        self._queue = _open(beside(db_path, ".write-queue"))
        self._write = _open(beside(db_path, ".write-lock"))

    def take(self) -> None:
        fcntl.flock(self._queue, fcntl.LOCK_EX)
        try:
            fcntl.flock(self._write, fcntl.LOCK_EX)
        finally:
            fcntl.flock(self._queue, fcntl.LOCK_UN)

    def give_back(self) -> None:
        fcntl.flock(self._write, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._queue)
        os.close(self._write)
