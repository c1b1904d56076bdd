"""uvicorn's HTTP protocol, with its parser-level 400 in our error format.

A request the HTTP parser itself refuses (a URL over 64 KiB, a malformed request line) never
reaches the application; uvicorn answers it with a plain-text body. This subclass writes the
same status as ``{"error": ...}`` with ``nosniff``, like every other answer.
"""

from __future__ import annotations

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_BODY = orjson.dumps({"error": "The HTTP request is malformed or too large to read."})


class JSONErrorHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(_BODY)).encode("ascii") + b"\r\n",
                b"x-content-type-options: nosniff\r\n",
                b"cache-control: no-store\r\n",
                b"connection: close\r\n",
                b"\r\n",
                _BODY,
            ]
        )
        self.transport.write(b"".join(head))
        self.transport.close()
