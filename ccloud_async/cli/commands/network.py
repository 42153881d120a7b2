"""``allowlist list|add|delete`` (IP allowlist of a cluster)."""

from __future__ import annotations

import argparse
import ipaddress
from typing import Any

from ..context import Context
from ..exit_codes import UsageError
from ..output import Column
from ._common import add_command

__all__ = ["register"]

_COLUMNS: list[Column] = [
    ("CIDR", lambda r: f"{r.get('cidr_ip')}/{r.get('cidr_mask')}"),
    ("NAME", "name"),
    ("SQL", "sql"),
    ("UI", "ui"),
]


def _cidr(text: str) -> tuple[str, int]:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a CIDR range: {exc}") from None
    return str(network.network_address), network.prefixlen


def register(sub: Any) -> None:
    allow = add_command(sub, "allowlist", "IP allowlist of a cluster")
    verbs = allow.add_subparsers(dest="verb", metavar="VERB", required=True)
    ls = add_command(verbs, "list", "list allowlist entries")
    ls.add_argument("cluster_id", metavar="CLUSTER")
    ls.set_defaults(run=_list)
    add = add_command(verbs, "add", "allow a CIDR range")
    add.add_argument("cluster_id", metavar="CLUSTER")
    add.add_argument("cidr", metavar="CIDR", type=_cidr, help="e.g. 203.0.113.0/24")
    add.add_argument("--name", help="a label for the entry")
    add.add_argument("--no-sql", action="store_true", help="do not allow SQL connections")
    add.add_argument("--ui", action="store_true", help="allow the DB Console too")
    add.set_defaults(run=_add)
    delete = add_command(verbs, "delete", "remove a CIDR range")
    delete.add_argument("cluster_id", metavar="CLUSTER")
    delete.add_argument("cidr", metavar="CIDR", type=_cidr)
    delete.set_defaults(run=_delete)


async def _list(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.out.stream(ctx.client.allowlist.list(args.cluster_id), _COLUMNS)
    return 0


async def _add(ctx: Context, args: argparse.Namespace) -> int:
    ip, mask = args.cidr
    if args.no_sql and not args.ui:
        raise UsageError("an entry must allow SQL or the UI (drop --no-sql or add --ui)")
    kwargs: dict[str, Any] = {"cidr_ip": ip, "cidr_mask": mask, "sql": not args.no_sql}
    kwargs["ui"] = args.ui
    if args.name:
        kwargs["name"] = args.name
    entry = await ctx.client.allowlist.add(args.cluster_id, **kwargs)
    ctx.out.info(f"allowed {ip}/{mask} on cluster {args.cluster_id}")
    ctx.out.one(entry)
    return 0


async def _delete(ctx: Context, args: argparse.Namespace) -> int:
    ip, mask = args.cidr
    entry = await ctx.client.allowlist.delete(args.cluster_id, ip, mask)
    ctx.out.info(f"removed {ip}/{mask} from cluster {args.cluster_id}")
    ctx.out.one(entry)
    return 0
