"""Audit logs: ``GET /api/v1/auditlogevents`` over the organization's audit log.

``fake.audit`` (a :class:`~ccloud_async.testing.audit_log.AuditLog`) holds the entries
and answers the pages; see that module for the paging rules. Entries are filed by the
server for applied operations (``server.py``), never by an area.
"""

from __future__ import annotations

from aiohttp import web

from ..call import Call
from ..common import ok
from ._base import Area, handles

__all__ = ["AuditLogs"]


class AuditLogs(Area):
    @handles("CockroachCloud_ListAuditLogs")
    async def list_entries(self, call: Call) -> web.StreamResponse:
        return ok(self.fake.audit.page(call.request.query))
