"""Names as well as ids: ``clusters get my-cluster`` as ``clusters get 1f0c…``.

Wherever a command takes the id of a cluster, folder, service account or API key, a
name works too. A value shaped like the kind's ids is taken as an id; anything else is
looked up with one paged list per kind, kept for the rest of the command. An unknown
name is a not-found error (exit 5); a name several share is a usage error (exit 2)
listing their ids.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Any

from .commands._common import text
from .exit_codes import NameNotFoundError, UsageError

__all__ = ["resolve", "resolve_args"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class _Kind:
    def __init__(
        self, label: str, lister: Callable[[Any], Any], uuid_ids: bool, id_field: str = "id"
    ) -> None:
        self.label, self.lister, self.uuid_ids = label, lister, uuid_ids
        self.id_field = id_field


_KINDS = {
    # Deleted clusters too (`clusters wait NAME --until DELETED`); live ones win a tie.
    "cluster": _Kind(
        "cluster", lambda cloud: cloud.clusters.list(show_inactive=True, limit=500), True
    ),
    "folder": _Kind("folder", lambda cloud: cloud.folders.list(limit=500), True, "resource_id"),
    "service-account": _Kind(
        "service account", lambda cloud: cloud.service_accounts.list(limit=500), True
    ),
    # API key ids are not UUIDs: the list says whether a value is an id or a name.
    "api-key": _Kind("API key", lambda cloud: cloud.api_keys.list(limit=500), False),
}

# (argument name, the command group it is in or None for any) -> kind
_ARGUMENTS = {
    ("cluster_id", None): "cluster",
    ("destination_cluster_id", None): "cluster",
    ("folder_id", None): "folder",
    ("service_account_id", None): "service-account",
    ("id", "folders"): "folder",
    ("id", "service-accounts"): "service-account",
    ("id", "api-keys"): "api-key",
}


async def resolve_args(ctx: Any, args: argparse.Namespace) -> None:
    """Replace every name among ``args``' id arguments by its id."""
    for (name, group), kind in _ARGUMENTS.items():
        if group is not None and getattr(args, "command", None) != group:
            continue
        value = getattr(args, name, None)
        if isinstance(value, str) and value:
            setattr(args, name, await resolve(ctx, kind, value))


async def resolve(ctx: Any, kind_name: str, value: str) -> str:
    kind = _KINDS[kind_name]
    if kind.uuid_ids and _UUID.match(value):
        return value
    cache: dict[str, list[tuple[str, str, bool]]] = ctx.extra.setdefault("names", {})
    if kind_name not in cache:
        cache[kind_name] = [
            (
                str(getattr(item, kind.id_field)),
                str(getattr(item, "name", "") or ""),
                text(getattr(item, "state", None)) == "DELETED",
            )
            async for item in kind.lister(ctx.client)
        ]
    known = cache[kind_name]
    if any(value == ident for ident, _, _ in known):
        return value
    named = [(ident, gone) for ident, name, gone in known if name == value]
    live = [ident for ident, gone in named if not gone]
    matches = live or [ident for ident, _ in named]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        close = sorted({name for _, name, _ in known if value.lower() in name.lower()})[:5]
        hint = f"; similar: {', '.join(close)}" if close else ""
        raise NameNotFoundError(f"no {kind.label} named or with id {value!r}{hint}")
    raise UsageError(
        f"{len(matches)} {kind.label}s are named {value!r}: pass one of their ids: "
        + ", ".join(matches)
    )


def cluster_names(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    """Shell completion of a cluster argument: the names of the organization's clusters,
    when credentials are configured (a few seconds at most; nothing on any error)."""
    import asyncio
    import os

    key = getattr(parsed_args, "api_key", None) or os.environ.get("COCKROACH_API_KEY")
    if not key:
        return []

    async def names() -> list[str]:
        from ..client import CockroachCloud

        base_url = getattr(parsed_args, "base_url", None)
        async with CockroachCloud(api_key=key, base_url=base_url, timeout=3, max_retries=0) as c:
            return [str(cl.name) async for cl in c.clusters.list(limit=500) if cl.name]

    try:
        found = asyncio.run(asyncio.wait_for(names(), 5))
    except Exception:
        return []
    return [name for name in found if name.startswith(prefix)]


def add_completers(parser: argparse.ArgumentParser) -> None:
    """Complete every cluster argument of ``parser``'s tree with cluster names."""
    for action in parser._actions:
        if action.dest in ("cluster_id", "destination_cluster_id"):
            action.completer = cluster_names  # type: ignore[attr-defined]
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                add_completers(child)
