"""API keys across two workers: revocation at once everywhere, and the shared abuse limit."""

from __future__ import annotations

import httpx

from tests.api.test_api_keys import BAD_TOKEN, TOO_MANY, assert_error, bearer, make_key
from tests.security.conftest import Servers
from tests.security.helpers import Workers, fetch
from tests.support.api import Api


def test_revocation_holds_on_every_worker_at_once(servers: Servers) -> None:
    server = servers.start(workers=2)
    with Workers(server) as workers, httpx.Client(base_url=server.base_url) as http:
        account = Api(client=http, engine=servers.engine).signup()
        key = make_key(http, account)
        for worker in range(2):
            response = workers.request(worker, "GET", "/auth/me", headers=bearer(key["key"]))
            assert response.status_code == 200
        deleted = workers.request(0, "DELETE", f"/auth/keys/{key['_id']}", headers=account.headers)
        assert deleted.status_code == 204
        for attempt in range(20):
            for path in ("/auth/me", "/prompts/prompt1"):
                response = workers.request(attempt, "GET", path, headers=bearer(key["key"]))
                assert_error(response, 401, BAD_TOKEN)


def test_unknown_keys_are_limited_per_ip_and_bad_checksums_are_not_counted(
    servers: Servers,
) -> None:
    env = {
        "PROMPTCRAFTER_RATE_LIMIT_ENABLED": "true",
        "PROMPTCRAFTER_API_KEY_FAILURES_PER_IP_PER_MINUTE": "3",
    }
    server = servers.start(env, workers=2)
    with Workers(server) as workers, httpx.Client(base_url=server.base_url) as http:
        account = Api(client=http, engine=servers.engine).signup()
        good = make_key(http, account)["key"]
        bucket = "SELECT hits FROM rate_limits WHERE bucket = 'key-fail-ip:127.0.0.1'"
        # A key with a broken checksum is refused without being counted.
        for attempt in range(6):
            typo = good[:-1] + ("a" if good[-1] != "a" else "b")
            response = workers.request(attempt, "GET", "/auth/me", headers=bearer(typo))
            assert_error(response, 401, BAD_TOKEN)
        assert fetch(server.database_url, bucket) == []
        # A well-formed key that matches nothing is a guess: three per minute, shared.
        unknown = forged_key()
        for attempt in range(3):
            response = workers.request(attempt, "GET", "/auth/me", headers=bearer(unknown))
            assert_error(response, 401, BAD_TOKEN)
        for attempt in range(2):
            response = workers.request(attempt, "GET", "/auth/me", headers=bearer(unknown))
            assert_error(response, 429, TOO_MANY)
            assert 1 <= int(response.headers["retry-after"]) <= 60
        # The real key is never limited.
        for attempt in range(4):
            response = workers.request(attempt, "GET", "/auth/me", headers=bearer(good))
            assert response.status_code == 200


def forged_key() -> str:
    """A key with a valid checksum that the server never issued."""
    from promptcrafter.security import apikeys

    return apikeys.generate().key
