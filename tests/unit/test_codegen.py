"""The model generator: the committed module is what the snapshot gives, and its rules hold."""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest

from ccloud_async import models
from ccloud_async.models import _generated
from ccloud_async.models._base import Int64

ROOT = Path(__file__).resolve().parents[2]


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ccloud_generate", ROOT / "tools" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
SPEC: dict[str, Any] = json.loads(gen.SPEC_PATH.read_text(encoding="utf-8"))
STRUCTS = [t for t in _generated.SCHEMAS.values() if issubclass(t, models.Model)]


def _operations() -> list[dict[str, Any]]:
    return [op for item in SPEC["paths"].values() for op in item.values()]


def test_committed_module_is_what_the_snapshot_gives() -> None:
    committed = gen.OUTPUT_PATH.read_text(encoding="utf-8")
    assert gen.render() == committed, "stale: run `python tools/generate.py`"


def test_check_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert gen.main(["--check"]) == 0
    stale = tmp_path / "_generated.py"
    stale.write_text(gen.OUTPUT_PATH.read_text(encoding="utf-8") + "# edited\n")
    monkeypatch.setattr(gen, "OUTPUT_PATH", stale)
    assert gen.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert gen.main([]) == 0  # rewrites the stale file...
    assert gen.main(["--check"]) == 0  # ...which then passes
    assert stale.read_text(encoding="utf-8") == gen.render()


def test_header_says_generated() -> None:
    head = gen.OUTPUT_PATH.read_text(encoding="utf-8").splitlines()[:3]
    assert "tools/generate.py" in head[0] and "openapi.json" in head[0]
    assert "Do not edit by hand" in head[1]


def test_every_component_schema_has_a_class() -> None:
    for name in SPEC["components"]["schemas"]:
        assert name in _generated.SCHEMAS, name
        assert isinstance(_generated.SCHEMAS[name], type)
    assert _generated.SCHEMAS["ClusterState.Type"] is models.ClusterState
    assert _generated.SCHEMAS["CloudProvider.Type"] is models.CloudProvider
    assert _generated.SCHEMAS["Cluster"] is models.Cluster
    assert issubclass(models.ClusterState, models.OpenEnum)
    assert issubclass(models.Cluster, models.Model)


def test_every_class_is_exported_and_decodable() -> None:
    for cls in _generated.SCHEMAS.values():
        if cls is dict:  # google.protobuf.Any
            continue
        assert cls.__name__ in models.__all__
        assert getattr(models, cls.__name__) is cls
        msgspec.json.Decoder(cls)  # resolves every (postponed) annotation
    assert len(models.__all__) == len(set(models.__all__))
    assert {"decode", "encode", "convert", "UNSET", "Int64"} <= set(models.__all__)


def test_every_json_body_has_a_request_struct() -> None:
    with_body = {
        op["operationId"]
        for op in _operations()
        if "application/json" in op.get("requestBody", {}).get("content", {})
    }
    assert set(_generated.REQUEST_BODIES) == with_body
    bodies = _generated.REQUEST_BODIES
    assert bodies["CockroachCloud_CreateCluster"] is models.CreateClusterRequest
    assert bodies["CockroachCloud_CreateSQLUser"] is models.CreateSQLUserRequest
    # Same title, different shapes: the later one is named from its operation.
    assert bodies["CockroachCloud_EditDatabase2"] is models.UpdateDatabaseRequest
    assert bodies["CockroachCloud_EditDatabase"] is models.EditDatabaseRequest
    assert models.UpdateDatabaseRequest.__struct_fields__ == ("name", "new_name")
    assert models.EditDatabaseRequest.__struct_fields__ == ("new_name",)
    # Inline "AllowlistEntry" bodies lack cidr_ip/cidr_mask: not the component schema,
    # but the two identical ones share a class.
    patch_body = bodies["CockroachCloud_UpdateAllowlistEntry"]
    assert patch_body is bodies["CockroachCloud_AddAllowlistEntry2"]
    assert patch_body is not models.AllowlistEntry
    assert bodies["CockroachCloud_EnableCMEKSpec"] is bodies["CockroachCloud_UpdateCMEKSpec"]


