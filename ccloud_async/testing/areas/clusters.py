"""Clusters: the store every cluster area hangs off, and the five cluster operations.

Clusters are kept as the JSON objects the API returns (``fake.clusters.get(id)``), so a
response is the stored object itself and a test sees exactly what a client would see.
The store belongs to the FakeCloud, not to this area, because every area of a cluster's
sub-resources looks its cluster up in it; the field rules are in ``cluster_specs.py``.

Listing uses the keyset pagination of ``testing/paging.py``, ordered by the sort key
with the id breaking ties. ``pagination.as_of_time`` leaves out clusters created after
it; the rest show as they are now.

Creating, updating and deleting take the times in ``jobs.timings`` (``timings.py``; 0
by default: done at once). Meanwhile the cluster is CREATING, or LOCKED with an
``operation_status`` ``*_RUNNING`` (CRDB_SCALE_RUNNING, CRDB_PATCH_RUNNING, ...), and
mutations of it — or of its sub-resources — get 400 code 9 mentioning the lock.
An update changing only labels, delete protection or the folder is instant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec
from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import Timeline, already_exists, new_id, not_found, ok, precondition
from ..errors import invalid
from ..paging import keyset_page, page_limit
from ..timings import Jobs
from . import cluster_specs as specs
from ._base import Area, handles

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["BUSY_STATES", "LOCKED_MESSAGE", "ClusterStore", "Clusters", "check_unlocked"]

BUSY_STATES = frozenset({"CREATING", "LOCKED"})
LOCKED_MESSAGE = "cluster is locked: an operation is in progress"

_SORT_BY = ("NAME", "CREATED_AT", "DELETED_AT")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{4,18}[a-z0-9]")
_NAME_RULE = (
    "must be 6-20 characters of lowercase letters, digits and dashes, "
    "not starting or ending with a dash"
)


def check_unlocked(cluster: Mapping[str, Any]) -> None:
    """400 (code 9) mentioning the lock while the cluster is CREATING or LOCKED."""
    if cluster["state"] in BUSY_STATES:
        raise precondition(LOCKED_MESSAGE)


class ClusterStore:
    """Every cluster of the emulator, DELETED ones included (``fake.clusters``)."""

    def __init__(self, jobs: Jobs, timeline: Timeline) -> None:
        self._clusters: dict[str, dict[str, Any]] = {}
        self._live_names: set[str] = set()  # names of clusters not DELETED
        # Strictly increasing: CREATED_AT order is creation order.
        self._timeline = timeline
        self.jobs = jobs

    # --- state -------------------------------------------------------------------

    def get(self, cluster_id: str) -> dict[str, Any] | None:
        self.jobs.settle()
        return self._clusters.get(cluster_id)

    def all(self) -> list[dict[str, Any]]:
        self.jobs.settle()
        return list(self._clusters.values())

    def __len__(self) -> int:
        return len(self._clusters)

    def existing(self, cluster_id: str) -> dict[str, Any]:
        """The cluster, DELETED or not; 404 if there is none."""
        cluster = self.get(cluster_id)
        if cluster is None:
            raise not_found("cluster")
        return cluster

    def live(self, cluster_id: str) -> dict[str, Any]:
        """The cluster, to change it: 404 if there is none, 400 (code 9) if it is
        DELETED, CREATING or LOCKED."""
        cluster = self.existing(cluster_id)
        if cluster["state"] == "DELETED":
            raise precondition("cluster is deleted")
        check_unlocked(cluster)
        return cluster

    # --- create ------------------------------------------------------------------

    def create(
        self, req: dict[str, Any], creator_id: str, *, instant: bool = False
    ) -> dict[str, Any]:
        """Store the cluster a CreateClusterRequest asks for; raises ApiError.

        ``req`` has passed the request schema (``Call.body``). The cluster is CREATING
        for ``timings.cluster_create`` seconds, unless ``instant``.
        """
        name = req["name"]
        if not _NAME.fullmatch(name):
            raise invalid(f"name: {_NAME_RULE} (got {name!r})")
        provider = req["provider"]
        spec = req["spec"]
        plan = spec.get("plan")
        if ("serverless" in spec) == ("dedicated" in spec):
            raise invalid("spec: must hold exactly one of serverless, dedicated")

        cluster_id = new_id()
        cluster: dict[str, Any] = {
            "id": cluster_id,
            "name": name,
            "cockroach_version": specs.COCKROACH_VERSIONS[specs.DEFAULT_VERSION],
            "cloud_provider": provider,
            "account_id": specs.account_id(provider, cluster_id),
            "state": "CREATED",
            "creator_id": creator_id,
            # The live API sends this value although the enum spells it UNSPECIFIED;
            # clients must cope with enum values they do not know.
            "operation_status": "CLUSTER_STATUS_UNSPECIFIED",
            "upgrade_status": "FINALIZED",
            "labels": dict(spec.get("labels", {})),
            "delete_protection": spec.get("delete_protection", "DISABLED"),
            "parent_id": spec.get("parent_id", "root") or "root",
            "is_customer_cloud_account": "customer_cloud_account" in spec,
        }
        if "serverless" in spec:
            self._create_serverless(cluster, plan, spec["serverless"])
        else:
            self._create_dedicated(cluster, plan, spec["dedicated"])

        # Checked last: a request that is invalid anyway gets the 400, not the 409.
        # The name index makes this O(1); the scan double-checks a hit (state is plain data).
        if name in self._live_names and any(
            c["name"] == name and c["state"] != "DELETED" for c in self._clusters.values()
        ):
            raise already_exists(f"a cluster named {name!r} already exists")
        cluster["created_at"] = cluster["updated_at"] = self._timeline.stamp()
        self._clusters[cluster_id] = cluster
        self._live_names.add(name)
        if instant:
            return cluster
        cluster["state"] = "CREATING"

        def created(failure: str | None) -> None:
            cluster["state"] = failure or "CREATED"
            if failure is not None:
                self._live_names.discard(name)

        self.jobs.start("cluster_create", created, key=("cluster", cluster_id))
        return cluster

    def _create_serverless(
        self, cluster: dict[str, Any], plan: str | None, spec: dict[str, Any]
    ) -> None:
        path = "spec.serverless"
        regions = specs.region_list(spec["regions"], f"{path}.regions")
        primary = specs.primary_region(
            spec.get("primary_region"), regions, f"{path}.primary_region"
        )
        limits = specs.usage_limits(spec.get("usage_limits"), f"{path}.usage_limits")
        if plan is None:
            plan = "STANDARD" if "provisioned_virtual_cpus" in limits else "BASIC"
        specs.check_serverless_plan(plan, limits, "spec.plan", f"{path}.usage_limits")
        cluster["plan"] = plan
        cluster["config"] = {
            "serverless": {
                "routing_id": f"{cluster['name']}-{int(cluster['id'][:4], 16) % 10000:04d}",
                "upgrade_type": spec.get("upgrade_type", "AUTOMATIC"),
                **({"usage_limits": limits} if limits else {}),
            }
        }
        cluster["network_visibility"] = "PUBLIC"
        cluster["egress_traffic_policy"] = "UNSPECIFIED"
        cluster["cidr_range"] = ""
        specs.set_serverless_regions(cluster, regions, primary)

    def _create_dedicated(
        self, cluster: dict[str, Any], plan: str | None, spec: dict[str, Any]
    ) -> None:
        path = "spec.dedicated"
        if plan not in (None, "ADVANCED"):
            raise invalid(f"spec.plan: dedicated clusters are ADVANCED (got {plan!r})")
        provider = cluster["cloud_provider"]
        nodes = specs.region_nodes(spec["region_nodes"], f"{path}.region_nodes")
        config = specs.hardware(provider, spec["hardware"], f"{path}.hardware", current=None)
        if "cockroach_version" in spec:
            cluster["cockroach_version"] = specs.cockroach_version(
                spec["cockroach_version"], f"{path}.cockroach_version"
            )
        cluster["plan"] = "ADVANCED"
        cluster["config"] = {"dedicated": config}
        cluster["network_visibility"] = spec.get("network_visibility", "PUBLIC")
        restrict = spec.get("restrict_egress_traffic", False)
        cluster["egress_traffic_policy"] = "DEFAULT_DENY" if restrict else "ALLOW_ALL"
        cluster["cidr_range"] = spec.get("cidr_range", "172.28.0.0/14")
        specs.set_dedicated_regions(cluster, nodes)

    # --- update ------------------------------------------------------------------

    def update(self, cluster_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Apply an UpdateClusterSpecification (schema-checked); all checks pass before
        anything changes."""
        cluster = self.live(cluster_id)
        serverless = "serverless" in cluster["config"]
        if "serverless" in spec and not serverless:
            raise invalid("serverless: this is a dedicated cluster")
        if "dedicated" in spec and serverless:
            raise invalid("dedicated: this is a serverless cluster")
        changes: dict[str, Any] = {}
        plan = cluster["plan"]
        if "plan" in spec:
            plan = spec["plan"]
            if serverless and plan == "ADVANCED":
                raise invalid("plan: a serverless cluster cannot become ADVANCED")
            if not serverless and plan != "ADVANCED":
                raise invalid(f"plan: dedicated clusters are ADVANCED (got {plan!r})")
            changes["plan"] = plan
        if "labels" in spec:
            changes["labels"] = dict(spec["labels"])
        if "delete_protection" in spec:
            changes["delete_protection"] = spec["delete_protection"]
        if "parent_id" in spec:
            changes["parent_id"] = spec["parent_id"] or "root"
        if "cockroach_version" in spec:
            changes["cockroach_version"] = specs.cockroach_version(
                spec["cockroach_version"], "cockroach_version"
            )
        if "upgrade_status" in spec:
            changes["upgrade_status"] = spec["upgrade_status"]

        config = msgspec.json.decode(msgspec.json.encode(cluster["config"]))  # a deep copy
        # The current layout, read back from the public regions list.
        names = [r["name"] for r in cluster["regions"]]
        primary = next((r["name"] for r in cluster["regions"] if r.get("primary")), names[0])
        nodes = {r["name"]: r["node_count"] for r in cluster["regions"]}
        if serverless:
            sconf = config["serverless"]
            limits = sconf.get("usage_limits", {})
            if "serverless" in spec:
                path = "serverless"
                upd = spec["serverless"]
                if "regions" in upd:
                    names = specs.region_list(upd["regions"], f"{path}.regions")
                    if primary not in names:
                        primary = names[0]
                if "primary_region" in upd:
                    primary = specs.primary_region(
                        upd["primary_region"], names, f"{path}.primary_region"
                    )
                if "usage_limits" in upd:
                    # A message field replaces the stored one as a whole.
                    limits = specs.usage_limits(upd["usage_limits"], f"{path}.usage_limits")
                if "upgrade_type" in upd:
                    sconf["upgrade_type"] = upd["upgrade_type"]
            specs.check_serverless_plan(plan, limits, "plan", "serverless.usage_limits")
            sconf.pop("usage_limits", None)
            if limits:
                sconf["usage_limits"] = limits
        elif "dedicated" in spec:
            path = "dedicated"
            upd = spec["dedicated"]
            if "region_nodes" in upd:
                nodes = specs.region_nodes(upd["region_nodes"], f"{path}.region_nodes")
            if "hardware" in upd:
                config["dedicated"] = specs.hardware(
                    cluster["cloud_provider"],
                    upd["hardware"],
                    f"{path}.hardware",
                    config["dedicated"],
                )

        # Every check passed: apply.
        operation = specs.operation_for(cluster, changes, config, names, primary, nodes)
        cluster.update(changes)
        cluster["config"] = config
        if serverless:
            specs.set_serverless_regions(cluster, names, primary)
        else:
            specs.set_dedicated_regions(cluster, nodes)
        cluster["updated_at"] = self._timeline.stamp()
        if operation is not None:
            self._run(cluster, operation)
        return cluster

    def _run(self, cluster: dict[str, Any], operation: str) -> None:
        """Lock the cluster while ``operation`` (``CRDB_..._RUNNING``) runs."""
        before = cluster["operation_status"]
        failed = operation.replace("_RUNNING", "_FAILED")

        def done(failure: str | None) -> None:
            cluster["state"] = "CREATED"
            if failure is not None:
                cluster["operation_status"] = failure
            elif cluster["operation_status"] == operation:
                cluster["operation_status"] = "UNSPECIFIED"

        cluster["state"], cluster["operation_status"] = "LOCKED", operation
        job = self.jobs.start("cluster_update", done, failed=failed, key=("cluster", cluster["id"]))
        if job.duration <= 0 and job.failure is None:
            cluster["operation_status"] = before  # instant: nothing to see

    # --- delete ------------------------------------------------------------------

    def delete(self, cluster_id: str) -> dict[str, Any]:
        cluster = self.existing(cluster_id)
        if cluster["state"] == "DELETED":
            raise precondition("cluster is already deleted")
        check_unlocked(cluster)
        if cluster["delete_protection"] == "ENABLED":
            raise precondition("delete_protection is ENABLED; disable it before deleting")

        def deleted(failure: str | None) -> None:
            cluster["state"] = "DELETED"
            self._live_names.discard(cluster["name"])
            cluster["deleted_at"] = cluster["updated_at"] = self._timeline.stamp()

        cluster["state"] = "LOCKED"
        self.jobs.start("cluster_delete", deleted, key=("cluster", cluster_id))
        return cluster

    # --- list --------------------------------------------------------------------

    def list_page(self, query: Mapping[str, str]) -> dict[str, Any]:
        self.jobs.settle()
        show_inactive = v.parse_bool(query.get("show_inactive"), "show_inactive")
        limit = page_limit(query)
        sort_by = v.enum(query.get("pagination.sort_by", "NAME"), "pagination.sort_by", _SORT_BY)
        clusters = (c for c in self._clusters.values() if show_inactive or c["state"] != "DELETED")
        page, pagination = keyset_page(clusters, query, _sort_key(sort_by), sort_by, limit=limit)
        return {"clusters": page, "pagination": pagination}

    # --- seeding -----------------------------------------------------------------

    def seed(self, count: int, creator_id: str) -> None:
        """Create ``count`` clusters named fleet-0001..., varied in plan, cloud and regions."""
        for i in range(1, count + 1):
            self.create(specs.seed_request(i), creator_id, instant=True)


