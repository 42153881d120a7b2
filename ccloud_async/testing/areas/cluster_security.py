"""A cluster's security and networking: CMEK, the IP allowlist, the client CA
certificate, private endpoints (services, connections, trusted owners, the AWS view),
egress private endpoints, egress rules and the egress traffic policy.

Status fields show their in-progress values (CMEK ENABLING / ROTATING / REVOKING,
client CA PENDING, private endpoint services CREATING, egress traffic policy UPDATING)
for the matching ``Timings`` seconds (0 by default: straight to ENABLED, REVOKED,
IS_SET, AVAILABLE, ALLOW_ALL / DEFAULT_DENY), or end failed after
``fake.fail_next(kind)`` (ENABLE_FAILED / ROTATE_FAILED / REVOKE_FAILED, FAILED,
CREATE_FAILED, ERROR).
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..call import Call, Handler
from ..common import already_exists, new_id, not_found, ok, precondition
from ..errors import invalid
from ..paging import page
from ..validation import read_body
from ._cluster_shared import PerCluster, cluster_for, require_plan

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["handlers"]

_KEY_TYPE = {"AWS": "AWS_KMS", "GCP": "GCP_CLOUD_KMS", "AZURE": "AZURE_KEY_VAULT"}
_PEM = re.compile(r"\s*-----BEGIN CERTIFICATE-----\s.+-----END CERTIFICATE-----\s*", re.S)
_AWS_ACCOUNT = re.compile(r"[0-9]{12}")
_EGRESS_RULE_TYPES = ("FQDN", "CIDR")


@dataclass
class Security:
    cmek: dict[str, Any] | None = None
    allowlist: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    client_ca: dict[str, Any] = field(default_factory=lambda: {"status": "NOT_SET"})
    services: list[dict[str, Any]] = field(default_factory=list)
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)
    owners: dict[str, dict[str, Any]] = field(default_factory=dict)
    egress_endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    egress_rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotency: dict[str, str] = field(default_factory=dict)  # key -> rule id
    # Creation times of allowlist entries ("ip/mask") and egress endpoints (id), which
    # carry none, for pagination.as_of_time.
    created: dict[str, str] = field(default_factory=dict)


def _hex(n: int) -> str:
    return os.urandom(n).hex()


def handlers(fake: FakeCloud) -> dict[str, Handler]:
    store: PerCluster[Security] = PerCluster(Security)
    clock = fake.timeline

    # --- CMEK -----------------------------------------------------------------------

    def region_keys(cluster: dict[str, Any], specs: list[dict[str, Any]]) -> dict[str, Any]:
        regions = {r["name"] for r in cluster["regions"]}
        keys: dict[str, Any] = {}
        for i, spec in enumerate(specs):
            path = f"region_specs[{i}]"
            region = spec.get("region", "")
            if region not in regions:
                raise invalid(f"{path}.region: {region!r} is not one of the cluster's regions")
            key = spec.get("key_spec")
            if key is None:
                raise invalid(f"{path}.key_spec: is required")
            expected = _KEY_TYPE[cluster["cloud_provider"]]
            if key.get("type") != expected:
                raise invalid(f"{path}.key_spec.type: must be {expected} on this cluster")
            for name in ("uri", "auth_principal"):
                if not key.get(name):
                    raise invalid(f"{path}.key_spec.{name}: is required")
            keys[region] = key
        if not keys:
            raise invalid("region_specs: must name at least one region")
        return keys

    def add_keys(cmek: dict[str, Any], keys: dict[str, Any]) -> None:
        now = clock.stamp()
        infos = {r["region"]: r for r in cmek["region_infos"]}
        for region, key in keys.items():
            info = infos.get(region)
            if info is None:
                info = {"region": region, "status": "ENABLED", "key_infos": []}
                cmek["region_infos"].append(info)
            for old in info["key_infos"]:
                old.update(status="DISABLED", updated_at=now)
            info["key_infos"].append(
                {"spec": key, "status": "ENABLED", "created_at": now, "updated_at": now}
            )
            info["status"] = "ENABLED"
        cmek["status"] = "ENABLED"

    def run_cmek(
        cluster: dict[str, Any], cmek: dict[str, Any], running: str, final: str, failed: str
    ) -> None:
        """Show ``running`` for Timings.cmek seconds, then ``final`` (or the failure)."""

        def done(failure: str | None) -> None:
            cmek["status"] = failure or final

        cmek["status"] = running
        fake.jobs.start("cmek", done, failed=failed, key=("cmek", cluster["id"]))

    async def get_cmek(call: Call) -> web.StreamResponse:
        cmek = store[cluster_for(fake, call)["id"]].cmek
        if cmek is None:
            raise not_found("CMEK configuration")
        return ok(cmek)

    async def enable_cmek(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        require_plan(cluster, "ADVANCED", "CMEK")
        keys = region_keys(cluster, body["region_specs"])
        data = store[cluster["id"]]
        if data.cmek is not None:
            raise already_exists("CMEK is already enabled; update it with PUT")
        data.cmek = {"status": "ENABLED", "region_infos": []}
        add_keys(data.cmek, keys)
        run_cmek(cluster, data.cmek, "ENABLING", "ENABLED", "ENABLE_FAILED")
        call.applied()
        return ok(data.cmek)

    async def update_cmek_spec(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        keys = region_keys(cluster, body["region_specs"])
        data = store[cluster["id"]]
        if data.cmek is None:
            raise not_found("CMEK configuration")
        add_keys(data.cmek, keys)
        run_cmek(cluster, data.cmek, "ROTATING", "ENABLED", "ROTATE_FAILED")
        call.applied()
        return ok(data.cmek)

    async def update_cmek_status(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        data = store[cluster["id"]]
        if data.cmek is None:
            raise not_found("CMEK configuration")
        if body["action"] == "REVOKE":
            now = clock.stamp()
            data.cmek["status"] = "REVOKED"
            for info in data.cmek["region_infos"]:
                info["status"] = "REVOKED"
                for key in info["key_infos"]:
                    if key["status"] == "ENABLED":
                        key.update(status="REVOKED", updated_at=now)
            run_cmek(cluster, data.cmek, "REVOKING", "REVOKED", "REVOKE_FAILED")
        call.applied()
        return ok(data.cmek)

    # --- allowlist ------------------------------------------------------------------

    def cidr(ip: Any, mask: Any) -> tuple[str, int]:
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

    def entry_key(entry: dict[str, Any]) -> str:
        return f"{int(ipaddress.IPv4Address(entry['cidr_ip'])):010d}/{entry['cidr_mask']:02d}"

    async def list_allowlist(call: Call) -> web.StreamResponse:
        data = store[cluster_for(fake, call)["id"]]
        items, pagination = page(
            call,
            data.allowlist.values(),
            entry_key,
            "CIDR",
            created=lambda e: data.created.get(f"{e['cidr_ip']}/{e['cidr_mask']}"),
        )
        return ok({"allowlist": items, "propagating": False, "pagination": pagination})

    def put_entry(
        call: Call, cluster: dict[str, Any], key: tuple[str, int], body: dict[str, Any]
    ) -> dict[str, Any]:
        entry = {"cidr_ip": key[0], "cidr_mask": key[1], "ui": body["ui"], "sql": body["sql"]}
        entry["name"] = body.get("name", "")
        data = store[cluster["id"]]
        if key not in data.allowlist:
            data.created[f"{key[0]}/{key[1]}"] = clock.stamp()
        data.allowlist[key] = entry
        call.applied()
        return entry

    async def add_allowlist(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        key = cidr(body["cidr_ip"], body["cidr_mask"])
        if key in store[cluster["id"]].allowlist:
            raise already_exists(f"allowlist entry {key[0]}/{key[1]} already exists")
        return ok(put_entry(call, cluster, key, body))

    async def put_allowlist(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        key = cidr(call.params["cidr_ip"], call.params["cidr_mask"])
        body = await read_body(call)
        return ok(put_entry(call, cluster, key, body))

    async def update_allowlist(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        key = cidr(call.params["cidr_ip"], call.params["cidr_mask"])
        body = await read_body(call)
        if key not in store[cluster["id"]].allowlist:
            raise not_found("allowlist entry")
        return ok(put_entry(call, cluster, key, body))

    async def delete_allowlist(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        key = cidr(call.params["cidr_ip"], call.params["cidr_mask"])
        entry = store[cluster["id"]].allowlist.pop(key, None)
        if entry is None:
            raise not_found("allowlist entry")
        call.applied()
        return ok(entry)

    # --- client CA certificate --------------------------------------------------------

    def pem(body: dict[str, Any]) -> str:
        cert = body.get("x509_pem_cert", "")
        if not _PEM.fullmatch(cert):
            raise invalid("x509_pem_cert: must be a PEM-encoded X.509 certificate")
        return str(cert)

    def run_client_ca(cluster: dict[str, Any], info: dict[str, Any]) -> None:
        def done(failure: str | None) -> None:
            info["status"] = failure or "IS_SET"

        info["status"] = "PENDING"
        fake.jobs.start("client_ca", done, key=("client_ca", cluster["id"]))

    async def get_client_ca(call: Call) -> web.StreamResponse:
        return ok(store[cluster_for(fake, call)["id"]].client_ca)

    async def set_client_ca(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        cert = pem(await read_body(call))
        data = store[cluster["id"]]
        if data.client_ca["status"] != "NOT_SET":
            raise already_exists("a client CA certificate is already set; update it with PATCH")
        data.client_ca = {"status": "IS_SET", "x509_pem_cert": cert}
        run_client_ca(cluster, data.client_ca)
        call.applied()
        return ok(data.client_ca)

    async def update_client_ca(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        cert = pem(await read_body(call))
        data = store[cluster["id"]]
        if data.client_ca["status"] == "NOT_SET":
            raise not_found("client CA certificate")
        data.client_ca = {"status": "IS_SET", "x509_pem_cert": cert}
        run_client_ca(cluster, data.client_ca)
        call.applied()
        return ok(data.client_ca)

    async def delete_client_ca(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        data = store[cluster["id"]]
        if data.client_ca["status"] == "NOT_SET":
            raise not_found("client CA certificate")
        data.client_ca = {"status": "NOT_SET"}
        call.applied()
        return ok(data.client_ca)

    # --- private endpoints --------------------------------------------------------------

    def service_for(cluster: dict[str, Any], region: str) -> dict[str, Any]:
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
            "status": "AVAILABLE",
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

    async def list_services(call: Call) -> web.StreamResponse:
        return ok({"services": store[cluster_for(fake, call)["id"]].services})

    async def create_services(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        await read_body(call)
        data = store[cluster["id"]]
        if not data.services:
            services = data.services = [
                {**service_for(cluster, r["name"]), "status": "CREATING"}
                for r in cluster["regions"]
            ]

            def done(failure: str | None) -> None:
                for service in services:
                    service["status"] = failure or "AVAILABLE"

            fake.jobs.start("private_endpoint", done, key=("services", cluster["id"]))
            call.applied()
        return ok({"services": data.services})

    async def list_connections(call: Call) -> web.StreamResponse:
        connections = store[cluster_for(fake, call)["id"]].connections.values()
        return ok({"connections": list(connections)})

    async def add_connection(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        endpoint_id = body["endpoint_id"]
        if not endpoint_id:
            raise invalid("endpoint_id: must not be empty")
        data = store[cluster["id"]]
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
        call.applied()
        return ok(connection)

    async def delete_connection(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        if store[cluster["id"]].connections.pop(call.params["endpoint_id"], None) is None:
            raise not_found("private endpoint connection")
        call.applied()
        return ok({})

    _AWS_STATUS = {"STATUS_AVAILABLE": "AVAILABLE", "STATUS_REJECTED": "REJECTED"}

    def aws_view(connection: dict[str, Any]) -> dict[str, Any]:
        return {
            "region_name": connection["region_name"],
            "cloud_provider": connection["cloud_provider"],
            "status": _AWS_STATUS.get(connection["status"], connection["status"][7:]),
            "endpoint_id": connection["endpoint_id"],
            "service_id": connection["endpoint_service_id"],
            "external_owner_id": connection["external_owner_id"],
        }

    async def list_aws_connections(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call)
        connections = store[cluster["id"]].connections.values()
        if cluster["cloud_provider"] != "AWS":
            return ok({"connections": []})
        return ok({"connections": [aws_view(c) for c in connections]})

    async def set_aws_connection(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        connection = store[cluster["id"]].connections.get(call.params["endpoint_id"])
        if connection is None or cluster["cloud_provider"] != "AWS":
            raise not_found("AWS endpoint connection")
        connection["status"] = f"STATUS_{body['status']}"
        call.applied()
        return ok(aws_view(connection))

    def owner_of(call: Call, cluster: dict[str, Any]) -> dict[str, Any]:
        owner = store[cluster["id"]].owners.get(call.params["owner_id"])
        if owner is None:
            raise not_found("trusted owner")
        return owner

    async def list_owners(call: Call) -> web.StreamResponse:
        owners = store[cluster_for(fake, call)["id"]].owners.values()
        return ok({"trusted_owners": list(owners)})

    async def add_owner(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        if not _AWS_ACCOUNT.fullmatch(body["external_owner_id"]):
            raise invalid("external_owner_id: an AWS account ID is 12 digits")
        owners = store[cluster["id"]].owners
        if any(o["external_owner_id"] == body["external_owner_id"] for o in owners.values()):
            raise already_exists(f"{body['external_owner_id']} is already a trusted owner")
        owner = {
            "id": new_id(),
            "cluster_id": cluster["id"],
            "type": body["type"],
            "external_owner_id": body["external_owner_id"],
            "created_at": clock.stamp(),
        }
        owners[owner["id"]] = owner
        call.applied()
        return ok({"trusted_owner": owner})

    async def get_owner(call: Call) -> web.StreamResponse:
        return ok({"trusted_owner": owner_of(call, cluster_for(fake, call))})

    async def remove_owner(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        owner = owner_of(call, cluster)
        del store[cluster["id"]].owners[owner["id"]]
        call.applied()
        return ok({"trusted_owner": owner})

    # --- egress private endpoints -----------------------------------------------------

    def endpoint_of(call: Call, cluster: dict[str, Any]) -> dict[str, Any]:
        endpoint = store[cluster["id"]].egress_endpoints.get(call.params["id"])
        if endpoint is None:
            raise not_found("egress private endpoint")
        return endpoint

    async def list_endpoints(call: Call) -> web.StreamResponse:
        data = store[cluster_for(fake, call)["id"]]
        items, pagination = page(
            call,
            data.egress_endpoints.values(),
            lambda e: e["id"],
            created=lambda e: data.created.get(e["id"]),
        )
        return ok({"egress_private_endpoints": items, "pagination": pagination})

    async def create_endpoint(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        if body["region"] not in {r["name"] for r in cluster["regions"]}:
            raise invalid(f"region: {body['region']!r} is not one of the cluster's regions")
        if not body["target_service_identifier"]:
            raise invalid("target_service_identifier: must not be empty")
        require_plan(cluster, "ADVANCED", "egress private endpoints")
        octets = os.urandom(2)
        endpoint = {
            "id": new_id(),
            "endpoint_connection_id": f"vpce-{_hex(8)}",
            "region": body["region"],
            "target_service_identifier": body["target_service_identifier"],
            "target_service_type": body["target_service_type"],
            "endpoint_address": f"10.{octets[0]}.{octets[1]}.4",
            "state": "AVAILABLE",
            "domain_names": [],
            "domain_names_state": "EMPTY",
        }
        store[cluster["id"]].egress_endpoints[endpoint["id"]] = endpoint
        store[cluster["id"]].created[endpoint["id"]] = clock.stamp()
        call.applied()
        return ok(endpoint)

    async def get_endpoint(call: Call) -> web.StreamResponse:
        return ok(endpoint_of(call, cluster_for(fake, call)))

    async def set_domain_names(call: Call) -> dict[str, Any]:
        cluster = cluster_for(fake, call, mutate=True)
        endpoint = endpoint_of(call, cluster)
        body = await read_body(call)
        names = body["domain_names"]
        for i, name in enumerate(names):
            if not re.fullmatch(r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", name):
                raise invalid(f"domain_names[{i}]: not a domain name (got {name!r})")
        endpoint["domain_names"] = names
        endpoint["domain_names_state"] = "AVAILABLE" if names else "EMPTY"
        call.applied()
        return endpoint

    async def update_endpoint(call: Call) -> web.StreamResponse:
        return ok(await set_domain_names(call))

    async def update_endpoint_domains(call: Call) -> web.StreamResponse:
        await set_domain_names(call)
        return ok({})

    async def delete_endpoint(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        endpoint = endpoint_of(call, cluster)
        del store[cluster["id"]].egress_endpoints[endpoint["id"]]
        call.applied()
        return ok({})

    # --- egress rules and the traffic policy ------------------------------------------

    def check_rule(rule: dict[str, Any]) -> None:
        if rule["type"] not in _EGRESS_RULE_TYPES:
            raise invalid(f"type: must be one of {', '.join(_EGRESS_RULE_TYPES)}")
        if rule["type"] == "CIDR":
            try:
                ipaddress.ip_network(rule["destination"])
            except ValueError:
                raise invalid(f"destination: not a CIDR range ({rule['destination']!r})") from None
        elif not re.fullmatch(r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", rule["destination"]):
            raise invalid(f"destination: not a domain name ({rule['destination']!r})")
        for i, port in enumerate(rule.get("ports", [])):
            if not 1 <= port <= 65535:
                raise invalid(f"ports[{i}]: must be 1 to 65535 (got {port})")

    def rule_of(call: Call, cluster: dict[str, Any]) -> dict[str, Any]:
        rule = store[cluster["id"]].egress_rules.get(call.params["rule_id"])
        if rule is None:
            raise not_found("egress rule")
        return rule

    async def list_rules(call: Call) -> web.StreamResponse:
        rules = store[cluster_for(fake, call)["id"]].egress_rules.values()
        items, pagination = page(call, rules, lambda r: r["name"], "NAME")
        return ok({"rules": items, "pagination": pagination})

    async def add_rule(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        key = body.pop("idempotency_key", "")
        data = store[cluster["id"]]
        if key and key in data.idempotency and data.idempotency[key] in data.egress_rules:
            return ok({"rule": data.egress_rules[data.idempotency[key]]})
        if not body["name"]:
            raise invalid("name: must not be empty")
        check_rule(body)
        require_plan(cluster, "ADVANCED", "egress rules")
        if any(r["name"] == body["name"] for r in data.egress_rules.values()):
            raise already_exists(f"an egress rule named {body['name']!r} already exists")
        rule = {
            "id": new_id(),
            "cluster_id": cluster["id"],
            "state": "ACTIVE",
            "crl_managed": False,
            "created_at": clock.stamp(),
            "paths": [],
            "ports": [],
            **body,
        }
        data.egress_rules[rule["id"]] = rule
        if key:
            data.idempotency[key] = rule["id"]
        call.applied()
        return ok({"rule": rule})

    async def get_rule(call: Call) -> web.StreamResponse:
        return ok({"rule": rule_of(call, cluster_for(fake, call))})

    async def edit_rule(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        rule = rule_of(call, cluster)
        body = await read_body(call)
        body.pop("idempotency_key", None)
        if rule["crl_managed"]:
            raise precondition("rules managed by Cockroach Labs cannot be edited")
        updated = {**rule, **body}
        check_rule(updated)
        rule.update(updated)
        call.applied()
        return ok({"rule": rule})

    async def delete_rule(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        rule = rule_of(call, cluster)
        del store[cluster["id"]].egress_rules[rule["id"]]
        rule["state"] = "DELETED"
        call.applied()
        return ok({"rule": rule})

    async def set_policy(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        require_plan(cluster, "ADVANCED", "an egress traffic policy")
        final = "ALLOW_ALL" if body["allow_all"] else "DEFAULT_DENY"

        def done(failure: str | None) -> None:
            cluster["egress_traffic_policy"] = failure or final

        cluster["egress_traffic_policy"] = "UPDATING"
        fake.jobs.start("egress_policy", done, key=("egress_policy", cluster["id"]))
        call.applied()
        return ok({})

    return {
        "CockroachCloud_GetCMEKClusterInfo": get_cmek,
        "CockroachCloud_EnableCMEKSpec": enable_cmek,
        "CockroachCloud_UpdateCMEKSpec": update_cmek_spec,
        "CockroachCloud_UpdateCMEKStatus": update_cmek_status,
        "CockroachCloud_ListAllowlistEntries": list_allowlist,
        "CockroachCloud_AddAllowlistEntry": add_allowlist,
        "CockroachCloud_AddAllowlistEntry2": put_allowlist,
        "CockroachCloud_UpdateAllowlistEntry": update_allowlist,
        "CockroachCloud_DeleteAllowlistEntry": delete_allowlist,
        "CockroachCloud_GetClientCACert": get_client_ca,
        "CockroachCloud_SetClientCACert": set_client_ca,
        "CockroachCloud_UpdateClientCACert": update_client_ca,
        "CockroachCloud_DeleteClientCACert": delete_client_ca,
        "CockroachCloud_ListPrivateEndpointServices": list_services,
        "CockroachCloud_CreatePrivateEndpointServices": create_services,
        "CockroachCloud_ListPrivateEndpointConnections": list_connections,
        "CockroachCloud_AddPrivateEndpointConnection": add_connection,
        "CockroachCloud_DeletePrivateEndpointConnection": delete_connection,
        "CockroachCloud_ListAwsEndpointConnections": list_aws_connections,
        "CockroachCloud_SetAwsEndpointConnectionState": set_aws_connection,
        "CockroachCloud_ListPrivateEndpointTrustedOwners": list_owners,
        "CockroachCloud_AddPrivateEndpointTrustedOwner": add_owner,
        "CockroachCloud_GetPrivateEndpointTrustedOwner": get_owner,
        "CockroachCloud_RemovePrivateEndpointTrustedOwner": remove_owner,
        "CockroachCloud_ListEgressPrivateEndpoints": list_endpoints,
        "CockroachCloud_CreateEgressPrivateEndpoint": create_endpoint,
        "CockroachCloud_GetEgressPrivateEndpoint": get_endpoint,
        "CockroachCloud_UpdateEgressPrivateEndpoint": update_endpoint,
        "CockroachCloud_UpdateEgressPrivateEndpointDomainNames": update_endpoint_domains,
        "CockroachCloud_DeleteEgressPrivateEndpoint": delete_endpoint,
        "CockroachCloud_ListEgressRules": list_rules,
        "CockroachCloud_AddEgressRule": add_rule,
        "CockroachCloud_GetEgressRule": get_rule,
        "CockroachCloud_EditEgressRule": edit_rule,
        "CockroachCloud_DeleteEgressRule": delete_rule,
        "CockroachCloud_SetEgressTrafficPolicy": set_policy,
    }
