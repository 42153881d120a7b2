"""What leaves a cluster: egress private endpoints (to services in the customer's
cloud), egress rules (FQDN or CIDR destinations) and the egress traffic policy they
apply under. ADVANCED clusters only.

Setting the traffic policy shows UPDATING for ``Timings.egress_policy`` seconds (0 by
default: straight to ALLOW_ALL / DEFAULT_DENY), or ERROR after
``fake.fail_next("egress_policy")``. Adding a rule with an ``idempotency_key`` already
used answers the rule made the first time.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import already_exists, new_id, not_found, ok, precondition
from ..errors import invalid
from ..paging import page
from ._base import handles
from ._cluster_shared import ClusterArea, PerCluster, require_plan

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["EgressPrivateEndpoints", "EgressRules"]

_DOMAIN = re.compile(r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_RULE_TYPES = ("FQDN", "CIDR")


@dataclass
class _Endpoints:
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Creation times (endpoints carry none), for pagination.as_of_time.
    created: dict[str, str] = field(default_factory=dict)


class EgressPrivateEndpoints(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.endpoints: PerCluster[_Endpoints] = PerCluster(_Endpoints)

    def _endpoint(self, call: Call, cluster: dict[str, Any]) -> dict[str, Any]:
        endpoint = self.endpoints[cluster["id"]].by_id.get(call.params["id"])
        if endpoint is None:
            raise not_found("egress private endpoint")
        return endpoint

    async def _set_domain_names(self, call: Call) -> dict[str, Any]:
        cluster = self.cluster_for(call, mutate=True)
        endpoint = self._endpoint(call, cluster)
        body = await call.body()
        names = body["domain_names"]
        for i, name in enumerate(names):
            if not _DOMAIN.fullmatch(name):
                raise invalid(f"domain_names[{i}]: not a domain name (got {name!r})")
        endpoint["domain_names"] = names
        endpoint["domain_names_state"] = "AVAILABLE" if names else "EMPTY"
        call.applied(cluster=cluster)
        return endpoint

    @handles("CockroachCloud_ListEgressPrivateEndpoints")
    async def list_endpoints(self, call: Call) -> web.StreamResponse:
        data = self.endpoints[self.cluster_for(call)["id"]]
        items, pagination = page(
            call,
            data.by_id.values(),
            lambda e: e["id"],
            created=lambda e: data.created.get(e["id"]),
        )
        return ok({"egress_private_endpoints": items, "pagination": pagination})

    @handles("CockroachCloud_CreateEgressPrivateEndpoint", audit="CREATE_EGRESS_PRIVATE_ENDPOINT")
    async def create(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        if body["region"] not in {r["name"] for r in cluster["regions"]}:
            raise invalid(f"region: {body['region']!r} is not one of the cluster's regions")
        v.non_empty(body["target_service_identifier"], "target_service_identifier")
        require_plan(cluster, "ADVANCED", "egress private endpoints")
        octets = os.urandom(2)
        endpoint = {
            "id": new_id(),
            "endpoint_connection_id": f"vpce-{os.urandom(8).hex()}",
            "region": body["region"],
            "target_service_identifier": body["target_service_identifier"],
            "target_service_type": body["target_service_type"],
            "endpoint_address": f"10.{octets[0]}.{octets[1]}.4",
            "state": "AVAILABLE",
            "domain_names": [],
            "domain_names_state": "EMPTY",
        }
        data = self.endpoints[cluster["id"]]
        data.by_id[endpoint["id"]] = endpoint
        data.created[endpoint["id"]] = self.timeline.stamp()
        call.applied(cluster=cluster)
        return ok(endpoint)

    @handles("CockroachCloud_GetEgressPrivateEndpoint")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self._endpoint(call, self.cluster_for(call)))

    @handles("CockroachCloud_UpdateEgressPrivateEndpoint", audit="UPDATE_EGRESS_PRIVATE_ENDPOINT")
    async def update(self, call: Call) -> web.StreamResponse:
        return ok(await self._set_domain_names(call))

    @handles(
        "CockroachCloud_UpdateEgressPrivateEndpointDomainNames",
        audit="UPDATE_EGRESS_PRIVATE_ENDPOINT",
    )
    async def update_domain_names(self, call: Call) -> web.StreamResponse:
        await self._set_domain_names(call)
        return ok({})

    @handles("CockroachCloud_DeleteEgressPrivateEndpoint", audit="DELETE_EGRESS_PRIVATE_ENDPOINT")
    async def delete(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        endpoint = self._endpoint(call, cluster)
        del self.endpoints[cluster["id"]].by_id[endpoint["id"]]
        call.applied(cluster=cluster)
        return ok({})


@dataclass
class _Rules:
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotency: dict[str, str] = field(default_factory=dict)  # key -> rule id


def _check_rule(rule: dict[str, Any]) -> None:
    if rule["type"] not in _RULE_TYPES:
        raise invalid(f"type: must be one of {', '.join(_RULE_TYPES)}")
    if rule["type"] == "CIDR":
        try:
            ipaddress.ip_network(rule["destination"])
        except ValueError:
            raise invalid(f"destination: not a CIDR range ({rule['destination']!r})") from None
    elif not _DOMAIN.fullmatch(rule["destination"]):
        raise invalid(f"destination: not a domain name ({rule['destination']!r})")
    for i, port in enumerate(rule.get("ports", [])):
        if not 1 <= port <= 65535:
            raise invalid(f"ports[{i}]: must be 1 to 65535 (got {port})")


class EgressRules(ClusterArea):
    """Egress rules, and the traffic policy (``egress_traffic_policy`` on the cluster)."""

    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.rules: PerCluster[_Rules] = PerCluster(_Rules)

    def _rule(self, call: Call, cluster: dict[str, Any]) -> dict[str, Any]:
        rule = self.rules[cluster["id"]].by_id.get(call.params["rule_id"])
        if rule is None:
            raise not_found("egress rule")
        return rule

    @handles("CockroachCloud_ListEgressRules")
    async def list_rules(self, call: Call) -> web.StreamResponse:
        rules = self.rules[self.cluster_for(call)["id"]].by_id.values()
        items, pagination = page(call, rules, lambda r: r["name"], "NAME")
        return ok({"rules": items, "pagination": pagination})

    @handles("CockroachCloud_AddEgressRule", audit="ADD_EGRESS_RULE")
    async def add(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        key = body.pop("idempotency_key", "")
        data = self.rules[cluster["id"]]
        if key and key in data.idempotency and data.idempotency[key] in data.by_id:
            return ok({"rule": data.by_id[data.idempotency[key]]})
        v.non_empty(body["name"], "name")
        _check_rule(body)
        require_plan(cluster, "ADVANCED", "egress rules")
        if any(r["name"] == body["name"] for r in data.by_id.values()):
            raise already_exists(f"an egress rule named {body['name']!r} already exists")
        rule = {
            "id": new_id(),
            "cluster_id": cluster["id"],
            "state": "ACTIVE",
            "crl_managed": False,
            "created_at": self.timeline.stamp(),
            "paths": [],
            "ports": [],
            **body,
        }
        data.by_id[rule["id"]] = rule
        if key:
            data.idempotency[key] = rule["id"]
        call.applied(cluster=cluster)
        return ok({"rule": rule})

    @handles("CockroachCloud_GetEgressRule")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok({"rule": self._rule(call, self.cluster_for(call))})

    @handles("CockroachCloud_EditEgressRule", audit="EDIT_EGRESS_RULE")
    async def edit(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        rule = self._rule(call, cluster)
        body = await call.body()
        body.pop("idempotency_key", None)
        if rule["crl_managed"]:
            raise precondition("rules managed by Cockroach Labs cannot be edited")
        updated = {**rule, **body}
        _check_rule(updated)
        rule.update(updated)
        call.applied(cluster=cluster)
        return ok({"rule": rule})

    @handles("CockroachCloud_DeleteEgressRule", audit="DELETE_EGRESS_RULE")
    async def delete(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        rule = self._rule(call, cluster)
        del self.rules[cluster["id"]].by_id[rule["id"]]
        rule["state"] = "DELETED"
        call.applied(cluster=cluster)
        return ok({"rule": rule})

    @handles("CockroachCloud_SetEgressTrafficPolicy", audit="SET_EGRESS_TRAFFIC_POLICY")
    async def set_policy(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        require_plan(cluster, "ADVANCED", "an egress traffic policy")
        final = "ALLOW_ALL" if body["allow_all"] else "DEFAULT_DENY"
        self.fake.jobs.track(
            "egress_policy",
            cluster,
            "egress_traffic_policy",
            "UPDATING",
            final,
            key=("egress_policy", cluster["id"]),
        )
        call.applied(cluster=cluster)
        return ok({})
