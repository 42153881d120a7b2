"""Pacing: N queued calls on one client against the emulator's strict 10/s limit.

    python benchmarks/pacing.py [N]

Prints the achieved rate as a ratio of the 10 req/s limit (goal >= 0.97), the largest
number of requests the server saw in any sliding second (must be <= 10) and the 429s
(goal 0).
"""

from __future__ import annotations

import asyncio
import sys
import time

from ccloud_async import CockroachCloud
from ccloud_async.testing import FakeCloud

LIMIT = 10


async def run(calls: int) -> None:
    async with FakeCloud(rate_limit=LIMIT, rate_window=1.0) as server:
        async with CockroachCloud(api_key="test-key", base_url=server.url) as cloud:
            cluster = await cloud.clusters.create(
                name="bench-pacing", provider="GCP", spec={"serverless": {"regions": ["us-east1"]}}
            )
            await asyncio.sleep(1.0)  # start with an empty window
            server.reset_stats()
            started = time.monotonic()
            await asyncio.gather(*(cloud.clusters.get(cluster.id) for _ in range(calls)))
            elapsed = time.monotonic() - started
    rate = calls / elapsed
    print(f"calls                 {calls}")
    print(f"elapsed               {elapsed:.2f} s")
    print(f"achieved / limit      {rate / LIMIT:.3f}  ({rate:.2f} req/s)")
    print(f"max in any 1 s window {server.max_in_window(1.0)}")
    print(f"429 responses         {server.stats.rate_limited}")


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
