"""Install another commit of PromptCrafter beside the working tree, to measure it in the
same run: ``bench/out/baseline-<sha>/src`` (``git archive``) with its own virtualenv.

Its dependencies are held to the versions the working tree's lock pins
(``requirements/run.txt``, as constraints): the comparison is of our code, and a dependency
released since the lock (a newer uvicorn, say) would otherwise take part in it. Packages the
lock does not name install as the commit asks.

The install is kept (``.installed`` holds the commit and the constraints), so a second run
starts at once.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from bench.config import BENCH_DIR, OUT_DIR, log


class BaselineError(RuntimeError):
    """The commit could not be found or installed."""


def resolve(commit: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(BENCH_DIR.parent), "rev-parse", "--verify", f"{commit}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise BaselineError(f"no commit {commit!r} in this repository: {out.stderr.strip()}")
    return out.stdout.strip()


LOCK = BENCH_DIR.parent / "requirements" / "run.txt"
_PINNED = re.compile(r"^[A-Za-z0-9._-]+(\[[^\]]*\])?==[^\s;\\]+")


def constraints(lock: Path = LOCK) -> str:
    """The lock's ``name==version`` lines, without hashes (pip refuses hashes in a
    constraints file unless every requirement has them, and the commit's own do not)."""
    pins = (_PINNED.match(line) for line in lock.read_text().splitlines())
    return "".join(f"{pin.group(0)}\n" for pin in pins if pin)


def install(commit: str, out_dir: Path = OUT_DIR) -> tuple[str, list[str]]:
    """Return the full commit id and the command that serves that commit."""
    sha = resolve(commit)
    root = out_dir / f"baseline-{sha[:12]}"
    exe = root / "venv" / "bin" / "promptcrafter"
    stamp = root / ".installed"
    pins = constraints()
    want = f"{sha} {hashlib.sha256(pins.encode()).hexdigest()[:16]}"
    if stamp.exists() and stamp.read_text().strip() == want and exe.exists():
        return sha, [str(exe)]
    log(f"baseline: installing {sha[:12]} into {root}")
    shutil.rmtree(root, ignore_errors=True)
    src = root / "src"
    src.mkdir(parents=True)
    archive = subprocess.Popen(
        ["git", "-C", str(BENCH_DIR.parent), "archive", "--format=tar", sha],
        stdout=subprocess.PIPE,
    )
    assert archive.stdout is not None
    with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
        tar.extractall(src, filter="data")
    if archive.wait() != 0:
        raise BaselineError(f"git archive {sha[:12]} failed")
    pinned = root / "constraints.txt"
    pinned.write_text(pins)
    steps = [
        [sys.executable, "-m", "venv", str(root / "venv")],
        # Only what serving needs: the baseline is never tested or benchmarked from inside.
        [str(root / "venv" / "bin" / "pip"), "install", "--quiet", "-c", str(pinned), str(src)],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BaselineError(f"{' '.join(step)} failed:\n{done.stderr[-2000:]}")
    if not exe.exists():
        raise BaselineError(f"{exe} missing after the install")
    stamp.write_text(want + "\n")
    return sha, [str(exe)]
