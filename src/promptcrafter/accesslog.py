"""JSON logs (``PROMPTCRAFTER_LOG_FORMAT=json``): one line per request, and every other line.

Request lines go to standard output. They are collected as bytes and written together: when
64 are waiting, else at most ``FLUSH_SECONDS`` after the first of them, and at shutdown (the
app's lifespan, and at exit for a line recorded after it). Each ``write`` is whole lines and
at most ``PIPE_BUF`` bytes, so lines from several workers sharing one pipe or file never
interleave. Once per event-loop turn was the rule before; under load that was still a write
(a system call, the dearest part of a line in wall time) every request or two. Other log
records (start-up, errors) keep going through ``logging`` to standard error, formatted as JSON
too, so a log shipper reads one format.

A request line holds what identifies the request and never what it carried: no header value
but the request id, no query string, no body.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import logging
import os
import sys
import time
import traceback
from typing import Any

import orjson

PIPE_BUF = 4096
# Lines wait at most this long (a log shipper's delay is seconds), or until this many wait.
FLUSH_SECONDS = 0.02
FLUSH_LINES = 64
_FLUSH_PIECES = 6 * FLUSH_LINES  # a line is six pieces (AccessLog)
# The request id (bytes, [A-Za-z0-9._-]) for the other log records of a request: set for
# every request FastAPI answers, and by the fast path only before it renders an error.
request_id: contextvars.ContextVar[bytes | None] = contextvars.ContextVar(
    "promptcrafter_request_id", default=None
)
# ".000Z" to ".999Z": a timestamp's milliseconds without formatting a number.
_MILLIS = tuple(b".%03dZ" % ms for ms in range(1000))
LineKey = tuple[str, str | None, int | None, str | None, str | None]
# A duration's pieces: b"12" for whole milliseconds, b'.345,"request_id":"' for the rest.
_WHOLE_MS = tuple(b"%d" % ms for ms in range(1000))  # a second or longer is formatted
_FRACTION = tuple(b'.%03d,"request_id":"' % us for us in range(1000))


class _Clock:
    """UTC timestamps with milliseconds, made once per millisecond (a busy worker logs several
    requests in each): the part up to the second once a second, then a table's suffix."""

    def __init__(self, prefix: bytes = b"") -> None:
        self._before = prefix
        self._second = -1
        self._prefix = b""
        self.stamp = b""
        # The stamp holds while the time is in [since, until): a chained comparison per line
        # (a clock set back gets its own stamp, not a later one).
        self.since = 0.0
        self.until = 0.0

    def tick(self, now: float) -> bytes:
        ms = int(now * 1000)
        second, milli = divmod(ms, 1000)
        if second != self._second:
            self._second = second
            self._prefix = self._before + time.strftime(
                "%Y-%m-%dT%H:%M:%S", time.gmtime(second)
            ).encode("ascii")
        self.stamp = self._prefix + _MILLIS[milli]
        self.since = ms / 1000
        self.until = (ms + 1) / 1000
        return self.stamp


