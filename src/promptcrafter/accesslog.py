"""JSON logs (``PROMPTCRAFTER_LOG_FORMAT=json``): one line per request, and every other line.

Request lines go to standard output. They are collected as bytes and written together once
per turn of the event loop (in writes of at most ``PIPE_BUF``, so lines from several workers
sharing one pipe never interleave): a busy worker pays one ``write`` for many requests instead
of one each. Other log records (start-up, errors) keep going through ``logging`` to standard
error, formatted as JSON too, so a log shipper reads one format.

A request line holds what identifies the request and never what it carried: no header value
but the request id, no query string, no body.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import sys
import time
import traceback
from typing import Any

import orjson

PIPE_BUF = 4096
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "promptcrafter_request_id", default=None
)


class _Clock:
    """UTC timestamps with milliseconds, formatted once per millisecond (a busy worker logs
    several requests in each); the part up to the second once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""
        self._ms = -1
        self._stamp = ""
        self._stamp_bytes = b""

    def stamp(self, now: float) -> str:
        ms = int(now * 1000)
        if ms == self._ms:
            return self._stamp
        second = ms // 1000
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        self._ms = ms
        self._stamp = f"{self._prefix}.{ms - second * 1000:03d}Z"
        self._stamp_bytes = self._stamp.encode()
        return self._stamp

    def stamp_bytes(self, now: float) -> bytes:
        if int(now * 1000) != self._ms:
            self.stamp(now)
        return self._stamp_bytes


class AccessLog:
    """Request lines, built from pieces that repeat: everything between the timestamp and the
    duration is the same for every request of one method, route and status, so it is encoded
    once and kept (routes are templates and statuses few, so the cache stays small); the rest
    is a timestamp, a number and ids. That is a third of the cost of a dict through orjson
    per request, for the same line."""

    def __init__(self, fd: int | None = None) -> None:
        self._fd = sys.stdout.fileno() if fd is None else fd
        self._pending: list[bytes] = []
        self._clock = _Clock()
        self._middles: dict[tuple[str, str | None, int | None], bytes] = {}
        self._users: dict[str, bytes] = {}

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
        """Queue one line; ``rid`` is a request id already checked to be ``[A-Za-z0-9._-]``."""
        key = (method, route, status)
        middle = self._middles.get(key)
        if middle is None:
            middle = self._middle(key)
        line = b'{"time":"%s%s%.3f,"request_id":"%s","user_id":%s,"key_id":%s}\n' % (
            self._clock.stamp_bytes(time.time()),
            middle,
            seconds * 1000,
            rid,
            b"null" if user_id is None else self._encoded(user_id),
            # The API key the request was made with; null for a login token or none.
            b"null" if key_id is None else orjson.dumps(key_id),
        )
        if not self._pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self._pending.append(line)

    def _encoded(self, user_id: str) -> bytes:
        # A worker serves the same few users over and over: their ids are encoded once.
        found = self._users.get(user_id)
        if found is None:
            found = orjson.dumps(user_id)
            if len(self._users) >= 4096:
                self._users.clear()
            self._users[user_id] = found
        return found

    def _middle(self, key: tuple[str, str | None, int | None]) -> bytes:
        method, route, status = key
        fields = orjson.dumps(
            {
                "level": "info",
                "logger": "promptcrafter.access",
                "method": method,
                "route": route,
                "status": status,
            }
        )
        # '","level":...,"status":200,"duration_ms":' between the time and the duration.
        middle = b'",' + fields[1:-1] + b',"duration_ms":'
        if len(self._middles) < 1024:  # methods from clients are not all known ones
            self._middles[key] = middle
        return middle

    def flush(self) -> None:
        lines, self._pending = self._pending, []
        chunk: list[bytes] = []
        size = 0
        for line in lines:
            if chunk and size + len(line) > PIPE_BUF:
                self._write(b"".join(chunk))
                chunk, size = [], 0
            chunk.append(line)
            size += len(line)
        if chunk:
            self._write(b"".join(chunk))

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
        entry: dict[str, Any] = {
            "time": self._clock.stamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid is not None:
            entry["request_id"] = rid
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
    }
