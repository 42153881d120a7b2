"""What an operation handler receives: the request, its path parameters, the caller.

A handler reads its request body only through :meth:`Call.body`, so every body is
checked the same way, against the operation's request schema in the spec snapshot. A
handler that changed state says so with :meth:`Call.applied`, naming the cluster and
the payload its audit entry carries; the server files that entry (``server.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from aiohttp import web

from . import validation as v
from .auth import Principal
from .errors import invalid
from .spec import Route

__all__ = ["Call", "Handler"]


@dataclass
class Call:
    request: web.Request
    route: Route
    params: dict[str, str]
    principal: Principal
    version: str  # the Cc-Version in effect
    on_applied: Callable[[str], None]
    was_applied: bool = False
    # What the audit entry of an applied call says it was about (see :meth:`applied`).
    audit_cluster: Mapping[str, Any] | None = None
    audit_payload: str = ""

    async def body(self) -> dict[str, Any]:
        """The JSON body, checked against the operation's request schema; 400 naming the
        field if it does not fit (:func:`~.validation.body`), or if the operation takes
        no body and one was sent. Returned without nulls; an empty body is ``{}``."""
        schema = v.request_schema(self.route.operation_id)
        raw = await self._decoded()
        if schema is None:
            if raw not in ({}, None):
                raise invalid("request body: this operation takes no body")
            return {}
        checked: dict[str, Any] = v.body(raw, schema)
        return checked

    async def _decoded(self) -> Any:
        raw = await self.request.read()
        if not raw.strip():
            # An empty body decodes as an empty message, as the gateway does.
            return {}
        try:
            return msgspec.json.decode(raw)
        except msgspec.DecodeError as exc:
            raise invalid(f"request body: invalid JSON ({exc})") from None

    def applied(self, *, cluster: Mapping[str, Any] | None = None, payload: str = "") -> None:
        """Record that this call changed state (``fake.stats.applied``).

        If the operation's ``@handles`` declares an audit action, the server files one
        entry for it once the handler returns; ``cluster`` and ``payload`` are what that
        entry names (its ``cluster_id`` / ``cluster_name``, and its ``payload``).
        """
        self.was_applied = True
        self.audit_cluster = cluster
        self.audit_payload = payload
        self.on_applied(self.route.operation_id)


Handler = Callable[[Call], Awaitable[web.StreamResponse]]
