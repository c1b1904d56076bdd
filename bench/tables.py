"""The tables of ``bench/RESULTS.md``: machine, throughput, search, memory and seeding."""

from __future__ import annotations

from bench.checks import floor_share
from bench.config import Json
from bench.results import MB, Results


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def machine(meta: Json) -> list[str]:
    m = meta.get("machine", {})
    v = meta.get("versions", {})
    pg = meta.get("postgresql", {})
    lines = [
        f"- CPU: {m.get('cpu', '?')}, nproc {m.get('nproc', '?')}; "
        f"memory {m.get('memory_bytes', 0) / 2**30:.1f} GiB; kernel {m.get('kernel', '?')}",
        f"- Python {v.get('python')}; uvicorn {v.get('uvicorn')} (uvloop {v.get('uvloop')}, "
        f"httptools {v.get('httptools')}); FastAPI {v.get('fastapi')}, Starlette "
        f"{v.get('starlette')}, pydantic {v.get('pydantic')}; SQLAlchemy {v.get('sqlalchemy')}, "
        f"asyncpg {v.get('asyncpg')}, orjson {v.get('orjson')}"
        + (
            f", aiosqlite {v['aiosqlite']}"
            if v.get("aiosqlite", "not installed") != "not installed"
            else ""
        ),
        f"- SQLite {v.get('sqlite')} (the library linked into this Python)",
    ]
    if pg:
        if "error" in pg:
            lines.append(f"- PostgreSQL: {pg['error']}")
        else:
            lines.append(
                f"- PostgreSQL {pg.get('version')} "
                f"(synchronous_commit={pg.get('synchronous_commit')}, fsync={pg.get('fsync')}, "
                f"wal_sync_method={pg.get('wal_sync_method')}, "
                f"shared_buffers={pg.get('shared_buffers')})"
            )
    lines.append(
        f"- wrk {v.get('wrk')}, py-spy {v.get('py-spy')}; promptcrafter {v.get('promptcrafter')} "
        f"at commit {meta.get('git', '?')}"
    )
    return lines


def cpu_cell(w: Json) -> str:
    cpu = w.get("cpu") or {}
    if not cpu:
        return "-"
    server = cpu.get("server_cores", 0.0)
    db = cpu.get("db_cores", 0.0)
    text = f"{server:.2f}" + (f" + db {db:.2f}" if db else "")
    return text + f" / {cpu.get('foreign_cores', 0.0):.2f}"


def noisy(results: Results, threshold: float = 0.2) -> list[str]:
    """Measurements during which other processes used more than ``threshold`` cores."""
    out: list[str] = []
    for floor in results.floor_runs:
        if floor.get("cpu", {}).get("foreign_cores", 0.0) > threshold:
            out.append(f"floor {floor['workers']}w ({floor.get('pass', '')})")
    for row in results.runs:
        if row["wrk"] and row["wrk"].get("cpu", {}).get("foreign_cores", 0.0) > threshold:
            out.append(f"{row['engine']} {row['workers']}w {row['endpoint']}")
    for row in results.search:
        if row["wrk"].get("cpu", {}).get("foreign_cores", 0.0) > threshold:
            out.append(f"{row['engine']} /search {row['size']:,} c{row['connections']}")
    return out


def throughput(results: Results) -> list[str]:
    rows: list[list[str]] = []
    for workers, floor in sorted(results.floor.items()):
        passes = [f for f in results.floor_runs if str(f["workers"]) == workers]
        note = "best of " + ", ".join(f"{f['rps']:,.0f}" for f in passes) if len(passes) > 1 else ""
        rows.append(
            [
                "floor (bare ASGI)",
                workers,
                "GET (fixed prompt)",
                f"{floor['rps']:,.0f}",
                ms(floor["latency_ms"].get("p50")),
                ms(floor["latency_ms"].get("p99")),
                "100%",
                cpu_cell(floor),
                note,
                str(floor["errors"]),
            ]
        )
    for row in results.runs:
        w = row["wrk"]
        share = floor_share(results, row)
        extra = ""
        if row["endpoint"] == "GET /prompts":
            extra = f"{row['json_bps'] / MB:.1f} MB/s JSON, {row.get('items', '?')} items"
        elif row.get("body_bytes"):
            extra = f"{row['body_bytes']} B body"
        if row.get("shared"):
            extra = (extra + "; " if extra else "") + "shares cores with wrk"
        rows.append(
            [
                row["engine"],
                str(row["workers"]),
                row["endpoint"],
                f"{w['rps']:,.0f}",
                ms(w["latency_ms"].get("p50")),
                ms(w["latency_ms"].get("p99")),
                "-" if share is None else f"{share:.1%}",
                cpu_cell(w),
                extra,
                str(w["errors"]),
            ]
        )
    header = [
        "engine",
        "workers",
        "endpoint",
        "req/s",
        "p50 ms",
        "p99 ms",
        "% of floor",
        "CPU cores: server / other",
        "notes",
        "errors",
    ]
    return markdown_table(header, rows)


