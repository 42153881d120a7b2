"""Keyset pagination, as every list operation of the emulator answers it.

Items are ordered by a key of (sort key, unique id). The page token is opaque to
clients: URL-safe base64 (no padding) of JSON ``{"by": sort_by, "order": sort_order,
"after": [key, id]}``, the key of the last item served; a token is only accepted back
for the order it was issued for, and anything else is a 400 naming ``pagination.page``.
``pagination.limit`` defaults to 50 and is clamped to 500; ``previous_page`` is never
sent.

``pagination.as_of_time`` (RFC 3339) lists the collection as it was at that moment,
kept simple: only items created at or before it are listed. Items are otherwise shown
as they are now (a cluster deleted since then still shows as deleted). Each item's
creation time comes from ``created`` (its ``created_at`` field by default), a
:func:`~ccloud_async.testing.common.timestamp` string; an item without one (catalog
entries such as regions and versions, which nobody creates) is always listed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from . import validation as v
from .common import parse_time, timestamp
from .errors import invalid

if TYPE_CHECKING:
    from .call import Call

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Item",
    "Key",
    "decode_token",
    "encode_token",
    "keyset_page",
    "page",
    "page_limit",
]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_SORT_ORDER = ("ASC", "DESC")

Item = dict[str, Any]
Key = Callable[[Item], tuple[str, str]]


def created_at(item: Item) -> str | None:
    found: str | None = item.get("created_at")
    return found


def page_limit(query: Mapping[str, str]) -> int:
    """``pagination.limit``: 50 when absent or 0, clamped to 500."""
    if "pagination.limit" not in query:
        return DEFAULT_PAGE_SIZE
    limit = v.int32(query["pagination.limit"], "pagination.limit", minimum=0)
    return min(limit or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def as_of(query: Mapping[str, str]) -> str | None:
    """``pagination.as_of_time`` as a comparable :func:`timestamp` string, if given."""
    raw = query.get("pagination.as_of_time")
    if not raw:
        return None
    return timestamp(parse_time(raw, "pagination.as_of_time"))


def keyset_page(
    items: Iterable[Item],
    query: Mapping[str, str],
    key: Key,
    sort_by: str,
    *,
    created: Callable[[Item], str | None] = created_at,
    limit: int | None = None,
) -> tuple[list[Item], dict[str, str]]:
    """One page of ``items`` in ``key`` order, and its ``pagination`` response object.

    ``key`` gives each item's (sort key, unique id); ``sort_by`` names the order in the
    page token. The query's ``pagination.*`` parameters are checked here (400 if bad).
    """
    if limit is None:
        limit = page_limit(query)
    order = v.enum(query.get("pagination.sort_order", "ASC"), "pagination.sort_order", _SORT_ORDER)
    cutoff = as_of(query)
    after = (
        decode_token(query["pagination.page"], sort_by, order)
        if query.get("pagination.page")
        else None
    )
    if cutoff is not None:
        items = (i for i in items if (made := created(i)) is None or made <= cutoff)
    if after is not None:
        if order == "ASC":
            items = (i for i in items if key(i) > after)
        else:
            items = (i for i in items if key(i) < after)
    ordered = sorted(items, key=key, reverse=order == "DESC")
    page = ordered[:limit]
    pagination: dict[str, str] = {}
    if len(ordered) > limit:
        pagination["next_page"] = encode_token(key(page[-1]), sort_by, order)
    return page, pagination


def page(
    call: Call,
    items: Iterable[Item],
    key: Callable[[Item], str],
    sort_by: str = "ID",
    *,
    created: Callable[[Item], str | None] = created_at,
) -> tuple[list[Item], dict[str, str]]:
    """:func:`keyset_page` of ``call``'s query, ordered by a key that is unique by itself."""

    def full_key(item: Item) -> tuple[str, str]:
        k = key(item)
        return (k, k)

    return keyset_page(items, call.request.query, full_key, sort_by, created=created)


def encode_token(after: tuple[str, str], sort_by: str, order: str) -> str:
    raw = msgspec.json.encode({"by": sort_by, "order": order, "after": list(after)})
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_token(token: str, sort_by: str, order: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = msgspec.json.decode(raw)
        after = data["after"]
        key = (str(after[0]), str(after[1]))
        same = data["by"] == sort_by and data["order"] == order
    except (binascii.Error, ValueError, msgspec.DecodeError, KeyError, IndexError, TypeError):
        raise invalid("pagination.page: not a page token this API issued") from None
    if not same:
        raise invalid("pagination.page: issued for another sort_by / sort_order")
    return key
