"""Node health across every cluster of the organization.

    python examples/fleet_node_health.py --emulator     # embedded emulator, no account
    python examples/fleet_node_health.py --emulator --demo-failure
    COCKROACH_API_KEY=... python examples/fleet_node_health.py

Lists the clusters, then the nodes of each, many clusters at once (``stream_fleet``),
printing each cluster as soon as its check finishes, then a summary with every failure.
Exit status: 0 when every cluster is healthy, 1 otherwise. ``--demo-failure`` makes the
emulator refuse the node listing of one cluster, to show how a failure is reported.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from ccloud_async import CockroachCloud, FleetResult, stream_fleet
from ccloud_async.models import Cluster, NodeStatus, Plan
from ccloud_async.testing import FakeCloud, Fault


@dataclass
class NodeHealth:
    live: int = 0
    expected: int = 0
    not_ready: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.not_ready and self.live == self.expected


@asynccontextmanager
async def connect(emulator: bool, demo_failure: bool = False) -> AsyncIterator[CockroachCloud]:
    if not emulator:
        async with CockroachCloud() as cloud:  # key from COCKROACH_API_KEY
            yield cloud
        return
    # The emulator keeps the real API's 10 req/s limit; the client's limiter stays under it.
    async with FakeCloud(seed_clusters=12) as fake:
        if demo_failure:
            victim = fake.clusters.all()[1]["id"]
            fake.faults.add(Fault("status", status=403, path=f"{victim}/nodes", times=None))
        async with CockroachCloud(api_key="test-key", base_url=fake.url) as cloud:
            yield cloud


async def check(cloud: CockroachCloud, cluster: Cluster) -> NodeHealth:
    # Advanced clusters report node_count per region; Basic/Standard have no nodes.
    health = NodeHealth(expected=sum(r.node_count for r in cluster.regions))
    async for node in cloud.clusters.list_nodes(cluster.id):
        if node.status == NodeStatus.LIVE:
            health.live += 1
        else:
            health.not_ready.append(f"{node.name} ({node.status})")
    return health


def describe(result: FleetResult[Cluster, NodeHealth]) -> str:
    cluster = result.item
    head = f"{cluster.name:<24} {cluster.plan!s:<9}"
    if result.error is not None:
        return f"{head} CHECK FAILED: {result.error}"
    health = result.unwrap()
    if cluster.plan != Plan.ADVANCED and health.expected == 0:
        return f"{head} ok (serverless: no nodes to check)"
    status = "ok" if health.healthy else "DEGRADED"
    line = f"{head} {status}: {health.live}/{health.expected} nodes live"
    if health.not_ready:
        line += f"; not ready: {', '.join(health.not_ready)}"
    return line


async def main(emulator: bool, concurrency: int, demo_failure: bool) -> int:
    async with connect(emulator, demo_failure) as cloud:
        clusters = [c async for c in cloud.clusters.list()]
        print(f"checking {len(clusters)} clusters")

        async def one(cluster: Cluster) -> NodeHealth:
            return await check(cloud, cluster)

        results: list[FleetResult[Cluster, NodeHealth]] = []
        # One failing cluster (404, timeout...) is recorded and the others go on.
        async with stream_fleet(one, clusters, concurrency=concurrency) as finished:
            async for result in finished:
                results.append(result)
                print(describe(result))

    failed = [r for r in results if not r.ok]
    degraded = [r for r in results if r.ok and not r.unwrap().healthy]
    healthy = len(results) - len(failed) - len(degraded)
    print(
        f"summary: {len(results)} clusters, {healthy} healthy, "
        f"{len(degraded)} degraded, {len(failed)} failed"
    )
    for r in sorted(failed + degraded, key=lambda r: r.item.name):
        print(f"  {describe(r)}")
    return 0 if healthy == len(results) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulator", action="store_true", help="run on an embedded emulator")
    parser.add_argument("--concurrency", type=int, default=10, help="clusters checked at once")
    parser.add_argument(
        "--demo-failure", action="store_true", help="with --emulator: make one check fail"
    )
    args = parser.parse_args()
    if args.demo_failure and not args.emulator:
        parser.error("--demo-failure needs --emulator")
    raise SystemExit(asyncio.run(main(args.emulator, args.concurrency, args.demo_failure)))
