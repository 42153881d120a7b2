"""A small HTTP client for the emulator tests, over plain aiohttp.

:class:`AreaApi` answers ``(status, body)``; every 200 body of an operation it
:meth:`~AreaApi.validates` is checked against that operation's response schema in the
snapshot, and every error must be a google.rpc.Status body.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from ccloud_async.testing import FakeCloud

from .spec_schemas import VALIDATORS

__all__ = ["CLUSTERS", "KEY", "AreaApi", "cluster_spec"]

KEY = "test-key"
CLUSTERS = "/api/v1/clusters"


def cluster_spec(dedicated: bool, regions: list[str]) -> dict[str, Any]:
    """A CreateClusterSpecification: 3 nodes a region (4 vCPUs), or serverless."""
    if not dedicated:
        return {"serverless": {"regions": regions}}
    return {
        "dedicated": {
            "region_nodes": {region: 3 for region in regions},
            "hardware": {"machine_spec": {"num_virtual_cpus": 4}, "storage_gib": 150},
        }
    }


class AreaApi:
    def __init__(self, session: aiohttp.ClientSession, fake: FakeCloud) -> None:
        self.session = session
        self.fake = fake

    def validates(self, template: str) -> bool:
        """Whether 200 bodies of the route ``template`` are checked against the snapshot.

        Not cluster CRUD's: it sends a documented operation_status value outside the
        enum (emulator/test_server.py covers those bodies).
        """
        return template not in (CLUSTERS, CLUSTERS + "/{cluster_id}")

    def check_ok(self, body: Any) -> None:
        """Further checks of every 200 body."""

    async def __call__(
        self, method: str, path: str, json: Any = None, **params: str
    ) -> tuple[int, Any]:
        async with self.session.request(
            method,
            self.fake.url + path,
            json=json,
            params=params or None,
            headers={"Authorization": f"Bearer {KEY}"},
        ) as resp:
            body = await resp.json(content_type=None)
            if resp.status == 200:
                route = self.fake.routes.resolve(method, path).route
                assert route is not None
                if self.validates(route.template):
                    VALIDATORS[route.operation_id].validate(body)
                self.check_ok(body)
            else:
                assert set(body) == {"code", "message", "details"}
            return resp.status, body

    async def ok(self, method: str, path: str, json: Any = None, **params: str) -> Any:
        status, body = await self(method, path, json, **params)
        assert status == 200, body
        return body

    async def fails(
        self, method: str, path: str, json: Any, status: int, code: int, text: str = ""
    ) -> str:
        """Expect an error ``status`` with gRPC ``code`` whose message holds ``text``."""
        got, body = await self(method, path, json)
        assert (got, body["code"]) == (status, code), body
        assert text in body["message"], body
        return str(body["message"])

    async def create_cluster(
        self, name: str, dedicated: bool, regions: list[str], provider: str = "AWS"
    ) -> str:
        spec = cluster_spec(dedicated, regions)
        body = await self.ok("POST", CLUSTERS, {"name": name, "provider": provider, "spec": spec})
        return str(body["id"])
