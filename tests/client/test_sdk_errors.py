"""Every SDK exception from a real response: the PromptCrafter server for the statuses it
answers (400, 401, 403, 404, 409), a tiny local HTTP server for those it should not (429, 5xx)
and for retries, and a closed port for a refused connection."""

from __future__ import annotations

import asyncio
import json
import pickle
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from promptcrafter.client import (
    AsyncPromptCrafterClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PromptCrafterAPIError,
    PromptCrafterClient,
    PromptCrafterConnectionError,
    RateLimitError,
    ServerError,
)

PASSWORD = "correct horse battery staple"


def roundtrip(error: Exception) -> Any:
    return pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes


def unique_email() -> str:
    return f"err-{uuid.uuid4().hex}@example.com"


@pytest.fixture
def account(live_server: Any) -> Iterator[PromptCrafterClient]:
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        client.signup("Owner", unique_email(), PASSWORD)
        yield client


@pytest.fixture
def stranger(live_server: Any) -> Iterator[PromptCrafterClient]:
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        client.signup("Stranger", unique_email(), PASSWORD)
        yield client


# --- statuses the real server answers --------------------------------------------------------


def test_400_bad_request(account: PromptCrafterClient) -> None:
    with pytest.raises(BadRequestError) as short_title:
        account.create_prompt("ab", "content", "model")
    assert short_title.value.status_code == 400
    assert short_title.value.message == "Required fields are missing or invalid."
    assert str(short_title.value) == "Required fields are missing or invalid."
    assert account.get_prompts() == []  # nothing stored

    with pytest.raises(BadRequestError) as bad_id:
        account.get_prompt("invalid_prompt_id")
    assert bad_id.value.message == "The request is malformed or the prompt ID format is invalid."

    with (
        PromptCrafterClient(base_url=account.base_url) as fresh,
        pytest.raises(BadRequestError) as weak,
    ):
        fresh.signup("Weak", unique_email(), "short")
    assert weak.value.message == "The password does not meet the security requirements."

    with pytest.raises(BadRequestError) as blank:
        account.search_prompts("   ")
    assert blank.value.message == "Missing or malformed query string."


def test_401_authentication(live_server: Any) -> None:
    email = unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        client.signup("Owner", email, PASSWORD)
        with pytest.raises(AuthenticationError) as wrong:
            client.login(email, PASSWORD + "!")
        assert wrong.value.status_code == 401
        assert wrong.value.message == "Incorrect email or password."

    with (
        PromptCrafterClient(base_url=live_server.base_url) as anonymous,
        pytest.raises(AuthenticationError) as missing,
    ):
        anonymous.get_prompts()
    assert missing.value.message == "Authentication token is missing."

    with (
        PromptCrafterClient(token="not-a-jwt", base_url=live_server.base_url) as forged,
        pytest.raises(AuthenticationError) as invalid,
    ):
        forged.get_logs()
    assert invalid.value.message == "Authentication token is expired or invalid."


def test_403_forbidden(account: PromptCrafterClient, stranger: PromptCrafterClient) -> None:
    prompt = account.create_prompt("Private prompt", "mine only", "gpt-4o")
    log = account.create_log(prompt["_id"], "output", "gpt-4o")

    with pytest.raises(ForbiddenError) as read:
        stranger.get_prompt(prompt["_id"])
    assert read.value.status_code == 403
    assert read.value.message == "You do not have permission to access this resource."

    with pytest.raises(ForbiddenError) as change:
        stranger.update_prompt(prompt["_id"], title="Hijacked")
    assert change.value.message == "Prompt does not belong to the authenticated user."

    with pytest.raises(ForbiddenError) as remove:
        stranger.delete_prompt(prompt["_id"])
    assert remove.value.message == "Prompt does not belong to the authenticated user."

    with pytest.raises(ForbiddenError) as logs:
        stranger.get_logs_by_prompt(prompt["_id"])
    assert logs.value.message == "User is not authorized to view logs for this prompt."

    with pytest.raises(ForbiddenError) as remove_log:
        stranger.delete_log(log["_id"])
    assert remove_log.value.message == "Log does not belong to the authenticated user."

    # Nothing changed for the owner.
    assert account.get_prompt(prompt["_id"]) == prompt
    assert [x["_id"] for x in account.get_logs()] == [log["_id"]]


