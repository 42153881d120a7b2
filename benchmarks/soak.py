"""Soak: a mixed workload at the full rate for N minutes, watching for leaks.

    python benchmarks/soak.py [--minutes 10] [--tasks 4] [--chaos 0.0] [--seed 1]

Starts the emulator as a subprocess (``python -m ccloud_async.testing``, 10 req/s, 50
clusters, optionally with ``--chaos RATE``), then runs a few concurrent tasks doing
gets, lists and SQL user create/delete through one client with the default limiter.
Prints open file descriptors, RSS, asyncio tasks and open connections at the start
and the end, and the totals: calls, errors by type, 429s (client-side warnings and
the emulator's own count).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from ccloud_async import CloudError, CockroachCloud

KEY = "soak-key"


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _connections(port: int) -> int:
    """Established TCP connections from this host to the emulator's port."""
    count = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if remote_port == port and fields[3] == "01":
                    count += 1
    return count


def _snapshot(port: int) -> dict[str, Any]:
    return {
        "fds": _fds(),
        "rss_mib": round(_rss_mib(), 1),
        "tasks": len(asyncio.all_tasks()),
        "connections": _connections(port),
    }


class _RateLimitCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.rate_limited = 0
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "rate limited" in text:
            self.rate_limited += 1
        elif "retrying" in text:
            self.retries += 1


async def _worker(
    n: int,
    cloud: CockroachCloud,
    cluster_ids: list[str],
    deadline: float,
    calls: Counter[str],
    errors: Counter[str],
) -> None:
    rng = random.Random(n)
    i = 0
    while time.monotonic() < deadline:
        i += 1
        cid = rng.choice(cluster_ids)
        kind = rng.choices(["get", "list", "users", "create_delete"], weights=[4, 2, 2, 2])[0]
        try:
            if kind == "get":
                calls["get"] += 1
                await cloud.clusters.get(cid)
            elif kind == "list":
                calls["list"] += 1
                async for _ in cloud.clusters.list(limit=25):
                    break
            elif kind == "users":
                calls["list_users"] += 1
                async for _ in cloud.sql_users.list(cid):
                    pass
            else:
                name = f"soak_{n}_{i}"
                calls["create_user"] += 1
                await cloud.sql_users.create(cid, name=name, password=f"soak-pw-{n}-{i}")
                calls["delete_user"] += 1
                await cloud.sql_users.delete(cid, name)
        except CloudError as exc:
            errors[type(exc).__name__] += 1


def _start_emulator(args: argparse.Namespace) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable,
        "-m",
        "ccloud_async.testing",
        "--port",
        "0",
        "--api-key",
        KEY,
        "--rate-limit",
        "10",
        "--clusters",
        "50",
    ]
    if args.chaos:
        command += ["--chaos", str(args.chaos), "--seed", str(args.seed), "--chaos-delay", "2"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    first = server.stdout.readline()
    found = re.search(r"(http://\S+)", first)
    if found is None:
        server.kill()
        raise SystemExit(f"the emulator did not start: {first!r}")
    return server, found.group(1)


def _stop_emulator(server: subprocess.Popen[str]) -> str:
    server.send_signal(signal.SIGTERM)
    try:
        tail, _ = server.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        tail, _ = server.communicate()
    return tail or ""


async def _run(args: argparse.Namespace, url: str) -> tuple[Any, ...]:
    port = int(url.rsplit(":", 1)[1])
    counter = _RateLimitCounter()
    logging.getLogger("ccloud_async").addHandler(counter)
    calls: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    try:
        async with CockroachCloud(api_key=KEY, base_url=url, timeout=args.timeout) as cloud:
            cluster_ids = [c.id async for c in cloud.clusters.list()]
            start = _snapshot(port)
            print(f"start  {start}  (emulator {url}, {len(cluster_ids)} clusters)", flush=True)
            started = time.monotonic()
            deadline = started + args.minutes * 60
            await asyncio.gather(
                *(
                    _worker(n, cloud, cluster_ids, deadline, calls, errors)
                    for n in range(args.tasks)
                )
            )
            elapsed = time.monotonic() - started
            end = _snapshot(port)
        after_close = _snapshot(port)
    finally:
        logging.getLogger("ccloud_async").removeHandler(counter)
    return end, after_close, elapsed, calls, errors, counter


def _report(results: tuple[Any, ...], tail: str) -> None:
    end, after_close, elapsed, calls, errors, counter = results
    total = sum(calls.values())
    stats = re.search(r"requests (\d+), rate limited (\d+), faults (\d+)", tail)
    print(f"end    {end}", flush=True)
    print(f"closed {after_close}", flush=True)
    print(
        f"totals calls={total} ({total / elapsed:.2f}/s over {elapsed:.0f}s) "
        f"by_kind={dict(sorted(calls.items()))} errors={dict(sorted(errors.items()))} "
        f"client_429_warnings={counter.rate_limited} retries={counter.retries}",
        flush=True,
    )
    if stats:
        print(
            f"emulator requests={stats.group(1)} 429s={stats.group(2)} faults={stats.group(3)}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=5.0, help="per attempt, seconds")
    parser.add_argument("--chaos", type=float, default=0.0, help="fault rate in the emulator")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    server, url = _start_emulator(args)
    try:
        results = asyncio.run(_run(args, url))
    finally:
        tail = _stop_emulator(server)
    _report(results, tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
