"""``python -m bench profile``: where a request's CPU time goes, read path and write path.

A 1-worker server on a fresh database (pinned to CPU 0) is seeded through the API, then
for each path wrk loads it from CPU 1 while ``py-spy record --format raw`` samples every
process of the server tree. The collapsed stacks are kept in ``bench/out/profile-*.txt``
and summarised into ``bench/out/profile.json``: shares by component (the package of the
innermost Python frame), the top functions by self time, and PromptCrafter's own functions
by inclusive time.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import corpus, seed, wrk
from bench.config import OUT_DIR, log
from bench.databases import Database
from bench.load import LoadPlan, pinned
from bench.server import Server, new_secret, running

Json = dict[str, Any]

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")

# Innermost frames that mean "the event loop's C code is running": uvloop itself, httptools
# parsing, socket reads and writes. Python code called from the loop shows its own frames.
_LOOP_FILES = ("asyncio/runners.py", "uvicorn/_compat.py")

_THIRD_PARTY = {
    "uvicorn",
    "starlette",
    "fastapi",
    "pydantic",
    "pydantic_core",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "jwt",
    "orjson",
    "argon2",
    "anyio",
    "httptools",
    "uvloop",
    "email_validator",
    "redis",
    "click",
    "alembic",
    "typing_extensions",
    "annotated_types",
}


def py_spy_binary() -> str:
    local = Path(sys.executable).parent / "py-spy"
    if local.exists():
        return str(local)
    found = shutil.which("py-spy")
    if found is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    return found


def py_spy_version() -> str:
    try:
        out = subprocess.run(
            [py_spy_binary(), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, RuntimeError):
        return "unknown"
    return out.stdout.strip().removeprefix("py-spy ").strip() or "unknown"


def _split_frame(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame)
    if match is None:
        return frame, ""
    file = match.group("file")
    for marker in ("site-packages/", "/src/"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return match.group("func"), file


def component(func: str, file: str) -> str:
    """The package a frame belongs to, with the event loop's C code named as such."""
    if file.startswith(_LOOP_FILES) or "uvloop" in file:
        return "event loop (uvloop, httptools, socket I/O in C)"
    if "promptcrafter/" in file or file.startswith("promptcrafter"):
        return "promptcrafter"
    top = file.split("/", 1)[0] if "/" in file else file.removesuffix(".py")
    if top in _THIRD_PARTY:
        return top
    if top.startswith("<frozen"):
        return "python (frozen stdlib)"
    if top in {"threading", "queue"}:
        return "threads/queue (stdlib)"
    return f"{top} (stdlib)" if top else func


def _thread_label(frame: str) -> str:
    """``thread (1234): MainThread`` -> ``MainThread``; numbered pool threads collapse."""
    name = frame.split(":", 1)[1].strip() if ":" in frame else frame
    return re.sub(r"[-_ ]?\d+( \(.*\))?$", "", name) or name


