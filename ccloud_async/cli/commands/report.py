"""``report``: every cluster of the organization with its node count, fetched as a fleet.

One ``clusters.list`` (pages of 500), then ``clusters.list_nodes`` for each cluster via
:func:`ccloud_async.stream_fleet` — the client's limiter paces the requests (10/s), so a
200-cluster organization takes ~20 s. Prints a table (or JSON) sorted by name, then a
summary line. ``--export-audit FILE`` then runs ``audit-logs export`` into FILE.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..context import Context
from ..exit_codes import OK, exit_code_for
from ..output import Column, plain
from ._common import add_command, regions, text

if TYPE_CHECKING:
    from ...models import Cluster

__all__ = ["register"]

_COLUMNS: list[Column] = [
    ("NAME", "name"),
    ("ID", "id"),
    ("STATE", "state"),
    ("PLAN", "plan"),
    ("CLOUD", "cloud"),
    ("REGIONS", lambda r: ",".join(r.get("regions") or [])),
    ("NODES", lambda r: r["nodes"] if r.get("error") is None else f"error: {r['error']}"),
]


def register(sub: Any) -> None:
    rep = add_command(sub, "report", "fleet report: every cluster with its state and nodes")
    rep.add_argument("--all", action="store_true", help="include deleted clusters")
    rep.add_argument(
        "--concurrency", type=int, default=10, metavar="N", help="clusters at once (10)"
    )
    rep.add_argument("--export-audit", metavar="FILE.jsonl", help="then export the audit log")
    rep.add_argument("--overwrite", action="store_true", help="with --export-audit: start over")
    rep.set_defaults(run=_report)


def _row(cluster: Cluster) -> dict[str, Any]:
    data = plain(cluster)
    return {
        "name": cluster.name,
        "id": cluster.id,
        "state": text(cluster.state),
        "plan": text(cluster.plan),
        "cloud": text(cluster.cloud_provider),
        "regions": regions(data).split(",") if cluster.regions else [],
        "nodes": None,
        "error": None,
    }


async def _report(ctx: Context, args: argparse.Namespace) -> int:
    from ...fleet import FleetProgress, stream_fleet

    cloud = ctx.client
    started = time.monotonic()
    ctx.out.info("fetching clusters...")
    clusters = await cloud.clusters.list(show_inactive=args.all or None, limit=500).to_list()
    ctx.out.info(
        f"{len(clusters)} clusters; counting their nodes "
        f"({len(clusters)} requests, paced by the client's limiter)"
    )
    progress = ctx.progress("nodes", "clusters", total=len(clusters))

    def on_progress(p: FleetProgress) -> None:
        progress.update(p.done, extra=f"{p.failed} failed" if p.failed else "")

    async def count_nodes(cluster: Cluster) -> int:
        return len(await cloud.clusters.list_nodes(cluster.id, limit=500).to_list())

    rows: list[dict[str, Any]] = [_row(c) for c in clusters]
    first_error: Exception | None = None
    try:
        async with stream_fleet(
            count_nodes, clusters, concurrency=max(1, args.concurrency), on_progress=on_progress
        ) as finished:
            async for result in finished:
                row = rows[result.index]
                if result.error is None:
                    row["nodes"] = result.value
                else:
                    row["error"] = f"{type(result.error).__name__}: {result.error}"
                    first_error = first_error or result.error
    finally:
        progress.close()
    rows.sort(key=lambda r: (r["name"], r["id"]))
    elapsed = time.monotonic() - started
    summary = _summary(rows, elapsed, ctx.requests)

    if not ctx.out.json:
        _print_table(ctx, rows, summary)
    export = None
    if args.export_audit:
        from .audit import run_export

        export = await run_export(
            ctx,
            args.export_audit,
            since=None,
            until=None,
            page_size=1000,
            overwrite=args.overwrite,
        )
    if ctx.out.json:
        data: dict[str, Any] = {"clusters": rows, "summary": summary}
        if export is not None:
            data["audit_export"] = export
        ctx.out.write_json(data)
    total = time.monotonic() - started
    ctx.out.info(f"done in {total:.1f} s, {ctx.requests} API requests")
    return OK if first_error is None else exit_code_for(first_error)


def _print_table(ctx: Context, rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    ctx.out.table(rows, _COLUMNS)
    states = ", ".join(f"{ctx.out.state(s)} {n}" for s, n in summary["by_state"].items())
    failed = f", {summary['failed']} failed" if summary["failed"] else ""
    print(
        f"\n{summary['clusters']} clusters, {summary['nodes']} nodes ({states}){failed}; "
        f"{summary['elapsed_s']:.1f} s, {summary['requests']} requests",
        file=ctx.out.out,
        flush=True,
    )


def _summary(rows: list[dict[str, Any]], elapsed: float, requests: int) -> dict[str, Any]:
    by_state = Counter(r["state"] for r in rows)
    return {
        "clusters": len(rows),
        "nodes": sum(r["nodes"] or 0 for r in rows),
        "by_state": dict(sorted(by_state.items())),
        "failed": sum(1 for r in rows if r["error"] is not None),
        "elapsed_s": round(elapsed, 2),
        "requests": requests,
    }
