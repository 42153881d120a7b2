"""Start-up wall time against ``python -c pass``: ``import ccloud_async`` (names load on
first use), ``from ccloud_async import CockroachCloud`` (what a program really pays:
aiohttp, the client and the models), ``ccloud-async --help`` and a group's help
(``ccloud-async clusters --help``: its sub-commands are read from the client's methods).

    python benchmarks/startup.py

Each command runs in a fresh process; best of 5 wall times. Bytecode caching is on for
them (as after any normal install) even where ``PYTHONDONTWRITEBYTECODE`` is set, so the
figures do not include compiling the package's sources on every start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

RUNS = 5


def _best(args: list[str], runs: int = RUNS) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)  # writes .pyc
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)
        best = min(best, time.perf_counter() - started)
    return best


def measure(runs: int = RUNS) -> dict[str, float]:
    """Best wall seconds of each command."""
    cli = Path(sys.executable).with_name("ccloud-async")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "ccloud_async.cli"]
    return {
        "baseline": _best([sys.executable, "-c", "pass"], runs),
        "import": _best([sys.executable, "-c", "import ccloud_async"], runs),
        "client": _best([sys.executable, "-c", "from ccloud_async import CockroachCloud"], runs),
        "help": _best([*command, "--help"], runs),
        "group_help": _best([*command, "clusters", "--help"], runs),
    }


def main() -> None:
    result = measure()
    base = result["baseline"]
    for name, seconds in result.items():
        print(f"{name:<10} {seconds * 1000:7.1f} ms  ({seconds / base:.1f}x python -c pass)")


if __name__ == "__main__":
    main()
