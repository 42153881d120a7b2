"""A cluster's customer-managed encryption keys (CMEK), ADVANCED clusters only.

Enabling, rotating (a new key spec) and revoking show ENABLING / ROTATING / REVOKING
for ``Timings.cmek`` seconds (0 by default: straight to ENABLED / REVOKED), or end in
ENABLE_FAILED / ROTATE_FAILED / REVOKE_FAILED after ``fake.fail_next("cmek")``. A
rotation keeps the old keys, DISABLED, next to the new ENABLED one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..call import Call
from ..common import already_exists, not_found, ok
from ..errors import invalid
from ._base import handles
from ._cluster_shared import ClusterArea, require_plan

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["Cmek"]

_KEY_TYPE = {"AWS": "AWS_KMS", "GCP": "GCP_CLOUD_KMS", "AZURE": "AZURE_KEY_VAULT"}


class Cmek(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.configs: dict[str, dict[str, Any]] = {}  # cluster id -> CMEKClusterInfo

    def _config(self, cluster: dict[str, Any]) -> dict[str, Any]:
        cmek = self.configs.get(cluster["id"])
        if cmek is None:
            raise not_found("CMEK configuration")
        return cmek

    def _region_keys(self, cluster: dict[str, Any], specs: list[dict[str, Any]]) -> dict[str, Any]:
        regions = {r["name"] for r in cluster["regions"]}
        keys: dict[str, Any] = {}
        for i, spec in enumerate(specs):
            path = f"region_specs[{i}]"
            region = spec.get("region", "")
            if region not in regions:
                raise invalid(f"{path}.region: {region!r} is not one of the cluster's regions")
            key = spec.get("key_spec")
            if key is None:
                raise invalid(f"{path}.key_spec: is required")
            expected = _KEY_TYPE[cluster["cloud_provider"]]
            if key.get("type") != expected:
                raise invalid(f"{path}.key_spec.type: must be {expected} on this cluster")
            for name in ("uri", "auth_principal"):
                if not key.get(name):
                    raise invalid(f"{path}.key_spec.{name}: is required")
            keys[region] = key
        if not keys:
            raise invalid("region_specs: must name at least one region")
        return keys

    def _add_keys(self, cmek: dict[str, Any], keys: dict[str, Any]) -> None:
        now = self.timeline.stamp()
        infos = {r["region"]: r for r in cmek["region_infos"]}
        for region, key in keys.items():
            info = infos.get(region)
            if info is None:
                info = {"region": region, "status": "ENABLED", "key_infos": []}
                cmek["region_infos"].append(info)
            for old in info["key_infos"]:
                old.update(status="DISABLED", updated_at=now)
            info["key_infos"].append(
                {"spec": key, "status": "ENABLED", "created_at": now, "updated_at": now}
            )
            info["status"] = "ENABLED"
        cmek["status"] = "ENABLED"

    def _run(
        self, cluster: dict[str, Any], cmek: dict[str, Any], running: str, final: str, failed: str
    ) -> None:
        """Show ``running`` for Timings.cmek seconds, then ``final`` (or the failure)."""
        self.fake.jobs.track(
            "cmek", cmek, "status", running, final, failed=failed, key=("cmek", cluster["id"])
        )

    @handles("CockroachCloud_GetCMEKClusterInfo")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self._config(self.cluster_for(call)))

    @handles("CockroachCloud_EnableCMEKSpec", audit="UPDATE_CMEK")
    async def enable(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        require_plan(cluster, "ADVANCED", "CMEK")
        keys = self._region_keys(cluster, body["region_specs"])
        if cluster["id"] in self.configs:
            raise already_exists("CMEK is already enabled; update it with PUT")
        cmek = self.configs[cluster["id"]] = {"status": "ENABLED", "region_infos": []}
        self._add_keys(cmek, keys)
        self._run(cluster, cmek, "ENABLING", "ENABLED", "ENABLE_FAILED")
        call.applied(cluster=cluster)
        return ok(cmek)

    @handles("CockroachCloud_UpdateCMEKSpec", audit="UPDATE_CMEK")
    async def update_spec(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        keys = self._region_keys(cluster, body["region_specs"])
        cmek = self._config(cluster)
        self._add_keys(cmek, keys)
        self._run(cluster, cmek, "ROTATING", "ENABLED", "ROTATE_FAILED")
        call.applied(cluster=cluster)
        return ok(cmek)

    @handles("CockroachCloud_UpdateCMEKStatus", audit="REVOKE_CMEK")
    async def update_status(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        cmek = self._config(cluster)
        if body["action"] == "REVOKE":
            now = self.timeline.stamp()
            cmek["status"] = "REVOKED"
            for info in cmek["region_infos"]:
                info["status"] = "REVOKED"
                for key in info["key_infos"]:
                    if key["status"] == "ENABLED":
                        key.update(status="REVOKED", updated_at=now)
            self._run(cluster, cmek, "REVOKING", "REVOKED", "REVOKE_FAILED")
        call.applied(cluster=cluster)
        return ok(cmek)
