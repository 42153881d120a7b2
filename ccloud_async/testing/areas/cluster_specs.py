"""How a cluster's specification becomes the cluster object: the field rules a schema
cannot say (name, region and node counts, machine types, versions), the derived fields
(regions with their DNS names, account ids, the operation an update starts) and the
varied requests ``ClusterStore.seed`` creates the seeded fleet from.

Kept apart from ``clusters.py``, which stores clusters and answers the operations, so
that each reads on its own. Inputs here have already passed the request schema check
(``Call.body``); a failure is a 400 whose message starts with the field's path.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from .. import validation as v
from ..errors import invalid

__all__ = [
    "COCKROACH_VERSIONS",
    "DEFAULT_VERSION",
    "MACHINE_TYPES",
    "MIN_ADVANCED_NODES",
    "account_id",
    "check_serverless_plan",
    "cockroach_version",
    "hardware",
    "operation_for",
    "primary_region",
    "region_list",
    "region_nodes",
    "seed_request",
    "set_dedicated_regions",
    "set_serverless_regions",
    "usage_limits",
]

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


def operation_for(
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


def region_list(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise invalid(f"{path}: must be a non-empty list of region names")
    names = [v.string(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise invalid(f"{path}: region names must be non-empty and distinct")
    return names


def primary_region(value: Any, regions: list[str], path: str) -> str:
    if value is None or value == "":
        return regions[0]
    primary = v.string(value, path)
    if primary not in regions:
        raise invalid(f"{path}: {primary!r} is not one of the cluster's regions")
    return primary


def usage_limits(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    limits: dict[str, Any] = value
    # int64 values travel as strings both ways.
    return {name: str(v.int64(raw, f"{path}.{name}", minimum=0)) for name, raw in limits.items()}


def check_serverless_plan(
    plan: str, limits: Mapping[str, str], plan_path: str, limits_path: str
) -> None:
    if plan == "ADVANCED":
        raise invalid(f"{plan_path}: ADVANCED clusters are dedicated; use spec.dedicated")
    if plan == "BASIC" and "provisioned_virtual_cpus" in limits:
        raise invalid(
            f"{limits_path}.provisioned_virtual_cpus: only STANDARD clusters have provisioned vCPUs"
        )


def region_nodes(value: Any, path: str) -> dict[str, int]:
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


def hardware(
    provider: str, spec: dict[str, Any], path: str, current: dict[str, Any] | None
) -> dict[str, Any]:
    """DedicatedHardwareConfig from a create spec (current=None) or an update."""
    config = dict(current) if current is not None else {}
    machines = MACHINE_TYPES[provider]
    if "machine_spec" in spec:
        mpath = f"{path}.machine_spec"
        machine = spec["machine_spec"]
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


def cockroach_version(value: Any, path: str) -> str:
    """The patch release a requested version (major or patch) runs."""
    requested = v.string(value, path)
    major = ".".join(requested.split(".")[:2])
    if major not in COCKROACH_VERSIONS:
        raise invalid(
            f"{path}: unsupported version {requested!r}; one of {', '.join(COCKROACH_VERSIONS)}"
        )
    return COCKROACH_VERSIONS[major]


def account_id(provider: str, cluster_id: str) -> str:
    digits = int(cluster_id.replace("-", ""), 16)
    if provider == "AWS":
        return f"{digits % 10**12:012d}"
    if provider == "GCP":
        return f"crl-prod-{cluster_id[:6]}"
    return str(uuid.uuid5(uuid.NAMESPACE_OID, cluster_id))


def _dns(cluster: dict[str, Any], region: str) -> str:
    tag = f"{cluster['name']}-{cluster['id'][:4]}"
    return f"{tag}.{cluster['cloud_provider'].lower()}-{region}.cockroachlabs.cloud"


def set_serverless_regions(cluster: dict[str, Any], names: list[str], primary: str) -> None:
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


def set_dedicated_regions(cluster: dict[str, Any], nodes: Mapping[str, int]) -> None:
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


def seed_request(i: int) -> dict[str, Any]:
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
