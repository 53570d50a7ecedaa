"""HTTP load for the benchmarks: a gunicorn started as `yiwang serve` runs it (2 workers × 4
threads) on a free port of 127.0.0.1, and clients over keep-alive connections.

Import it only after putting this folder last on `sys.path`: bench/calendar.py would shadow the
standard library's `calendar`, which `http.client` needs (see bench/search.py).
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

# One request: a GET path, or (method, path, JSON body).
Request = str | tuple[str, str, bytes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_rate(
    port: int, requests: Sequence[Request], seconds: float, threads: int = 8, *, expect: int = 200
) -> tuple[float, int]:
    """Requests per second over keep-alive connections to 127.0.0.1, and how many did not answer
    `expect`. Each thread picks requests at random from `requests`."""
    done, failed, stop = [0] * threads, [0] * threads, time.perf_counter() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        rng = random.Random(i)
        while time.perf_counter() < stop:
            request = rng.choice(requests)
            if isinstance(request, str):
                conn.request("GET", request, headers={"Host": "127.0.0.1"})
            else:
                method, path, body = request
                headers = {"Host": "127.0.0.1", "Content-Type": "application/json"}
                conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            done[i] += 1
            failed[i] += response.status != expect
        conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done) / (time.perf_counter() - started), sum(failed)


def start_gunicorn(
    database_url: str, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, int]:
    """The platform served as `yiwang serve` serves it; returns once /healthz answers."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "yiwang.settings",
        **(extra_env or {}),
    }
    from yiwang.__main__ import gunicorn_argv  # `yiwang serve`'s own command line

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            *gunicorn_argv("127.0.0.1", port, 2)[1:],
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status < 500:
                return proc, port
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def server_cpu_seconds(proc: subprocess.Popen) -> float:
    """CPU seconds (user + system) used so far by gunicorn's master and its workers, from /proc:
    the server's own cost, apart from the clients' on the same machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [proc.pid]
    for children in Path(f"/proc/{proc.pid}/task").glob("*/children"):
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def measured(proc: subprocess.Popen, port: int, requests: Sequence[Request], seconds: float) -> dict:
    """Requests per second, failures, and the server's CPU milliseconds per request."""
    before = server_cpu_seconds(proc)
    rate, failed = http_rate(port, requests, seconds)
    cpu = server_cpu_seconds(proc) - before
    return {"rate": rate, "failed": failed, "cpu_ms": cpu * 1000 / max(1, rate * seconds)}


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
