"""A cluster's IP allowlist: IPv4 CIDR entries, each allowing SQL and/or UI access.

Entries are keyed by (address, mask) and listed in address order; they carry no
creation time, so the area records one for ``pagination.as_of_time``. POST adds (409
if the entry exists), PUT on the entry's path adds or replaces, PATCH replaces an
existing one.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..call import Call
from ..common import already_exists, not_found, ok
from ..errors import invalid
from ..paging import page
from ._base import handles
from ._cluster_shared import ClusterArea, PerCluster

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["Allowlist"]

Cidr = tuple[str, int]


@dataclass
class _Entries:
    by_cidr: dict[Cidr, dict[str, Any]] = field(default_factory=dict)
    created: dict[str, str] = field(default_factory=dict)  # "ip/mask" -> creation time


def _cidr(ip: Any, mask: Any) -> Cidr:
    try:
        mask_n = int(mask)
    except (TypeError, ValueError):
        raise invalid(f"cidr_mask: must be an integer (got {mask!r})") from None
    try:
        ipaddress.IPv4Address(ip)
    except ValueError:
        raise invalid(f"cidr_ip: not an IPv4 address (got {ip!r})") from None
    if not 0 <= mask_n <= 32:
        raise invalid(f"cidr_mask: must be 0 to 32 (got {mask_n})")
    return str(ip), mask_n


def _order(entry: dict[str, Any]) -> str:
    return f"{int(ipaddress.IPv4Address(entry['cidr_ip'])):010d}/{entry['cidr_mask']:02d}"


class Allowlist(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.entries: PerCluster[_Entries] = PerCluster(_Entries)

    def _put(
        self, call: Call, cluster: dict[str, Any], key: Cidr, body: dict[str, Any]
    ) -> web.StreamResponse:
        entry = {"cidr_ip": key[0], "cidr_mask": key[1], "ui": body["ui"], "sql": body["sql"]}
        entry["name"] = body.get("name", "")
        data = self.entries[cluster["id"]]
        if key not in data.by_cidr:
            data.created[f"{key[0]}/{key[1]}"] = self.timeline.stamp()
        data.by_cidr[key] = entry
        call.applied(cluster=cluster)
        return ok(entry)

    @handles("CockroachCloud_ListAllowlistEntries")
    async def list_entries(self, call: Call) -> web.StreamResponse:
        data = self.entries[self.cluster_for(call)["id"]]
        items, pagination = page(
            call,
            data.by_cidr.values(),
            _order,
            "CIDR",
            created=lambda e: data.created.get(f"{e['cidr_ip']}/{e['cidr_mask']}"),
        )
        return ok({"allowlist": items, "propagating": False, "pagination": pagination})

    @handles("CockroachCloud_AddAllowlistEntry", audit="ADD_IP_ALLOWLIST")
    async def add(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        key = _cidr(body["cidr_ip"], body["cidr_mask"])
        if key in self.entries[cluster["id"]].by_cidr:
            raise already_exists(f"allowlist entry {key[0]}/{key[1]} already exists")
        return self._put(call, cluster, key, body)

    @handles("CockroachCloud_AddAllowlistEntry2", audit="ADD_IP_ALLOWLIST")
    async def put(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        key = _cidr(call.params["cidr_ip"], call.params["cidr_mask"])
        body = await call.body()
        return self._put(call, cluster, key, body)

    @handles("CockroachCloud_UpdateAllowlistEntry", audit="EDIT_IP_ALLOWLIST")
    async def update(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        key = _cidr(call.params["cidr_ip"], call.params["cidr_mask"])
        body = await call.body()
        if key not in self.entries[cluster["id"]].by_cidr:
            raise not_found("allowlist entry")
        return self._put(call, cluster, key, body)

    @handles("CockroachCloud_DeleteAllowlistEntry", audit="DELETE_IP_ALLOWLIST")
    async def delete(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        key = _cidr(call.params["cidr_ip"], call.params["cidr_mask"])
        entry = self.entries[cluster["id"]].by_cidr.pop(key, None)
        if entry is None:
            raise not_found("allowlist entry")
        call.applied(cluster=cluster)
        return ok(entry)
