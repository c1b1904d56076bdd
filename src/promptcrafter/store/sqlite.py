"""The embedded engine: one SQLite file in WAL mode.

Reads run directly on the event loop on a read-only connection: in WAL mode a read never waits
for a writer, and a point lookup costs microseconds, less than a hop to a thread would. Reads
marked slow (scans) go to a small thread pool instead, with connections of their own.

Writes go to one writer thread that owns the only write connection. It commits in groups:
every write waiting when the thread wakes joins one ``BEGIN IMMEDIATE`` transaction, and one
durable ``COMMIT`` (fsync, with ``synchronous=FULL``) acknowledges them all. Nothing is
acknowledged before its commit. A failing write must roll back alone: a failing statement
undoes its own changes, so a write that fails in its first statement leaves nothing behind;
one that fails later undoes the whole group, which is then run again with each write in its
own savepoint. Savepoints are not taken up front because FTS5 writes its pending index data
out at every savepoint: one index segment per changed prompt, a fifth of the writer's time
for a changing PATCH (``python -m bench.patch_lab``).

With several worker processes, each has its own writer thread, and they take turns through
``locks.WriteTurn`` (a blocking, fair lock held from before ``BEGIN IMMEDIATE`` until after
``COMMIT``), so no writer ever finds SQLite's lock taken and sleeps in its busy handler. Writes
arriving while a process waits for its turn join its next group.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from promptcrafter.store import locks
from promptcrafter.store.database import (
    DatabaseUnavailable,
    ForeignKeyViolation,
    Params,
    Query,
    Row,
    Statement,
    StoreError,
    UniqueViolation,
)

BUSY_TIMEOUT_MS = 5000
_MAX_GROUP = 128


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path,
        isolation_level=None,  # we issue BEGIN/COMMIT ourselves
        check_same_thread=False,
        cached_statements=512,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
    return conn


def translate(exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if isinstance(exc, sqlite3.IntegrityError):
        if "UNIQUE" in text or "PRIMARY KEY" in text:
            return UniqueViolation(text)
        if "FOREIGN KEY" in text:
            return ForeignKeyViolation(text)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return DatabaseUnavailable(text)
    return StoreError(text)


@dataclass
class _Job:
    statements: Sequence[Statement]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[list[Row]]]
    result: list[list[Row]] = field(default_factory=list)
    error: StoreError | None = None


def _settle(job: _Job) -> None:
    if job.future.done():  # the caller went away; the write itself stands
        return
    if job.error is not None:
        job.future.set_exception(job.error)
    else:
        job.future.set_result(job.result)


def _settle_all(jobs: list[_Job]) -> None:
    for job in jobs:
        _settle(job)


def _settle_group(group: list[_Job]) -> None:
    """One wake-up per event loop for the whole group (every job has the same loop unless the
    database is shared between loops), instead of one per job."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
    for job in group:
        by_loop.setdefault(job.loop, []).append(job)
    for loop, jobs in by_loop.items():
        loop.call_soon_threadsafe(_settle_all, jobs)


