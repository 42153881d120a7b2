"""Create, list and delete clusters on the embedded emulator: no account needed.

    python examples/quickstart.py

Against the real API, drop the emulator and set COCKROACH_API_KEY.
"""

from __future__ import annotations

import asyncio

from ccloud_async import CockroachCloud
from ccloud_async.testing import FakeCloud


async def main() -> None:
    async with FakeCloud(api_keys={"demo-key": ["CLUSTER_ADMIN"]}) as fake:
        async with CockroachCloud(api_key="demo-key", base_url=fake.url) as cloud:
            basic = await cloud.clusters.create(
                name="quickstart-basic",
                provider="GCP",
                spec={"serverless": {"regions": ["us-central1"]}},
            )
            standard = await cloud.clusters.create(
                name="quickstart-standard",
                provider="AWS",
                spec={
                    "plan": "STANDARD",
                    "serverless": {
                        "regions": ["us-east-1"],
                        "usage_limits": {"provisioned_virtual_cpus": 2},
                    },
                },
            )
            advanced = await cloud.clusters.create(
                name="quickstart-advanced",
                provider="GCP",
                spec={
                    "dedicated": {
                        "region_nodes": {"us-east1": 3},
                        "hardware": {
                            "machine_spec": {"num_virtual_cpus": 4},
                            "storage_gib": 15,
                        },
                    }
                },
            )
            print(f"created {basic.name}, {standard.name}, {advanced.name}")

            await cloud.clusters.update(
                standard.id, serverless={"usage_limits": {"provisioned_virtual_cpus": 4}}
            )
            print(f"{'name':<22} {'plan':<9} {'provider':<8} state")
            async for cluster in cloud.clusters.list():
                print(
                    f"{cluster.name:<22} {cluster.plan!s:<9} "
                    f"{cluster.cloud_provider!s:<8} {cluster.state!s}"
                )

            for cluster in (basic, standard, advanced):
                gone = await cloud.clusters.delete(cluster.id)
                print(f"deleted {gone.name}: state {gone.state}")
            remaining = [c async for c in cloud.clusters.list()]
            print(
                f"{len(remaining)} clusters left; emulator saw {fake.stats.requests} requests, "
                f"{fake.stats.rate_limited} rate-limited"
            )


if __name__ == "__main__":
    asyncio.run(main())
