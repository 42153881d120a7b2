"""The operation table: one :class:`Operation` per operation of the API spec.

``ccloud_async.OPERATIONS`` (generated into :mod:`._generated.operations` by
``tools/generate.py``) maps each operationId to where it lives on the client and how it
is sent; every generated method sends its request through its own entry::

    op = OPERATIONS["CockroachCloud_GetCluster"]
    op.method          # "clusters.get": await cloud.clusters.get(cluster_id)
    op.http_method, op.path  # "GET", "/api/v1/clusters/{cluster_id}"
    op.resend_safe     # True: an attempt that may have reached the server can be re-sent
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["IDEMPOTENCY_KEY", "IDEMPOTENT_METHODS", "Operation", "is_resend_safe"]

# Methods whose repetition leaves the server as one request would.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# The body field or query parameter that makes a POST/PATCH safe to repeat: the server
# applies a key once. The SDK fills one in, made once per call, when the caller sets none.
IDEMPOTENCY_KEY = "idempotency_key"


def is_resend_safe(http_method: str, fields: Iterable[str]) -> bool:
    """May an attempt that might have been processed be sent again?

    Yes for idempotent methods, and for requests that carry an idempotency key (among
    ``fields``, the body's fields and query parameters). The generator records the
    answer in the table; nothing else decides it.
    """
    return http_method.upper() in IDEMPOTENT_METHODS or IDEMPOTENCY_KEY in fields


@dataclass(frozen=True)
class Operation:
    """One operation of the spec and the client method that sends it."""

    operation_id: str
    http_method: str  # "GET", "POST", ...
    path: str  # the spec's template, e.g. "/api/v1/clusters/{cluster_id}"
    method: str  # dotted client method, e.g. "clusters.get"
    path_params: tuple[str, ...]  # spec names, in path order
    query_params: tuple[str, ...]  # spec names, e.g. "pagination.page"
    body_type: type[Any] | None  # the request Struct, None without a JSON body
    response_type: type[Any] | None  # the success Struct, None for an untyped object
    deprecated: bool
    stability: tuple[str, ...]  # "PREVIEW", "LIMITED ACCESS"; empty when stable
    roles: tuple[str, ...]  # roles allowed to call it
    paginated: bool  # takes the keyset pagination.* query parameters
    # How the method hands out a list: None when it returns the response itself, else it
    # returns an AsyncPager: "keyset" (pagination.* cursors, exactly when ``paginated``),
    # "scim" (startIndex/count) or "single" (the API sends the whole list as one page).
    paging: str | None
    items: str | None = None  # with ``paging``: the response attribute holding the list
    resend_safe: bool = False  # see :func:`is_resend_safe`
