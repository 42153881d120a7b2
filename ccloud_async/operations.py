"""The operation table: one :class:`Operation` per operation of the API spec.

``ccloud_async.OPERATIONS`` (generated into :mod:`._operations` by ``tools/generate.py``)
maps each operationId to where it lives on the client and how it is sent::

    op = OPERATIONS["CockroachCloud_GetCluster"]
    op.method          # "clusters.get": await cloud.clusters.get(cluster_id)
    op.http_method, op.path  # "GET", "/api/v1/clusters/{cluster_id}"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Operation"]


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
