"""Derive the facts-only snapshot of the official OpenAPI spec.

The snapshot keeps paths, parameters, schemas, enums and the facts the SDK and the
emulator need (roles per operation, PREVIEW / LIMITED ACCESS badges, deprecation),
and drops every piece of prose: descriptions, summaries, examples and code samples.

    python tools/snapshot.py ../shared/openapi/openapi.json

writes ``ccloud_async/_spec/openapi.json``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

SNAPSHOT_PATH = Path(__file__).resolve().parent.parent / "ccloud_async" / "_spec" / "openapi.json"

# Annotation keys that carry prose or samples, never wire facts.
_PROSE_KEYS = frozenset(
    {"description", "summary", "example", "examples", "x-codeSamples", "externalDocs", "contact"}
)
_ROLE_LINE = re.compile(r"^- ([A-Z_]+)\s*$", re.MULTILINE)
_ANY_MEMBER = "any member of the organization"


def _strip(node: Any, *, in_properties: bool = False) -> Any:
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if in_properties:
            # Keys here are property names (a property may be called "description").
            out[key] = _strip(value)
        elif key in _PROSE_KEYS:
            continue
        elif key == "title" and isinstance(value, str) and not value.isidentifier():
            # A title that is a name ("BlackoutWindow") is a fact the generator uses to
            # name inline bodies; one that is a sentence is prose.
            continue
        else:
            out[key] = _strip(value, in_properties=key == "properties")
    return out


def _roles(description: str) -> list[str]:
    if _ANY_MEMBER in description:
        return ["*"]
    return _ROLE_LINE.findall(description)


def make_snapshot(spec: dict[str, Any]) -> dict[str, Any]:
    """Return the facts-only copy of ``spec``."""
    paths: dict[str, Any] = {}
    for path, operations in spec["paths"].items():
        paths[path] = {}
        for method, operation in operations.items():
            facts = _strip(operation)
            facts["x-roles"] = _roles(operation.get("description", ""))
            badges = [b["label"] for b in operation.get("x-badges", [])]
            facts.pop("x-badges", None)
            if badges:
                facts["x-stability"] = badges
            paths[path][method] = facts
    return {
        "openapi": spec["openapi"],
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "servers": spec.get("servers", []),
        "security": spec.get("security", []),
        "paths": paths,
        "components": _strip(spec["components"]),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    text = json.dumps(make_snapshot(spec), indent=1, sort_keys=True) + "\n"
    SNAPSHOT_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SNAPSHOT_PATH} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
