"""Private endpoints into a cluster: the services (one per region), the connections
clients' endpoints make to them, the AWS view of those connections, and trusted owners
(AWS accounts allowed to connect).

Creating the services shows them CREATING for ``Timings.private_endpoint`` seconds (0
by default: straight to AVAILABLE), or CREATE_FAILED after
``fake.fail_next("private_endpoint")``; creating them again answers the existing ones.
A connection needs the services first.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import already_exists, new_id, not_found, ok, precondition
from ..errors import invalid
from ._base import handles
from ._cluster_shared import ClusterArea, PerCluster

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["PrivateEndpoints", "TrustedOwners"]

_AWS_ACCOUNT = re.compile(r"[0-9]{12}")
_AWS_STATUS = {"STATUS_AVAILABLE": "AVAILABLE", "STATUS_REJECTED": "REJECTED"}


def _hex(n: int) -> str:
    return os.urandom(n).hex()


@dataclass
class _Endpoints:
    services: list[dict[str, Any]] = field(default_factory=list)
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)  # by endpoint id


def _service(cluster: dict[str, Any], region: str) -> dict[str, Any]:
    provider = cluster["cloud_provider"]
    zones = [f"{region}-az{i}" for i in (1, 2, 3)]
    service_id = f"vpce-svc-{_hex(8)}"
    if provider == "AWS":
        name = f"com.amazonaws.vpce.{region}.{service_id}"
    elif provider == "GCP":
        project = f"crl-prod-{cluster['id'][:6]}"
        name = f"projects/{project}/regions/{region}/serviceAttachments/sa-{_hex(4)}"
        service_id = name
    else:
        name = f"pls-{cluster['name']}.{_hex(4)}.{region}.azure.privatelinkservice"
        service_id = name
    service: dict[str, Any] = {
        "region_name": region,
        "cloud_provider": provider,
        "status": "CREATING",
        "name": name,
        "endpoint_service_id": service_id,
        "availability_zone_ids": zones,
    }
    if provider == "AWS":
        service["aws"] = {
            "service_name": name,
            "service_id": service_id,
            "availability_zone_ids": zones,
        }
    return service


def _aws_view(connection: dict[str, Any]) -> dict[str, Any]:
    return {
        "region_name": connection["region_name"],
        "cloud_provider": connection["cloud_provider"],
        "status": _AWS_STATUS.get(connection["status"], connection["status"][7:]),
        "endpoint_id": connection["endpoint_id"],
        "service_id": connection["endpoint_service_id"],
        "external_owner_id": connection["external_owner_id"],
    }


class PrivateEndpoints(ClusterArea):
    """Services, connections and the AWS view of the connections."""

    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.endpoints: PerCluster[_Endpoints] = PerCluster(_Endpoints)

    @handles("CockroachCloud_ListPrivateEndpointServices")
    async def list_services(self, call: Call) -> web.StreamResponse:
        return ok({"services": self.endpoints[self.cluster_for(call)["id"]].services})

    @handles("CockroachCloud_CreatePrivateEndpointServices", audit="CREATE_PRIVATE_LINK")
    async def create_services(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        await call.body()
        data = self.endpoints[cluster["id"]]
        if not data.services:
            services = data.services = [_service(cluster, r["name"]) for r in cluster["regions"]]

            def done(failure: str | None) -> None:
                for service in services:
                    service["status"] = failure or "AVAILABLE"

            self.fake.jobs.start("private_endpoint", done, key=("services", cluster["id"]))
            call.applied(cluster=cluster)
        return ok({"services": data.services})

    @handles("CockroachCloud_ListPrivateEndpointConnections")
    async def list_connections(self, call: Call) -> web.StreamResponse:
        connections = self.endpoints[self.cluster_for(call)["id"]].connections.values()
        return ok({"connections": list(connections)})

    @handles("CockroachCloud_AddPrivateEndpointConnection", audit="ACCEPT_PRIVATE_LINK")
    async def add_connection(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        endpoint_id = v.non_empty(body["endpoint_id"], "endpoint_id")
        data = self.endpoints[cluster["id"]]
        if not data.services:
            raise precondition("create the cluster's private endpoint services first")
        if endpoint_id in data.connections:
            raise already_exists(f"endpoint {endpoint_id!r} is already connected")
        service = data.services[0]
        connection = {
            "region": service["region_name"],
            "region_name": service["region_name"],
            "cloud_provider": cluster["cloud_provider"],
            "status": "STATUS_AVAILABLE",
            "endpoint_id": endpoint_id,
            "endpoint_service_id": service["endpoint_service_id"],
            "service_name": service["name"],
            "external_owner_id": f"{int.from_bytes(os.urandom(5), 'big') % 10**12:012d}",
        }
        data.connections[endpoint_id] = connection
        call.applied(cluster=cluster)
        return ok(connection)

    @handles("CockroachCloud_DeletePrivateEndpointConnection", audit="REJECT_PRIVATE_LINK")
    async def delete_connection(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        connections = self.endpoints[cluster["id"]].connections
        if connections.pop(call.params["endpoint_id"], None) is None:
            raise not_found("private endpoint connection")
        call.applied(cluster=cluster)
        return ok({})

    @handles("CockroachCloud_ListAwsEndpointConnections")
    async def list_aws_connections(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call)
        connections = self.endpoints[cluster["id"]].connections.values()
        if cluster["cloud_provider"] != "AWS":
            return ok({"connections": []})
        return ok({"connections": [_aws_view(c) for c in connections]})

    @handles("CockroachCloud_SetAwsEndpointConnectionState", audit="ACCEPT_PRIVATE_LINK")
    async def set_aws_connection(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        connection = self.endpoints[cluster["id"]].connections.get(call.params["endpoint_id"])
        if connection is None or cluster["cloud_provider"] != "AWS":
            raise not_found("AWS endpoint connection")
        connection["status"] = f"STATUS_{body['status']}"
        call.applied(cluster=cluster)
        return ok(_aws_view(connection))


class TrustedOwners(ClusterArea):
    """The AWS accounts trusted to connect private endpoints to the cluster."""

    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.owners: PerCluster[dict[str, dict[str, Any]]] = PerCluster(dict)  # by owner id

    def _owner(self, call: Call, cluster: dict[str, Any]) -> dict[str, Any]:
        owner = self.owners[cluster["id"]].get(call.params["owner_id"])
        if owner is None:
            raise not_found("trusted owner")
        return owner

    @handles("CockroachCloud_ListPrivateEndpointTrustedOwners")
    async def list_owners(self, call: Call) -> web.StreamResponse:
        owners = self.owners[self.cluster_for(call)["id"]].values()
        return ok({"trusted_owners": list(owners)})

    @handles(
        "CockroachCloud_AddPrivateEndpointTrustedOwner", audit="ADD_PRIVATE_ENDPOINT_TRUSTED_OWNER"
    )
    async def add_owner(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        if not _AWS_ACCOUNT.fullmatch(body["external_owner_id"]):
            raise invalid("external_owner_id: an AWS account ID is 12 digits")
        owners = self.owners[cluster["id"]]
        if any(o["external_owner_id"] == body["external_owner_id"] for o in owners.values()):
            raise already_exists(f"{body['external_owner_id']} is already a trusted owner")
        owner = {
            "id": new_id(),
            "cluster_id": cluster["id"],
            "type": body["type"],
            "external_owner_id": body["external_owner_id"],
            "created_at": self.timeline.stamp(),
        }
        owners[owner["id"]] = owner
        call.applied(cluster=cluster)
        return ok({"trusted_owner": owner})

    @handles("CockroachCloud_GetPrivateEndpointTrustedOwner")
    async def get_owner(self, call: Call) -> web.StreamResponse:
        return ok({"trusted_owner": self._owner(call, self.cluster_for(call))})

    @handles(
        "CockroachCloud_RemovePrivateEndpointTrustedOwner",
        audit="REMOVE_PRIVATE_ENDPOINT_TRUSTED_OWNER",
    )
    async def remove_owner(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        owner = self._owner(call, cluster)
        del self.owners[cluster["id"]][owner["id"]]
        call.applied(cluster=cluster)
        return ok({"trusted_owner": owner})
