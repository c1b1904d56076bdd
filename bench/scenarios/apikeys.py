"""An API key against a JWT (issue 10) on authenticated ``GET /prompts/{id}``: the key must
serve at least 90% of the JWT's requests per second. One server; the two tokens of one user
are measured in turn. The key is made with ``POST /auth/keys`` and a fresh login token."""

from __future__ import annotations

from bench import seed
from bench.config import Config
from bench.results import Results
from bench.variants import Side, interleave, open_session, ratio, reader_library

LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


async def run(cfg: Config, results: Results, engine: str) -> None:
    async with open_session(cfg, results, engine, "apikey") as s:
        user, ids = await reader_library(s, "keyholder", cfg.reader_prompts)
        login = await s.api.client.post(
            "/auth/login", json={"email": user.email, "password": seed.PASSWORD}
        )
        fresh = login.json().get("token", "") if login.status_code == 200 else user.token
        made = await s.api.client.post(
            "/auth/keys", json={"name": "bench"}, headers=s.api.auth(fresh)
        )
        key = made.json().get("key", "") if made.status_code == 201 else ""
        if not key.startswith("pc_"):
            results.skip(
                "apikey",
                engine,
                f"not available at this commit (POST /auth/keys answers {made.status_code})",
            )
            return
        check = await s.api.client.get("/prompts", headers=s.api.auth(key))
        if check.status_code != 200:
            results.skip("apikey", engine, f"the new key is refused ({check.status_code})")
            return
        sides = [
            Side("JWT", s, {"BENCH_TOKEN": user.token, "BENCH_IDS_FILE": str(ids)}),
            Side("API key", s, {"BENCH_TOKEN": key, "BENCH_IDS_FILE": str(ids)}),
        ]
        median = await interleave(
            "apikey", sides, "get_prompt", cfg.rounds, endpoint="GET /prompts/{id}"
        )
        r = ratio(median["API key"], median["JWT"])
        results.target(
            "apikey",
            f"GET /prompts/{{id}}, {LABEL[engine]}: API key >= 90% of JWT (same run)",
            f"{r:.1%} ({median['JWT'].rps:,.0f} -> {median['API key'].rps:,.0f} req/s)"
            if r
            else "not measured",
            None if r is None else r >= 0.90,
        )
