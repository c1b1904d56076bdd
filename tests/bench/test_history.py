"""RESULTS.md written again: notes by hand and earlier runs are kept as bench.history says,
and the missed targets of the run are listed with what explains them."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.findings import missed
from bench.results import Results

from bench import __main__ as bench_main
from bench import history, report

PATCH_SQLITE = "PATCH /prompts/{id} making a version, SQLite: >= 8% of floor"


def _results(tmp_path: Path, started: str, argv: list[str], *fails: str) -> Results:
    results = Results(path=str(tmp_path / "results.json"))
    results.meta = {"started": started, "argv": argv}
    for target in fails:
        results.targets.append(
            {"scenario": "x", "target": target, "measured": "measured here", "status": "FAIL"}
        )
    return results


def _write_notes(path: Path, notes: str) -> None:
    top, earlier, rest = path.read_text().partition(history.EARLIER)
    marker = history.NOTES_START + "\n"
    assert top.count(marker) == 1
    path.write_text(top.replace(marker, marker + notes + "\n") + earlier + rest)


def test_rebuilding_the_same_run_keeps_its_notes_and_earlier_runs(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    report.write_results(_results(tmp_path, "2026-12-01T00:00:00+00:00", []), out)
    _write_notes(out, "Notes of the first run.")
    report.write_results(_results(tmp_path, "2026-12-02T00:00:00+00:00", []), out)
    _write_notes(out, "Notes of the second run.")
    before = out.read_text()

    report.write_results(_results(tmp_path, "2026-12-02T00:00:00+00:00", []), out)

    assert out.read_text() == before
    top, _, earlier = before.partition(history.EARLIER)
    assert "Notes of the second run." in top and "Notes of the first run." not in top
    assert "Notes of the first run." in earlier


def test_a_new_run_demotes_the_one_it_replaces(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    report.write_results(_results(tmp_path, "2026-12-01T00:00:00+00:00", []), out)
    _write_notes(out, "Why the first run looks as it does.")

    report.write_results(_results(tmp_path, "2026-12-02T00:00:00+00:00", ["--only", "x"]), out)

    text = out.read_text()
    assert text.startswith("<!-- run 2026-12-02T00:00:00+00:00 partial -->\n# PromptCrafter")
    top, _, earlier = text.partition(history.EARLIER)
    assert "Why the first run" not in top
    assert f"{history.NOTES_START}\n{history.NOTES_END}" in top  # the new run has none yet
    assert "<!-- run 2026-12-01T00:00:00+00:00 whole -->" in earlier
    assert "# The whole matrix of 2026-12-01T00:00:00+00:00" in earlier
    assert "Why the first run looks as it does." in earlier
    assert "# PromptCrafter benchmark" not in earlier


def test_earlier_runs_are_the_last_one_and_the_last_whole_matrix(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    runs = [
        ("2026-12-01T00:00:00+00:00", []),
        ("2026-12-02T00:00:00+00:00", []),
        ("2026-12-03T00:00:00+00:00", ["--only", "patch"]),
        ("2026-12-04T00:00:00+00:00", ["--quick"]),
    ]
    for started, argv in runs:
        report.write_results(_results(tmp_path, started, argv), out)
    earlier = out.read_text().partition(history.EARLIER)[2]
    assert "<!-- run 2026-12-03T00:00:00+00:00 partial -->" in earlier
    assert "<!-- run 2026-12-02T00:00:00+00:00 whole -->" in earlier
    assert "2026-12-01T00:00:00+00:00" not in earlier  # older than the last whole matrix

    report.write_results(_results(tmp_path, "2026-12-05T00:00:00+00:00", []), out)
    report.write_results(_results(tmp_path, "2026-12-06T00:00:00+00:00", []), out)
    earlier = out.read_text().partition(history.EARLIER)[2]
    assert earlier.count("<!-- run ") == 1
    assert "<!-- run 2026-12-05T00:00:00+00:00 whole -->" in earlier


def test_a_file_from_before_the_markers_is_kept_as_an_earlier_run(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    out.write_text(
        "# PromptCrafter benchmark\n\nRun on 2026-11-30T09:00:00+00:00 (UTC) with "
        "`python -m bench --only stats`; took 3.0 min.\n\nA paragraph by hand.\n"
    )
    report.write_results(_results(tmp_path, "2026-12-01T00:00:00+00:00", []), out)
    earlier = out.read_text().partition(history.EARLIER)[2]
    assert "<!-- run 2026-11-30T09:00:00+00:00 partial -->" in earlier
    assert "# The partial run of 2026-11-30T09:00:00+00:00" in earlier
    assert "A paragraph by hand." in earlier


def test_every_missed_target_of_the_run_is_listed(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    unexplained = "Something new: >= 2x"
    results = _results(tmp_path, "2026-12-01T00:00:00+00:00", [], PATCH_SQLITE, unexplained)
    report.write_results(results, out)
    text = out.read_text()
    section = text.split("## Targets missed, and what reaching them would take\n")[1]
    section = section.split("\n## ")[0]
    assert f"**{PATCH_SQLITE}**: measured here. Re-indexing the prompt" in section
    assert f"**{unexplained}**: measured here. No explanation is written" in section
    assert "2 PostgreSQL workers" not in section  # not missed in this run


def test_misses_with_one_explanation_share_an_item() -> None:
    stats = "GET /prompts/{id}/stats, ENGINE, 100,000 logs, 20 versions x 5 models: p95 <= 50 ms"
    on = [stats.replace("ENGINE", "SQLite"), stats.replace("ENGINE", "PostgreSQL")]
    lines = missed([(on[0], "p95 79 ms"), (on[1], "p95 81 ms")])
    assert len(lines) == 1
    assert lines[0].count("**GET /prompts/{id}/stats") == 2
    assert "bench.stats_lab" in lines[0]
    assert missed([]) == ["Every target of this run was met."]


def test_the_bench_refuses_to_start_without_wrk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no wrk on it
    assert bench_main.main(["floor", "--engines", "sqlite"]) == 2
    assert "apt-get install -y wrk" in capsys.readouterr().out
    assert not any(tmp_path.iterdir())  # nothing was run or written