def _int64_fields() -> set[str]:
    found = set()
    for cls in STRUCTS:
        for f in msgspec.structs.fields(cls):
            if f.type is Int64 or Int64 in typing.get_args(f.type):
                found.add(f"{cls.__name__}.{f.name}")
    return found


def test_int64_fields_are_exactly_the_specs() -> None:
    assert _int64_fields() == {
        "UsageLimits.provisioned_virtual_cpus",
        "UsageLimits.request_unit_limit",
        "UsageLimits.storage_mib_limit",
        "Database.table_count",
    }
    # Only those structs pay for a __post_init__ (plus the egress-rule spelling fix).
    with_hook = {cls.__name__ for cls in STRUCTS if "__post_init__" in vars(cls)}
    assert with_hook == {
        "UsageLimits",
        "Database",
        "AddEgressRuleResponse",
        "EditEgressRuleResponse",
        "DeleteEgressRuleResponse",
    }


def test_secret_fields() -> None:
    secret = {cls.__name__: cls.__secret_fields__ for cls in STRUCTS if cls.__secret_fields__}
    assert secret["CreateSQLUserRequest"] == {"password"}
    assert secret["UpdateSQLUserPasswordRequest"] == {"password"}
    assert secret["CreateApiKeyResponse"] == {"secret"}
    assert secret["EnableDatadogMetricExportRequest"] == {"api_key"}
    assert "Cluster" not in secret


def test_defaults_follow_reachability() -> None:
    def defaults(cls: type) -> dict[str, Any]:
        return {f.name: f.default for f in msgspec.structs.fields(cls)}

    # Request-only: required fields must be passed, optional ones are UNSET.
    assert defaults(models.CreateSQLUserRequest) == {
        "name": msgspec.NODEFAULT,
        "password": msgspec.NODEFAULT,
    }
    assert defaults(models.AddEgressRuleRequest)["idempotency_key"] is msgspec.UNSET
    # Sent by the server: required fields get zero values, optional ones None (absent
    # and null read the same).
    cluster = defaults(models.Cluster)
    assert cluster["name"] == "" and cluster["state"] is None and cluster["config"] is None
    assert cluster["sql_dns"] is None
    assert not any(f.required for f in msgspec.structs.fields(models.Cluster))
    assert models.Cluster().regions == [] and models.Cluster().labels == {}
    # In both directions (request and response): zero defaults too.
    assert defaults(models.AllowlistEntry)["cidr_mask"] == 0


def _wire_names(cls: type[msgspec.Struct]) -> dict[str, str]:
    return {f.name: f.encode_name for f in msgspec.structs.fields(cls)}


def test_camel_case_names_become_snake_case() -> None:
    assert _wire_names(models.ScimUser)["user_name"] == "userName"
    assert _wire_names(models.ScimUser)["external_id"] == "externalId"
    assert _wire_names(models.PatchUserRequest)["operations"] == "Operations"
    assert _wire_names(models.ConnectionStringParameters)["host"] == "Host"
    assert _wire_names(models.Cluster)["sql_dns"] == "sql_dns"


def _mini_spec(schemas: dict[str, Any], body: dict[str, Any] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": "CockroachCloud_DoThing",
        "responses": {
            "200": {
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
            }
        },
    }
    if body is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": body}}}
    return {"paths": {"/thing": {"post": operation}}, "components": {"schemas": schemas}}


def test_inline_enum_gets_its_own_class() -> None:
    spec = _mini_spec(
        {"Thing": {"type": "object", "properties": {"color": {"type": "string", "enum": ["RED"]}}}}
    )
    source = gen.build(spec)
    assert "class ThingColor(OpenEnum):" in source
    assert "color: ThingColor | None = None" in source  # a response: absent reads None


