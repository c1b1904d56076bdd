"""The RESULTS.md sections for issues 9-12: their targets, what the server under test could
not run, and every measurement behind them."""

from __future__ import annotations

from bench.results import Results
from bench.tables import cpu_cell, markdown_table, ms

METHOD = [
    "- Comparisons (`--baseline`, metrics and JSON logs on/off, API key against JWT, SQLite "
    "2 workers against 1) keep every side's server running on its own fresh database, seeded "
    "alike, and measure the sides in turn, `rounds` passes of `pass_s` seconds (9 of 4 s "
    "unless said otherwise), each pass starting one side later than the one before, and the "
    "median pass of each side counts (only the first pass warms up): only ratios from one run "
    "are compared, since this machine's speed varies by a third from day to day and, within a "
    "run, from one 10-second pass to the next. `--baseline "
    "COMMIT` installs that commit with `git archive` into `bench/out/baseline-<sha>/` with "
    "its own virtualenv and the working tree's locked dependency versions.",
    "- SQLite writers: `POST /logs` from the write-load connections against one prompt per "
    "measured run; wrk counts answers by status (`post_log_checked.lua`) and the prompt's logs "
    "are read back through the API afterwards, so every 201 must be stored.",
    "- Registry: `PATCH` sends new content every request (`patch_prompt.lua`). `/stats` runs "
    "on one prompt whose logs spread over 20 versions (made by PATCH) x 5 models, with scores, "
    "at two log counts. `render` posts 50 variables into a 20 kB template. `/search` with "
    "`limit=20` uses the corpus term nearest to 20% of the search library and checks the page "
    "is the first 20 of the full ranked answer. One connection unless said otherwise.",
    "- UI: logged in through `/ui/login` as a browser (the form's hidden fields, CSRF token "
    "included, with a same-origin `Origin`); wrk sends the session cookie. JS+CSS = every "
    "script and stylesheet that `/ui/` and a prompt page reference, fetched and counted "
    "(kB = 1,000 bytes). Page latency is wrk's, over loopback.",
    "- A scenario whose feature the server lacks is listed under *Not available* instead of "
    "measured, so the same `make bench` runs before and after the feature lands.",
]


def targets(results: Results) -> list[str]:
    lines: list[str] = []
    if results.targets:
        lines += markdown_table(
            ["scenario", "target", "measured", "result"],
            [
                [t["scenario"], t["target"], t["measured"], f"**{t['status']}**"]
                for t in results.targets
            ],
        )
    else:
        lines.append("No scenario of issues 9-12 was measured in this run.")
    if results.skipped:
        lines += ["", "Not available at this commit, or not run:", ""]
        lines += [f"- {s['scenario']} ({s['engine']}): {s['why']}" for s in results.skipped]
    return lines


def measurements(results: Results) -> list[str]:
    rows: list[list[str]] = []
    for r in results.scenarios:
        w = r.get("wrk")
        if not w:
            continue
        notes = []
        if "round" in r:
            notes.append(f"pass {r['round'] + 1}")
        if "acked" in r:
            notes.append(f"{r['acked']:,} acknowledged, {r['stored']:,} stored")
        if r.get("shared"):
            notes.append("shares cores with wrk")
        lat = w["latency_ms"]
        rows.append(
            [
                r["scenario"],
                r["engine"],
                r.get("endpoint", ""),
                r["variant"],
                str(r["workers"]),
                str(r.get("connections", "-")),
                f"{w['rps']:,.0f}",
                ms(lat.get("p50")),
                ms(lat.get("p95")),
                ms(lat.get("p99")),
                cpu_cell(w),
                "; ".join(notes),
                str(w["errors"]),
            ]
        )
    if not rows:
        return ["No measurements."]
    header = ["scenario", "engine", "request", "variant", "workers", "conns", "req/s", "p50 ms"]
    header += ["p95 ms", "p99 ms", "CPU cores: server / other", "notes", "errors"]
    return markdown_table(header, rows)
