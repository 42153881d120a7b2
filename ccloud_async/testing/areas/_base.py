"""What every area is: a class holding its state, whose methods handle operations.

An area is built once per FakeCloud and receives it, for what areas share (the clock
``fake.timeline``, ``fake.clusters``, ``fake.org``, ``fake.jobs``); everything else it
keeps is declared as typed attributes in its ``__init__``. A method becomes the handler
of an operation with :func:`handles`, which also names the audit action an applied
call files, so the operationId, the handler and its audit entry are written together::

    class SqlUsers(ClusterArea):
        @handles("CockroachCloud_CreateSQLUser", audit="CREATE_SQL_USER")
        async def create(self, call: Call) -> web.StreamResponse:
            cluster = self.cluster_for(call, mutate=True)
            body = await call.body()  # checked against the request schema
            ...
            call.applied(cluster=cluster)  # the entry names the cluster
            return ok(...)

``areas/__init__.py`` lists the area classes and builds the operationId table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from ..spec import enum_values

if TYPE_CHECKING:
    from ..call import Call, Handler
    from ..common import Timeline
    from ..server import FakeCloud

__all__ = ["Area", "Declared", "handles"]

_ACTION_PREFIX = "AUDIT_LOG_ACTION_"
_MARK = "_emulator_handles"

Method = TypeVar("Method", bound=Callable[[Any, "Call"], Awaitable[web.StreamResponse]])


@dataclass(frozen=True)
class Declared:
    """What :func:`handles` says of a method: the operation, and its audit action."""

    operation_id: str
    audit: str | None  # a full AuditLogAction value, or None: the operation files none


def handles(operation_id: str, *, audit: str | None = None) -> Callable[[Method], Method]:
    """Make the method the handler of ``operation_id``.

    ``audit`` is the AuditLogAction an applied call files, without its
    ``AUDIT_LOG_ACTION_`` prefix (``"CREATE_SQL_USER"``); it must be one the snapshot
    lists. Stack the decorator for a method that serves several operations.
    """
    action = None if audit is None else _ACTION_PREFIX + audit
    if action is not None and action not in enum_values("AuditLogAction"):
        raise ValueError(f"{operation_id}: {action} is not an AuditLogAction of the snapshot")
    declared = Declared(operation_id, action)

    def mark(method: Method) -> Method:
        setattr(method, _MARK, (*getattr(method, _MARK, ()), declared))
        return method

    return mark


class Area:
    """One part of the API: its state (attributes) and its operations (methods)."""

    def __init__(self, fake: FakeCloud) -> None:
        self.fake = fake

    @property
    def timeline(self) -> Timeline:
        """The emulator's clock: every date an area writes or compares comes from it."""
        return self.fake.timeline

    def handlers(self) -> Iterator[tuple[Declared, Handler]]:
        """Each operation this area handles, with its bound handler."""
        for name in dir(type(self)):
            for declared in getattr(getattr(type(self), name), _MARK, ()):
                yield declared, getattr(self, name)