def summarise(raw_text: str) -> Json:
    """Self-time and inclusive-time tables from py-spy's collapsed (raw) stacks."""
    total = 0
    by_thread: Counter[str] = Counter()
    by_component: Counter[str] = Counter()
    self_time: Counter[tuple[str, str]] = Counter()
    app_inclusive: Counter[tuple[str, str]] = Counter()
    for line in raw_text.splitlines():
        stack, _, count_text = line.rstrip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        raw_frames = stack.split(";")
        thread = next((f for f in raw_frames if f.startswith("thread ")), "thread ?")
        frames = [f for f in raw_frames if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += count
        by_thread[_thread_label(thread)] += count
        parsed = [_split_frame(f) for f in frames]
        func, file = parsed[-1]
        by_component[component(func, file)] += count
        self_time[(func, file)] += count
        # Inclusive time only below the event loop: the frames that start the server
        # (cli main, uvicorn.run, asyncio.run) sit under every sample and say nothing.
        cut = 0
        for index, (_, frame_file) in enumerate(parsed):
            if frame_file.startswith(_LOOP_FILES):
                cut = index + 1
        for key in set(parsed[cut:]):
            if component(*key) == "promptcrafter":
                app_inclusive[key] += count

    def share(n: int) -> float:
        return n / total if total else 0.0

    return {
        "samples": total,
        "by_thread": [(name, share(n)) for name, n in by_thread.most_common()],
        "by_component": [(name, share(n)) for name, n in by_component.most_common()],
        "self_top": [(f, loc, share(n)) for (f, loc), n in self_time.most_common(25)],
        "app_inclusive": [(f, loc, share(n)) for (f, loc), n in app_inclusive.most_common(20)],
    }


async def _seed(base_url: str, prompts: int, logs: int) -> tuple[seed.User, list[str]]:
    async with seed.Api(base_url) as api:
        user = await api.signup("profiler")
        created = await api.create_many(
            "/prompts", user, (corpus.reader_prompt(i) for i in range(prompts)), prompts
        )
        await api.create_many(
            "/logs",
            user,
            (corpus.log_payload(created.ids[n % prompts], n) for n in range(logs)),
            logs,
        )
        return user, created.ids


def run_profile(
    engine: str = "sqlite",
    duration_s: float = 15.0,
    rate: int = 250,
    connections: int = 32,
    out_dir: Path = OUT_DIR,
) -> Json:
    """Profile GET /prompts/{id}, POST /logs and a changing PATCH on ``engine``."""
    plan = LoadPlan.for_workers(1)
    spy = py_spy_binary()
    out_dir.mkdir(parents=True, exist_ok=True)
    result: Json = {
        "engine": engine,
        "duration_s": duration_s,
        "rate": rate,
        "connections": connections,
        "py_spy": py_spy_version(),
        "paths": {},
    }
    paths = (
        ("read", "get_prompt", "GET /prompts/{id}"),
        ("write", "post_log", "POST /logs"),
        ("patch", "patch_prompt", "PATCH /prompts/{id}"),
    )
    with Database(engine) as db, pinned(plan.load_cpus):
        server = Server.promptcrafter(
            db.url,
            workers=1,
            cpus=plan.server_cpus,
            log_path=out_dir / f"server-profile-{engine}.log",
            secret_key=new_secret(),
        )
        with running(server, timeout_s=90):
            log(f"profile: seeding {engine} server")
            user, ids = asyncio.run(_seed(server.base_url, 1000, 200))
            ids_file = out_dir / "work" / f"ids-profile-{engine}.txt"
            ids_file.parent.mkdir(parents=True, exist_ok=True)
            ids_file.write_text("\n".join(ids) + "\n")
            env = {"BENCH_TOKEN": user.token, "BENCH_IDS_FILE": str(ids_file)}
            for name, script, request in paths:
                wrk.run(
                    server.base_url,
                    script,
                    duration_s=2,
                    connections=connections,
                    cpus=plan.load_cpus,
                    env=env,
                )
                raw_path = out_dir / f"profile-{engine}-{name}.txt"
                cmd = [
                    spy,
                    "record",
                    "--pid",
                    str(server.pid),
                    "--subprocesses",
                    "--threads",
                    "--nonblocking",
                    "--rate",
                    str(rate),
                    "--duration",
                    str(round(duration_s)),
                    "--format",
                    "raw",
                    "-o",
                    str(raw_path),
                ]
                log(f"profile: {request} for {duration_s:.0f}s under py-spy")
                spy_proc = subprocess.Popen(
                    cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
                )
                time.sleep(0.5)
                load = wrk.run(
                    server.base_url,
                    script,
                    duration_s=duration_s + 1,
                    connections=connections,
                    cpus=plan.load_cpus,
                    env=env,
                )
                spy_out, _ = spy_proc.communicate(timeout=duration_s + 60)
                if spy_proc.returncode != 0 or not raw_path.exists():
                    raise RuntimeError(f"py-spy failed ({spy_proc.returncode}): {spy_out[-1000:]}")
                summary = summarise(raw_path.read_text())
                summary.update(
                    request=request,
                    rps=load.rps,
                    errors=load.errors,
                    py_spy_output=spy_out.strip().splitlines()[-2:],
                )
                result["paths"][name] = summary
                top = ", ".join(f"{c} {s:.0%}" for c, s in summary["by_component"][:5])
                log(f"  {request}: {load.rps:,.0f} req/s; {summary['samples']} samples; {top}")
    return result


def profile_all(
    engines: list[str], duration_s: float, connections: int = 32, out_dir: Path = OUT_DIR
) -> Json:
    """Profile every engine in turn and write ``bench/out/profile.json``."""
    combined: Json = {"engines": {}}
    for engine in engines:
        try:
            result = run_profile(
                engine=engine, duration_s=duration_s, connections=connections, out_dir=out_dir
            )
        except Exception as exc:
            log(f"ERROR profile {engine}: {type(exc).__name__}: {exc}")
            result = {"engine": engine, "error": f"{type(exc).__name__}: {exc}", "paths": {}}
        combined["engines"][engine] = result
        (out_dir / "profile.json").write_text(json.dumps(combined, indent=2))
    return combined


def print_summary(combined: Json) -> None:
    for engine, result in combined["engines"].items():
        if "error" in result:
            print(f"\n== {engine}: {result['error']}")
        for name, path in result["paths"].items():
            _print_path(f"{engine} {name}", path)


def _print_path(name: str, path: Json) -> None:
    print(
        f"\n== {name}: {path['request']} ({path['samples']} samples, "
        f"{path['rps']:,.0f} req/s under py-spy)"
    )
    print("  by thread:")
    for thread, share in path.get("by_thread", [])[:6]:
        print(f"    {share:6.1%}  {thread}")
    print("  by component:")
    for comp, share in path["by_component"][:10]:
        print(f"    {share:6.1%}  {comp}")
    print("  top self time:")
    for func, loc, share in path["self_top"][:15]:
        print(f"    {share:6.1%}  {func}  ({loc})")
    if path["app_inclusive"]:
        print("  promptcrafter, inclusive:")
        for func, loc, share in path["app_inclusive"][:10]:
            print(f"    {share:6.1%}  {func}  ({loc})")
