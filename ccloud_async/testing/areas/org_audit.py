"""Audit logs: ``GET /api/v1/auditlogevents`` over the organization's audit log.

``fake.audit`` (an :class:`~.org_common.AuditLog`) holds the entries, oldest first;
mutations of the organization areas append to it. Paging: ``starting_from`` is an
exclusive bound; ``sort_order`` ASC (the default) or DESC; ``limit`` defaults to 100
(capped at 1000) and is approximate: a page always holds every entry of its last
timestamp. ASC always answers ``next_starting_from`` (an empty page means "caught up");
DESC omits it once the oldest entry has been served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..errors import json_response
from .org_common import org_state, parse_time, timestamp

if TYPE_CHECKING:
    from ..call import Call, Handler
    from ..server import FakeCloud

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def list_entries(entries: list[dict[str, Any]], query: Any, latest: str) -> dict[str, Any]:
    order = v.enum(query.get("sort_order", "ASC"), "sort_order", ("ASC", "DESC"))
    limit = DEFAULT_LIMIT
    if query.get("limit") is not None:
        limit = min(v.int32(query["limit"], "limit", minimum=0) or DEFAULT_LIMIT, MAX_LIMIT)
    start = query.get("starting_from")
    bound = timestamp(parse_time(start, "starting_from")) if start else None
    if order == "ASC":
        rest = [e for e in entries if bound is None or e["created_at"] > bound]
    else:
        rest = [e for e in reversed(entries) if bound is None or e["created_at"] < bound]
    page = rest[:limit]
    # Never split a timestamp across pages: the cursor is a time, not an entry.
    while (
        page and len(page) < len(rest) and rest[len(page)]["created_at"] == page[-1]["created_at"]
    ):
        page.append(rest[len(page)])
    body: dict[str, Any] = {"entries": page}
    if order == "ASC":
        body["next_starting_from"] = page[-1]["created_at"] if page else bound or latest
    elif len(page) < len(rest):
        body["next_starting_from"] = page[-1]["created_at"]
    return body


def handlers(fake: FakeCloud) -> dict[str, Handler]:
    state = org_state(fake)

    async def list_audit_logs(call: Call) -> web.StreamResponse:
        latest = timestamp(state.clock.last)
        return json_response(list_entries(state.audit.entries, call.request.query, latest))

    return {"CockroachCloud_ListAuditLogs": list_audit_logs}
