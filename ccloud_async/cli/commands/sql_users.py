"""``sql-users list|create|delete``. Passwords are read, sent, and forgotten.

The password comes from ``--password-stdin`` (first line of stdin) or a prompt that
does not echo; it is never printed, logged, or put in an error message.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..context import Context
from ..exit_codes import UsageError
from ..output import Column
from ._common import add_command, confirm

__all__ = ["register"]

_COLUMNS: list[Column] = [("NAME", "name")]


def register(sub: Any) -> None:
    users = add_command(sub, "sql-users", "SQL users of a cluster")
    verbs = users.add_subparsers(dest="verb", metavar="VERB", required=True)
    ls = add_command(verbs, "list", "list SQL users")
    ls.add_argument("cluster_id", metavar="CLUSTER")
    ls.set_defaults(run=_list)
    create = add_command(verbs, "create", "create a SQL user")
    create.add_argument("cluster_id", metavar="CLUSTER")
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    create.set_defaults(run=_create)
    delete = add_command(verbs, "delete", "drop a SQL user")
    delete.add_argument("cluster_id", metavar="CLUSTER")
    delete.add_argument("name", metavar="NAME")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask")
    delete.set_defaults(run=_delete)


async def _list(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.out.stream(ctx.client.sql_users.list(args.cluster_id), _COLUMNS)
    return 0


def read_password(from_stdin: bool, interactive: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif interactive:
        import getpass

        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise UsageError("the passwords do not match")
    else:
        raise UsageError("no password: use --password-stdin or run on a terminal")
    if not password:
        raise UsageError("the password is empty")
    return password


async def _create(ctx: Context, args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin, ctx.interactive)
    user = await ctx.client.sql_users.create(args.cluster_id, name=args.name, password=password)
    del password
    ctx.out.info(f"created SQL user {user.name}")
    ctx.out.one(user)
    return 0


async def _delete(ctx: Context, args: argparse.Namespace) -> int:
    confirm(
        f"Drop SQL user {args.name} of cluster {args.cluster_id}?",
        assume_yes=args.yes,
        interactive=ctx.interactive,
    )
    user = await ctx.client.sql_users.delete(args.cluster_id, args.name)
    ctx.out.info(f"dropped SQL user {user.name or args.name}")
    ctx.out.one(user)
    return 0
