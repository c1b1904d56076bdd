"""The built wheel carries everything the server needs at run time: the Python modules, the
migration template, the browser UI's templates and static files, and the Swagger UI files
that the Makefile installs from npm (they are gitignored, so only this test sees them go).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from promptcrafter.api import docs
from tests.support.databases import in_ci

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "promptcrafter"
# Directories whose every file must ship (package data, not Python modules).
DATA_DIRS = ("api/docs_static", "ui/templates", "ui/static")


def _tree_files(directory: Path) -> set[str]:
    return {
        str(path.relative_to(PACKAGE.parent))
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def _build_wheel(tmp_path: Path) -> Path:
    # Built from a copy: an in-tree build reuses build/, where files removed from the source
    # would linger and hide a missing glob.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src",
        source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
    )
    out = tmp_path / "wheel"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    result = subprocess.run(
        [*pip_wheel, "--quiet", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("promptcrafter-*.whl")
    return wheel


def test_wheel_ships_templates_static_files_and_swagger_ui(tmp_path: Path) -> None:
    vendored = [path for path, _ in docs.SOURCES.values()]
    if not all(path.is_file() for path in vendored):
        message = "Swagger UI is not built (make run copies it from frontend/node_modules)"
        if in_ci():
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)

    with zipfile.ZipFile(_build_wheel(tmp_path)) as wheel:
        shipped = set(wheel.namelist())

    expected = {str(path.relative_to(PACKAGE.parent)) for path in PACKAGE.rglob("*.py")}
    expected.add("promptcrafter/store/migrations/script.py.mako")
    for directory in DATA_DIRS:
        expected |= _tree_files(PACKAGE / directory)
    for path in vendored:
        expected.add(str(path.relative_to(PACKAGE.parent)))
    # Swagger UI's licence travels with it (Apache-2.0).
    expected.add("promptcrafter/api/docs_static/vendor/swagger-ui-dist/LICENSE")
    expected.add("promptcrafter/api/docs_static/vendor/swagger-ui-dist/NOTICE")

    missing = sorted(expected - shipped)
    assert not missing, f"the wheel lacks {missing}"
    assert not [name for name in shipped if name.endswith(".map") or "node_modules" in name]
