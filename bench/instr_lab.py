"""Instructions per hot read, logs and metrics off and on: ``python -m bench.instr_lab``.

A wrk comparison of three servers moves by a fifth from one pass to the next on this machine,
more than the 5% that JSON logs or metrics may cost a hot read. Here the same work is counted
instead of timed: each server runs under valgrind's callgrind, which counts the instructions
every thread of the process executes and gives the same count for the same work whatever
else the machine is doing. After a warm-up the counters are zeroed, exactly ``--requests``
authenticated ``GET /prompts/{id}`` are sent over 32 keep-alive connections, and the counters
are dumped: the count divided by the requests is one request's cost in user-space
instructions.

Two things make the ratios an upper bound on what observing costs a served request. The
kernel's part of a request (its socket reads and writes, the database's round trip) is not
counted, and observing adds none of it but one write per 64 lines. And under callgrind the
server runs about thirty times slower, so the work an access log does once per millisecond
(its timestamp) or once per 20 ms (its write) falls on far fewer requests than at full speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import rawhttp
from bench.databases import ENGINES, Database
from bench.server import Server, new_secret, running

PROMPTS = 1000
WARMUP = 300
CONNECTIONS = 32
VARIANTS = {
    "off": {},
    "JSON logs on": {"PROMPTCRAFTER_LOG_FORMAT": "json"},
    "metrics on": {"PROMPTCRAFTER_METRICS_ENABLED": "true"},
}
SECRET = new_secret()  # one key for every server of a run: the seeded token stays valid
_SUMMARY = re.compile(rb"^summary:\s+(\d+)", re.MULTILINE)


async def _seed(server: Server) -> tuple[str, list[str]]:
    """A user and ``PROMPTS`` prompts, through the API; the token and the prompt ids."""
    conn = rawhttp.Connection("127.0.0.1", server.port)
    json_type = {"Content-Type": "application/json"}
    try:
        account = {"name": "instr", "email": "instr@example.com", "password": "instr-password-0"}
        signed = await conn.request("POST", "/auth/signup", json_type, json.dumps(account).encode())
        if signed.status != 201:
            raise RuntimeError(f"signup: {signed.status} {signed.body[:200]!r}")
        token = json.loads(signed.body)["token"]
        headers = {**json_type, "Authorization": f"Bearer {token}"}
        ids = []
        for n in range(PROMPTS):
            prompt = {
                "title": f"Prompt {n}",
                "content": f"Summarise {{{{topic}}}} for a reader in {n % 50 + 1} lines. " * 4,
                "tags": ["bench", f"t{n % 7}"],
                "model": "gpt-4o",
            }
            made = await conn.request("POST", "/prompts", headers, json.dumps(prompt).encode())
            if made.status != 201:
                raise RuntimeError(f"POST /prompts: {made.status} {made.body[:200]!r}")
            ids.append(json.loads(made.body)["_id"])
        return token, ids
    finally:
        await conn.close()


async def _reads(port: int, token: str, ids: list[str], count: int) -> None:
    """Exactly ``count`` reads over ``CONNECTIONS`` connections; any answer but 200 fails."""
    left = count
    headers = {"Authorization": f"Bearer {token}"}
    pick = random.Random(count)

    async def connection() -> None:
        nonlocal left
        conn = rawhttp.Connection("127.0.0.1", port)
        try:
            while left > 0:
                left -= 1
                answer = await conn.request("GET", "/prompts/" + pick.choice(ids), headers)
                if answer.status != 200:
                    raise RuntimeError(f"GET /prompts/{{id}}: {answer.status}")
        finally:
            await conn.close()

    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))


def _callgrind(pid: int, command: str) -> None:
    subprocess.run(
        ["callgrind_control", command, str(pid)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _instructions(
    database_url: str, env: dict[str, str], auth: tuple[str, list[str]], requests: int, out: Path
) -> int:
    """User-space instructions for ``requests`` reads by one server under callgrind."""
    counts = out / "callgrind.out"
    valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={counts}"]
    server = Server.promptcrafter(
        database_url,
        workers=1,
        cpus={0},
        log_path=out / "server.log",
        secret_key=SECRET,
        extra_env=env,
        command=[*valgrind, sys.executable, "-m", "promptcrafter"],
    )
    token, ids = auth
    with running(server, timeout_s=300):
        asyncio.run(_reads(server.port, token, ids, WARMUP))
        _callgrind(server.pid, "--zero")
        asyncio.run(_reads(server.port, token, ids, requests))
        _callgrind(server.pid, "--dump")
    dumps = sorted(out.glob("callgrind.out.*"), key=lambda p: p.stat().st_mtime)
    found = _SUMMARY.search(dumps[-1].read_bytes()) if dumps else None
    if found is None:
        raise RuntimeError(f"no callgrind dump in {out}")
    for dump in out.glob("callgrind.out*"):
        dump.unlink()
    return int(found.group(1))


def _engine(engine: str, requests: int) -> None:
    with Database(engine) as db, tempfile.TemporaryDirectory(prefix="instr-lab-") as tmp:
        out = Path(tmp)
        seeder = Server.promptcrafter(
            db.url, workers=1, cpus=None, log_path=out / "seed.log", secret_key=SECRET
        )
        with running(seeder):
            auth = asyncio.run(_seed(seeder))
        print(f"{engine}: {requests:,} reads of {PROMPTS:,} prompts, c{CONNECTIONS}")
        base = 0
        for name, env in VARIANTS.items():
            per_request = _instructions(db.url, env, auth, requests, out) / requests
            base = base or int(per_request)
            extra = f"  {per_request / base - 1:+6.1%} vs off" if name != "off" else ""
            print(f"  {per_request:11,.0f} instructions per request  {name}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("bench.instr_lab needs valgrind: apt-get install valgrind")
    for engine in args.engines.split(","):
        _engine(engine.strip(), args.requests)


if __name__ == "__main__":
    main()
