"""Seed users, prompts and logs through the public API, and build the search workload.

Everything goes through HTTP (``POST /auth/signup``, ``POST /prompts``, ``POST /logs``) with
an async httpx client keeping ``concurrency`` requests in flight, so the benchmark needs no
knowledge of the server's schema.

The search library is built so that a query's result size does not grow with the library:
prompt ``i`` belongs to group ``i // GROUP_SIZE`` and carries that group's made-up word
(``token(g)``) in its title, in a tag or only in its content. Queries use a mixed-case
fragment from the middle of a group's word (partial, case-insensitive matching), sometimes
together with a common tag (every term must match), and sometimes characters that must be
taken literally (``%``, ``_``, quotes, ``*``, ``(``, backslash) and match nothing. Each query
then matches about ``GROUP_SIZE`` prompts at 10,000 prompts as at 100,000, so the latency
ratio between the two sizes measures the search itself, not the size of the answer.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from bench import rawhttp

GROUP_SIZE = 10
PASSWORD = "bench-password-0123"

_WORD_TEXT = (
    "write explain summarise draft review translate compare outline describe plan list "
    "create rewrite improve check generate answer analyse suggest design story poem "
    "essay article report email letter script scene dialogue chapter headline slogan "
    "tweet post product launch customer support ticket refund policy invoice meeting "
    "agenda notes minutes recipe menu travel itinerary budget forecast market research "
    "survey question interview resume cover tutorial lesson quiz exercise workout garden "
    "kitchen coffee tea bread pasta salad soup city river mountain forest ocean island "
    "desert winter summer spring autumn morning evening night friendly formal playful "
    "concise detailed short long clear simple vivid warm calm bold honest careful gentle "
    "modern classic rustic minimal colourful quiet loud fast slow young old small large "
    "first last every each audience reader student teacher manager developer designer "
    "founder parent child team client partner neighbour function class module test bug "
    "error query index table schema cache server request response latency deploy release "
    "version feature budget image photo portrait landscape lighting camera lens style "
    "palette texture mood scene"
)
_WORDS = tuple(_WORD_TEXT.split())

TAGS = (
    "marketing",
    "email",
    "code",
    "python",
    "writing",
    "image",
    "support",
    "research",
    "education",
    "fiction",
    "business",
    "travel",
    "food",
    "design",
    "legal",
    "health",
)

MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "llama-3.1-70b", "sdxl", "midjourney-6")

# Characters SPEC says are literal; none of these strings occurs in the corpus, so each
# must return [] (a LIKE wildcard or a syntax slip would return many prompts, or a 5xx).
LITERAL_QUERIES = (
    "a%e",
    "o_e",
    "100%",
    "e\\n",
    '"draft',
    "it's",
    "(write",
    "[a-z]",
    "%%_",
    "w*e",
    "a\\%",
)
# One or two characters: a trigram index cannot serve them, so they cost a scan of the
# caller's library. Checked for correctness and timed on their own, not in the load mix.
SHORT_QUERIES = ("%", "_", "*", "\\", "'", "zq")

_VOCABULARY = " ".join((*_WORDS, *TAGS, *MODELS, "someone else's prompt not yours")).lower()
_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"


@functools.cache
def token(group: int) -> str:
    """A pronounceable made-up word, the same every time for the same group.

    Its queried middle (:func:`token_fragment`) never occurs inside a real word of the
    corpus (``marise`` would match every ``summarise``), so a query hits about one group.
    """
    rng = random.Random(f"group-{group}")
    while True:
        word = "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(6))
        if word[2:9] not in _VOCABULARY:
            return word


def token_fragment(group: int, rng: random.Random) -> str:
    """Seven letters from the middle of the group's word, in mixed case."""
    word = token(group)[2:9]
    return "".join(c.upper() if rng.random() < 0.3 else c for c in word)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


# --------------------------------------------------------------------------- payloads


def reader_prompt(i: int) -> dict[str, Any]:
    """A prompt shaped like the floor's body (about 760 bytes of JSON)."""
    rng = random.Random(f"reader-{i}")
    title = f"{_sentence(rng, 3).capitalize()} #{i}"
    content = (_sentence(rng, 70).capitalize() + ".")[:480]
    tags = rng.sample(TAGS, 3)
    return {"title": title, "content": content, "model": rng.choice(MODELS), "tags": tags}


