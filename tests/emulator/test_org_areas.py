"""The emulator's organization areas (org_* and scim), over real HTTP with plain aiohttp."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from ccloud_async.testing import FakeCloud

from ..support.spec_schemas import check_component as check

KEY = "test-key"
SCIM = "/api/scim/v2"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
RFC3339_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


class Api:
    def __init__(self, session: aiohttp.ClientSession, fake: FakeCloud) -> None:
        self.session = session
        self.fake = fake

    async def __call__(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        params: dict[str, str] | None = None,
        key: str = KEY,
        expect: int | None = 200,
    ) -> Any:
        headers = {"Authorization": f"Bearer {key}"}
        async with self.session.request(
            method, self.fake.url + path, json=json, params=params, headers=headers
        ) as resp:
            body = await resp.json()
            if expect is not None:
                assert resp.status == expect, (resp.status, body)
            self.status = resp.status
            return body

    async def error(self, method: str, path: str, json: Any = None, **kw: Any) -> tuple[int, Any]:
        body = await self(method, path, json, expect=None, **kw)
        check("Status", body)
        return self.status, body


@pytest.fixture
async def fake() -> AsyncIterator[FakeCloud]:
    async with FakeCloud(rate_limit=None) as server:
        yield server


@pytest.fixture
async def api(fake: FakeCloud) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, fake)


def applied(fake: FakeCloud) -> int:
    return sum(fake.stats.applied.values())


def org_id(fake: FakeCloud) -> str:
    return str(fake.org.organization["id"])  # type: ignore[attr-defined]


def audit_actions(fake: FakeCloud) -> list[str]:
    return [e["action"] for e in fake.audit.entries]  # type: ignore[attr-defined]


# --- coverage ------------------------------------------------------------------------


def test_every_org_operation_has_a_handler(fake: FakeCloud) -> None:
    ours = [
        r.operation_id
        for r in fake.routes.routes
        if r.template.startswith(("/api/scim/v2", "/api/v1/"))
        and not r.template.startswith(
            ("/api/v1/clusters", "/api/v1/cluster-versions", "/api/v1/physical-replication")
        )
    ]
    assert len([o for o in ours if o in fake.handlers]) == len(ours)
    assert len([r for r in fake.routes.routes if r.template.startswith(SCIM)]) == 25
    assert len(ours) == 25 + 31


# --- service accounts and API keys ---------------------------------------------------


def role(name: str, rtype: str = "ORGANIZATION", rid: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {"type": rtype}
    if rid is not None:
        resource["id"] = rid
    return {"name": name, "resource": resource}


async def test_service_account_round_trip_and_pages(api: Api, fake: FakeCloud) -> None:
    body = {"name": "ci-deployer", "description": "deploys from CI", "roles": [role("ORG_ADMIN")]}
    created = check("ServiceAccount", await api("POST", "/api/v1/service-accounts", body))
    assert created["name"] == "ci-deployer" and created["description"] == "deploys from CI"
    assert created["roles"] == [role("ORG_ADMIN", rid=org_id(fake))]
    assert RFC3339_Z.fullmatch(created["created_at"])
    sa = f"/api/v1/service-accounts/{created['id']}"
    assert await api("GET", sa) == created
    updated = check("ServiceAccount", await api("PATCH", sa, {"name": "ci-bot"}))
    assert updated["name"] == "ci-bot" and updated["description"] == "deploys from CI"
    assert (await api("GET", sa))["name"] == "ci-bot"

    for i in range(4):
        await api("POST", "/api/v1/service-accounts", {**body, "name": f"sa-{i}"})
    names, page = [], ""
    for _ in range(5):
        params = {"pagination.limit": "2", **({"pagination.page": page} if page else {})}
        listing = check(
            "ListServiceAccountsResponse",
            await api("GET", "/api/v1/service-accounts", params=params),
        )
        names += [a["name"] for a in listing["service_accounts"]]
        page = listing["pagination"].get("next_page", "")
        if not page:
            break
    assert names == ["ci-bot", "sa-0", "sa-1", "sa-2", "sa-3"]
    desc = await api(
        "GET",
        "/api/v1/service-accounts",
        params={"pagination.sort_order": "DESC", "pagination.limit": "1"},
    )
    assert [a["name"] for a in desc["service_accounts"]] == ["sa-3"]

    deleted = check("ServiceAccount", await api("DELETE", sa))
    assert deleted["id"] == created["id"]
    status, err = await api.error("GET", sa)
    assert (status, err["code"]) == (404, 5)
    assert (await api.error("DELETE", sa))[0] == 404
    assert (await api.error("PATCH", sa, {"name": "x"}))[0] == 404
    assert fake.stats.applied["CockroachCloud_CreateServiceAccount"] == 5
    assert "AUDIT_LOG_ACTION_DELETE_SERVICE_ACCOUNT" in audit_actions(fake)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "description": "d", "roles": [], "colour": "red"}, "colour"),
        ({"name": 7, "description": "d", "roles": []}, "name"),
        ({"description": "d", "roles": []}, "name"),
        ({"name": "x", "description": "d", "roles": "ORG_ADMIN"}, "roles"),
        ({"name": "x", "description": "d", "roles": [role("GOD_MODE")]}, "roles[0].name"),
        (
            {"name": "x", "description": "d", "roles": [{"name": "ORG_ADMIN", "resource": {}}]},
            "roles[0].resource.type",
        ),
        (
            {"name": "x", "description": "d", "roles": [role("CLUSTER_ADMIN", "CLUSTER")]},
            "roles[0].resource.id",
        ),
        ([1, 2], "request body"),
    ],
)
async def test_bad_body_is_400_naming_the_field(
    api: Api, fake: FakeCloud, body: Any, field: str
) -> None:
    status, err = await api.error("POST", "/api/v1/service-accounts", body)
    assert (status, err["code"]) == (400, 3)
    assert err["message"].startswith(f"{field}:"), err["message"]
    listing = await api("GET", "/api/v1/service-accounts")
    assert listing["service_accounts"] == [] and applied(fake) == 0
    assert fake.audit.entries == []  # type: ignore[attr-defined]


async def test_api_key_secret_only_at_creation(api: Api, fake: FakeCloud) -> None:
    sa = await api(
        "POST",
        "/api/v1/service-accounts",
        {"name": "reader", "description": "", "roles": [role("CLUSTER_ADMIN", "CLUSTER")]},
        expect=None,
    )
    # CLUSTER roles need a resource id; an org-level role for the key to use instead.
    assert api.status == 400 and "roles[0].resource.id" in sa["message"]
    sa = await api(
        "POST",
        "/api/v1/service-accounts",
        {"name": "reader", "description": "", "roles": [role("ORG_ADMIN")]},
    )
    created = check(
        "CreateApiKeyResponse",
        await api("POST", "/api/v1/api-keys", {"name": "laptop", "service_account_id": sa["id"]}),
    )
    key, secret = created["api_key"], created["secret"]
    assert secret.startswith(f"CCDB1_{key['id']}_") and len(secret) > 40
    path = f"/api/v1/api-keys/{key['id']}"
    got = check("ApiKey", await api("GET", path))
    assert got == key and secret not in str(got)
    listing = check("ListApiKeysResponse", await api("GET", "/api/v1/api-keys"))
    assert listing["api_keys"] == [key] and secret not in str(listing)
    other = await api("GET", "/api/v1/api-keys", params={"service_account_id": "nope"})
    assert other["api_keys"] == []
    renamed = check("ApiKey", await api("PATCH", path, {"name": "desktop"}))
    assert renamed["name"] == "desktop" and "secret" not in renamed
    # The secret is a working bearer key with the service account's roles.
    assert (await api("GET", "/api/v1/organization", key=secret))["id"] == org_id(fake)
    status, err = await api.error(
        "POST", "/api/v1/api-keys", {"name": "k", "service_account_id": "nope"}
    )
    assert (status, err["code"]) == (404, 5)
    assert (await api.error("PATCH", path, {"name": "x", "secret": "y"}))[1]["message"].startswith(
        "secret:"
    )
    check("ApiKey", await api("DELETE", path))
    assert (await api.error("GET", path))[0] == 404
    assert (await api.error("GET", "/api/v1/organization", key=secret))[0] == 401
    assert fake.stats.applied["CockroachCloud_CreateApiKey"] == 1


# --- JWT issuers ---------------------------------------------------------------------


async def test_jwt_issuer_round_trip(api: Api, fake: FakeCloud) -> None:
    body = {
        "issuer_url": "https://idp.example.com",
        "audience": "ccloud",
        "identity_map": [{"token_identity": "/(.*)@example.com/", "cc_identity": "\\1"}],
    }
    created = check("JWTIssuer", await api("POST", "/api/v1/jwt-issuers", body))
    assert created["claim"] == "sub" and created["identity_map"] == body["identity_map"]
    path = f"/api/v1/jwt-issuers/{created['id']}"
    assert await api("GET", path) == created
    status, err = await api.error("POST", "/api/v1/jwt-issuers", body)
    assert (status, err["code"]) == (409, 6)
    status, err = await api.error("POST", "/api/v1/jwt-issuers", {"issuer_url": "https://x"})
    assert status == 400 and err["message"].startswith("audience:")
    status, err = await api.error("PATCH", path, {"identity_map": [{"cc_identity": "a"}]})
    assert status == 400 and err["message"].startswith("identity_map[0].token_identity:")
    updated = check("JWTIssuer", await api("PATCH", path, {"audience": "other", "claim": "email"}))
    assert (updated["audience"], updated["claim"]) == ("other", "email")
    listing = check("ListJWTIssuersResponse", await api("GET", "/api/v1/jwt-issuers"))
    assert listing["jwt_issuers"] == [updated]
    assert await api("DELETE", path) == updated
    assert (await api.error("GET", path))[0] == 404
    assert (await api("GET", "/api/v1/jwt-issuers"))["jwt_issuers"] == []
    assert applied(fake) == 3


# --- roles ---------------------------------------------------------------------------


async def test_roles_round_trip(api: Api, fake: FakeCloud) -> None:
    sa = await api(
        "POST", "/api/v1/service-accounts", {"name": "ops", "description": "", "roles": []}
    )
    uid, org = sa["id"], org_id(fake)
    assert (
        check("GetAllRolesForUserResponse", await api("GET", f"/api/v1/roles/{uid}"))["roles"] == []
    )
    got = await api("PUT", f"/api/v1/roles/{uid}", {"roles": [role("ORG_MEMBER")]})
    assert check("GetAllRolesForUserResponse", got)["roles"] == [role("ORG_MEMBER", rid=org)]
    folder = await api("POST", "/api/v1/folders", {"name": "team-a"})
    fid = folder["resource_id"]
    added = await api("POST", f"/api/v1/roles/{uid}/FOLDER/{fid}/FOLDER_ADMIN")
    assert added["roles"] == [role("ORG_MEMBER", rid=org), role("FOLDER_ADMIN", "FOLDER", fid)]
    assert (await api("GET", f"/api/v1/service-accounts/{uid}"))["roles"] == added["roles"]
    grants = check("ListRoleGrantsResponse", await api("GET", "/api/v1/roles"))
    assert grants["grants"] == [{"user_id": uid, "roles": added["roles"]}]

    status, err = await api.error("POST", f"/api/v1/roles/{uid}/FOLDER/{fid}/KING")
    assert status == 400 and err["message"].startswith("role_name:")
    assert (await api.error("POST", f"/api/v1/roles/{uid}/FOLDER/nope/FOLDER_ADMIN"))[0] == 404
    assert (await api.error("POST", f"/api/v1/roles/ghost/FOLDER/{fid}/FOLDER_ADMIN"))[0] == 404
    status, err = await api.error("PUT", f"/api/v1/roles/{uid}", {"roles": [role("NOPE")]})
    assert status == 400 and err["message"].startswith("roles[0].name:")
    assert len((await api("GET", f"/api/v1/roles/{uid}"))["roles"]) == 2  # unchanged

    removed = await api("DELETE", f"/api/v1/roles/{uid}/ORGANIZATION/{org}/ORG_MEMBER")
    assert removed["roles"] == [role("FOLDER_ADMIN", "FOLDER", fid)]
    status, err = await api.error("DELETE", f"/api/v1/roles/{uid}/ORGANIZATION/{org}/ORG_MEMBER")
    assert (status, err["code"]) == (404, 5)
    assert fake.stats.applied["CockroachCloud_RemoveUserFromRole"] == 1


# --- folders -------------------------------------------------------------------------


async def test_folders_round_trip(api: Api, fake: FakeCloud) -> None:
    prod = check(
        "FolderResource",
        await api("POST", "/api/v1/folders", {"name": "prod", "labels": {"env": "prod"}}),
    )
    assert (prod["parent_id"], prod["path"], prod["resource_type"]) == ("root", [], "FOLDER")
    assert prod["organization_id"] == org_id(fake)
    eu = check(
        "FolderResource",
        await api("POST", "/api/v1/folders", {"name": "eu", "parent_id": prod["resource_id"]}),
    )
    assert eu["path"] == [{"id": prod["resource_id"], "name": "prod"}]
    status, err = await api.error(
        "POST", "/api/v1/folders", {"name": "eu", "parent_id": prod["resource_id"]}
    )
    assert (status, err["code"]) == (409, 6)
    status, err = await api.error("POST", "/api/v1/folders", {"name": "x", "parent_id": "nope"})
    assert status == 400 and err["message"].startswith("parent_id:")
    status, err = await api.error("POST", "/api/v1/folders", {"name": "x", "labels": {"a": 1}})
    assert status == 400 and err["message"].startswith("labels.a:")

    path = f"/api/v1/folders/{prod['resource_id']}"
    renamed = check("FolderResource", await api("PATCH", path, {"name": "production"}))
    assert renamed["labels"] == {"env": "prod"} and renamed["name"] == "production"
    eu_now = await api("GET", f"/api/v1/folders/{eu['resource_id']}")
    assert eu_now["path"] == [{"id": prod["resource_id"], "name": "production"}]
    status, err = await api.error("PATCH", path, {"parent_id": eu["resource_id"]})
    assert status == 400 and "under itself" in err["message"]

    listing = check("ListFoldersResponse", await api("GET", "/api/v1/folders"))
    assert [f["name"] for f in listing["folders"]] == ["production", "eu"]
    at = await api("GET", "/api/v1/folders", params={"path": "/production/eu"})
    assert [f["resource_id"] for f in at["folders"]] == [eu["resource_id"]]

    contents = check("FolderResourceList", await api("GET", f"{path}/contents"))
    assert [(r["resource_type"], r["name"]) for r in contents["resources"]] == [("FOLDER", "eu")]
    status, err = await api.error("DELETE", path)
    assert (status, err["code"]) == (400, 9)
    assert await api("DELETE", f"/api/v1/folders/{eu['resource_id']}") == {}
    assert await api("DELETE", path) == {}
    for method, suffix in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "/contents")):
        status, err = await api.error(method, path + suffix, {} if method == "PATCH" else None)
        assert (status, err["code"]) == (404, 5)
    assert (await api("GET", "/api/v1/folders"))["folders"] == []
    assert fake.stats.applied["CockroachCloud_DeleteFolder"] == 2


async def test_folder_contents_lists_clusters(api: Api, fake: FakeCloud) -> None:
    folder = await api("POST", "/api/v1/folders", {"name": "apps"})
    fid = folder["resource_id"]
    cluster = {
        "name": "app-cluster",
        "provider": "GCP",
        "spec": {"serverless": {"regions": ["us-central1"]}, "parent_id": fid},
    }
    made = await api("POST", "/api/v1/clusters", cluster)
    contents = check("FolderResourceList", await api("GET", f"/api/v1/folders/{fid}/contents"))
    assert contents["resources"] == [
        {
            "resource_id": made["id"],
            "resource_type": "CLUSTER",
            "parent_id": fid,
            "organization_id": org_id(fake),
            "name": "app-cluster",
            "path": [{"id": fid, "name": "apps"}],
            "labels": {},
        }
    ]
    status, err = await api.error("DELETE", f"/api/v1/folders/{fid}")
    assert (status, err["code"]) == (400, 9)
    root = await api("GET", "/api/v1/folders/root/contents")
    assert [r["name"] for r in root["resources"]] == ["apps"]


# --- invoices and the organization ----------------------------------------------------


async def test_invoices(api: Api) -> None:
    listing = check("ListInvoicesResponse", await api("GET", "/api/v1/invoices"))
    invoices = listing["invoices"]
    assert [i["status"] for i in invoices] == ["FINALIZED", "FINALIZED", "DRAFT"]
    for invoice in invoices:
        check("Invoice", invoice)
        assert RFC3339_Z.fullmatch(invoice["period_start"])
        items_total = sum(item["totals"][0]["amount"] for item in invoice["invoice_items"])
        adjust = sum(a["amount"]["amount"] for a in invoice["adjustments"])
        assert invoice["totals"][0]["amount"] == pytest.approx(items_total + adjust, abs=0.02)
        assert await api("GET", f"/api/v1/invoices/{invoice['invoice_id']}") == invoice
    assert invoices[0]["period_end"] == invoices[1]["period_start"]
    drafts = await api("GET", "/api/v1/invoices", params={"status": "DRAFT"})
    assert [i["invoice_id"] for i in drafts["invoices"]] == [invoices[2]["invoice_id"]]
    recent = await api(
        "GET", "/api/v1/invoices", params={"start_time": invoices[1]["period_start"]}
    )
    assert len(recent["invoices"]) == 2
    status, err = await api.error("GET", "/api/v1/invoices", params={"status": "PAID"})
    assert status == 400 and err["message"].startswith("status:")
    status, err = await api.error("GET", "/api/v1/invoices", params={"end_time": "yesterday"})
    assert status == 400 and err["message"].startswith("end_time:")
    status, err = await api.error("GET", "/api/v1/invoices/in_nope")
    assert (status, err["code"]) == (404, 5)


async def test_organization(api: Api, fake: FakeCloud) -> None:
    org = check("Organization", await api("GET", "/api/v1/organization"))
    assert org["id"] == org_id(fake) and org["name"] and RFC3339_Z.fullmatch(org["created_at"])


# --- audit log -----------------------------------------------------------------------


async def test_audit_log_pages(api: Api, fake: FakeCloud) -> None:
    empty = check("ListAuditLogsResponse", await api("GET", "/api/v1/auditlogevents"))
    assert empty.get("entries", []) == [] and RFC3339_Z.fullmatch(empty["next_starting_from"])
    desc_empty = await api("GET", "/api/v1/auditlogevents", params={"sort_order": "DESC"})
    assert "next_starting_from" not in desc_empty
    for i in range(5):
        await api("POST", "/api/v1/folders", {"name": f"f{i}"})
    entries = fake.audit.entries  # type: ignore[attr-defined]
    assert [e["action"] for e in entries] == ["AUDIT_LOG_ACTION_CREATE_FOLDER"] * 5

    seen, ids, cursor = [], set(), None
    for _ in range(4):
        params = {"limit": "2", **({"starting_from": cursor} if cursor else {})}
        page = check(
            "ListAuditLogsResponse", await api("GET", "/api/v1/auditlogevents", params=params)
        )
        seen += [e["payload"] for e in page["entries"] if e["id"] not in ids]
        ids |= {e["id"] for e in page["entries"]}
        cursor = page["next_starting_from"]  # ASC: always present
    assert seen == ["f0", "f1", "f2", "f3", "f4"]
    assert cursor == entries[-1]["created_at"]

    seen, ids, params = [], set(), {"limit": "2", "sort_order": "DESC"}
    for _ in range(4):
        page = await api("GET", "/api/v1/auditlogevents", params=params)
        seen += [e["payload"] for e in page["entries"] if e["id"] not in ids]
        ids |= {e["id"] for e in page["entries"]}
        if "next_starting_from" not in page:
            break
        params = {**params, "starting_from": page["next_starting_from"]}
    assert seen == ["f4", "f3", "f2", "f1", "f0"]

    # starting_from is exclusive, and accepts an offset.
    after = await api(
        "GET", "/api/v1/auditlogevents", params={"starting_from": entries[2]["created_at"]}
    )
    # f2 is stamped exactly at the bound: repeated, the rest is strictly after.
    assert [e["payload"] for e in after["entries"]] == ["f2", "f3", "f4"]
    status, err = await api.error("GET", "/api/v1/auditlogevents", params={"sort_order": "UP"})
    assert status == 400 and err["message"].startswith("sort_order:")
    status, err = await api.error("GET", "/api/v1/auditlogevents", params={"starting_from": "now"})
    assert status == 400 and err["message"].startswith("starting_from:")


async def test_audit_page_keeps_a_timestamp_whole(api: Api, fake: FakeCloud) -> None:
    log = fake.audit  # type: ignore[attr-defined]
    for action in ("AUDIT_LOG_ACTION_USER_LOGIN",) * 3:
        log.record(action, created_at="2026-01-02T03:04:05.000000Z")
    page = await api("GET", "/api/v1/auditlogevents", params={"limit": "1"})
    assert len(page["entries"]) == 3
    assert page["next_starting_from"] == "2026-01-02T03:04:05.000000Z"
    later = await api(
        "GET", "/api/v1/auditlogevents", params={"starting_from": "2026-01-02T04:04:05+01:00"}
    )
    # Nothing after the bound; the entries stamped exactly at it come again (the
    # boundary repeats a client deduplicates by id).
    assert {e["created_at"] for e in later["entries"]} == {"2026-01-02T03:04:05.000000Z"}
    assert len(later["entries"]) == 3


# --- SCIM ----------------------------------------------------------------------------


def scim_user(email: str, given: str = "Ada", family: str = "Lovelace") -> dict[str, Any]:
    return {
        "schemas": [USER_URN],
        "userName": email,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": email, "primary": True, "type": "work"}],
        "externalId": f"ext-{given.lower()}",
    }


async def test_scim_users(api: Api, fake: FakeCloud) -> None:
    created = check(
        "CreateUserResponse", await api("POST", f"{SCIM}/Users", scim_user("ada@acme.example"))
    )
    assert created["active"] is True and created["displayName"] == "Ada Lovelace"
    assert created["meta"]["location"].endswith(f"{SCIM}/Users/{created['id']}")
    path = f"{SCIM}/Users/{created['id']}"
    assert check("ScimUser", await api("GET", path)) == created
    status, err = await api.error("POST", f"{SCIM}/Users", scim_user("ADA@acme.example"))
    assert (status, err["code"]) == (409, 6)
    status, err = await api.error("POST", f"{SCIM}/Users", {"schemas": [USER_URN]})
    assert status == 400 and err["message"].startswith("emails:")
    grace = await api("POST", f"{SCIM}/Users", scim_user("grace@acme.example", "Grace", "Hopper"))

    listing = check("GetUsersResponse", await api("GET", f"{SCIM}/Users"))
    assert listing["totalResults"] == 2 and listing["startIndex"] == 1
    found = await api("GET", f"{SCIM}/Users", params={"filter": 'userName eq "grace@acme.example"'})
    assert [u["id"] for u in found["Resources"]] == [grace["id"]]
    second = await api("GET", f"{SCIM}/Users", params={"startIndex": "2", "count": "5"})
    assert [u["id"] for u in second["Resources"]] == [grace["id"]] and second["itemsPerPage"] == 1
    for method in ("POST", "PUT"):
        searched = check(
            "GetUsersResponse",
            await api(
                method, f"{SCIM}/Users/.search", {"filter": 'emails.value eq "ada@acme.example"'}
            ),
        )
        assert [u["id"] for u in searched["Resources"]] == [created["id"]]
        one = check("ScimUser", await api(method, f"{path}/.search", {"attributes": "userName"}))
        assert set(one) == {"id", "schemas", "userName"}
    status, err = await api.error("GET", f"{SCIM}/Users", params={"filter": "userName sw x"})
    assert status == 400 and err["message"].startswith("filter:")
    slim = await api("GET", path, params={"excludedAttributes": "emails,groups,meta"})
    assert "emails" not in slim and slim["userName"] == "ada@acme.example"

    patch = {
        "schemas": [PATCH_URN],
        "Operations": [
            {"op": "Replace", "path": "active", "value": False},
            {"op": "replace", "value": {"displayName": "Countess"}},
        ],
    }
    patched = check("ScimUser", await api("PATCH", path, patch))
    assert patched["active"] is False and patched["displayName"] == "Countess"
    bad = {
        "schemas": [PATCH_URN],
        "Operations": [{"op": "replace", "path": "active", "value": "no"}],
    }
    status, err = await api.error("PATCH", path, bad)
    assert status == 400 and err["message"].startswith("Operations[0].value:")
    assert (await api("GET", path))["displayName"] == "Countess"  # unchanged
    replaced = await api("PUT", path, {**scim_user("ada@new.example"), "active": True})
    assert replaced["userName"] == "ada@new.example" and replaced["active"] is True

    person = check(
        "GetPersonUsersByEmailResponse",
        await api("GET", "/api/v1/users/persons-by-email", params={"email": "ada@new.example"}),
    )
    assert person == {"user": {"id": created["id"], "email": "ada@new.example"}}
    assert (await api.error("GET", "/api/v1/users/persons-by-email", params={"email": "x@y"}))[
        0
    ] == 404
    status, err = await api.error("GET", "/api/v1/users/persons-by-email")
    assert status == 400 and err["message"].startswith("email:")

    assert await api("DELETE", path) == {}
    for method in ("GET", "DELETE"):
        status, err = await api.error(method, path)
        assert (status, err["code"]) == (404, 5)
    assert (await api.error("PATCH", path, patch))[0] == 404
    assert (await api("GET", f"{SCIM}/Users"))["totalResults"] == 1
    assert fake.stats.applied["CockroachCloud_CreateUser"] == 2
    assert "AUDIT_LOG_ACTION_DELETE_USER" in audit_actions(fake)


async def test_scim_groups(api: Api, fake: FakeCloud) -> None:
    ada = await api("POST", f"{SCIM}/Users", scim_user("ada@acme.example"))
    bob = await api("POST", f"{SCIM}/Users", scim_user("bob@acme.example", "Bob", "Byte"))
    body = {"schemas": [GROUP_URN], "displayName": "dbas", "members": [{"value": ada["id"]}]}
    group = check("ScimGroup", await api("POST", f"{SCIM}/Groups", body))
    assert group["members"] == [{"value": ada["id"], "type": "User", "display": "Ada Lovelace"}]
    path = f"{SCIM}/Groups/{group['id']}"
    assert check("ScimGroup", await api("GET", path)) == group
    user = await api("GET", f"{SCIM}/Users/{ada['id']}")
    assert [g["value"] for g in user["groups"]] == [group["id"]]
    status, err = await api.error("POST", f"{SCIM}/Groups", body)
    assert (status, err["code"]) == (409, 6)
    bad = {**body, "displayName": "x", "members": [{"value": "ghost"}]}
    status, err = await api.error("POST", f"{SCIM}/Groups", bad)
    assert status == 400 and err["message"].startswith("members[0].value:")

    add = {
        "schemas": [PATCH_URN],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": bob["id"]}]}],
    }
    grown = check("ScimGroup", await api("PATCH", path, add))
    assert [m["value"] for m in grown["members"]] == [ada["id"], bob["id"]]
    remove = {
        "schemas": [PATCH_URN],
        "Operations": [{"op": "remove", "path": f'members[value eq "{ada["id"]}"]'}],
    }
    assert [m["value"] for m in (await api("PATCH", path, remove))["members"]] == [bob["id"]]
    status, err = await api.error("PATCH", path, {"Operations": []})
    assert status == 400 and err["message"].startswith("schemas:")

    listing = check(
        "GetGroupsResponse",
        await api("GET", f"{SCIM}/Groups", params={"filter": 'displayName eq "DBAS"'}),
    )
    assert [g["id"] for g in listing["Resources"]] == [group["id"]]
    for method in ("POST", "PUT"):
        searched = check(
            "GetGroupsResponse", await api(method, f"{SCIM}/Groups/.search", {"count": 0})
        )
        assert searched["totalResults"] == 1 and searched["Resources"] == []
        one = check(
            "ScimGroup", await api(method, f"{path}/.search", {"excludedAttributes": "members"})
        )
        assert "members" not in one and one["displayName"] == "dbas"

    put = {"schemas": [GROUP_URN], "displayName": "admins", "members": []}
    renamed = check("ScimGroup", await api("PUT", path, put))
    assert renamed["displayName"] == "admins" and renamed["members"] == []
    assert await api("DELETE", path) == {}
    assert (await api.error("GET", path))[0] == 404
    assert (await api.error("PUT", path, put))[0] == 404
    assert (await api("GET", f"{SCIM}/Groups"))["totalResults"] == 0


async def test_scim_discovery(api: Api) -> None:
    config = check(
        "GetServiceProviderConfigResponse", await api("GET", f"{SCIM}/ServiceProviderConfig")
    )
    assert config["filter"] == {"supported": True, "maxResults": 100}
    types = check("GetResourceTypesResponse", await api("GET", f"{SCIM}/ResourceTypes"))
    assert {t["schema"] for t in types["Resources"]} == {USER_URN, GROUP_URN}
    check("ScimResourceType", await api("GET", f"{SCIM}/ResourceTypes/User"))
    assert (await api.error("GET", f"{SCIM}/ResourceTypes/Robot"))[0] == 404
    schemas = check("GetSchemasResponse", await api("GET", f"{SCIM}/Schemas"))
    assert schemas["totalResults"] == 2
    user_schema = check("ScimSchema", await api("GET", f"{SCIM}/Schemas/{USER_URN}"))
    assert "userName" in [a["name"] for a in user_schema["attributes"]]
    assert (await api.error("GET", f"{SCIM}/Schemas/urn:nope"))[0] == 404


async def test_scim_attribute_filters_keep_the_required_attributes(api: Api) -> None:
    body = {"schemas": [GROUP_URN], "displayName": "ops", "members": []}
    group = await api("POST", f"{SCIM}/Groups", body)
    only_members = check(
        "ScimGroup", await api("GET", f"{SCIM}/Groups/{group['id']}?attributes=members")
    )
    assert only_members["displayName"] == "ops"  # required: returned whatever is asked
    kind = check("ScimResourceType", await api("GET", f"{SCIM}/ResourceTypes/User?attributes=id"))
    assert {"name", "endpoint", "schema"} <= set(kind)
