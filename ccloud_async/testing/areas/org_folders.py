"""Folders: create, list (optionally by path), get, update (rename, move, relabel),
delete, and list a folder's contents (its child folders and clusters).

Folders live on ``fake.org.folders`` as FolderResource objects; ``path`` is the list
of ancestor folders, top down, computed when answering (so renames and moves show).
``root`` is the organization's top level. Rules: names are 1-32 characters, unique
among siblings (409); at most 4 levels deep; a folder cannot move under itself; only
an empty folder (no child folders, no live clusters) can be deleted (400 code 9).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..call import Call
from ..common import already_exists, new_id, not_found, ok, precondition
from ..errors import invalid
from ._base import handles
from .org_common import OrgArea, OrgState, keyset_page

__all__ = ["Folders"]

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


class Folders(OrgArea):
    def _folder(self, folder_id: str) -> dict[str, Any]:
        found = self.org.folders.get(folder_id)
        if found is None:
            raise not_found("folder")
        return found

    def _check_name(self, name: str, parent_id: str, folder_id: str | None) -> None:
        if not name.strip() or len(name) > MAX_NAME:
            raise invalid(f"name: must be 1-{MAX_NAME} characters (got {name!r})")
        for other in self.org.folders.values():
            if (
                other["parent_id"] == parent_id
                and other["name"] == name
                and other["resource_id"] != folder_id
            ):
                raise already_exists(f"a folder named {name!r} already exists here")

    def _check_parent(self, parent_id: str, folder_id: str | None) -> None:
        if parent_id != ROOT and parent_id not in self.org.folders:
            raise invalid(f"parent_id: no folder {parent_id!r}")
        chain = [f["resource_id"] for f in _ancestors(self.org, parent_id)]
        if folder_id is not None and (folder_id == parent_id or folder_id in chain):
            raise invalid("parent_id: a folder cannot move under itself")
        height = 1 if folder_id is None else _depth_below(self.org, folder_id)
        if len(chain) + height > MAX_DEPTH:
            raise invalid(f"parent_id: folders nest at most {MAX_DEPTH} levels deep")

    def _clusters_in(self, folder_id: str) -> list[dict[str, Any]]:
        return [
            c
            for c in self.fake.clusters.all()
            if c.get("parent_id", ROOT) == folder_id and c["state"] != "DELETED"
        ]

    @handles("CockroachCloud_CreateFolder", audit="CREATE_FOLDER")
    async def create(self, call: Call) -> web.StreamResponse:
        body = await call.body()
        parent_id = body.get("parent_id") or ROOT
        self._check_parent(parent_id, None)
        self._check_name(body["name"], parent_id, None)
        folder_id = new_id()
        self.org.stamp(folder_id)
        folder = self.org.folders[folder_id] = {
            "resource_id": folder_id,
            "resource_type": "FOLDER",
            "parent_id": parent_id,
            "organization_id": self.org.organization["id"],
            "name": body["name"],
            "labels": dict(body.get("labels", {})),
        }
        call.applied(payload=body["name"])
        return ok(_render(self.org, folder))

    @handles("CockroachCloud_ListFolders")
    async def list_folders(self, call: Call) -> web.StreamResponse:
        query = call.request.query
        found = list(self.org.folders.values())
        if query.get("path"):
            wanted = [p for p in query["path"].split("/") if p]
            found = [
                f
                for f in found
                if [a["name"] for a in _ancestors(self.org, f["parent_id"])] + [f["name"]] == wanted
            ]
        page, pagination = keyset_page(found, query, self.org.order_key("resource_id"))
        return ok({"folders": [_render(self.org, f) for f in page], "pagination": pagination})

    @handles("CockroachCloud_GetFolder")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(_render(self.org, self._folder(call.params["folder_id"])))

    @handles("CockroachCloud_UpdateFolder", audit="UPDATE_FOLDER")
    async def update(self, call: Call) -> web.StreamResponse:
        found = self._folder(call.params["folder_id"])
        body = await call.body()
        parent_id = body.get("parent_id") or found["parent_id"]
        if parent_id != found["parent_id"]:
            self._check_parent(parent_id, found["resource_id"])
        self._check_name(body.get("name", found["name"]), parent_id, found["resource_id"])
        found["parent_id"] = parent_id
        if "name" in body:
            found["name"] = body["name"]
        if "labels" in body:
            found["labels"] = dict(body["labels"])
        call.applied(payload=found["resource_id"])
        return ok(_render(self.org, found))

    @handles("CockroachCloud_DeleteFolder", audit="DELETE_FOLDER")
    async def delete(self, call: Call) -> web.StreamResponse:
        found = self._folder(call.params["folder_id"])
        folder_id = found["resource_id"]
        if any(f["parent_id"] == folder_id for f in self.org.folders.values()) or self._clusters_in(
            folder_id
        ):
            raise precondition("folder is not empty")
        del self.org.folders[folder_id]
        call.applied(payload=folder_id)
        return ok({})

    @handles("CockroachCloud_ListFolderContents")
    async def contents(self, call: Call) -> web.StreamResponse:
        org = self.org
        folder_id = call.params["folder_id"]
        if folder_id != ROOT:
            self._folder(folder_id)
        items = [_render(org, f) for f in org.folders.values() if f["parent_id"] == folder_id]
        path = [] if folder_id == ROOT else _render(org, org.folders[folder_id])["path"]
        if folder_id != ROOT:
            path = [*path, {"id": folder_id, "name": org.folders[folder_id]["name"]}]
        for cluster in self._clusters_in(folder_id):
            items.append(
                {
                    "resource_id": cluster["id"],
                    "resource_type": "CLUSTER",
                    "parent_id": folder_id,
                    "organization_id": org.organization["id"],
                    "name": cluster["name"],
                    "path": path,
                    "labels": dict(cluster.get("labels", {})),
                }
            )

        def key(item: dict[str, Any]) -> tuple[str, str]:
            rid = str(item["resource_id"])
            cluster = self.fake.clusters.get(rid) or {}
            return (org.created.get(rid) or str(cluster.get("created_at", "")), rid)

        page, pagination = keyset_page(items, call.request.query, key)
        return ok({"resources": page, "pagination": pagination})
