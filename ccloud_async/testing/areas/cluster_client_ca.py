"""A cluster's client CA certificate, for SQL clients that authenticate by certificate.

The status is NOT_SET until one is set; a set or an update shows PENDING for
``Timings.client_ca`` seconds (0 by default: straight to IS_SET), or ends FAILED after
``fake.fail_next("client_ca")``. Setting twice is a 409 (update with PATCH instead).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..call import Call
from ..common import already_exists, not_found, ok
from ..errors import invalid
from ._base import handles
from ._cluster_shared import ClusterArea

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["ClientCaCerts"]

_PEM = re.compile(r"\s*-----BEGIN CERTIFICATE-----\s.+-----END CERTIFICATE-----\s*", re.S)


def _pem(body: dict[str, Any]) -> str:
    cert = body.get("x509_pem_cert", "")
    if not _PEM.fullmatch(cert):
        raise invalid("x509_pem_cert: must be a PEM-encoded X.509 certificate")
    return str(cert)


class ClientCaCerts(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.certs: dict[str, dict[str, Any]] = {}  # cluster id -> ClientCACertInfo

    def _info(self, cluster: dict[str, Any]) -> dict[str, Any]:
        return self.certs.setdefault(cluster["id"], {"status": "NOT_SET"})

    def _set(self, cluster: dict[str, Any], cert: str) -> dict[str, Any]:
        # "status" leads, as in the answer; track() sets it (again) to PENDING.
        info = self.certs[cluster["id"]] = {"status": "PENDING", "x509_pem_cert": cert}
        self.fake.jobs.track(
            "client_ca", info, "status", "PENDING", "IS_SET", key=("client_ca", cluster["id"])
        )
        return info

    @handles("CockroachCloud_GetClientCACert")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self._info(self.cluster_for(call)))

    @handles("CockroachCloud_SetClientCACert", audit="SET_CLIENT_CA_CERT")
    async def set_cert(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        cert = _pem(await call.body())
        if self._info(cluster)["status"] != "NOT_SET":
            raise already_exists("a client CA certificate is already set; update it with PATCH")
        info = self._set(cluster, cert)
        call.applied(cluster=cluster)
        return ok(info)

    @handles("CockroachCloud_UpdateClientCACert", audit="UPDATE_CLIENT_CA_CERT")
    async def update(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        cert = _pem(await call.body())
        if self._info(cluster)["status"] == "NOT_SET":
            raise not_found("client CA certificate")
        info = self._set(cluster, cert)
        call.applied(cluster=cluster)
        return ok(info)

    @handles("CockroachCloud_DeleteClientCACert", audit="DELETE_CLIENT_CA_CERT")
    async def delete(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        if self._info(cluster)["status"] == "NOT_SET":
            raise not_found("client CA certificate")
        info = self.certs[cluster["id"]] = {"status": "NOT_SET"}
        call.applied(cluster=cluster)
        return ok(info)
