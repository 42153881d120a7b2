"""Clusters: in-memory state, request validation and the five cluster operations.

Clusters are kept as the JSON objects the API returns (``fake.clusters.get(id)``), so a
response is the stored object itself and a test sees exactly what a client would see.

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
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from aiohttp import web

from . import validation as v
from .call import Call, Handler
from .common import Timeline, already_exists, not_found, precondition
from .errors import invalid, json_response
from .paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, keyset_page, page_limit
from .spec import enum_values
from .timings import Jobs

__all__ = [
    "BUSY_STATES",
    "DEFAULT_PAGE_SIZE",
    "LOCKED_MESSAGE",
    "MAX_PAGE_SIZE",
    "ClusterStore",
    "check_unlocked",
    "keyset_page",
    "page_limit",
]

BUSY_STATES = frozenset({"CREATING", "LOCKED"})
LOCKED_MESSAGE = "cluster is locked: an operation is in progress"

PROVIDERS = enum_values("CloudProvider.Type")
PLANS = enum_values("Plan.Type")
_PROTECTION = enum_values("DeleteProtectionState.Type")
_VISIBILITY = enum_values("NetworkVisibility.Type")
_UPGRADE_TYPES = enum_values("UpgradeType.Type")
_UPGRADE_STATUSES = enum_values("ClusterUpgradeStatus.Type")
_SORT_BY = ("NAME", "CREATED_AT", "DELETED_AT")

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{4,18}[a-z0-9]")
_NAME_RULE = (
    "must be 6-20 characters of lowercase letters, digits and dashes, "
    "not starting or ending with a dash"
)
MIN_ADVANCED_NODES = 3

# Major version -> the patch release a new or upgraded cluster runs.
COCKROACH_VERSIONS = {
    "v23.2": "v23.2.20",
    "v24.1": "v24.1.12",
    "v24.2": "v24.2.8",
    "v24.3": "v24.3.1",
}
DEFAULT_VERSION = "v24.3"

# A few machine types per provider, with their vCPU counts (memory is 4 GiB per vCPU).
MACHINE_TYPES: dict[str, dict[str, int]] = {
    "GCP": {f"n2-standard-{n}": n for n in (2, 4, 8, 16, 32)},
    "AWS": {
        "m6i.large": 2,
        "m6i.xlarge": 4,
        "m6i.2xlarge": 8,
        "m6i.4xlarge": 16,
        "m6i.8xlarge": 32,
    },
    "AZURE": {f"Standard_D{n}ds_v5": n for n in (2, 4, 8, 16, 32)},
}


def check_unlocked(cluster: Mapping[str, Any]) -> None:
    """400 (code 9) mentioning the lock while the cluster is CREATING or LOCKED."""
    if cluster["state"] in BUSY_STATES:
        raise precondition(LOCKED_MESSAGE)


class ClusterStore:
    def __init__(self, jobs: Jobs | None = None, timeline: Timeline | None = None) -> None:
        self._clusters: dict[str, dict[str, Any]] = {}
        self._live_names: set[str] = set()  # names of clusters not DELETED
        # Strictly increasing: CREATED_AT order is creation order.
        self._clock = timeline if timeline is not None else Timeline()
        self.jobs = jobs if jobs is not None else Jobs()

    # --- state -------------------------------------------------------------------

    def get(self, cluster_id: str) -> dict[str, Any] | None:
        self.jobs.settle()
        return self._clusters.get(cluster_id)

    def all(self) -> list[dict[str, Any]]:
        self.jobs.settle()
        return list(self._clusters.values())

    def __len__(self) -> int:
        return len(self._clusters)

    def _existing(self, cluster_id: str) -> dict[str, Any]:
        cluster = self.get(cluster_id)
        if cluster is None:
            raise not_found("cluster")
        return cluster

    def _live(self, cluster_id: str) -> dict[str, Any]:
        cluster = self._existing(cluster_id)
        if cluster["state"] == "DELETED":
            raise precondition("cluster is deleted")
        check_unlocked(cluster)
        return cluster

    # --- create ------------------------------------------------------------------

    def create(self, body: Any, creator_id: str, *, instant: bool = False) -> dict[str, Any]:
        """Validate a CreateClusterRequest and store the cluster; raises ApiError.

        The cluster is CREATING for ``timings.cluster_create`` seconds, unless ``instant``.
        """
        req = v.message(body, "", "CreateClusterRequest")
        name = v.string(v.required(req, "name"), "name")
        if not _NAME.fullmatch(name):
            raise invalid(f"name: {_NAME_RULE} (got {name!r})")
        provider = v.enum(v.required(req, "provider"), "provider", PROVIDERS)
        spec = v.message(v.required(req, "spec"), "spec", "CreateClusterSpecification")
        plan = v.enum(spec["plan"], "spec.plan", PLANS) if "plan" in spec else None
        if ("serverless" in spec) == ("dedicated" in spec):
            raise invalid("spec: must hold exactly one of serverless, dedicated")

        cluster_id = str(uuid.uuid4())
        cluster: dict[str, Any] = {
            "id": cluster_id,
            "name": name,
            "cockroach_version": COCKROACH_VERSIONS[DEFAULT_VERSION],
            "cloud_provider": provider,
            "account_id": _account_id(provider, cluster_id),
            "state": "CREATED",
            "creator_id": creator_id,
            # The live API sends this value although the enum spells it UNSPECIFIED;
            # clients must cope with enum values they do not know.
            "operation_status": "CLUSTER_STATUS_UNSPECIFIED",
            "upgrade_status": "FINALIZED",
            "labels": v.string_map(spec.get("labels", {}), "spec.labels"),
            "delete_protection": v.enum(
                spec.get("delete_protection", "DISABLED"), "spec.delete_protection", _PROTECTION
            ),
            "parent_id": v.string(spec.get("parent_id", "root"), "spec.parent_id") or "root",
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
        cluster["created_at"] = cluster["updated_at"] = self._clock.stamp()
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

    def _create_serverless(self, cluster: dict[str, Any], plan: str | None, raw: Any) -> None:
        path = "spec.serverless"
        spec = v.message(raw, path, "ServerlessClusterCreateSpecification")
        regions = _region_list(v.required(spec, "regions", path), f"{path}.regions")
        primary = _primary(spec.get("primary_region"), regions, f"{path}.primary_region")
        limits = _usage_limits(spec.get("usage_limits"), f"{path}.usage_limits")
        if "with_empty_ip_allowlist" in spec:
            v.boolean(spec["with_empty_ip_allowlist"], f"{path}.with_empty_ip_allowlist")
        if plan is None:
            plan = "STANDARD" if "provisioned_virtual_cpus" in limits else "BASIC"
        _check_serverless_plan(plan, limits, "spec.plan", f"{path}.usage_limits")
        cluster["plan"] = plan
        cluster["config"] = {
            "serverless": {
                "routing_id": f"{cluster['name']}-{int(cluster['id'][:4], 16) % 10000:04d}",
                "upgrade_type": v.enum(
                    spec.get("upgrade_type", "AUTOMATIC"), f"{path}.upgrade_type", _UPGRADE_TYPES
                ),
                **({"usage_limits": limits} if limits else {}),
            }
        }
        cluster["network_visibility"] = "PUBLIC"
        cluster["egress_traffic_policy"] = "UNSPECIFIED"
        cluster["cidr_range"] = ""
        _set_serverless_regions(cluster, regions, primary)

    def _create_dedicated(self, cluster: dict[str, Any], plan: str | None, raw: Any) -> None:
        path = "spec.dedicated"
        spec = v.message(raw, path, "DedicatedClusterCreateSpecification")
        if plan not in (None, "ADVANCED"):
            raise invalid(f"spec.plan: dedicated clusters are ADVANCED (got {plan!r})")
        provider = cluster["cloud_provider"]
        nodes = _region_nodes(v.required(spec, "region_nodes", path), f"{path}.region_nodes")
        hardware = v.message(
            v.required(spec, "hardware", path),
            f"{path}.hardware",
            "DedicatedHardwareCreateSpecification",
        )
        config = _hardware(provider, hardware, f"{path}.hardware", current=None)
        if "cockroach_version" in spec:
            cluster["cockroach_version"] = _version(
                spec["cockroach_version"], f"{path}.cockroach_version"
            )
        restrict = v.boolean(
            spec.get("restrict_egress_traffic", False), f"{path}.restrict_egress_traffic"
        )
        if "supports_cluster_virtualization" in spec:
            v.boolean(
                spec["supports_cluster_virtualization"], f"{path}.supports_cluster_virtualization"
            )
        cluster["plan"] = "ADVANCED"
        cluster["config"] = {"dedicated": config}
        cluster["network_visibility"] = v.enum(
            spec.get("network_visibility", "PUBLIC"), f"{path}.network_visibility", _VISIBILITY
        )
        cluster["egress_traffic_policy"] = "DEFAULT_DENY" if restrict else "ALLOW_ALL"
        cluster["cidr_range"] = v.string(
            spec.get("cidr_range", "172.28.0.0/14"), f"{path}.cidr_range"
        )
        _set_dedicated_regions(cluster, nodes)

    # --- update ------------------------------------------------------------------

    def update(self, cluster_id: str, body: Any) -> dict[str, Any]:
        """Apply an UpdateClusterSpecification; all checks pass before anything changes."""
        cluster = self._live(cluster_id)
        spec = v.message(body, "", "UpdateClusterSpecification")
        serverless = "serverless" in cluster["config"]
        if "serverless" in spec and not serverless:
            raise invalid("serverless: this is a dedicated cluster")
        if "dedicated" in spec and serverless:
            raise invalid("dedicated: this is a serverless cluster")
        changes: dict[str, Any] = {}
        plan = cluster["plan"]
        if "plan" in spec:
            plan = v.enum(spec["plan"], "plan", PLANS)
            if serverless and plan == "ADVANCED":
                raise invalid("plan: a serverless cluster cannot become ADVANCED")
            if not serverless and plan != "ADVANCED":
                raise invalid(f"plan: dedicated clusters are ADVANCED (got {plan!r})")
            changes["plan"] = plan
        if "labels" in spec:
            changes["labels"] = v.string_map(spec["labels"], "labels")
        if "delete_protection" in spec:
            changes["delete_protection"] = v.enum(
                spec["delete_protection"], "delete_protection", _PROTECTION
            )
        if "parent_id" in spec:
            changes["parent_id"] = v.string(spec["parent_id"], "parent_id") or "root"
        if "cockroach_version" in spec:
            changes["cockroach_version"] = _version(spec["cockroach_version"], "cockroach_version")
        if "upgrade_status" in spec:
            changes["upgrade_status"] = v.enum(
                spec["upgrade_status"], "upgrade_status", _UPGRADE_STATUSES
            )

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
                upd = v.message(spec["serverless"], path, "ServerlessClusterUpdateSpecification")
                if "regions" in upd:
                    names = _region_list(upd["regions"], f"{path}.regions")
                    if primary not in names:
                        primary = names[0]
                if "primary_region" in upd:
                    primary = _primary(upd["primary_region"], names, f"{path}.primary_region")
                if "usage_limits" in upd:
                    # A message field replaces the stored one as a whole.
                    limits = _usage_limits(upd["usage_limits"], f"{path}.usage_limits")
                if "upgrade_type" in upd:
                    sconf["upgrade_type"] = v.enum(
                        upd["upgrade_type"], f"{path}.upgrade_type", _UPGRADE_TYPES
                    )
            _check_serverless_plan(plan, limits, "plan", "serverless.usage_limits")
            sconf.pop("usage_limits", None)
            if limits:
                sconf["usage_limits"] = limits
        elif "dedicated" in spec:
            path = "dedicated"
            upd = v.message(spec["dedicated"], path, "DedicatedClusterUpdateSpecification")
            if "region_nodes" in upd:
                nodes = _region_nodes(upd["region_nodes"], f"{path}.region_nodes")
            if "hardware" in upd:
                hardware = v.message(
                    upd["hardware"], f"{path}.hardware", "DedicatedHardwareUpdateSpecification"
                )
                config["dedicated"] = _hardware(
                    cluster["cloud_provider"], hardware, f"{path}.hardware", config["dedicated"]
                )

        # Every check passed: apply.
        operation = _operation(cluster, changes, config, names, primary, nodes)
        cluster.update(changes)
        cluster["config"] = config
        if serverless:
            _set_serverless_regions(cluster, names, primary)
        else:
            _set_dedicated_regions(cluster, nodes)
        cluster["updated_at"] = self._clock.stamp()
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
        cluster = self._existing(cluster_id)
        if cluster["state"] == "DELETED":
            raise precondition("cluster is already deleted")
        check_unlocked(cluster)
        if cluster["delete_protection"] == "ENABLED":
            raise precondition("delete_protection is ENABLED; disable it before deleting")

        def deleted(failure: str | None) -> None:
            cluster["state"] = "DELETED"
            self._live_names.discard(cluster["name"])
            cluster["deleted_at"] = cluster["updated_at"] = self._clock.stamp()

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
            self.create(_seed_request(i), creator_id, instant=True)

    # --- handlers ----------------------------------------------------------------

    def handlers(self) -> dict[str, Handler]:
        async def create(call: Call) -> web.StreamResponse:
            cluster = self.create(await call.json(), call.principal.user_id)
            call.applied()
            return json_response(cluster)

        async def list_clusters(call: Call) -> web.StreamResponse:
            return json_response(self.list_page(call.request.query))

        async def get(call: Call) -> web.StreamResponse:
            return json_response(self._existing(call.params["cluster_id"]))

        async def update(call: Call) -> web.StreamResponse:
            self._existing(call.params["cluster_id"])  # 404 before parsing the body
            cluster = self.update(call.params["cluster_id"], await call.json())
            call.applied()
            return json_response(cluster)

        async def delete(call: Call) -> web.StreamResponse:
            cluster = self.delete(call.params["cluster_id"])
            call.applied()
            return json_response(cluster)

        return {
            "CockroachCloud_CreateCluster": create,
            "CockroachCloud_ListClusters": list_clusters,
            "CockroachCloud_GetCluster": get,
            "CockroachCloud_UpdateCluster": update,
            "CockroachCloud_DeleteCluster": delete,
        }


# --- field rules -------------------------------------------------------------------


def _operation(
    cluster: Mapping[str, Any],
    changes: Mapping[str, Any],
    config: Any,
    names: list[str],
    primary: str,
    nodes: Mapping[str, int],
) -> str | None:
    """The ``*_RUNNING`` operation an update starts; None for a metadata-only one."""
    version = changes.get("cockroach_version", cluster["cockroach_version"])
    if version != cluster["cockroach_version"]:
        same_major = version.split(".")[:2] == cluster["cockroach_version"].split(".")[:2]
        return "CRDB_PATCH_RUNNING" if same_major else "CRDB_MAJOR_UPGRADE_RUNNING"
    regions = cluster["regions"]
    old_primary = next((r["name"] for r in regions if r.get("primary")), None)
    if (
        config != cluster["config"]
        or [r["name"] for r in regions] != (names if "serverless" in config else sorted(nodes))
        or ("serverless" in config and primary != old_primary)
        or ("dedicated" in config and {r["name"]: r["node_count"] for r in regions} != nodes)
    ):
        return "CRDB_SCALE_RUNNING"
    if changes.get("plan", cluster["plan"]) != cluster["plan"] or (
        changes.get("upgrade_status", cluster["upgrade_status"]) != cluster["upgrade_status"]
    ):
        return "CRDB_EDIT_CLUSTER_RUNNING"
    return None


def _region_list(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise invalid(f"{path}: must be a non-empty list of region names")
    names = [v.string(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise invalid(f"{path}: region names must be non-empty and distinct")
    return names


def _primary(value: Any, regions: list[str], path: str) -> str:
    if value is None or value == "":
        return regions[0]
    primary = v.string(value, path)
    if primary not in regions:
        raise invalid(f"{path}: {primary!r} is not one of the cluster's regions")
    return primary


def _usage_limits(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    limits = v.message(value, path, "UsageLimits")
    # int64 values travel as strings both ways.
    return {name: str(v.int64(raw, f"{path}.{name}", minimum=0)) for name, raw in limits.items()}


def _check_serverless_plan(
    plan: str, limits: Mapping[str, str], plan_path: str, limits_path: str
) -> None:
    if plan == "ADVANCED":
        raise invalid(f"{plan_path}: ADVANCED clusters are dedicated; use spec.dedicated")
    if plan == "BASIC" and "provisioned_virtual_cpus" in limits:
        raise invalid(
            f"{limits_path}.provisioned_virtual_cpus: only STANDARD clusters have provisioned vCPUs"
        )


def _region_nodes(value: Any, path: str) -> dict[str, int]:
    if not isinstance(value, dict) or not value:
        raise invalid(f"{path}: must map at least one region to its node count")
    nodes = {}
    for region, count in value.items():
        if not region:
            raise invalid(f"{path}: region names must be non-empty")
        nodes[region] = v.int32(count, f"{path}.{region}")
        if nodes[region] < MIN_ADVANCED_NODES:
            raise invalid(
                f"{path}.{region}: ADVANCED clusters need at least "
                f"{MIN_ADVANCED_NODES} nodes per region (got {nodes[region]})"
            )
    return nodes


def _hardware(
    provider: str, spec: dict[str, Any], path: str, current: dict[str, Any] | None
) -> dict[str, Any]:
    """DedicatedHardwareConfig from a create spec (current=None) or an update."""
    config = dict(current) if current is not None else {}
    machines = MACHINE_TYPES[provider]
    if "machine_spec" in spec:
        mpath = f"{path}.machine_spec"
        machine = v.message(spec["machine_spec"], mpath, "DedicatedMachineTypeSpecification")
        if "machine_type" in machine:
            machine_type = v.string(machine["machine_type"], f"{mpath}.machine_type")
            if machine_type not in machines:
                raise invalid(
                    f"{mpath}.machine_type: unknown {provider} machine type {machine_type!r}; "
                    f"one of {', '.join(machines)}"
                )
            vcpus = machines[machine_type]
            if "num_virtual_cpus" in machine and machine["num_virtual_cpus"] != vcpus:
                raise invalid(f"{mpath}.num_virtual_cpus: {machine_type} has {vcpus} vCPUs")
        elif "num_virtual_cpus" in machine:
            vcpus = v.int32(machine["num_virtual_cpus"], f"{mpath}.num_virtual_cpus")
            by_size = {n: name for name, n in machines.items()}
            if vcpus not in by_size:
                sizes = ", ".join(str(n) for n in sorted(by_size))
                raise invalid(f"{mpath}.num_virtual_cpus: must be one of {sizes}")
            machine_type = by_size[vcpus]
        else:
            raise invalid(f"{mpath}: set machine_type or num_virtual_cpus")
        config.update(
            machine_type=machine_type, num_virtual_cpus=vcpus, memory_gib=float(vcpus * 4)
        )
    elif current is None:
        raise invalid(f"{path}.machine_spec: is required")
    if "storage_gib" in spec:
        storage = v.int32(spec["storage_gib"], f"{path}.storage_gib", minimum=1)
        if current is not None and storage < current["storage_gib"]:
            raise invalid(
                f"{path}.storage_gib: storage cannot shrink (now {current['storage_gib']})"
            )
        config["storage_gib"] = storage
    elif current is None:
        raise invalid(f"{path}.storage_gib: is required")
    if "disk_iops" in spec:
        config["disk_iops"] = v.int32(spec["disk_iops"], f"{path}.disk_iops", minimum=0)
    if not config.get("disk_iops"):
        # An illustrative default that grows with storage.
        config["disk_iops"] = max(3000, config["storage_gib"] * 30)
    return config


def _version(value: Any, path: str) -> str:
    version = v.string(value, path)
    major = ".".join(version.split(".")[:2])
    if major not in COCKROACH_VERSIONS:
        raise invalid(
            f"{path}: unsupported version {version!r}; one of {', '.join(COCKROACH_VERSIONS)}"
        )
    return COCKROACH_VERSIONS[major]


def _account_id(provider: str, cluster_id: str) -> str:
    digits = int(cluster_id.replace("-", ""), 16)
    if provider == "AWS":
        return f"{digits % 10**12:012d}"
    if provider == "GCP":
        return f"crl-prod-{cluster_id[:6]}"
    return str(uuid.uuid5(uuid.NAMESPACE_OID, cluster_id))


def _dns(cluster: dict[str, Any], region: str) -> str:
    tag = f"{cluster['name']}-{cluster['id'][:4]}"
    return f"{tag}.{cluster['cloud_provider'].lower()}-{region}.cockroachlabs.cloud"


def _set_serverless_regions(cluster: dict[str, Any], names: list[str], primary: str) -> None:
    cluster["regions"] = [
        {
            "name": name,
            "sql_dns": _dns(cluster, name),
            "ui_dns": "",
            "internal_dns": "",
            "private_endpoint_dns": "",
            "node_count": 0,
            "primary": name == primary,
        }
        for name in names
    ]
    cluster["sql_dns"] = _dns(cluster, primary)


def _set_dedicated_regions(cluster: dict[str, Any], nodes: Mapping[str, int]) -> None:
    cluster["regions"] = [
        {
            "name": name,
            "sql_dns": _dns(cluster, name),
            "ui_dns": f"admin-{_dns(cluster, name)}",
            "internal_dns": f"internal-{_dns(cluster, name)}",
            "private_endpoint_dns": f"private-{_dns(cluster, name)}",
            "node_count": count,
            "primary": False,
        }
        for name, count in sorted(nodes.items())
    ]
    cluster["sql_dns"] = cluster["regions"][0]["sql_dns"]


# --- pagination --------------------------------------------------------------------


def _sort_key(sort_by: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
    field = {"NAME": "name", "CREATED_AT": "created_at", "DELETED_AT": "deleted_at"}[sort_by]
    return lambda c: (c.get(field, ""), c["id"])


# --- seeds -------------------------------------------------------------------------


def _seed_request(i: int) -> dict[str, Any]:
    name = f"fleet-{i:04d}"
    variant = i % 5
    if variant == 0:
        spec: dict[str, Any] = {"serverless": {"regions": ["us-central1"]}}
        provider = "GCP"
    elif variant == 1:
        spec = {
            "serverless": {
                "regions": ["us-east-1"],
                "usage_limits": {"provisioned_virtual_cpus": "2"},
            }
        }
        provider = "AWS"
    elif variant == 2:
        spec = {
            "dedicated": {
                "region_nodes": {"eastus": 3},
                "hardware": {"machine_spec": {"num_virtual_cpus": 4}, "storage_gib": 150},
            }
        }
        provider = "AZURE"
    elif variant == 3:
        regions = ["us-east1", "europe-west1", "asia-southeast1"]
        spec = {
            "serverless": {
                "regions": regions,
                "primary_region": "us-east1",
                "usage_limits": {"request_unit_limit": "50000000", "storage_mib_limit": "10240"},
            }
        }
        provider = "GCP"
    else:
        spec = {
            "dedicated": {
                "region_nodes": {"us-east-1": 3, "us-west-2": 3, "eu-west-1": 3},
                "hardware": {"machine_spec": {"machine_type": "m6i.2xlarge"}, "storage_gib": 300},
            }
        }
        provider = "AWS"
    spec["labels"] = {"fleet": "seed", "tier": ("dev", "staging", "prod")[i % 3]}
    return {"name": name, "provider": provider, "spec": spec}