def test_name_collisions_fail_loudly() -> None:
    spec = _mini_spec(
        {
            "Thing": {"type": "object", "properties": {}},
            "Thing.Type": {"type": "string", "enum": ["A"]},
        }
    )
    with pytest.raises(gen.GenerationError, match="Thing"):
        gen.build(spec)


def test_untitled_inline_body_is_named_from_its_operation() -> None:
    body = {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}
    source = gen.build(_mini_spec({"Thing": {"type": "object", "properties": {}}}, body))
    assert "class DoThingRequest(Model, kw_only=True):" in source
    assert '"CockroachCloud_DoThing": DoThingRequest,' in source
    assert "    x: str\n" in source  # request-only and required: no default


# --------------------------------------------------------------------------- operations


def test_committed_operation_modules_are_what_the_snapshot_gives() -> None:
    outputs = gen.render_operations()
    assert gen.OPERATIONS_PATH in outputs
    assert gen.RESOURCES_DIR / "__init__.py" in outputs
    for path, text in outputs.items():
        committed = path.read_text(encoding="utf-8")
        assert committed == text, f"stale {path.name}: run `python tools/generate.py`"
        head = committed.splitlines()[:2]
        assert "tools/generate.py" in head[0] and "operation_names.py" in head[0]
        assert "Do not edit by hand" in head[1]


def test_every_generated_module_is_rendered_and_nothing_else_is_there() -> None:
    generated = set(gen.render_operations())
    on_disk = {*gen.RESOURCES_DIR.glob("*.py"), *gen.GENERATED_DIR.glob("*.py")}
    # blocking.py is tools/generate_blocking.py's (checked in tests/client/test_blocking.py).
    others = {gen.GENERATED_DIR / "__init__.py", gen.GENERATED_DIR / "blocking.py"}
    assert on_disk - others == generated


def test_extended_namespaces_are_the_hand_written_modules() -> None:
    """Each hand-written module of ``resources/`` extends exactly its generated class."""
    names = gen.load_names()
    hand_written = ROOT / "ccloud_async" / "resources"
    modules = {p.stem for p in hand_written.glob("*.py")} - {"__init__", "_base"}
    assert modules == set(names.EXTENDED)
    bindings = importlib.import_module("ccloud_async._generated.namespaces").Namespaces
    for namespace, class_name in names.EXTENDED.items():
        cls = getattr(importlib.import_module(f"ccloud_async.resources.{namespace}"), class_name)
        generated = names.NAMESPACES[namespace][0]
        assert [b.__name__ for b in cls.__bases__] == [generated]
        assert bindings.__annotations__[namespace] == class_name


def test_check_flag_covers_operation_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "operations.py"
    stale.write_text(gen.OPERATIONS_PATH.read_text(encoding="utf-8").replace("GET", "PUT"))
    monkeypatch.setattr(gen, "OPERATIONS_PATH", stale)
    assert gen.main(["--check"]) == 1
    assert "operations.py is out of date" in capsys.readouterr().err
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == gen.render_operations()[stale]


def _names(**changes: Any) -> Any:
    names = gen.load_names()
    table = {
        "NAMES": dict(names.NAMES),
        "NAMESPACES": names.NAMESPACES,
        "PAGER_ITEMS": names.PAGER_ITEMS,
        "SINGLE_PAGE_LISTS": names.SINGLE_PAGE_LISTS,
        "REPLACEMENTS": names.REPLACEMENTS,
        "EXTENDED": names.EXTENDED,
    }
    table.update(changes)
    return type("Names", (), table)


def test_names_table_must_match_the_spec() -> None:
    names = gen.load_names()
    missing = dict(names.NAMES)
    del missing["CockroachCloud_GetCluster"]
    with pytest.raises(gen.GenerationError, match="GetCluster has no name"):
        gen.collect_operations(SPEC, _names(NAMES=missing))
    extra = {**names.NAMES, "CockroachCloud_Nope": ("clusters.nope", "Nothing.")}
    with pytest.raises(gen.GenerationError, match="Nope"):
        gen.collect_operations(SPEC, _names(NAMES=extra))
    twice = {**names.NAMES, "CockroachCloud_GetCluster": ("clusters.list", "Twice.")}
    with pytest.raises(gen.GenerationError, match=r"clusters\.list"):
        gen.collect_operations(SPEC, _names(NAMES=twice))
    elsewhere = {**names.NAMES, "CockroachCloud_GetCluster": ("nowhere.get", "Lost.")}
    with pytest.raises(gen.GenerationError, match="nowhere"):
        gen.collect_operations(SPEC, _names(NAMES=elsewhere))