def search(results: Results) -> list[str]:
    rows = [
        [
            r["engine"],
            f"{r['size']:,}",
            str(r["connections"]),
            f"{r['wrk']['rps']:,.0f}",
            ms(r["wrk"]["latency_ms"].get("p50")),
            ms(r["wrk"]["latency_ms"].get("p95")),
            ms(r["wrk"]["latency_ms"].get("p99")),
            str(r["wrk"]["errors"]),
        ]
        for r in results.search
    ]
    lines = markdown_table(
        ["engine", "prompts", "connections", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"],
        rows,
    )
    if results.search_kinds:
        lines += [
            "",
            "Unloaded latency by kind of query (one request at a time, up to 40 queries of each "
            "kind; share = part of the timed mix):",
            "",
        ]
        lines += markdown_table(
            ["engine", "prompts", "kind", "share", "p50 ms", "p95 ms", "max ms", "hits/query"],
            [
                [
                    k["engine"],
                    f"{k['size']:,}",
                    k["kind"],
                    f"{k['share']:.0%}",
                    ms(k["p50"]),
                    ms(k["p95"]),
                    ms(k["max"]),
                    f"{k['avg_hits']:.1f}",
                ]
                for k in results.search_kinds
            ],
        )
    problems = sorted({p for r in results.search for p in r["problems"]})
    if problems:
        lines += ["", "Problems found by the answer check (first 10):", ""]
        lines += [f"- `{p}`" for p in problems[:10]]
    for engine, ev in sorted(results.evidence.items()):
        lines += ["", f"Index evidence, {engine}:", ""]
        search_like = ("search", "fts", "trgm", "trigram", "tsvector", "gin", "gist")
        if "indexes" in ev:
            found = [i for i in ev["indexes"] if any(w in i["def"].lower() for w in search_like)]
            lines += [f"- search index: `{i['def']}`" for i in found]
            if not found:
                lines.append("- no GIN/GiST/trigram/full-text index on any table")
            for key, scans in sorted(ev.items()):
                if not key.startswith("scans_during_search_"):
                    continue
                size = int(key.rsplit("_", 1)[1])
                idx = scans.get("idx_scan", {})
                seq = scans.get("seq_scan", {})
                used = ", ".join(f"{i['name']} {idx.get(i['name'], 0):,}" for i in found)
                others = ", ".join(
                    f"{k} {v:,}" for k, v in idx.items() if k not in {i["name"] for i in found}
                )
                lines.append(
                    f"- scans while the {size:,}-prompt library was searched: "
                    f"search index(es) {used or '-'}; other indexes {others or 'none'}; "
                    f"sequential {', '.join(f'{k} {v:,}' for k, v in seq.items()) or 'none'}"
                )
        if "objects" in ev:
            lines.append(f"- journal_mode={ev.get('journal_mode')}")
            lines += [
                f"- {o['type']} `{o['name']}`: `{o['sql'][:160]}`"
                for o in ev["objects"]
                if o["sql"]
                and (
                    o["table"] in {"prompts", "prompt_search"}
                    or any(w in o["sql"].lower() for w in ("fts", "trigram"))
                )
            ]
    return lines


def memory(results: Results) -> list[str]:
    rows = []
    for r in results.memory:
        if "error" in r:
            rows.append(
                [r["engine"], r["path"], f"{r['expected_items']:,}", r["error"], "", "", "", ""]
            )
            continue
        rows.append(
            [
                r["engine"],
                r["path"],
                f"{r['items']:,}",
                f"{r['bytes'] / MB:.1f}",
                f"{min(r['seconds']):.2f}",
                f"{r['rss_baseline'] / MB:.0f}",
                f"{r['rss_peak'] / MB:.0f}",
                f"+{r['rss_growth'] / MB:.0f}",
            ]
        )
    return markdown_table(
        [
            "engine",
            "request",
            "items",
            "body MB",
            "best s",
            "RSS before MB",
            "RSS peak MB",
            "growth MB",
        ],
        rows,
    )


def seeding(results: Results) -> list[str]:
    rows = [
        [
            s["engine"],
            str(s["workers"]),
            s["label"],
            f"{s['count']:,}",
            f"{s['seconds']:.1f}",
            f"{s['rate']:,.0f}",
        ]
        for s in results.seeding
    ]
    return markdown_table(["engine", "workers", "what", "count", "seconds", "per second"], rows)
