"""``clusters list|get|create|delete|wait|nodes``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..context import Context
from ..exit_codes import UsageError
from ..output import Column
from ._common import add_command, confirm, regions, text

__all__ = ["CLUSTER_COLUMNS", "register"]

CLUSTER_COLUMNS: list[Column] = [
    ("NAME", "name"),
    ("ID", "id"),
    ("STATE", "state"),
    ("PLAN", "plan"),
    ("CLOUD", "cloud_provider"),
    ("REGIONS", regions),
    ("VERSION", "cockroach_version"),
]
_NODES: list[Column] = [("NAME", "name"), ("REGION", "region_name"), ("STATUS", "status")]
_DEFAULT_REGION = {"GCP": "us-central1", "AWS": "us-east-1", "AZURE": "eastus"}


def register(sub: Any) -> None:
    clusters = add_command(sub, "clusters", "clusters of the organization")
    verbs = clusters.add_subparsers(dest="verb", metavar="VERB", required=True)

    ls = add_command(verbs, "list", "list clusters")
    ls.add_argument("--all", action="store_true", help="include deleted clusters")
    ls.set_defaults(run=_list)

    get = add_command(verbs, "get", "show one cluster")
    get.add_argument("cluster_id", metavar="ID")
    get.set_defaults(run=_get)

    create = add_command(verbs, "create", "create a cluster")
    create.add_argument("--name", required=True, help="6-20 chars: a-z, 0-9, dashes")
    create.add_argument("--provider", required=True, choices=("GCP", "AWS", "AZURE"))
    create.add_argument(
        "--plan", choices=("BASIC", "STANDARD", "ADVANCED"), default="BASIC", help="(BASIC)"
    )
    create.add_argument(
        "--region", action="append", dest="regions", metavar="REGION", help="repeatable"
    )
    create.add_argument(
        "--vcpus",
        type=int,
        default=2,
        help="STANDARD: provisioned vCPUs; ADVANCED: vCPUs per node (2 / 4)",
    )
    create.add_argument("--nodes", type=int, default=3, help="ADVANCED: nodes per region (3)")
    create.add_argument("--storage-gib", type=int, default=15, help="ADVANCED: per node (15)")
    create.add_argument(
        "--spec-json", metavar="JSON", help="the whole CreateClusterSpecification instead"
    )
    create.add_argument("--wait", action="store_true", help="wait until CREATED")
    create.set_defaults(run=_create)

    delete = add_command(verbs, "delete", "delete a cluster (permanent)")
    delete.add_argument("cluster_id", metavar="ID")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask")
    delete.set_defaults(run=_delete)

    wait = add_command(verbs, "wait", "wait until a cluster reaches a state")
    wait.add_argument("cluster_id", metavar="ID")
    wait.add_argument("--until", choices=("CREATED", "DELETED", "IDLE"), default="CREATED")
    wait.add_argument(
        "--timeout", dest="wait_timeout", type=float, default=3600.0, metavar="S", help="(3600)"
    )
    wait.set_defaults(run=_wait)

    nodes = add_command(verbs, "nodes", "list the nodes of a cluster")
    nodes.add_argument("cluster_id", metavar="ID")
    nodes.set_defaults(run=_nodes)


async def _list(ctx: Context, args: argparse.Namespace) -> int:
    pager = ctx.client.clusters.list(show_inactive=args.all or None, limit=500)
    await ctx.out.stream(pager, CLUSTER_COLUMNS)
    return 0


async def _get(ctx: Context, args: argparse.Namespace) -> int:
    ctx.out.one(await ctx.client.clusters.get(args.cluster_id))
    return 0


def build_spec(args: argparse.Namespace) -> dict[str, Any]:
    """The CreateClusterSpecification for ``clusters create``'s options."""
    if args.spec_json:
        try:
            spec = json.loads(args.spec_json)
        except ValueError as exc:
            raise UsageError(f"--spec-json is not JSON: {exc}") from None
        if not isinstance(spec, dict):
            raise UsageError("--spec-json must be a JSON object")
        return spec
    names = args.regions or [_DEFAULT_REGION[args.provider]]
    if args.plan == "ADVANCED":
        return {
            "plan": "ADVANCED",
            "dedicated": {
                "region_nodes": {name: args.nodes for name in names},
                "hardware": {
                    "machine_spec": {"num_virtual_cpus": args.vcpus},
                    "storage_gib": args.storage_gib,
                },
            },
        }
    serverless: dict[str, Any] = {"regions": names}
    if args.plan == "STANDARD":
        serverless["usage_limits"] = {"provisioned_virtual_cpus": args.vcpus}
    return {"plan": args.plan, "serverless": serverless}


async def _create(ctx: Context, args: argparse.Namespace) -> int:
    cluster = await ctx.client.clusters.create(
        name=args.name, provider=args.provider, spec=build_spec(args)
    )
    ctx.out.info(f"created cluster {cluster.name} ({cluster.id}), state {text(cluster.state)}")
    if args.wait:
        cluster = await ctx.client.clusters.wait(
            cluster.id, "CREATED", on_change=_announce(ctx, cluster.id)
        )
    ctx.out.one(cluster)
    return 0


async def _delete(ctx: Context, args: argparse.Namespace) -> int:
    confirm(
        f"Delete cluster {args.cluster_id}? This cannot be undone.",
        assume_yes=args.yes,
        interactive=ctx.interactive,
    )
    cluster = await ctx.client.clusters.delete(args.cluster_id)
    ctx.out.info(f"deleted cluster {cluster.name or args.cluster_id}")
    ctx.out.one(cluster)
    return 0


def _announce(ctx: Context, cluster_id: str) -> Any:
    def on_change(state: str, value: object) -> None:
        ctx.out.info(f"cluster {cluster_id}: {text(state)}")

    return on_change


async def _wait(ctx: Context, args: argparse.Namespace) -> int:
    cluster = await ctx.client.clusters.wait(
        args.cluster_id,
        args.until,
        timeout=args.wait_timeout or None,
        on_change=_announce(ctx, args.cluster_id),
    )
    ctx.out.one(cluster)
    return 0


async def _nodes(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.out.stream(ctx.client.clusters.list_nodes(args.cluster_id, limit=500), _NODES)
    return 0
