"""Folders: create, list (optionally by path), get, update (rename, move, relabel),
delete, and list a folder's contents (its child folders and clusters).

Folders live on ``fake.org.folders`` as FolderResource objects; ``path`` is the list
of ancestor folders, top down, computed when answering (so renames and moves show).
``root`` is the organization's top level. Rules: names are 1-32 characters, unique
among siblings (409); at most 4 levels deep; a folder cannot move under itself; only
an empty folder (no child folders, no live clusters) can be deleted (400 code 9).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..common import not_found
from ..errors import ALREADY_EXISTS, FAILED_PRECONDITION, ApiError, invalid, json_response
from ..validation import read_body
from .org_common import OrgState, keyset_page, org_state

if TYPE_CHECKING:
    from ..call import Call, Handler
    from ..server import FakeCloud

ROOT = "root"
MAX_DEPTH = 4
MAX_NAME = 32


def _ancestors(state: OrgState, parent_id: str) -> list[dict[str, Any]]:
    chain: list[dict[str, Any]] = []
    while parent_id != ROOT:
        folder = state.folders[parent_id]
        chain.insert(0, folder)
        parent_id = folder["parent_id"]
    return chain


def _render(state: OrgState, folder: dict[str, Any]) -> dict[str, Any]:
    path = [
        {"id": f["resource_id"], "name": f["name"]} for f in _ancestors(state, folder["parent_id"])
    ]
    return {**folder, "path": path}


def _depth_below(state: OrgState, folder_id: str) -> int:
    children = [f for f in state.folders.values() if f["parent_id"] == folder_id]
    return 1 + max((_depth_below(state, c["resource_id"]) for c in children), default=0)


def handlers(fake: FakeCloud) -> dict[str, Handler]:
    state = org_state(fake)

    def folder(folder_id: str) -> dict[str, Any]:
        found = state.folders.get(folder_id)
        if found is None:
            raise not_found("folder")
        return found

    def check_name(name: str, parent_id: str, folder_id: str | None) -> None:
        if not name.strip() or len(name) > MAX_NAME:
            raise invalid(f"name: must be 1-{MAX_NAME} characters (got {name!r})")
        for other in state.folders.values():
            if (
                other["parent_id"] == parent_id
                and other["name"] == name
                and other["resource_id"] != folder_id
            ):
                raise ApiError(409, ALREADY_EXISTS, f"a folder named {name!r} already exists here")

    def check_parent(parent_id: str, folder_id: str | None) -> None:
        if parent_id != ROOT and parent_id not in state.folders:
            raise invalid(f"parent_id: no folder {parent_id!r}")
        chain = [f["resource_id"] for f in _ancestors(state, parent_id)]
        if folder_id is not None and (folder_id == parent_id or folder_id in chain):
            raise invalid("parent_id: a folder cannot move under itself")
        height = 1 if folder_id is None else _depth_below(state, folder_id)
        if len(chain) + height > MAX_DEPTH:
            raise invalid(f"parent_id: folders nest at most {MAX_DEPTH} levels deep")

    async def create(call: Call) -> web.StreamResponse:
        body = await read_body(call)
        parent_id = body.get("parent_id") or ROOT
        check_parent(parent_id, None)
        check_name(body["name"], parent_id, None)
        folder_id = str(uuid.uuid4())
        state.stamp(folder_id)
        state.folders[folder_id] = {
            "resource_id": folder_id,
            "resource_type": "FOLDER",
            "parent_id": parent_id,
            "organization_id": state.organization["id"],
            "name": body["name"],
            "labels": dict(body.get("labels", {})),
        }
        state.audit.record("AUDIT_LOG_ACTION_CREATE_FOLDER", call, payload=body["name"])
        call.applied()
        return json_response(_render(state, state.folders[folder_id]))

    async def list_folders(call: Call) -> web.StreamResponse:
        query = call.request.query
        found = list(state.folders.values())
        if query.get("path"):
            wanted = [p for p in query["path"].split("/") if p]
            found = [
                f
                for f in found
                if [a["name"] for a in _ancestors(state, f["parent_id"])] + [f["name"]] == wanted
            ]
        page, pagination = keyset_page(found, query, state.order_key("resource_id"))
        return json_response(
            {"folders": [_render(state, f) for f in page], "pagination": pagination}
        )

    async def get(call: Call) -> web.StreamResponse:
        return json_response(_render(state, folder(call.params["folder_id"])))

    async def update(call: Call) -> web.StreamResponse:
        found = folder(call.params["folder_id"])
        body = await read_body(call)
        parent_id = body.get("parent_id") or found["parent_id"]
        if parent_id != found["parent_id"]:
            check_parent(parent_id, found["resource_id"])
        check_name(body.get("name", found["name"]), parent_id, found["resource_id"])
        found["parent_id"] = parent_id
        if "name" in body:
            found["name"] = body["name"]
        if "labels" in body:
            found["labels"] = dict(body["labels"])
        state.audit.record("AUDIT_LOG_ACTION_UPDATE_FOLDER", call, payload=found["resource_id"])
        call.applied()
        return json_response(_render(state, found))

    def clusters_in(folder_id: str) -> list[dict[str, Any]]:
        return [
            c
            for c in fake.clusters.all()
            if c.get("parent_id", ROOT) == folder_id and c["state"] != "DELETED"
        ]

    async def delete(call: Call) -> web.StreamResponse:
        found = folder(call.params["folder_id"])
        folder_id = found["resource_id"]
        if any(f["parent_id"] == folder_id for f in state.folders.values()) or clusters_in(
            folder_id
        ):
            raise ApiError(400, FAILED_PRECONDITION, "folder is not empty")
        del state.folders[folder_id]
        state.audit.record("AUDIT_LOG_ACTION_DELETE_FOLDER", call, payload=folder_id)
        call.applied()
        return json_response({})

    async def contents(call: Call) -> web.StreamResponse:
        folder_id = call.params["folder_id"]
        if folder_id != ROOT:
            folder(folder_id)
        items = [_render(state, f) for f in state.folders.values() if f["parent_id"] == folder_id]
        path = [] if folder_id == ROOT else _render(state, state.folders[folder_id])["path"]
        if folder_id != ROOT:
            path = [*path, {"id": folder_id, "name": state.folders[folder_id]["name"]}]
        for cluster in clusters_in(folder_id):
            items.append(
                {
                    "resource_id": cluster["id"],
                    "resource_type": "CLUSTER",
                    "parent_id": folder_id,
                    "organization_id": state.organization["id"],
                    "name": cluster["name"],
                    "path": path,
                    "labels": dict(cluster.get("labels", {})),
                }
            )

        def key(item: dict[str, Any]) -> tuple[str, str]:
            rid = str(item["resource_id"])
            cluster = fake.clusters.get(rid) or {}
            return (state.created.get(rid) or str(cluster.get("created_at", "")), rid)

        page, pagination = keyset_page(items, call.request.query, key)
        return json_response({"resources": page, "pagination": pagination})

    return {
        "CockroachCloud_CreateFolder": create,
        "CockroachCloud_ListFolders": list_folders,
        "CockroachCloud_GetFolder": get,
        "CockroachCloud_UpdateFolder": update,
        "CockroachCloud_DeleteFolder": delete,
        "CockroachCloud_ListFolderContents": contents,
    }