def test_404_not_found(account: PromptCrafterClient, stranger: PromptCrafterClient) -> None:
    with pytest.raises(NotFoundError) as prompt_missing:
        account.get_prompt("prompt3")
    assert prompt_missing.value.status_code == 404
    assert prompt_missing.value.message == "No prompt found with the specified ID."

    with pytest.raises(NotFoundError) as log_missing:
        account.delete_log("log3")
    assert log_missing.value.message == "No log found with the specified ID."

    with pytest.raises(NotFoundError) as logs_missing:
        account.get_logs_by_prompt("prompt3")
    assert logs_missing.value.message == "No logs found for the specified prompt ID."

    theirs = stranger.create_prompt("Their prompt", "text", "model")
    with pytest.raises(NotFoundError) as not_accessible:
        account.create_log(theirs["_id"], "output", "model")
    assert not_accessible.value.message == "Prompt ID does not exist or is not accessible."
    assert stranger.get_logs() == []


def test_409_conflict(live_server: Any) -> None:
    email = unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        client.signup("First", email, PASSWORD)
        with pytest.raises(ConflictError) as duplicate:
            client.signup("Second", email.upper(), PASSWORD)
    assert duplicate.value.status_code == 409
    assert duplicate.value.message == "Email already in use."


def test_errors_share_one_base_class(account: PromptCrafterClient) -> None:
    for cls in (
        BadRequestError,
        AuthenticationError,
        ForbiddenError,
        NotFoundError,
        ConflictError,
        RateLimitError,
        ServerError,
    ):
        assert issubclass(cls, PromptCrafterAPIError)
    with pytest.raises(PromptCrafterAPIError) as caught:
        account.get_prompt("prompt3")
    assert type(caught.value) is NotFoundError
    # Errors survive pickling (multiprocessing, task queues) with their state.
    copy = roundtrip(caught.value)
    assert type(copy) is NotFoundError
    assert (copy.status_code, copy.message) == (404, "No prompt found with the specified ID.")


def test_async_client_raises_the_same_exceptions(live_server: Any) -> None:
    async def flow() -> None:
        async with AsyncPromptCrafterClient(base_url=live_server.base_url) as client:
            with pytest.raises(AuthenticationError) as missing:
                await client.get_prompts()
            assert missing.value.message == "Authentication token is missing."
            await client.signup("Async", unique_email(), PASSWORD)
            with pytest.raises(BadRequestError) as bad:
                await client.get_prompt("invalid_prompt_id")
            assert bad.value.status_code == 400
            with pytest.raises(NotFoundError) as absent:
                await client.delete_prompt("prompt3")
            assert absent.value.message == "No prompt found with the specified ID."

    asyncio.run(flow())


# --- a scripted local HTTP server for 429 and 5xx ---------------------------------------------


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, status: int, sentence: str, **headers: str) -> Reply:
        body = json.dumps({"error": sentence}).encode()
        return cls(status, body, {"Content-Type": "application/json", **headers})

    @classmethod
    def ok(cls, payload: Any) -> Reply:
        return cls(200, json.dumps(payload).encode(), {"Content-Type": "application/json"})


@dataclass
class Stub:
    url: str
    replies: list[Reply] = field(default_factory=list)
    seen: list[tuple[str, str, float]] = field(default_factory=list)

    def script(self, *replies: Reply) -> None:
        self.replies[:] = replies
        self.seen.clear()


