"""The lock files cover pyproject.toml: a dependency added without ``make lock`` fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)")


def locked(name: str) -> dict[str, str]:
    """Package name -> version pinned in ``requirements/<name>.txt``; every pin has a hash."""
    text = (ROOT / "requirements" / f"{name}.txt").read_text()
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match is None:
            continue
        assert "--hash=sha256:" in block, f"{match.group(1)} is locked without a hash"
        pins[canonicalize_name(match.group(1))] = match.group(2).rstrip(" \\;")
    return pins


def unlocked(requirements: list[str], pins: dict[str, str]) -> list[str]:
    missing = []
    for line in requirements:
        requirement = Requirement(line)
        version = pins.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            missing.append(f"{line} (locked: {version})")
    return missing


FIX = "pyproject.toml changed without the lock: run `make lock` and commit requirements/"


def test_the_run_lock_pins_every_dependency() -> None:
    missing = unlocked(PYPROJECT["project"]["dependencies"], locked("run"))
    assert not missing, f"{FIX}; not locked: {missing}"


@pytest.mark.parametrize("extra", sorted(PYPROJECT["project"]["optional-dependencies"]))
def test_the_test_lock_pins_every_extra_and_dependency(extra: str) -> None:
    wanted = (
        PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"][extra]
    )
    missing = unlocked(wanted, locked("test"))
    assert not missing, f"{FIX}; not locked: {missing}"


def test_serving_and_tests_share_versions() -> None:
    run, test = locked("run"), locked("test")
    assert {name: test.get(name) for name in run} == run


def test_the_run_lock_has_no_test_tools() -> None:
    run = locked("run")
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        for line in extra:
            assert canonicalize_name(Requirement(line).name) not in run


def test_a_bench_baseline_installs_the_locked_versions() -> None:
    """``make bench --baseline`` holds the other commit's dependencies to the run lock, so
    that a same-run comparison measures our code, not a dependency released since."""
    from bench.baseline import constraints

    lines = constraints().splitlines()
    assert all("hash" not in line and ";" not in line for line in lines)
    pinned = {}
    for line in lines:
        name, _, version = line.partition("==")
        pinned[canonicalize_name(name.split("[")[0])] = version
    assert pinned == locked("run")
    assert pinned["uvicorn"] and pinned["uvloop"]
