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

    def error(self, where: str, exc: BaseException) -> None:
        text = f"{where}: {type(exc).__name__}: {exc}"
        log("ERROR " + text)
        self.errors.append(text)