class SQLiteDatabase:
    engine = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        # Held for this process's lifetime: ``restore`` refuses while anyone holds it.
        self._run_lock = locks.RunLock(path)
        self._run_lock.acquire()
        self._reader = connect(path, read_only=True)
        self._writer = connect(path)
        self._turn = locks.WriteTurn(path)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._write_loop, name="sqlite-writer", daemon=True)
        self._thread.start()
        # Reads that may scan a whole library run here, off the event loop.
        self._scanners = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sqlite-scan")
        self._scanner_local = threading.local()
        self._scanner_conns: list[sqlite3.Connection] = []

    async def fetch_one(self, query: Query, params: Params) -> Row | None:
        try:
            row: Row | None = self._reader.execute(query.sqlite, params).fetchone()
        except sqlite3.Error as exc:
            raise translate(exc) from exc
        return row

    async def fetch_all(self, query: Query, params: Params, *, slow: bool = False) -> list[Row]:
        if slow:
            return await asyncio.get_running_loop().run_in_executor(
                self._scanners, self._scan, query, params
            )
        try:
            return self._reader.execute(query.sqlite, params).fetchall()
        except sqlite3.Error as exc:
            raise translate(exc) from exc

    def _scan(self, query: Query, params: Params) -> list[Row]:
        # Each scanner thread keeps its own read-only connection.
        conn: sqlite3.Connection | None = getattr(self._scanner_local, "conn", None)
        if conn is None:
            conn = connect(self.path, read_only=True)
            self._scanner_local.conn = conn
            self._scanner_conns.append(conn)
        try:
            return conn.execute(query.sqlite, params).fetchall()
        except sqlite3.Error as exc:
            raise translate(exc) from exc

    async def write(self, statements: Sequence[Statement]) -> list[list[Row]]:
        loop = asyncio.get_running_loop()
        job = _Job(statements=statements, loop=loop, future=loop.create_future())
        self._jobs.put(job)
        return await job.future

    async def ping(self) -> bool:
        """Whether the file can be read. A connection of its own, opened for the check: the
        long-lived ones answer ``SELECT 1`` without the file, and a query from their page
        cache, while the file may have become unreadable (damaged, replaced, its disk gone)."""
        # Off the event loop: opening a file may wait (up to the 1 s timeout) on a lock, and
        # a health probe must not stall the requests being served meanwhile.
        loop = asyncio.get_running_loop()
        readable = await loop.run_in_executor(self._scanners, self._file_readable)
        return readable and self._thread.is_alive()

    def _file_readable(self) -> bool:
        try:
            # Read-only: a file that is gone is an error here, not a new empty database.
            uri = self.path.resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=1.0)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            return False
        return True

    def stats(self) -> dict[str, float]:
        return {"write_queue": float(self._jobs.qsize())}

    async def close(self) -> None:
        self._jobs.put(None)
        await asyncio.to_thread(self._thread.join, 10)
        self._scanners.shutdown(wait=True)
        for conn in self._scanner_conns:
            conn.close()
        self._reader.close()
        self._writer.close()
        self._turn.close()
        self._run_lock.release()

    # -- writer thread -------------------------------------------------------------------

    def _write_loop(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            # Wait for the turn before gathering the group: what arrives meanwhile joins it.
            self._turn.take()
            try:
                group, stop = self._gather(first)
                self._commit_group(group)
            finally:
                self._turn.give_back()
            # Answer after giving the turn back, so the next process writes meanwhile.
            _settle_group(group)
            if stop:
                return

    def _gather(self, first: _Job) -> tuple[list[_Job], bool]:
        """``first`` and the jobs waiting behind it; True when the stop sign was among them."""
        group = [first]
        while len(group) < _MAX_GROUP:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return group, True
            group.append(job)
        return group, False

    def _commit_group(self, group: list[_Job]) -> None:
        conn = self._writer
        try:
            conn.execute("BEGIN IMMEDIATE")
            # all() stops at the first write that failed part-way.
            if not all(self._run_bare(conn, job) for job in group):
                conn.execute("ROLLBACK")
                conn.execute("BEGIN IMMEDIATE")
                for job in group:
                    self._run_guarded(conn, job)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            error = translate(exc)
            for job in group:
                job.error = error

    @staticmethod
    def _run_bare(conn: sqlite3.Connection, job: _Job) -> bool:
        """Run ``job`` without a savepoint. False when it failed after its first statement had
        run: the transaction may then hold half a write and must be undone."""
        results: list[list[Row]] = []
        for index, (query, params) in enumerate(job.statements):
            try:
                results.append(conn.execute(query.sqlite, params).fetchall())
            except sqlite3.Error as exc:
                if not conn.in_transaction:
                    raise  # the error took the whole transaction with it: the group fails
                if index:
                    return False
                job.error = translate(exc)
                return True
            except (OverflowError, ValueError, TypeError) as exc:
                # A parameter the driver cannot bind (an integer beyond 64 bits, say), refused
                # before its statement ran. It fails this job alone; it must never take the
                # writer thread, and every later write, down.
                if index:
                    return False
                job.error = _unbindable(exc)
                return True
        job.result = results
        return True

    @staticmethod
    def _run_guarded(conn: sqlite3.Connection, job: _Job) -> None:
        """Run ``job`` in a savepoint of its own, so that a failure anywhere undoes it alone."""
        job.result, job.error = [], None
        conn.execute("SAVEPOINT job")
        try:
            job.result = [conn.execute(q.sqlite, p).fetchall() for q, p in job.statements]
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK TO job")
            job.error = translate(exc)
        except (OverflowError, ValueError, TypeError) as exc:
            conn.execute("ROLLBACK TO job")
            job.error = _unbindable(exc)
        finally:
            conn.execute("RELEASE job")


def _unbindable(exc: Exception) -> StoreError:
    return StoreError(f"unbindable parameter: {type(exc).__name__}")
