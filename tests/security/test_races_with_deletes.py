"""Writes racing the deletion of what they write into: each gets its 4xx, never a 5xx.

A review (2026-12-08) found three ways to a 503 "database not reachable": on PostgreSQL a log
whose prompt was deleted between the insert's read and its key check; on both engines a
prompt, key or session written for an account deleted after its token was checked; and on
PostgreSQL a deadlock between an account's deletion (cascading over its prompts) and a label
change on one of them. Each race runs on two workers, every request on its own connection,
started together; the stored state must stay whole either way.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

from tests.support.api import PASSWORD, Api
from tests.support.server import ServerProcess

Call = tuple[str, str, dict[str, Any]]
GONE = "Prompt ID does not exist or is not accessible."
TOKEN_INVALID = "Authentication token is expired or invalid."


def _race(server: ServerProcess, calls: list[Call], repeat: int = 1) -> list[httpx.Response]:
    """Every call at once, each on its own connection; with ``repeat``, each call is made
    again (up to that many times) until it is refused."""
    barrier = threading.Barrier(len(calls))
    answers: list[list[httpx.Response]] = [[] for _ in calls]

    def run(index: int) -> None:
        method, path, kwargs = calls[index]
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            client.get("/health")  # connected before the start
            barrier.wait()
            for _ in range(repeat):
                answer = client.request(method, path, **kwargs)
                answers[index].append(answer)
                if answer.status_code >= 400:
                    break

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [answer for made in answers for answer in made]


def _summary(answer: httpx.Response) -> tuple[str, str, int, str]:
    return (answer.request.method, answer.request.url.path, answer.status_code, answer.text)


def test_a_log_for_a_prompt_being_deleted_is_made_or_refused_with_404(
    two_workers: ServerProcess, api2: Api
) -> None:
    for _ in range(15):
        account = api2.signup()
        prompt_id = api2.create_prompt(account)["_id"]
        log = {"promptId": prompt_id, "output": "o", "modelUsed": "m"}
        calls: list[Call] = [("POST", "/logs", {"json": log, "headers": account.headers})] * 6
        calls.insert(3, ("DELETE", f"/prompts/{prompt_id}", {"headers": account.headers}))
        answers = _race(two_workers, calls)
        for answer in answers:
            if answer.request.method == "DELETE":
                assert answer.status_code == 204, _summary(answer)
            elif answer.status_code != 201:
                assert answer.status_code == 404, _summary(answer)
                assert answer.json() == {"error": GONE}
        # The logs that were made went with the prompt.
        left = api2.client.get("/logs", headers=account.headers)
        assert left.status_code == 200 and left.json() == []
    assert "database error" not in two_workers.log_path.read_text(errors="replace")


def test_writes_for_an_account_being_deleted_are_made_or_refused_never_a_5xx(
    two_workers: ServerProcess, api2: Api
) -> None:
    refused = {401, 404}  # the token no longer valid, or the prompt already gone with it
    for _ in range(12):
        account = api2.signup()
        prompts = [api2.create_prompt(account)["_id"] for _ in range(3)]
        h = {"headers": account.headers}
        calls: list[Call] = []
        for index in range(6):
            prompt_id = prompts[index % 3]
            log = {"promptId": prompt_id, "output": "o", "modelUsed": "m"}
            calls += [
                ("POST", "/prompts", {"json": {"title": "abc", "content": "c", "model": "m"}, **h}),
                ("POST", "/auth/keys", {"json": {"name": "k"}, **h}),
                ("POST", "/logs", {"json": log, **h}),
                ("PUT", f"/prompts/{prompt_id}/labels/l{index}", {"json": {"version": 1}, **h}),
                ("PATCH", f"/prompts/{prompt_id}", {"json": {"content": f"c{index}"}, **h}),
            ]
        # The writers keep writing until they are refused: the account goes in between.
        calls.insert(7, ("DELETE", "/auth/me", {"json": {"password": PASSWORD}, **h}))
        answers = _race(two_workers, calls, repeat=40)
        deletions = [a.status_code for a in answers if a.request.method == "DELETE"]
        assert deletions == [204, 401], deletions  # repeated too: the account is gone
        for answer in answers:
            if answer.request.method != "DELETE" and answer.status_code >= 300:
                assert answer.status_code in refused, _summary(answer)
        # Whatever was written in the race went with the account.
        again = api2.client.get("/prompts", headers=account.headers)
        assert again.status_code == 401 and again.json() == {"error": TOKEN_INVALID}
        made = [
            a.json()["_id"]
            for a in answers
            if a.request.method == "POST"
            and a.status_code == 201
            and a.request.url.path == "/prompts"
        ]
        other = api2.signup()
        for prompt_id in prompts + made:
            gone = api2.client.get(f"/prompts/{prompt_id}", headers=other.headers)
            assert gone.status_code == 404, gone.text
    assert "database error" not in two_workers.log_path.read_text(errors="replace")
