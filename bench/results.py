"""The results of a run, kept as plain JSON (``bench/out/results.json``) so that
``bench.report`` can rebuild ``bench/RESULTS.md`` at any time (for instance after
``python -m bench profile``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.config import RESULTS_JSON, Json, log

MB = 1_000_000  # RESULTS.md counts bytes in powers of ten


@dataclass
class Results:
    meta: Json = field(default_factory=dict)
    floor: dict[str, Json] = field(default_factory=dict)
    floor_runs: list[Json] = field(default_factory=list)
    runs: list[Json] = field(default_factory=list)
    search: list[Json] = field(default_factory=list)
    search_kinds: list[Json] = field(default_factory=list)
    memory: list[Json] = field(default_factory=list)
    seeding: list[Json] = field(default_factory=list)
    evidence: dict[str, Json] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # Issues 9-12: one row per measurement, the targets judged from them, and the scenarios
    # the server under test could not run.
    scenarios: list[Json] = field(default_factory=list)
    targets: list[Json] = field(default_factory=list)
    skipped: list[Json] = field(default_factory=list)
    path: str = str(RESULTS_JSON)  # where save() writes

    def save(self) -> None:
        target = Path(self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(self)
        del data["path"]
        target.write_text(json.dumps(data, indent=2, sort_keys=False))

    @classmethod
    def load(cls, path: Path = RESULTS_JSON) -> Results:
        data = json.loads(path.read_text())
        return cls(**data, path=str(path))

    def target(self, scenario: str, target: str, measured: str, ok: bool | None) -> None:
        status = "n/a" if ok is None else ("PASS" if ok else "FAIL")
        self.targets.append(
            {"scenario": scenario, "target": target, "measured": measured, "status": status}
        )
        log(f"  {status:5} {target}: {measured}")
        self.save()

    def skip(self, scenario: str, engine: str, why: str) -> None:
        self.skipped.append({"scenario": scenario, "engine": engine, "why": why})
        log(f"  skipped {scenario} on {engine}: {why}")
        self.save()

    def error(self, where: str, exc: BaseException) -> None:
        text = f"{where}: {type(exc).__name__}: {exc}"
        log("ERROR " + text)
        self.errors.append(text)