@pytest.fixture
def stub() -> Iterator[Stub]:
    state = Stub(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            state.seen.append((self.command, self.path, time.monotonic()))
            reply = state.replies.pop(0) if state.replies else Reply.error(500, "Unscripted.")
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PATCH = do_DELETE = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


TOO_MANY = "Too many requests. Try again later."


def test_429_rate_limit_error_carries_retry_after(stub: Stub) -> None:
    stub.script(Reply.error(429, TOO_MANY, **{"Retry-After": "17"}))
    with (
        PromptCrafterClient(token="t", base_url=stub.url) as client,
        pytest.raises(RateLimitError) as limited,
    ):
        client.login("a@example.com", PASSWORD)
    assert limited.value.status_code == 429
    assert limited.value.message == TOO_MANY
    assert limited.value.retry_after == 17.0
    assert len(stub.seen) == 1  # retries are off by default
    copy = roundtrip(limited.value)
    assert (type(copy), copy.retry_after, copy.message) == (RateLimitError, 17.0, TOO_MANY)


def test_429_retry_after_as_http_date(stub: Stub) -> None:
    later = datetime.now(UTC) + timedelta(seconds=120)
    stub.script(Reply.error(429, TOO_MANY, **{"Retry-After": format_datetime(later, True)}))
    with PromptCrafterClient(base_url=stub.url) as client, pytest.raises(RateLimitError) as exc:
        client.get_prompts()
    assert exc.value.retry_after is not None
    assert 100 < exc.value.retry_after <= 120


def test_retries_honour_retry_after_then_succeed(stub: Stub) -> None:
    prompt = {"_id": "prompt1", "title": "T"}
    stub.script(
        Reply.error(429, TOO_MANY, **{"Retry-After": "1"}),
        Reply.error(503, "Service unavailable.", **{"Retry-After": "0"}),
        Reply.ok([prompt]),
    )
    with PromptCrafterClient(token="t", base_url=stub.url, max_retries=2) as client:
        assert client.get_prompts() == [prompt]
    assert [(method, path) for method, path, _ in stub.seen] == [("GET", "/prompts")] * 3
    assert stub.seen[1][2] - stub.seen[0][2] >= 0.95  # waited as told


def test_retries_are_bounded(stub: Stub) -> None:
    stub.script(*[Reply.error(429, TOO_MANY, **{"Retry-After": "0"}) for _ in range(5)])
    with (
        PromptCrafterClient(base_url=stub.url, max_retries=2) as client,
        pytest.raises(RateLimitError),
    ):
        client.get_logs()
    assert len(stub.seen) == 3


def test_no_retry_when_the_wait_is_too_long(stub: Stub) -> None:
    stub.script(Reply.error(429, TOO_MANY, **{"Retry-After": "3600"}), Reply.ok([]))
    with PromptCrafterClient(base_url=stub.url, max_retries=3, max_retry_delay=5) as client:
        started = time.monotonic()
        with pytest.raises(RateLimitError) as limited:
            client.get_logs()
    assert time.monotonic() - started < 2
    assert limited.value.retry_after == 3600
    assert len(stub.seen) == 1


def test_async_retries(stub: Stub) -> None:
    stub.script(Reply.error(503, "Service unavailable.", **{"Retry-After": "0"}), Reply.ok([]))

    async def flow() -> None:
        async with AsyncPromptCrafterClient(base_url=stub.url, max_retries=1) as client:
            assert await client.get_logs() == []

    asyncio.run(flow())
    assert len(stub.seen) == 2


def test_5xx_server_error(stub: Stub) -> None:
    stub.script(
        Reply.error(500, "Something went wrong on our side."),
        Reply(502, b"<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"}),
        Reply.error(503, "The database is not answering."),
    )
    with PromptCrafterClient(base_url=stub.url, max_retries=0) as client:
        with pytest.raises(ServerError) as internal:
            client.get_prompts()
        assert internal.value.status_code == 500
        assert internal.value.message == "Something went wrong on our side."

        with pytest.raises(ServerError) as gateway:
            client.get_prompts()
        assert gateway.value.status_code == 502
        assert gateway.value.message == "The server answered HTTP 502 Bad Gateway."

        with pytest.raises(ServerError) as unavailable:
            client.health()
        assert unavailable.value.status_code == 503
        assert unavailable.value.message == "The database is not answering."
    assert len(stub.seen) == 3


def test_500_is_not_retried(stub: Stub) -> None:
    stub.script(Reply.error(500, "Boom."), Reply.ok([]))
    with (
        PromptCrafterClient(base_url=stub.url, max_retries=3) as client,
        pytest.raises(ServerError),
    ):
        client.get_prompts()
    assert len(stub.seen) == 1


# --- no server at all ------------------------------------------------------------------------


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_connection_refused_explains_how_to_start_the_server() -> None:
    url = closed_port_url()
    with (
        PromptCrafterClient(base_url=url) as client,
        pytest.raises(PromptCrafterConnectionError) as refused,
    ):
        client.login("a@example.com", PASSWORD)
    message = str(refused.value)
    assert url in message
    assert "offline" in message
    assert "make run" in message and "promptcrafter serve" in message
    assert isinstance(refused.value, ConnectionError)
    assert refused.value.url == url
    assert str(roundtrip(refused.value)) == message
    assert not isinstance(refused.value, PromptCrafterAPIError)

    async def flow() -> None:
        async with AsyncPromptCrafterClient(base_url=url) as client:
            with pytest.raises(PromptCrafterConnectionError, match="offline"):
                await client.get_prompts()

    asyncio.run(flow())
