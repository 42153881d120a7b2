"""The blocking client's cost: ``clusters.get`` through CockroachCloudSync vs CockroachCloud.

    python benchmarks/blocking.py [CALLS]        (default 2000 per trial)

The limiter is off and the emulator runs in its own process. Two pairs, side by side,
taking turns for several rounds (the best round of each counts):

* one caller: a plain loop of blocking calls vs one task awaiting the same calls one
  after another. Each blocking call crosses to the client's loop thread and back, so
  this ratio is what that hop costs (the ``blocking / async`` line);
* 20 callers: 20 threads sharing one blocking client vs 20 tasks sharing one client.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _emulator import API_KEY, CONNECTION_LIMIT, _drive, _first_cluster, emulator

from ccloud_async import CockroachCloud, CockroachCloudSync

WORKERS = 20


async def async_rate(url: str, cluster_id: str, calls: int, workers: int) -> float:
    async with CockroachCloud(
        api_key=API_KEY, base_url=url, limiter=None, connection_limit=CONNECTION_LIMIT
    ) as cloud:

        async def call() -> object:
            return await cloud.clusters.get(cluster_id)

        return await _drive(call, calls, workers=workers)


def blocking_rate(url: str, cluster_id: str, calls: int, workers: int) -> float:
    with CockroachCloudSync(
        api_key=API_KEY, base_url=url, limiter=None, connection_limit=CONNECTION_LIMIT
    ) as cloud:
        per_worker = calls // workers

        def worker() -> None:
            for _ in range(per_worker):
                cloud.clusters.get(cluster_id)

        _in_threads(lambda: cloud.clusters.get(cluster_id), workers)  # warm up
        started = time.perf_counter()
        if workers == 1:
            worker()
        else:
            _in_threads(worker, workers)
        return per_worker * workers / (time.perf_counter() - started)


def _in_threads(fn: Callable[[], object], workers: int) -> None:
    threads = [threading.Thread(target=fn) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def measure(calls: int = 2000, rounds: int = 5) -> dict[str, float]:
    best = {"async": 0.0, "blocking": 0.0, "async_20": 0.0, "blocking_20": 0.0}
    with emulator(clusters=1) as url:
        cluster_id = asyncio.run(_first_cluster(url))
        for _ in range(rounds):
            best["async"] = max(best["async"], asyncio.run(async_rate(url, cluster_id, calls, 1)))
            best["blocking"] = max(best["blocking"], blocking_rate(url, cluster_id, calls, 1))
            best["async_20"] = max(
                best["async_20"], asyncio.run(async_rate(url, cluster_id, calls, WORKERS))
            )
            best["blocking_20"] = max(
                best["blocking_20"], blocking_rate(url, cluster_id, calls, WORKERS)
            )
    return best


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    best = measure(calls)
    print(f"async, 1 task            {best['async']:8.0f} calls/s")
    print(f"blocking, 1 thread       {best['blocking']:8.0f} calls/s")
    print(f"async, {WORKERS} tasks          {best['async_20']:8.0f} calls/s")
    print(f"blocking, {WORKERS} threads     {best['blocking_20']:8.0f} calls/s")
    print(f"blocking / async  {best['blocking'] / best['async']:.3f}")
    print(f"{WORKERS} threads / {WORKERS} tasks  {best['blocking_20'] / best['async_20']:.3f}")


if __name__ == "__main__":
    main()
