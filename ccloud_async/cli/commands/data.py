"""``backups list CLUSTER`` and ``restores list CLUSTER``."""

from __future__ import annotations

import argparse
from typing import Any

from ..context import Context
from ..output import Column
from ._common import add_command

__all__ = ["register"]

_BACKUPS: list[Column] = [("ID", "id"), ("AS OF", "as_of_time")]
_RESTORES: list[Column] = [
    ("ID", "id"),
    ("STATUS", "status"),
    ("DONE %", "completion_percent"),
    ("TYPE", "type"),
    ("CREATED", "created_at"),
    ("BACKUP", "backup_id"),
]


def register(sub: Any) -> None:
    for name, help_text, run in (
        ("backups", "managed backups of a cluster", _backups),
        ("restores", "restores into a cluster", _restores),
    ):
        group = add_command(sub, name, help_text)
        verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
        ls = add_command(verbs, "list", f"list {name} of a cluster")
        ls.add_argument("cluster_id", metavar="CLUSTER")
        ls.set_defaults(run=run)


async def _backups(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.out.stream(ctx.client.backups.list(args.cluster_id), _BACKUPS)
    return 0


async def _restores(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.out.stream(ctx.client.restores.list(args.cluster_id), _RESTORES)
    return 0
