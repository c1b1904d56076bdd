"""The README's configuration table names every setting the server reads, no more, with the
default the code has: an operator reads that table, not config.py."""

from __future__ import annotations

import re
from pathlib import Path

from promptcrafter.config import Settings

README = Path(__file__).resolve().parent.parent / "README.md"
PREFIX = "PROMPTCRAFTER_"


def table_rows() -> dict[str, str]:
    """Variable name (without the prefix, lower case) -> its default cell, as written. A row
    may name several variables, the later ones by their suffix alone (``_TIME_COST``) with one
    default each, comma-separated."""
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith(f"`{PREFIX}"):
            continue
        names = re.findall(r"`([A-Z0-9_]+)`", cells[0])
        defaults = [part.strip() for part in cells[1].split(",")]
        if len(names) > 1:
            assert len(defaults) == len(names), line
        else:
            defaults = [cells[1]]
        first = names[0].removeprefix(PREFIX)
        group = first.split("_", 1)[0]  # ARGON2_MEMORY_KIB -> ARGON2, for _TIME_COST
        for name, default in zip(names, defaults, strict=True):
            full = name.removeprefix(PREFIX) if name.startswith(PREFIX) else group + name
            rows[full.lower()] = default
    return rows


def written(value: object) -> set[str]:
    """How the table may write a default."""
    if value is None or value == []:
        return {"unset", "generated"}
    if isinstance(value, bool):
        return {f"`{str(value).lower()}`"}
    return {f"`{value}`"}


def test_the_table_names_every_setting_and_only_those() -> None:
    rows = table_rows()
    assert len(rows) >= 20, rows
    assert set(rows) == set(Settings.model_fields)


def test_the_table_gives_each_setting_its_default() -> None:
    rows = table_rows()
    wrong = {
        name: (rows[name], field.get_default(call_default_factory=True))
        for name, field in Settings.model_fields.items()
        if rows[name] not in written(field.get_default(call_default_factory=True))
    }
    assert not wrong, wrong
