"""Helpers the cluster sub-resource areas share (no handlers of its own).

Sub-resources belong to their cluster: an unknown cluster is a 404 (code 5); a
DELETED cluster still answers reads, while mutations fail with 400 FAILED_PRECONDITION
(code 9). Per-cluster state lives in :class:`PerCluster` stores, keyed by cluster id
and never dropped, so a deleted cluster's sub-resources stay readable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..clusters import keyset_page
from ..errors import (
    ALREADY_EXISTS,
    FAILED_PRECONDITION,
    NOT_FOUND,
    ApiError,
    invalid,
    json_response,
)

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = [
    "Clock",
    "PerCluster",
    "already_exists",
    "cluster_for",
    "not_found",
    "ok",
    "page",
    "precondition",
    "read_body",
    "timestamp",
]

T = TypeVar("T")


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z, fixed-width microseconds (sorts in time order)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Clock:
    """Strictly increasing timestamps, so creation order is timestamp order."""

    def __init__(self) -> None:
        self._last = datetime.now(timezone.utc)

    def now(self) -> datetime:
        self._last = max(datetime.now(timezone.utc), self._last + timedelta(microseconds=1))
        return self._last

    def stamp(self) -> str:
        return timestamp(self.now())


class PerCluster(Generic[T]):
    """One ``T`` per cluster id, made on first use."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._items: dict[str, T] = {}

    def __getitem__(self, cluster_id: str) -> T:
        item = self._items.get(cluster_id)
        if item is None:
            item = self._items[cluster_id] = self._factory()
        return item


def not_found(what: str) -> ApiError:
    return ApiError(404, NOT_FOUND, f"{what} not found")


def precondition(message: str) -> ApiError:
    return ApiError(400, FAILED_PRECONDITION, message)


def already_exists(message: str) -> ApiError:
    return ApiError(409, ALREADY_EXISTS, message)


def cluster_for(
    fake: FakeCloud, call: Call, *, mutate: bool = False, param: str = "cluster_id"
) -> dict[str, Any]:
    """The cluster the path names: 404 if unknown; 400 (code 9) to mutate a deleted one."""
    cluster = fake.clusters.get(call.params[param])
    if cluster is None:
        raise not_found("cluster")
    if mutate and cluster["state"] == "DELETED":
        raise precondition("cluster is deleted")
    return cluster


def require_plan(cluster: Mapping[str, Any], plan: str, what: str) -> None:
    if cluster["plan"] != plan:
        raise precondition(f"{what} is only available on {plan} clusters")


async def read_body(call: Call) -> dict[str, Any]:
    """The request body, checked against the operation's request schema in the snapshot."""
    schema = v.request_schema(call.route.operation_id)
    raw = await call.json()
    if schema is None:
        if raw not in ({}, None):
            raise invalid("request body: this operation takes no body")
        return {}
    checked: dict[str, Any] = v.body(raw, schema)
    return checked


def page(
    call: Call,
    items: Iterable[dict[str, Any]],
    key: Callable[[dict[str, Any]], str],
    sort_by: str = "ID",
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """A keyset page of ``items`` ordered by ``key`` (ties broken by the key itself)."""

    def full_key(item: dict[str, Any]) -> tuple[str, str]:
        k = key(item)
        return (k, k)

    return keyset_page(items, call.request.query, full_key, sort_by)


def ok(body: Any) -> web.StreamResponse:
    return json_response(body)


def new_id() -> str:
    return str(uuid.uuid4())
