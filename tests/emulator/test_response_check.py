"""FakeCloud(validate_responses=True): its own 200 responses checked against the spec."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web

from ccloud_async.testing import FakeCloud
from ccloud_async.testing.call import Call
from ccloud_async.testing.errors import json_response
from ccloud_async.testing.response_check import ResponseChecker, jsonschema_available


def test_tolerates_only_the_documented_quirks() -> None:
    checker = ResponseChecker()
    cluster = {
        "id": "c1",
        "name": "n",
        "cockroach_version": "v24.3.0",
        "upgrade_status": "FINALIZED",
        "plan": "BASIC",
        "cloud_provider": "GCP",
        "state": "CREATED",
        "creator_id": "u1",
        "operation_status": "CLUSTER_STATUS_UNSPECIFIED",
        "config": {},
        "regions": [],
        "cidr_range": "",
        "labels": {},
        # no is_customer_cloud_account: required by the spec, but never declared
    }
    assert checker.problem("CockroachCloud_GetCluster", cluster) is None
    bad = checker.problem("CockroachCloud_GetCluster", {**cluster, "plan": "GOLD"})
    assert bad is not None and bad.startswith("$.plan: 'GOLD' is not one of")
    missing = {k: v for k, v in cluster.items() if k != "name"}
    assert checker.problem("CockroachCloud_GetCluster", missing) == (
        "$: 'name' is a required property"
    )
    assert checker.problem("CockroachCloud_GetCluster", {**cluster, "operation_status": "X"})


async def _get(fake: FakeCloud, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": "Bearer test-key"}
        async with session.get(fake.url + path, headers=headers) as resp:
            return resp.status, await resp.json()


BROKEN_ORG = {"id": 7, "name": "x", "label": "x", "created_at": "2030-01-01T00:00:00Z"}


async def _broken(call: Call) -> web.StreamResponse:
    return json_response(BROKEN_ORG)


async def test_an_invalid_response_becomes_a_500_and_is_counted() -> None:
    assert jsonschema_available()
    async with FakeCloud(rate_limit=None, validate_responses=True) as fake:
        fake.handlers["CockroachCloud_GetOrganizationInfo"] = _broken
        status, body = await _get(fake, "/api/v1/organization")
        assert status == 500 and body["code"] == 13
        assert body["message"] == (
            "emulator response does not match the spec: $.id: 7 is not of type 'string'"
        )
        assert fake.stats.invalid_responses == 1
        # Errors and valid responses pass untouched.
        assert (await _get(fake, "/api/v1/folders/nope"))[0] == 404
        assert (await _get(fake, "/api/v1/cluster-versions"))[0] == 200
        assert fake.stats.invalid_responses == 1
        fake.reset_stats()
        assert fake.stats.invalid_responses == 0


async def test_off_by_default() -> None:
    async with FakeCloud(rate_limit=None) as fake:
        assert fake.response_checker is None
        fake.handlers["CockroachCloud_GetOrganizationInfo"] = _broken
        assert (await _get(fake, "/api/v1/organization")) == (200, BROKEN_ORG)
        assert fake.stats.invalid_responses == 0
