"""Run the emulator in its own process for a benchmark (``python -m ccloud_async.testing``),
and what the benchmarks that call it share: the call-rate loop and the cluster to get."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from ccloud_async import CockroachCloud

API_KEY = "bench-key"
CONNECTION_LIMIT = 100

Call = Callable[[], Awaitable[object]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def emulator(*, clusters: int = 0, audit_entries: int = 0) -> Iterator[str]:
    """Yield the base URL of an emulator (limiter off) running in a subprocess."""
    port = free_port()
    args = [sys.executable, "-m", "ccloud_async.testing", "--port", str(port)]
    args += ["--api-key", API_KEY, "--rate-limit", "0"]
    args += ["--clusters", str(clusters), "--audit-entries", str(audit_entries)]
    server = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "press Ctrl-C" in line:
                break
        else:
            raise RuntimeError("the emulator did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(30)


async def _first_cluster(url: str) -> str:
    """The id of the emulator's first cluster."""
    async with CockroachCloud(api_key=API_KEY, base_url=url, limiter=None) as cloud:
        clusters = await cloud.clusters.list(limit=1).to_list()
        return clusters[0].id


async def _drive(call: Call, calls: int, *, workers: int) -> float:
    """calls/s of ``calls`` calls made by ``workers`` concurrent workers."""
    per_worker = calls // workers

    async def worker() -> None:
        for _ in range(per_worker):
            await call()

    await asyncio.gather(*(call() for _ in range(workers)))  # warm up: open the connections
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return per_worker * workers / (time.perf_counter() - started)
