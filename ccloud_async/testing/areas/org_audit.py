"""Audit logs: ``GET /api/v1/auditlogevents`` over the organization's audit log.

``fake.audit`` (a :class:`~ccloud_async.testing.audit_log.AuditLog`) holds the entries
and answers the pages; see that module for the paging rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ..errors import json_response

if TYPE_CHECKING:
    from ..call import Call, Handler
    from ..server import FakeCloud


def handlers(fake: FakeCloud) -> dict[str, Handler]:
    async def list_audit_logs(call: Call) -> web.StreamResponse:
        return json_response(fake.audit.page(call.request.query))

    return {"CockroachCloud_ListAuditLogs": list_audit_logs}
