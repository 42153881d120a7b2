"""Pacing at real latencies: arrival rate, max per window and 429s at each answer time.

    python benchmarks/latency.py [CALLS]

The emulator counts each arrival against its strict sliding 10/s window and answers
after a fixed delay (0, 100, 300, 1000 ms); between client and emulator a relay delays
each request leg by 0-20 ms at random, so requests sent together arrive out of order
and apart. CALLS queued ``clusters.get`` (default 120) go through one client. Goal:
arrival rate / 10 >= 0.97, never more than 10 arrivals in a second, no 429. Then the
200-cluster fleet (list, then every cluster's nodes) at 300 ms: wall / ideal <= 1.05.
"""

from __future__ import annotations

import asyncio
import sys
import time

from ccloud_async import CockroachCloud, run_fleet
from ccloud_async.testing import FakeCloud, Fault, LatencyRelay

LIMIT = 10
JITTER = 0.02
ANSWER_TIMES = (0.0, 0.1, 0.3, 1.0)


async def pacing(answer_time: float, calls: int) -> dict[str, float]:
    async with FakeCloud(rate_limit=LIMIT, seed_clusters=1) as fake:
        async with LatencyRelay(fake.url, jitter=JITTER, seed=7) as relay:
            async with CockroachCloud(api_key="test-key", base_url=relay.url) as cloud:
                cluster_id = fake.clusters.all()[0]["id"]
                if answer_time:
                    fake.faults.add(Fault("delay", delay=answer_time, times=None))
                await asyncio.sleep(1.0)  # start with an empty window
                fake.reset_stats()
                await asyncio.gather(*(cloud.clusters.get(cluster_id) for _ in range(calls)))
        arrivals = sorted(r.at for r in fake.request_log)
        rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
        return {
            "rate": rate / LIMIT,
            "max_window": fake.max_in_window(1.0),
            "429s": fake.stats.rate_limited,
        }


async def fleet(answer_time: float, clusters: int = 200) -> dict[str, float]:
    async with FakeCloud(rate_limit=LIMIT, seed_clusters=clusters) as fake:
        async with LatencyRelay(fake.url, jitter=JITTER, seed=7) as relay:
            async with CockroachCloud(api_key="test-key", base_url=relay.url) as cloud:
                fake.faults.add(Fault("delay", delay=answer_time, times=None))
                await asyncio.sleep(1.0)
                fake.reset_stats()
                started = time.monotonic()
                listed = await cloud.clusters.list(limit=500).to_list()

                async def nodes(cluster_id: str) -> int:
                    return len(await cloud.clusters.list_nodes(cluster_id).to_list())

                await run_fleet(nodes, [c.id for c in listed])
                wall = time.monotonic() - started
    ideal = (clusters + 1) / LIMIT
    return {"wall": wall, "ideal": ideal, "429s": fake.stats.rate_limited}


async def main(calls: int) -> None:
    for answer_time in ANSWER_TIMES:
        got = await pacing(answer_time, calls)
        print(
            f"answer {answer_time * 1000:5.0f} ms  arrival rate / limit {got['rate']:.3f}  "
            f"max in 1 s {got['max_window']:.0f}  429s {got['429s']:.0f}",
            flush=True,
        )
    got = await fleet(0.3)
    print(
        f"fleet 200 at 300 ms  wall {got['wall']:.2f} s  ideal {got['ideal']:.1f} s  "
        f"wall / ideal {got['wall'] / got['ideal']:.3f}  429s {got['429s']:.0f}",
        flush=True,
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 120))