class AccessLog:
    """Request lines, kept as the pieces they are joined from when written: a line is

        {"time":"<stamp>  ","level":...,"status":200,"duration_ms":  0.412,"request_id":"
        <request id>  ","user_id":"...","key_id":null}\n

    and every piece but the request id repeats. The stamp is made once a millisecond (the
    opening brace in it); the second piece is the same for every request of one method,
    route, status, user and key, the last too, so both are encoded once per worker and kept
    (routes are templates, statuses few and a worker's callers a handful; the cache is
    bounded). The duration is two pieces from tables made at import: its whole milliseconds
    (below a second; a longer request formats its own) and its three decimals. A cache
    of formatted durations was the rule before, but under load a request's duration is
    mostly its wait for the database, spread over thousands of microsecond values, so it
    missed on most lines. A line is then a dictionary look-up, two table look-ups and six
    references added to a list, with no bytes copied until the write."""

    def __init__(self, fd: int | None = None) -> None:
        self._fd = sys.stdout.fileno() if fd is None else fd
        self._pending: list[bytes] = []
        self._timer: asyncio.TimerHandle | None = None
        self._clock = _Clock(b'{"time":"')
        self._pieces: dict[LineKey, tuple[bytes, bytes]] = {}
        # A line recorded after the lifespan's flush (a request cut short by shutdown) is
        # written at exit, not lost.
        atexit.register(self.flush)

    def request(
        self,
        method: str,
        route: str | None,
        status: int | None,
        seconds: float,
        rid: bytes,
        user_id: str | None,
        key_id: str | None = None,
    ) -> None:
        """Queue one line; ``rid`` is a request id already checked to be ``[A-Za-z0-9._-]``.
        ``key_id`` is the API key the request was made with; None for a login token or none."""
        key = (method, route, status, user_id, key_id)
        pieces = self._pieces.get(key)
        if pieces is None:
            pieces = self._encode(key)
        # Milliseconds with three decimals, as %.3f would write them (// and % cost less than
        # a divmod call).
        micros = int(seconds * 1_000_000 + 0.5)
        whole = _WHOLE_MS[micros // 1000] if micros < 1_000_000 else b"%d" % (micros // 1000)
        now = time.time()
        clock = self._clock
        stamp = clock.stamp if clock.since <= now < clock.until else clock.tick(now)
        head, tail = pieces
        pending = self._pending
        pending += (stamp, head, whole, _FRACTION[micros % 1000], rid, tail)
        if self._timer is None:
            self._flush_later()
        elif len(pending) >= _FLUSH_PIECES:
            self.flush()

    def _encode(self, key: LineKey) -> tuple[bytes, bytes]:
        method, route, status, user_id, key_id = key
        head = orjson.dumps(
            {
                "level": "info",
                "logger": "promptcrafter.access",
                "method": method,
                "route": route,
                "status": status,
            }
        )
        tail = orjson.dumps({"user_id": user_id, "key_id": key_id})
        # '","level":...,"status":200,"duration_ms":' between the time and the duration, and
        # '","user_id":...,"key_id":null}\n' after the request id.
        pieces = (b'",' + head[1:-1] + b',"duration_ms":', b'",' + tail[1:] + b"\n")
        if len(self._pieces) >= 4096:  # methods and callers are not a fixed few
            self._pieces.clear()
        self._pieces[key] = pieces
        return pieces

    def _flush_later(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a direct call): nothing would flush later
            self.flush()
            return
        self._timer = loop.call_later(FLUSH_SECONDS, self._timed_flush)

    def _timed_flush(self) -> None:
        self._timer = None
        self.flush()

    def flush(self) -> None:
        """Write every line waiting, in writes of whole lines of at most ``PIPE_BUF`` bytes."""
        pieces, self._pending = self._pending, []
        data = b"".join(pieces)
        start, size = 0, len(data)
        while size - start > PIPE_BUF:
            # The last line that ends within PIPE_BUF bytes; a longer line (none is, as the
            # pieces are bounded) goes whole in a write of its own.
            end = data.rfind(b"\n", start, start + PIPE_BUF) + 1 or data.find(b"\n", start) + 1
            self._write(data[start:end])
            start = end
        if start < size:
            self._write(data[start:])

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self._fd, view)
            except InterruptedError:
                continue
            except OSError:
                return  # standard output is gone; serving goes on
            view = view[written:]


class JSONFormatter(logging.Formatter):
    """Any log record as one JSON line, with the request id when it happened in a request."""

    def __init__(self) -> None:
        super().__init__()
        self._clock = _Clock()

    def format(self, record: logging.LogRecord) -> str:
        clock = self._clock
        now = record.created
        stamp = clock.stamp if clock.since <= now < clock.until else clock.tick(now)
        entry: dict[str, Any] = {
            "time": stamp.decode(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid is not None:
            entry["request_id"] = rid.decode()
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return orjson.dumps(entry).decode()


def uvicorn_log_config(log_format: str) -> dict[str, Any] | None:
    """uvicorn's ``log_config`` for the format: None keeps uvicorn's own (the text format)."""
    if log_format != "json":
        return None
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "promptcrafter.accesslog.JSONFormatter"}},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "propagate": False},
            "uvicorn.error": {"propagate": True},
            # Requests are logged by the app (with route and user); uvicorn's line would
            # be a second, poorer copy.
            "uvicorn.access": {"handlers": [], "propagate": False},
            "promptcrafter": {"handlers": ["stderr"], "propagate": False},
        },
        # Any other library's warnings and errors (asyncio, alembic, redis) in the same
        # format, so a log shipper never meets a plain-text line.
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
