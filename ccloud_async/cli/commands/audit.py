"""``audit-logs list`` and ``audit-logs export`` (resumable, to JSON Lines)."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ..audit_export import (
    DEFAULT_PAGE_SIZE,
    check_time,
    export_audit_log,
    has_state,
    state_path,
)
from ..context import Context
from ..output import Column
from ._common import add_command

if TYPE_CHECKING:
    from ...models import AuditLogEntry

__all__ = ["register", "run_export"]

_COLUMNS: list[Column] = [
    ("CREATED", "created_at"),
    ("ACTION", "action"),
    ("CLUSTER", "cluster_name"),
    ("USER", lambda r: r.get("user_email") or r.get("service_account_name") or ""),
    ("SOURCE", "source"),
    ("ID", "id"),
]


def add_page_size(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--page-size",
        type=int,
        default=DEFAULT_PAGE_SIZE,
        metavar="N",
        help=f"entries asked per request ({DEFAULT_PAGE_SIZE})",
    )


def register(sub: Any) -> None:
    logs = add_command(sub, "audit-logs", "the organization's audit log")
    verbs = logs.add_subparsers(dest="verb", metavar="VERB", required=True)
    ls = add_command(verbs, "list", "list audit log entries, oldest first")
    ls.add_argument("--since", metavar="TIME", help="after this RFC 3339 time (exclusive)")
    ls.add_argument("--until", metavar="TIME", help="up to this RFC 3339 time (inclusive)")
    ls.add_argument("--limit", type=int, metavar="N", help="at most N entries")
    add_page_size(ls)
    ls.set_defaults(run=_list)

    ex = add_command(
        verbs,
        "export",
        "export audit log entries to JSON Lines, resumably",
        epilog=(
            "Progress is kept in FILE.resume after every page: re-run the same command to "
            "continue after an interruption (no entry lost or repeated). Without --until the "
            "state file stays, and re-running appends the entries logged since; with an "
            "--until in the past it is deleted when the export is complete."
        ),
    )
    ex.add_argument("--since", metavar="TIME", help="after this RFC 3339 time (exclusive)")
    ex.add_argument("--until", metavar="TIME", help="up to this RFC 3339 time (inclusive)")
    ex.add_argument("-o", "--file", dest="file", required=True, metavar="FILE.jsonl")
    ex.add_argument(
        "--overwrite", action="store_true", help="start over, ignoring FILE and FILE.resume"
    )
    add_page_size(ex)
    ex.set_defaults(run=_export)


async def _bounded(
    entries: AsyncIterator[AuditLogEntry], until_ns: int | None
) -> AsyncIterator[AuditLogEntry]:
    from ...audit.cursor import timestamp_ns

    async for entry in entries:
        created = entry.created_at
        if until_ns is not None and isinstance(created, str) and timestamp_ns(created) > until_ns:
            return
        yield entry


async def _list(ctx: Context, args: argparse.Namespace) -> int:
    check_time(args.since, "--since")
    until_ns = check_time(args.until, "--until")
    stream = ctx.client.audit_logs.list(starting_from=args.since, limit=args.page_size)
    await ctx.out.stream(_bounded(aiter(stream), until_ns), _COLUMNS, limit=args.limit)
    return 0


async def run_export(
    ctx: Context,
    path: str,
    *,
    since: str | None,
    until: str | None,
    page_size: int,
    overwrite: bool,
) -> dict[str, Any]:
    """The export with a progress bar and a closing line; shared with ``report``."""
    if ctx.emulator is not None and not overwrite and has_state(path):
        # The demo emulator's log is new on every run: a saved position means nothing.
        ctx.out.info("--emulator: its audit log is new on every run, so the export starts over")
        overwrite = True
    progress = ctx.progress("audit export", "entries")
    ctx.out.info(f"exporting audit log to {path} (state in {state_path(path)})")
    result = None
    try:
        result = await export_audit_log(
            ctx.client,
            path,
            since=since,
            until=until,
            page_size=page_size,
            overwrite=overwrite,
            on_page=lambda written, total: progress.update(written, extra=f"{total} in file"),
        )
    finally:
        progress.close()
        if result is None:
            ctx.out.info(
                f"export stopped after {progress.done} new entries; "
                "run the same command again to resume"
            )
    how = "resumed, " if result.resumed else ""
    end = (
        "complete"
        if result.finished
        else f"caught up; re-run to append newer entries ({state_path(path)} kept)"
    )
    ctx.out.info(
        f"audit export: {result.written} entries written ({how}{result.total} in {path}) "
        f"in {progress.elapsed:.1f} s; {end}"
    )
    return {
        "file": path,
        "written": result.written,
        "total": result.total,
        "resumed": result.resumed,
        "finished": result.finished,
    }


async def _export(ctx: Context, args: argparse.Namespace) -> int:
    summary = await run_export(
        ctx,
        args.file,
        since=args.since,
        until=args.until,
        page_size=args.page_size,
        overwrite=args.overwrite,
    )
    if ctx.out.json:
        ctx.out.write_json(summary)
    return 0
