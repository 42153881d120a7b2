"""``organization get``."""

from __future__ import annotations

import argparse
from typing import Any

from ..context import Context
from ._common import add_command

__all__ = ["register"]


def register(sub: Any) -> None:
    org = add_command(sub, "organization", "the organization of the credentials")
    verbs = org.add_subparsers(dest="verb", metavar="VERB", required=True)
    add_command(verbs, "get", "show the organization").set_defaults(run=_get)


async def _get(ctx: Context, args: argparse.Namespace) -> int:
    ctx.out.one(await ctx.client.organization.get())
    return 0