def test_generated_methods_follow_the_conventions() -> None:
    ops = {op.op_id: op for op in gen.collect_operations(SPEC, gen.load_names())}
    listing = ops["CockroachCloud_ListClusters"]
    assert [q.arg for q in listing.query] == [
        "show_inactive",
        "page",
        "limit",
        "as_of_time",
        "sort_order",
        "sort_by",
    ]
    assert (listing.items_attr, listing.item_ann) == ("clusters", "Cluster")
    assert ops["CockroachCloud_ListRoleGrants"].items_attr == "grants"
    paging = {op_id: op.paging for op_id, op in ops.items()}
    assert paging["CockroachCloud_ListClusters"] == "keyset"
    assert paging["CockroachCloud_GetUsers"] == "scim"
    assert paging["CockroachCloud_ListInvoices"] == "single"
    assert paging["CockroachCloud_GetCluster"] is None
    for op_id in (
        "CockroachCloud_ListClusters",
        "CockroachCloud_GetUsers",
        "CockroachCloud_ListInvoices",
    ):
        source = gen._render_method(ops[op_id])
        assert source.startswith("def ") and "return self._paged(" in source
        assert "async def" not in source
    assert ops["CockroachCloud_GetSchemas"].items_attr == "resources"
    users = ops["CockroachCloud_GetUsers"]
    assert [q.arg for q in users.query][:3] == ["filter", "attributes", "excluded_attributes"]
    mask = ops["CockroachCloud_DeleteAllowlistEntry"].path_params[-1]
    assert (mask.arg, mask.ann) == ("cidr_mask", "int")
    create = {f.arg: f.ann for f in ops["CockroachCloud_CreateCluster"].body_fields}
    assert create["provider"] == 'CloudProvider | Literal["GCP", "AWS", "AZURE"]'
    required = {f.arg for f in ops["CockroachCloud_CreateCluster"].body_fields if f.required}
    assert required == {"name", "provider", "spec"}
    source = gen._render_method(ops["CockroachCloud_CreateCluster"])
    assert source.count("@overload") == 2 and "        name: str,\n" not in source
    assert ", name: str, provider: " in source  # required in the fields overload
    sort = {q.arg: q.ann for q in listing.query}["sort_order"]
    assert sort == 'Literal["ASC", "DESC"]'
    assert create["spec"] == "CreateClusterSpecification | Mapping[str, Any]"
    source = gen._render_method(ops["CockroachCloud_GetGroups2"])
    assert "warnings.warn(" in source and "DeprecationWarning, stacklevel=2" in source
    assert "use scim.search_groups()" in source
    assert "retry_unsafe" in gen._render_method(ops["CockroachCloud_CreateCluster"])
    assert "retry_unsafe" not in gen._render_method(ops["CockroachCloud_SetMaintenanceWindow"])


def test_the_snapshot_holds_no_prose() -> None:
    """Facts only: no descriptions, summaries or examples, and titles only as names."""
    found: list[str] = []

    def walk(node: Any, where: str, in_properties: bool = False) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, where)
        elif isinstance(node, dict):
            for key, value in node.items():
                here = f"{where}/{key}"
                prose = key in {"description", "summary", "example", "examples"} or (
                    key == "title" and not str(value).isidentifier()
                )
                if prose and not in_properties:
                    found.append(here)
                walk(value, here, in_properties=key == "properties" and not in_properties)

    walk({k: v for k, v in SPEC.items() if k != "info"}, "")
    assert found == []
