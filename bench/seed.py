"""Seed users, prompts and logs through the public API.

Everything goes through HTTP (``POST /auth/signup``, ``POST /prompts``, ``POST /logs``) with
an async httpx client keeping ``concurrency`` requests in flight, so the benchmark needs no
knowledge of the server's schema. What is seeded comes from :mod:`bench.corpus`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench import rawhttp

PASSWORD = "bench-password-0123"


class SeedError(RuntimeError):
    """The API refused something the seeder needs."""


@dataclass
class User:
    name: str
    email: str
    token: str
    user_id: str


@dataclass
class SeedStats:
    label: str
    count: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


@dataclass
class Created:
    """The ids (and creation times) the API returned, in payload order."""

    ids: list[str] = field(default_factory=list)
    created_at: list[str] = field(default_factory=list)


class Api:
    """A thin async client for seeding; one instance per server."""

    def __init__(self, base_url: str, concurrency: int = 32, timeout_s: float = 120.0) -> None:
        self.base_url = base_url
        self.concurrency = concurrency
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        # httpcore writes headers and body separately; without TCP_NODELAY every POST waits
        # for a delayed ACK (several ms on loopback), which caps seeding at ~150 req/s.
        transport = httpx.AsyncHTTPTransport(
            limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        )
        self.client = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout_s)

    async def close(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def signup(self, label: str) -> User:
        email = f"{label}-{secrets.token_hex(4)}@bench.example.com"
        name = f"Bench {label}"
        response = await self.client.post(
            "/auth/signup", json={"name": name, "email": email, "password": PASSWORD}
        )
        if response.status_code != 201:
            raise SeedError(f"signup {label}: {response.status_code} {response.text[:300]}")
        body = response.json()
        token_value = body.get("token")
        if not token_value:
            login = await self.client.post(
                "/auth/login", json={"email": email, "password": PASSWORD}
            )
            if login.status_code != 200:
                raise SeedError(f"login {label}: {login.status_code} {login.text[:300]}")
            token_value = login.json()["token"]
        return User(name=name, email=email, token=token_value, user_id=body["user"]["_id"])

    async def create_many(
        self,
        path: str,
        user: User,
        payloads: Iterable[dict[str, Any]],
        total: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> Created:
        """POST every payload to ``path``; keep ``concurrency`` in flight; fail fast.

        Uses :mod:`bench.rawhttp` (one keep-alive connection per worker): httpx's own
        overhead would make the client, not the server, the limit on seeding speed.
        """
        ids: list[str] = [""] * total
        created: list[str] = [""] * total
        queue: asyncio.Queue[tuple[int, dict[str, Any]] | None] = asyncio.Queue(
            maxsize=self.concurrency * 4
        )
        headers = {"Authorization": f"Bearer {user.token}", "Content-Type": "application/json"}
        url = urlsplit(self.base_url)
        done = 0

        async def worker() -> None:
            nonlocal done
            conn = rawhttp.Connection(url.hostname or "127.0.0.1", url.port or 80)
            try:
                while True:
                    item = await queue.get()
                    if item is None:
                        return
                    n, payload = item
                    body = json.dumps(payload, ensure_ascii=False).encode()
                    for attempt in range(3):
                        try:
                            response = await conn.request("POST", path, headers, body)
                        except (rawhttp.HttpError, OSError):
                            if attempt == 2:
                                raise
                            await asyncio.sleep(0.2)
                            continue
                        break
                    if response.status != 201:
                        text = response.body[:300].decode(errors="replace")
                        raise SeedError(f"POST {path}: {response.status} {text}")
                    data = json.loads(response.body)
                    ids[n] = data["_id"]
                    created[n] = data.get("createdAt", "")
                    done += 1
                    if progress is not None and done % 10000 == 0:
                        progress(done, total)
            finally:
                await conn.close()

        async def feeder() -> None:
            for n, payload in enumerate(payloads):
                await queue.put((n, payload))
            for _ in range(self.concurrency):
                await queue.put(None)

        workers = [asyncio.create_task(worker()) for _ in range(self.concurrency)]
        feed = asyncio.create_task(feeder())
        try:
            await asyncio.gather(feed, *workers)
        except BaseException:
            for task in [feed, *workers]:
                task.cancel()
            await asyncio.gather(feed, *workers, return_exceptions=True)
            raise
        return Created(ids=ids, created_at=created)

    async def get_json(self, path: str, user: User) -> Any:
        response = await self.client.get(path, headers=self.auth(user.token))
        if response.status_code != 200:
            raise SeedError(f"GET {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    async def body_size(self, path: str, user: User) -> int:
        response = await self.client.get(path, headers=self.auth(user.token))
        if response.status_code != 200:
            raise SeedError(f"GET {path}: {response.status_code} {response.text[:300]}")
        return len(response.content)


async def timed_create(
    api: Api,
    label: str,
    path: str,
    user: User,
    payloads: Iterable[dict[str, Any]],
    total: int,
    log: Callable[[str], None],
) -> tuple[Created, SeedStats]:
    def progress(done: int, all_: int) -> None:
        log(f"    {label}: {done}/{all_}")

    start = time.perf_counter()
    created = await api.create_many(path, user, payloads, total, progress)
    stats = SeedStats(label=label, count=total, seconds=time.perf_counter() - start)
    log(f"    {label}: {total} in {stats.seconds:.1f}s ({stats.rate:.0f}/s)")
    return created, stats