@dataclass(frozen=True)
class SearchDoc:
    """What the harness remembers of one search-library prompt, to check answers."""

    index: int
    title: str
    content: str
    tags: tuple[str, ...]

    @functools.cached_property
    def blob(self) -> str:
        return "\n".join((self.title, self.content, *self.tags)).lower()


def search_doc(i: int) -> SearchDoc:
    """Prompt ``i`` of the search library; its group word sits in one field only."""
    rng = random.Random(f"search-{i}")
    group = i // GROUP_SIZE
    word = token(group)
    where = i % 3  # 0: title, 1: tag, 2: content only
    title = _sentence(rng, 4).capitalize()
    content = _sentence(rng, 30).capitalize() + "."
    tags = rng.sample(TAGS, 2)
    if where == 0:
        title = f"{title} {word}"
    elif where == 1:
        tags.append(word)
    else:
        cut = rng.randrange(5, 25)
        parts = content.split(" ")
        content = " ".join([*parts[:cut], word, *parts[cut:]])
    return SearchDoc(index=i, title=title, content=content, tags=tuple(tags))


def search_payload(doc: SearchDoc) -> dict[str, Any]:
    return {
        "title": doc.title,
        "content": doc.content,
        "model": MODELS[doc.index % len(MODELS)],
        "tags": list(doc.tags),
    }


def other_payload(group: int) -> dict[str, Any]:
    """Another user's prompt using a search word: it must never show in the searcher's hits."""
    word = token(group)
    return {
        "title": f"Someone else's {word} prompt",
        "content": f"Not yours: {word}.",
        "model": "gpt-4o",
        "tags": [word],
    }


def log_payload(prompt_id: str, n: int) -> dict[str, Any]:
    rng = random.Random(f"log-{n}")
    payload: dict[str, Any] = {
        "promptId": prompt_id,
        "output": _sentence(rng, 35).capitalize() + ".",
        "modelUsed": rng.choice(MODELS),
    }
    if n % 2 == 0:
        payload["notes"] = _sentence(rng, 8)
        payload["score"] = round(rng.uniform(0, 10), 1)
    return payload


def search_queries(groups: int, count: int, seed: int = 7) -> list[str]:
    """Query strings over groups ``0..groups-1``: 70% fragments, 20% tag + fragment, 10%
    literal characters that match nothing."""
    rng = random.Random(seed)
    out: list[str] = []
    for n in range(count):
        kind = n % 10
        group = rng.randrange(groups)
        if kind < 7:
            out.append(token_fragment(group, rng))
        elif kind < 9:
            doc = search_doc(group * GROUP_SIZE + rng.randrange(GROUP_SIZE))
            out.append(f"{doc.tags[0]} {token_fragment(group, rng)}")
        else:
            out.append(rng.choice(LITERAL_QUERIES))
    rng.shuffle(out)
    return out


def query_kind(query: str) -> str:
    """Which part of the :func:`search_queries` mix a query comes from."""
    if len(query) < 3:
        return "1-2 chars"
    if query in LITERAL_QUERIES:
        return "literal chars"
    return "tag + fragment" if len(query.split()) > 1 else "fragment"


def search_path(query: str) -> str:
    return "/search?q=" + quote(query, safe="")


def expected_hits(docs: Sequence[SearchDoc], query: str) -> list[tuple[int, SearchDoc]]:
    """SPEC's rules applied locally: every term occurs (case-insensitive, as a literal
    substring) in the title, the content or a tag. Returns ``(rank_class, doc)``: 0 when a
    term is in the title, else 1 when one is in a tag, else 2 (content only)."""
    terms = [t.lower() for t in query.split()]
    hits: list[tuple[int, SearchDoc]] = []
    for doc in docs:
        blob = doc.blob  # fields joined by newlines; no term contains white space
        if not all(t in blob for t in terms):
            continue
        title = doc.title.lower()
        tags = [t.lower() for t in doc.tags]
        if any(t in title for t in terms):
            rank = 0
        elif any(t in tag for t in terms for tag in tags):
            rank = 1
        else:
            rank = 2
        hits.append((rank, doc))
    return hits


# --------------------------------------------------------------------------- API client


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
