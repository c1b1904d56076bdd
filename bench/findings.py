"""Written by hand: what earlier runs of this benchmark and its profiles led to, with the
measurement each change was judged by (the commits say the same), and the targets missed."""

from __future__ import annotations

import re

CHANGES = [
    "- **FastAPI's per-request machinery cost more than the database work** (py-spy: routing "
    "through included routers, dependency solving and the inner middleware stack were about "
    "half of a `GET /prompts/{id}`). Routes are added flat, `CurrentUser` is one dependency, "
    "and `GET /prompts/{id}`, `GET /search` and valid `POST /logs` bodies are answered by a "
    "lean ASGI path calling the same functions (`src/promptcrafter/api/fastpath.py`). "
    "`GET /prompts/{id}` on SQLite went from about 14% to about 34% of the floor per "
    "CPU-second; `POST /logs` from 3,245 to 6,555 requests per CPU-second.",
    "- **Timestamp formatting** (`strftime`, 3.7% of a read) is cached per second.",
    "- **One- and two-character search terms scanned the whole library** (74 ms each at "
    "100,000 prompts, enough to saturate the core: SQLite p95 at 32 connections was 2.4 s). "
    "They are now answered through the FTS5 vocabulary on SQLite and, on PostgreSQL, first a "
    "GIN index of characters, since replaced by the index of word pieces (below); scans that "
    "remain run off the event loop.",
    "- **PostgreSQL planned search with a cached generic plan and priced LIKE over kilobytes "
    "of text as one cheap comparison**, so it scanned instead of using the trigram index "
    "(17 ms against 1.2 ms in EXPLAIN ANALYZE at 6,000 prompts). Search runs on a pool with "
    "`plan_cache_mode=force_custom_plan` and `cpu_operator_cost=0.05`.",
    "- **Listings ordered by insertion sequence disagreed with `createdAt`** under concurrent "
    "writers (the answer check caught it); they are ordered by `(created_at, seq)`.",
    "- **PostgreSQL search missed its target by 17x** (p95 338 ms at 100,000 prompts, "
    "`make bench` at d581132): pg_trgm ignores punctuation, so `a%e`, `it's` or `[a-z]` were "
    "narrowed by a character index that common letters defeat, and `(write` by the common "
    "word alone. Migration 0005 replaces both indexes with one GIN index over the 1-, 2- and "
    "3-character pieces of every word, punctuation included; `LIKE` still decides each match. "
    "Unloaded p50 at 100,000 prompts: literal-character queries 34 -> 0.7 ms, fragments "
    "2.2 -> 0.8 ms, tag + fragment 3.9 -> 0.9 ms.",
    "- **Common pieces cost more than they narrow**: `vintage pasogik` asks the index for ten "
    "pieces, three of them in 19-53% of prompts. The server reads the statistics ANALYZE "
    "keeps for the index (`pg_stats.most_common_elems`, what the planner uses) and leaves "
    "such pieces out, or the index entirely when every piece is common. `python -m "
    "bench.search_lab explain` on the 100,000-prompt lab library: 0.81 ms with every piece, "
    "0.07 ms with the six rare ones; for `e`, 14.3 s with the index condition (the planner "
    "checks it row by row) and 0.15 s without.",
    "- **Searches queued for PostgreSQL connections**: the search pool had half the main "
    "pool's 10 connections. `python -m bench.search_lab run --engine postgresql`: p95 at 32 "
    "connections 16.0 ms with ten, 23.9 ms with `--env PROMPTCRAFTER_DATABASE_POOL_SIZE=5`.",
    "- **Every search reread the GIN pending list**: a library built through the API left up "
    "to 4 MB of new entries unmerged, and `make bench` at 94ea0ff measured 1,477 searches a "
    "second at 100,000 prompts (p95 35 ms). The index now has a 64 kB pending list; at "
    "e1171c9 the same run gave 3,285 a second (p95 15 ms). An insert costs about 0.2 ms more. "
    "Migration 0012 raised the limit to 1 MB for writes: `python -m bench.pieces_lab` "
    "(pgbench, the server's PATCH statement) gave 2,995 -> 3,504 changing PATCHes a second, "
    "and a full list adds 0.10 ms to a search (0.45 ms at 4 MB); `make bench` at b85d0d2: "
    "2,808 searches a second at 100,000 prompts, p95 16.4 ms.",
    "- **Migration 0014 made a rare two-character search read the whole table on "
    "PostgreSQL.** It left out of the index every pair that a three-character piece starts "
    "(216 -> 116 numbers for the benchmark's PATCH text; pgbench replaying the PATCH "
    "statement 2,300 -> 2,670 a second; through the API 4.9% of the floor, 1.112x e0cce58), "
    "and a pair asked for any number of a 1,024-number span (`&&`). PostgreSQL estimated "
    "that to match most rows and compared every row's entry with all 1,024: EXPLAIN ANALYZE "
    "of the term `zq` on `bench.search_lab`'s 100,000 prompts took 19.6 s (through the index, "
    "forced, 16-21 ms). No whole run had timed short terms since, and no target watched them. "
    "Migration 0015 puts every pair back (36 s for 100,000 prompts, then `zq` 0.26 ms), and "
    "1-2 character terms now have a target of their own.",
]
# Why a target was missed, by a pattern of its name: ``missed`` attaches the text to every
# failed target of a run that the pattern finds, so the section lists each miss of the run,
# explained or not.
WHY_MISSED: list[tuple[str, str]] = [
    (
        r"PATCH /prompts/\{id\} making a version, SQLite",
        "Re-indexing the prompt for search is most of a changing PATCH on SQLite: "
        "`python -m bench.patch_lab` put it at 146 of the writer's 198 us (2026-12-02), and "
        "the same run with FTS5's update trigger dropped served 1.90x the PATCHes. FTS5's "
        "cheaper options (detail=none, columnsize=0, automerge=16) save about 30 us of it. "
        "`python -m bench.fts_lab` times an index over word-aligned chunks of which only the "
        "changed ones are re-indexed: for the benchmark's 230-character text it saves 27-41% "
        "of the index's time (124.1 against 170.7 us on 2026-12-03, 63.1 against 107.8 on "
        "2026-12-04), 4.7x at 5,000 characters, but FTS5 has a fixed cost for every changed "
        "row however short, so the saving stays under the 101 us per PATCH that 8% of the "
        "Xeon's floor needed (5.2% there, 7.6% on the slow day of 2026-12-03).",
    ),
    (
        r"PATCH /prompts/\{id\} making a version, PostgreSQL",
        "The GIN index of word pieces takes the largest part of PostgreSQL's work for a "
        "changing PATCH; `python -m bench.pieces_lab` (pgbench, the server's statement) measured "
        "the pending-list limit that migration 0012 raised to 1 MB. Leaving half the pairs out "
        "of the index reached 4.9% but made a rare two-character search read the whole table "
        "(migration 0014, withdrawn by 0015). Ad hoc pgbench variants (not in the repo) put a "
        "synchronous commit at about 25 us and the version row at about 16 us of a PATCH; "
        "both are the contract. 3.6% of the floor on the Xeon, 7.3% on the slow day of "
        "2026-12-03, when the floor fell further than PATCH did.",
    ),
    (
        r"JSON logs on",
        "The miss is the work itself, not noise. `python -m bench.instr_lab` counts a whole "
        "served read under valgrind (not moved by the machine's noise): 279,983 -> 302,403 "
        "instructions with JSON logs on SQLite (+8.0%, 2026-12-08), where 5% allows 14,000 "
        "(user space only, so an upper bound for time; wrk's runs of 0.898x-0.951x agree). "
        "`python -m bench.observe_lab --instructions` splits it: the observer's own work (the "
        "request id and the queued line) is 14,032 instructions (1.02 us), and uvicorn's "
        "handling of the one more header, the echoed X-Request-ID that the issue asks for "
        "(two regular expressions and a copy per header, in Python), is 6,161 (45,581 -> "
        "51,742 for the fast path's answer head). The header alone takes 2.2% of the 5%, and "
        "the line is already a cached-pieces join; an ad hoc variant that formatted a whole "
        "batch in C calls (map, zip, bytes formatting) cost more, not less. PostgreSQL's read "
        "is dearer, so the same work is +4.0% there.",
    ),
    (
        r"/stats",
        "The statement reads every log's index entry, so it costs what the machine's speed "
        "makes it: p95 26.5 and 29.9 ms on the Xeon, 79.4 and 81.3 ms on the slow day of "
        "2026-12-03. `python -m bench.stats_lab` prices the ways out at 100,000 logs: reading "
        "two halves on two connections at once saved up to 48% of the database's time, and a "
        "table of tallies kept by a trigger on `logs` answered in 11.6-21.0 ms but added "
        "2-13 us to each log's insert on SQLite and 43-147 us on PostgreSQL, where concurrent "
        "logs of one version, model and score would also wait on one tally row. Neither is "
        "built: `POST /logs` is the hotter path.",
    ),
    (
        r"/search, .*c32",
        "At 32 connections the p95 is the queue behind one core, about 32 requests over the "
        "throughput: the same code passed on the Xeon (16.3 and 16.4 ms at 2,237 and 2,808 "
        "searches a second) and failed on the slow day of 2026-12-03 (51.5 and 32.4 ms at "
        "888 and 1,528 a second), where one connection's p95 was 2.2 and 2.1 ms. "
        "`python -m bench.search_lab` keeps a seeded library between runs for measuring a "
        "change to search in minutes.",
    ),
    (
        r"POST /logs, SQLite: new >= 0\.95x baseline",
        "A `POST /logs` on SQLite waits for its group's commit to reach the disk, so its rate "
        "follows the disk's flush times as much as the code: in the whole matrix of "
        "2026-12-07 (0.896x against e4009b2; other processes used 0.02-0.13 cores during its "
        "passes) both servers used less than their core (0.84-0.86 and 0.89-0.92), and the "
        "passes of each side ranged over a third (4,076-6,660 and 4,744-6,726 a second). The "
        "same comparison alone an hour "
        "later gave 1.025x (`python -m bench --only baseline --engines sqlite --baseline "
        "e4009b2 --rounds 13`), and the whole matrix of 2026-12-03 1.040x.",
    ),
    (
        r"2 workers >= 1\.6x",
        "Not reachable on 2 cores. One worker serving "
        "`GET /prompts/{id}` at 5,880 requests a second used 0.96 core of its own and 0.53 of "
        "PostgreSQL, and wrk with the harness 0.12 (`load_cores` in results.json): about 163 us "
        "of server, 90 us of database and 21 us of load generator per request. Two workers must "
        "fit all three into the same two cores, so even with no cost for sharing them the "
        "ceiling is 2 / (163 + 90 + 21 us) = 7,300 requests a second, 1.24x; measured 0.83x, "
        "while the bare floor itself scales 1.25x (the run at e4009b2; at b85d0d2 0.97x, the "
        "floor 1.49x; at de0d512 on a slower day 1.31x, the floor 1.02x). The ratio needs the "
        "server to cost at least four times what the database and the load generator cost per "
        "request, or cores for PostgreSQL and wrk that the server does not share. Caching reads "
        "in the worker would remove the database time, but logout and password changes must take "
        "effect at once on every worker, so a cache would trade a guarantee for a benchmark.",
    ),
]


def missed(failures: list[tuple[str, str]]) -> list[str]:
    """The section's lines: the failed ``(target, measured)`` pairs of the run, those with the
    same explanation (every ``WHY_MISSED`` text whose pattern finds the target) in one item
    with it, in the order they first fail; a miss nothing explains says so."""
    if not failures:
        return ["Every target of this run was met."]
    items: dict[str, list[str]] = {}
    for target, measured in failures:
        why = " ".join(text for pattern, text in WHY_MISSED if re.search(pattern, target))
        items.setdefault(why or "No explanation is written for this miss yet.", []).append(
            f"**{target}**: {measured}"
        )
    return [f"- {'; '.join(found)}. {why}" for why, found in items.items()]
