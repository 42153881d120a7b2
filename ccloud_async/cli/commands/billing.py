"""``invoices list|get``."""

from __future__ import annotations

import argparse
from typing import Any

from ..context import Context
from ..output import Column
from ._common import add_command

__all__ = ["register"]

_COLUMNS: list[Column] = [
    ("ID", "invoice_id"),
    ("PERIOD START", "period_start"),
    ("PERIOD END", "period_end"),
    ("STATUS", "status"),
    ("TOTAL", lambda r: " ".join(f"{t.get('amount')} {t.get('currency')}" for t in r["totals"])),
]


def register(sub: Any) -> None:
    inv = add_command(sub, "invoices", "invoices of the organization")
    verbs = inv.add_subparsers(dest="verb", metavar="VERB", required=True)
    ls = add_command(verbs, "list", "list invoices")
    ls.add_argument("--status", help="only invoices with this status (e.g. FINALIZED)")
    ls.set_defaults(run=_list)
    get = add_command(verbs, "get", "show one invoice with its line items")
    get.add_argument("invoice_id", metavar="ID")
    get.set_defaults(run=_get)


async def _list(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.out.stream(ctx.client.invoices.list(status=args.status), _COLUMNS)
    return 0


async def _get(ctx: Context, args: argparse.Namespace) -> int:
    ctx.out.one(await ctx.client.invoices.get(args.invoice_id))
    return 0
