"""Shared helpers for the benchmarks: Django set-up, timing, and PostgreSQL's own pgbench as a
yardstick so figures from noisy machines can be compared as ratios."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def setup_django(database_url: str | None = None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def rate(fn: Callable[[], int], seconds: float = 2.0) -> float:
    """Operations per second of `fn`, which runs a batch and returns how many it did."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        done += fn()
    return done / (time.perf_counter() - started)


def latencies_ms(fn: Callable[[], object], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1],
        "max": samples[-1],
    }


def pgbench_tps(
    seconds: int = 10, *, mode: str = "-S", clients: int = 1, database: str = "yiwang_pgbench"
) -> float | None:
    """TPS of pgbench on a scratch database, or None if unavailable: select-only (-S, the default)
    or, with mode="-N", the simple-update write transaction, with `clients` clients."""
    if not shutil.which("pgbench") or not shutil.which("psql"):
        return None
    env = {**os.environ, "PGHOST": "127.0.0.1", "PGUSER": "postgres"}
    subprocess.run(["psql", "-q", "-c", f"DROP DATABASE IF EXISTS {database}"], env=env, capture_output=True)
    made = subprocess.run(["psql", "-q", "-c", f"CREATE DATABASE {database}"], env=env, capture_output=True)
    if made.returncode:
        return None
    subprocess.run(["pgbench", "-i", "-q", "-s", "1", database], env=env, capture_output=True, check=True)
    out = subprocess.run(
        ["pgbench", mode, "-n", "-c", str(clients), "-j", str(clients), "-T", str(seconds), database],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    subprocess.run(["psql", "-q", "-c", f"DROP DATABASE {database}"], env=env, capture_output=True)
    match = re.search(r"tps = ([\d.]+)", out)
    return float(match.group(1)) if match else None


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n== {title}")
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    sys.stdout.flush()
