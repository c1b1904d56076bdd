"""How fast the prompt page answers with 1,000 logs (issue 11: p95 <= 100 ms). Not a test:
run it by hand against a server started with rate limits off, e.g.

    .venv/bin/python -m tests.ui.measure_prompt_page http://127.0.0.1:8000

It signs up a fresh user, seeds one prompt (4 versions) with 1,000 logs through the JSON API
(3 models, 6 in 7 scored, outputs up to 3,000 characters so the page cuts them), logs in
through the form, and times 200 GETs of the page, plain, filtered and with a comparison.
``bench/scenarios/ui.py`` measures the same page with wrk for bench/RESULTS.md.
"""

from __future__ import annotations

import re
import secrets
import statistics
import sys
import time

import httpx

PASSWORD = "correct horse battery staple"
MODELS = ("gpt-4o", "claude", "llama")


def seed(api: httpx.Client, logs: int) -> tuple[str, str]:
    email = f"measure-{secrets.token_hex(4)}@example.com"
    made = api.post("/auth/signup", json={"name": "M", "email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {made.json()['token']}"}
    body = {"title": "Measured", "content": "Hi {{ name }} at {{ place }}", "model": "gpt-4o"}
    prompt_id: str = api.post("/prompts", json=body, headers=headers).json()["_id"]
    for version in range(2, 5):
        content = f"v{version} {{{{ name }}}}"
        api.patch(f"/prompts/{prompt_id}", json={"content": content}, headers=headers)
    for i in range(logs):
        log: dict[str, object] = {
            "promptId": prompt_id,
            "output": f"output {i} " + "x" * (i % 3000),
            "modelUsed": MODELS[i % 3],
            "promptVersion": 1 + i % 4,
        }
        if i % 7:
            log["score"] = (i * 37 % 101) / 10
        answer = api.post("/logs", json=log, headers=headers)
        assert answer.status_code == 201, answer.text
    return email, prompt_id


def log_in(ui: httpx.Client, base: str, email: str) -> None:
    found = re.search(r'name="csrf" value="([^"]+)"', ui.get("/ui/login").text)
    assert found is not None
    form = {"csrf": found.group(1), "email": email, "password": PASSWORD}
    answer = ui.post("/ui/login", data=form, headers={"Origin": base})
    assert answer.status_code == 303, answer.status_code


def timed(ui: httpx.Client, path: str, count: int = 200) -> str:
    for _ in range(10):  # warm up
        ui.get(path)
    times = []
    size = 0
    for _ in range(count):
        start = time.perf_counter()
        answer = ui.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, answer.status_code
        size = len(answer.content)
    times.sort()
    p95 = times[int(0.95 * count) - 1]
    return (
        f"{path.split('?')[-1] if '?' in path else 'plain'}: {size / 1024:.0f} kB, "
        f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
    )


def main(base: str, logs: int = 1000) -> None:
    with httpx.Client(base_url=base, timeout=60) as api, httpx.Client(base_url=base) as ui:
        email, prompt_id = seed(api, logs)
        log_in(ui, base, email)
        url = f"/ui/prompts/{prompt_id}"
        for path in (url, f"{url}?log_version=2&log_min=3", f"{url}?compare_a=1&compare_b=4"):
            print(timed(ui, path))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
