"""Fleet: the nodes of N clusters with the limiter on, against the emulator's strict limit.

    python benchmarks/fleet.py [N]        (default 200)

The ideal is N requests at 10 per second (N / 10 seconds); prints wall time / ideal
(goal <= 1.1, stretch 1.05), the 429s (goal 0) and the most requests the server saw in
one sliding second (must be <= 10).
"""

from __future__ import annotations

import asyncio
import sys
import time

from ccloud_async import CockroachCloud, run_fleet
from ccloud_async.testing import FakeCloud

LIMIT = 10


async def run(count: int) -> None:
    async with FakeCloud(rate_limit=LIMIT, seed_clusters=count) as server:
        async with CockroachCloud(api_key="test-key", base_url=server.url) as cloud:
            clusters = await cloud.clusters.list(limit=500).to_list()
            await asyncio.sleep(1.0)  # start the measured part with an empty window
            server.reset_stats()

            async def nodes(cluster_id: str) -> int:
                return len([node async for node in cloud.clusters.list_nodes(cluster_id)])

            started = time.monotonic()
            results = await run_fleet(nodes, [c.id for c in clusters], concurrency=50)
            elapsed = time.monotonic() - started
    ideal = count / LIMIT
    failed = sum(1 for r in results if not r.ok)
    print(f"clusters              {len(clusters)} ({failed} failed)")
    print(f"nodes                 {sum(r.value or 0 for r in results)}")
    print(f"wall time             {elapsed:.2f} s (ideal {ideal:.1f} s)")
    print(f"wall / ideal          {elapsed / ideal:.3f}")
    print(f"429 responses         {server.stats.rate_limited}")
    print(f"max in any 1 s window {server.max_in_window(1.0)}")


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
