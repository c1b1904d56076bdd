"""Run wrk with one of the Lua scripts in ``bench/lua`` and parse what it prints.

The numbers come from two places: wrk's own report (``Requests/sec``, ``Transfer/sec``,
the ``--latency`` distribution, non-2xx and socket-error lines) and a ``BENCH-SUMMARY``
line that ``lua/common.lua`` prints from ``done()`` with exact percentiles in
microseconds, including p95, which wrk's report does not show. The summary line wins where
both exist; the text report is the fallback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LUA_DIR = Path(__file__).resolve().parent / "lua"

_UNITS_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_UNITS_B = {"B": 1.0, "KB": 1024.0, "MB": 1024.0**2, "GB": 1024.0**3, "TB": 1024.0**4}


class WrkError(RuntimeError):
    """wrk could not be run or printed nothing we understand."""


@dataclass
class WrkResult:
    """One wrk run. Latencies are milliseconds; ``transfer_bps`` is bytes per second."""

    requests: int
    duration_s: float
    rps: float
    transfer_bps: float
    latency_ms: dict[str, float] = field(default_factory=dict)
    non_2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    command: str = ""
    cpu: dict[str, float] = field(default_factory=dict)
    # Answers by status class, from scripts that count them (``post_log_checked.lua``).
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())

    @property
    def error_share(self) -> float:
        return self.errors / self.requests if self.requests else 1.0

    def p(self, pct: int) -> float | None:
        return self.latency_ms.get(f"p{pct}")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = self.errors
        return data


def wrk_binary() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkError("wrk is not installed (apt-get install -y wrk)")
    return path


def wrk_version() -> str:
    try:
        out = subprocess.run(
            [wrk_binary(), "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, WrkError, subprocess.TimeoutExpired):
        return "unknown"
    text = (out.stdout or out.stderr).strip().splitlines()
    match = re.search(r"wrk\s+(\S+)", text[0]) if text else None
    return match.group(1) if match else "unknown"


def _seconds(value: str, unit: str) -> float:
    return float(value) * _UNITS_S[unit]


def parse(output: str) -> WrkResult:
    """Parse wrk's standard output (with ``--latency`` and our ``done()`` line)."""
    rps_m = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    xfer_m = re.search(r"^Transfer/sec:\s+([\d.]+)([KMGT]?B)", output, re.M)
    total_m = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", output, re.M)
    if rps_m is None or total_m is None:
        raise WrkError("unrecognised wrk output:\n" + output[-2000:])
    requests = int(total_m.group(1))
    duration_s = _seconds(total_m.group(2), total_m.group(3))
    rps = float(rps_m.group(1))
    transfer = float(xfer_m.group(1)) * _UNITS_B[xfer_m.group(2)] if xfer_m else 0.0

    latency: dict[str, float] = {}
    dist = re.search(r"Latency Distribution\s*\n((?:\s+\d+%\s+[\d.]+\w+\s*\n)+)", output)
    if dist:
        for pct, value, unit in re.findall(r"(\d+)%\s+([\d.]+)(us|ms|s|m)", dist.group(1)):
            latency[f"p{pct}"] = _seconds(value, unit) * 1e3

    non_2xx_m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    non_2xx = int(non_2xx_m.group(1)) if non_2xx_m else 0
    socket_errors: dict[str, int] = {}
    sock_m = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sock_m:
        names = ("connect", "read", "write", "timeout")
        for name, value in zip(names, sock_m.groups(), strict=True):
            socket_errors[name] = int(value)

    summary_m = re.search(r"^BENCH-SUMMARY (\{.*\})\s*$", output, re.M)
    if summary_m:
        summary: dict[str, float] = json.loads(summary_m.group(1))
        requests = int(summary["requests"])
        duration_s = summary["duration_us"] / 1e6 or duration_s
        rps = requests / duration_s if duration_s else rps
        transfer = summary["bytes"] / duration_s if duration_s else transfer
        for pct in (50, 75, 90, 95, 99):
            latency[f"p{pct}"] = summary[f"p{pct}"] / 1e3
        latency["mean"] = summary["lat_mean"] / 1e3
        latency["max"] = summary["lat_max"] / 1e3
        non_2xx = int(summary["err_status"])
        for name in ("connect", "read", "write", "timeout"):
            socket_errors[name] = int(summary[f"err_{name}"])
    status_m = re.search(r"^BENCH-STATUS (\{.*\})\s*$", output, re.M)
    statuses: dict[str, int] = json.loads(status_m.group(1)) if status_m else {}
    return WrkResult(
        requests=requests,
        duration_s=duration_s,
        rps=rps,
        transfer_bps=transfer,
        latency_ms=latency,
        non_2xx=non_2xx,
        socket_errors={k: v for k, v in socket_errors.items() if v},
        statuses=statuses,
    )


def run(
    url: str,
    script: str,
    *,
    duration_s: float,
    connections: int = 32,
    threads: int = 1,
    cpus: set[int] | None = None,
    env: dict[str, str] | None = None,
    timeout_s: float = 10.0,
) -> WrkResult:
    """Run ``wrk`` against ``url`` with ``bench/lua/<script>.lua`` and return the parsed result.

    ``cpus`` pins wrk with ``taskset``; ``env`` carries the script's inputs (token, files).
    """
    cmd: list[str] = []
    if cpus:
        cmd += ["taskset", "-c", ",".join(str(c) for c in sorted(cpus))]
    cmd += [
        wrk_binary(),
        f"-t{threads}",
        f"-c{max(connections, threads)}",
        f"-d{max(1, round(duration_s))}s",
        f"--timeout={max(1, round(timeout_s))}s",
        "--latency",
        "-s",
        str(LUA_DIR / f"{script}.lua"),
        url,
    ]
    full_env = dict(os.environ)
    full_env["BENCH_LUA_DIR"] = str(LUA_DIR)
    full_env.update(env or {})
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=duration_s + timeout_s + 60,
        check=False,
    )
    if proc.returncode != 0:
        detail = proc.stderr.strip() or proc.stdout[-2000:]
        raise WrkError(f"wrk exited {proc.returncode}: {detail}")
    result = parse(proc.stdout)
    result.command = " ".join(cmd)
    return result