def _sort_key(sort_by: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
    field = {"NAME": "name", "CREATED_AT": "created_at", "DELETED_AT": "deleted_at"}[sort_by]
    return lambda c: (c.get(field, ""), c["id"])


class Clusters(Area):
    """Create, list, get, update and delete clusters, in ``fake.clusters``."""

    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.store: ClusterStore = fake.clusters

    @handles("CockroachCloud_CreateCluster", audit="CREATE_CLUSTER")
    async def create(self, call: Call) -> web.StreamResponse:
        cluster = self.store.create(await call.body(), call.principal.user_id)
        call.applied(cluster=cluster)
        return ok(cluster)

    @handles("CockroachCloud_ListClusters")
    async def list_clusters(self, call: Call) -> web.StreamResponse:
        return ok(self.store.list_page(call.request.query))

    @handles("CockroachCloud_GetCluster")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self.store.existing(call.params["cluster_id"]))

    @handles("CockroachCloud_UpdateCluster", audit="UPDATE_CLUSTER")
    async def update(self, call: Call) -> web.StreamResponse:
        self.store.live(call.params["cluster_id"])  # 404, deleted or locked: before the body
        cluster = self.store.update(call.params["cluster_id"], await call.body())
        call.applied(cluster=cluster)
        return ok(cluster)

    @handles("CockroachCloud_DeleteCluster", audit="DELETE_CLUSTER")
    async def delete(self, call: Call) -> web.StreamResponse:
        cluster = self.store.delete(call.params["cluster_id"])
        call.applied(cluster=cluster)
        return ok(cluster)
