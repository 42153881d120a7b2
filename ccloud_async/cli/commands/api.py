"""``api METHOD PATH``: any endpoint, through the same limiter, retries and errors."""

from __future__ import annotations

import argparse
from typing import Any

from ..context import Context
from ..exit_codes import UsageError
from ._common import add_command

__all__ = ["register"]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def register(sub: Any) -> None:
    api = add_command(
        sub,
        "api",
        "call any endpoint of the API (e.g. one newer than this release)",
        epilog="example: ccloud-async api GET /api/v1/clusters --query pagination.limit=5",
    )
    api.add_argument("method", type=str.upper, choices=_METHODS, metavar="METHOD")
    api.add_argument("path", metavar="PATH", help="e.g. /api/v1/clusters/ID")
    api.add_argument(
        "--query",
        "-Q",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a query parameter (repeatable)",
    )
    api.add_argument(
        "--body", metavar="JSON|@FILE|-", help="a JSON body, from a file (@FILE) or stdin (-)"
    )
    api.add_argument(
        "--retry-unsafe",
        action="store_true",
        help="re-send a POST/PATCH after an ambiguous failure (only if it is safe to repeat)",
    )
    api.set_defaults(run=_run)


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--query takes NAME=VALUE, got {item!r}")
        pairs.append((name, value))
    return pairs


async def _run(ctx: Context, args: argparse.Namespace) -> int:
    from ..api_commands import read_body

    if not args.path.startswith("/"):
        raise UsageError(f"PATH must start with '/', got {args.path!r}")
    body = read_body(args.body) if args.body is not None else None
    query = dict(_pairs(args.query))  # a name given twice: the last value
    result = await ctx.client.request(
        args.method,
        args.path,
        query=query or None,
        body=body,
        retry_unsafe=args.retry_unsafe or None,
    )
    ctx.out.one(result)
    return 0
