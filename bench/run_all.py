"""Run every benchmark in turn (`make bench`). Each prints its own figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["calendar.py", "search.py", "pages.py", "cases.py", "bundles.py"]

if __name__ == "__main__":
    failed = 0
    for name in BENCHMARKS:
        failed |= subprocess.call([sys.executable, str(HERE / name), *sys.argv[1:]])
    sys.exit(failed)
