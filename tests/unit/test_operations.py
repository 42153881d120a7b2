"""The operation table and the generated resource methods: one per operation of the spec.

No request goes on the wire: the client's transport is replaced by a recorder, so each
method's request (method, template, path and query parameters, JSON body) is checked
against the spec snapshot, bodies included (validated with ``jsonschema``).
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.util
import inspect
import json
import keyword
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import FrozenInstanceError, dataclass, field
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import jsonschema
import msgspec
import pytest

import ccloud_async
from ccloud_async import OPERATIONS, AsyncPager, CockroachCloud, Operation, models
from ccloud_async._generated.namespaces import Namespaces
from ccloud_async._http.messages import (
    RawResponse,
    Request,
    build_body,
    build_query,
    decode_response,
    expand_path,
)
from ccloud_async.models import UNSET
from ccloud_async.models._generated import REQUEST_BODIES, SCHEMAS
from ccloud_async.operations import IDEMPOTENT_METHODS

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = json.loads(
    (ROOT / "ccloud_async" / "_spec" / "openapi.json").read_text(encoding="utf-8")
)
_HTTP = ("get", "put", "post", "delete", "patch")
SPEC_OPS: dict[str, tuple[str, str, dict[str, Any]]] = {
    op["operationId"]: (method.upper(), path, op)
    for path, item in SPEC["paths"].items()
    for method, op in item.items()
    if method in _HTTP
}
# The client's namespaces, as the generator bound them (test_codegen checks the bindings
# against the generator's output).
NAMESPACES = set(Namespaces.NAMES)
_KEYSET = {
    "pagination.page": "page",
    "pagination.limit": "limit",
    "pagination.as_of_time": "as_of_time",
    "pagination.sort_order": "sort_order",
    "pagination.sort_by": "sort_by",
}
_COMMON = {"body", "timeout", "max_retries", "retry_unsafe", "extra_headers", "extra_query"}
_COMMON |= {"extra_body"}
ALL = sorted(OPERATIONS)
OPERATIONS_BY_METHOD = {op.method: op for op in OPERATIONS.values()}


def _load_names() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ccloud_operation_names_test", ROOT / "tools" / "operation_names.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def snake(name: str) -> str:
    """The argument name for a spec name (``excludedAttributes`` -> ``excluded_attributes``)."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    return text + "_" if keyword.iskeyword(text) else text


def query_arg(spec_name: str) -> str:
    return _KEYSET.get(spec_name) or snake(spec_name)


def client() -> CockroachCloud:
    return CockroachCloud(api_key="k", base_url="http://127.0.0.1:1")


def bound(cloud: CockroachCloud, dotted: str) -> Callable[..., Any]:
    namespace, method = dotted.split(".")
    fn = getattr(getattr(cloud, namespace), method)
    assert callable(fn)
    return fn  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- the table


def test_every_spec_operation_is_in_the_table() -> None:
    assert set(OPERATIONS) == set(SPEC_OPS)
    assert len(OPERATIONS) == 144
    assert sum(op.path.startswith("/api/v1/") for op in OPERATIONS.values()) == 119
    assert sum(op.path.startswith("/api/scim/v2/") for op in OPERATIONS.values()) == 25
    assert isinstance(OPERATIONS, MappingProxyType)
    assert ccloud_async.OPERATIONS is OPERATIONS and ccloud_async.Operation is Operation


def test_table_is_read_only() -> None:
    op = OPERATIONS["CockroachCloud_GetCluster"]
    with pytest.raises(TypeError):
        OPERATIONS["x"] = op  # type: ignore[index]
    with pytest.raises(FrozenInstanceError):
        op.method = "clusters.fetch"  # type: ignore[misc]


@pytest.mark.parametrize("op_id", ALL)
def test_entry_matches_the_spec(op_id: str) -> None:
    http, path, spec_op = SPEC_OPS[op_id]
    op = OPERATIONS[op_id]
    assert op.operation_id == op_id
    assert (op.http_method, op.path) == (http, path)
    params = spec_op.get("parameters", [])
    assert op.path_params == tuple(re.findall(r"\{([^{}]+)\}", path))
    assert set(op.path_params) == {p["name"] for p in params if p["in"] == "path"}
    assert op.query_params == tuple(p["name"] for p in params if p["in"] == "query")
    assert op.deprecated is bool(spec_op.get("deprecated", False))
    assert op.stability == tuple(spec_op.get("x-stability", ()))
    assert op.roles == tuple(spec_op.get("x-roles", ()))
    assert op.paginated is any(q.startswith("pagination.") for q in op.query_params)
    assert op.body_type is REQUEST_BODIES.get(op_id)
    ok = [spec_op["responses"][c] for c in spec_op["responses"] if c.startswith("2")]
    schema = ok[0]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        assert op.response_type is SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    else:
        assert schema == {"type": "object"} and op.response_type is None


def test_table_totals() -> None:
    ops = list(OPERATIONS.values())
    assert sum(op.paginated for op in ops) == 19
    by_paging: dict[str | None, set[str]] = {}
    for op in ops:
        by_paging.setdefault(op.paging, set()).add(op.operation_id.removeprefix("CockroachCloud_"))
    assert len(by_paging["keyset"]) == 19
    assert by_paging["scim"] == {"GetUsers", "GetGroups"}
    assert by_paging["single"] == {
        "ListInvoices",
        "ListPrivateEndpointServices",
        "ListPrivateEndpointConnections",
        "ListPrivateEndpointTrustedOwners",
        "ListAwsEndpointConnections",
        "GetResourceTypes",
        "GetSchemas",
    }
    assert {op.operation_id for op in ops if op.deprecated} == {
        "CockroachCloud_GetGroups2",
        "CockroachCloud_GetGroup2",
        "CockroachCloud_GetUsers2",
        "CockroachCloud_GetUser2",
        "CockroachCloud_UpdateEgressPrivateEndpointDomainNames",
    }
    assert {s for op in ops for s in op.stability} == {"PREVIEW", "LIMITED ACCESS"}
    assert sum(op.body_type is not None for op in ops) == len(REQUEST_BODIES)


def test_names_are_unique_and_curated() -> None:
    methods = [op.method for op in OPERATIONS.values()]
    assert len(set(methods)) == len(methods) == 144
    assert {m.split(".")[0] for m in methods} == NAMESPACES
    for dotted in methods:
        method = dotted.split(".")[1]
        assert method.isidentifier() and method == method.lower(), dotted
        assert not method.startswith("_"), dotted
    expected = {
        "ListClusters": "clusters.list",
        "GetCluster": "clusters.get",
        "CreateCluster": "clusters.create",
        "UpdateCluster": "clusters.update",
        "DeleteCluster": "clusters.delete",
        "ListClusterNodes": "clusters.list_nodes",
        "ListAvailableRegions": "clusters.list_available_regions",
        "GetConnectionString": "clusters.get_connection_string",
        "ListMajorClusterVersions": "clusters.list_major_versions",
        "UpdateSQLUserPassword": "sql_users.update_password",
        "EnableDatadogMetricExport": "metric_export.enable_datadog",
        "ListAuditLogs": "audit_logs.list_page",
    }
    for stem, dotted in expected.items():
        assert OPERATIONS[f"CockroachCloud_{stem}"].method == dotted


def test_names_table_covers_the_spec_exactly() -> None:
    names = _load_names()
    assert set(names.NAMES) == set(SPEC_OPS)
    assert set(names.NAMESPACES) == NAMESPACES
    for op_id, (dotted, summary) in names.NAMES.items():
        assert OPERATIONS[op_id].method == dotted
        assert summary.endswith(".") and len(summary) < 80, op_id


# --------------------------------------------------------------------------- signatures


def test_client_has_one_attribute_per_namespace() -> None:
    cloud = client()
    for namespace in NAMESPACES:
        resource = getattr(cloud, namespace)
        module = f"ccloud_async._generated.resources.{namespace}"
        assert any(c.__module__ == module for c in type(resource).__mro__), namespace


@pytest.mark.parametrize("op_id", ALL)
def test_method_signature(op_id: str) -> None:
    op = OPERATIONS[op_id]
    fn = bound(client(), op.method)
    params = inspect.signature(fn).parameters
    positional = [
        p.name for p in params.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    assert positional == [snake(name) for name in op.path_params]
    assert all(
        p.kind in {inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY}
        for p in params.values()
    )
    keywords = {p.name for p in params.values() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    expected = {query_arg(q) for q in op.query_params} | {"timeout", "max_retries"}
    expected |= {"extra_headers", "extra_query"}  # every method has the escape hatches
    if op.http_method in {"POST", "PATCH"}:
        expected.add("retry_unsafe")
    if op.body_type is not None:
        expected |= {"body", "extra_body"} | {snake(f.encode_name) for f in _fields(op.body_type)}
    assert keywords == expected
    for name in keywords - _COMMON:
        default = params[name].default
        assert default is None or default is UNSET, name
    assert op.paging == ("keyset" if op.paginated else op.paging)
    if op.paging is not None:
        assert not inspect.iscoroutinefunction(fn)
        assert str(inspect.signature(fn).return_annotation).startswith("AsyncPager[")
    else:
        assert inspect.iscoroutinefunction(fn)
    doc = inspect.getdoc(fn) or ""
    assert f"{op.http_method} {op.path}" in doc
    assert ("Preview" in doc) is ("PREVIEW" in op.stability)
    assert ("Limited access" in doc) is ("LIMITED ACCESS" in op.stability)
    assert ("Deprecated" in doc) is op.deprecated


def _fields(struct: type) -> tuple[Any, ...]:
    return msgspec.structs.fields(struct)


def test_hand_written_cluster_signatures_are_kept() -> None:
    cloud = client()
    listing = inspect.signature(cloud.clusters.list).parameters
    assert list(listing) == [
        "show_inactive",
        "limit",
        "sort_order",
        "sort_by",
        "as_of_time",
        "page",
        "timeout",
        "max_retries",
        "extra_headers",
        "extra_query",
    ]
    assert list(inspect.signature(cloud.clusters.get).parameters) == [
        "cluster_id",
        "timeout",
        "max_retries",
        "extra_headers",
        "extra_query",
    ]
    create = inspect.signature(cloud.clusters.create).parameters
    assert {"body", "name", "provider", "spec", "retry_unsafe"} <= set(create)


# --------------------------------------------------------------------------- requests


@dataclass
class Recorder:
    """Stands in for ``Engine.send``: records each request value, answers ``{}``."""

    calls: list[Request] = field(default_factory=list)

    async def send(self, request: Request) -> RawResponse:
        self.calls.append(request)
        return answer(request, b"{}")


def answer(request: Request, body: bytes) -> RawResponse:
    """A 200 with ``body``, decoded as the engine would decode it."""
    response = RawResponse(200, {}, body, request.method, request.path)
    if request.response_type is not None:
        response.value = decode_response(request.response_type, response)
    return response


def recording_client(monkeypatch: pytest.MonkeyPatch) -> tuple[CockroachCloud, Recorder]:
    cloud = client()
    recorder = Recorder()
    monkeypatch.setattr(cloud._engine, "send", recorder.send)
    return cloud, recorder


def _path_value(op: Operation, name: str) -> object:
    return 24 if name == "cidr_mask" else f"v-{name}"


_QUERY_VALUES: dict[str, object] = {
    "integer": 7,
    "boolean": True,
    "date-time": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
}


def _query_value(schema: dict[str, Any]) -> object:
    if "enum" in schema:
        return schema["enum"][-1]
    return _QUERY_VALUES.get(schema.get("format", ""), _QUERY_VALUES.get(schema["type"], "q"))


async def _send(fn: Callable[..., Any], op: Operation, *args: Any, **kwargs: Any) -> Any:
    if op.paging is not None:
        pager = fn(*args, **kwargs)
        assert isinstance(pager, AsyncPager)
        return await pager.to_list()
    return await fn(*args, **kwargs)


# Operations whose body carries an idempotency key the SDK fills in when not given.
KEYED = {
    op_id
    for op_id, op in OPERATIONS.items()
    if op.body_type is not None and "idempotency_key" in op.body_type.__struct_fields__
}


def test_idempotency_keyed_operations() -> None:
    assert {
        "CockroachCloud_AddEgressRule",
        "CockroachCloud_EditEgressRule",
        "CockroachCloud_SetEgressTrafficPolicy",
    } == KEYED


@pytest.mark.parametrize("op_id", ALL)
async def test_request_follows_the_spec(op_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every path and query parameter reaches the request under its spec name."""
    op = OPERATIONS[op_id]
    _, _, spec_op = SPEC_OPS[op_id]
    cloud, recorder = recording_client(monkeypatch)
    args = [_path_value(op, name) for name in op.path_params]
    schemas = {p["name"]: p["schema"] for p in spec_op.get("parameters", [])}
    query = {q: _query_value(schemas[q]) for q in op.query_params}
    kwargs = {query_arg(q): v for q, v in query.items()}
    if op.body_type is not None:
        kwargs["body"] = minimal(_body_schema(op_id))
    with _warns(op):
        result = await _send(bound(cloud, op.method), op, *args, **kwargs)
    assert len(recorder.calls) == 1
    call = recorder.calls[0]
    assert (call.method, call.template) == (op.http_method, op.path)
    assert call.path == expand_path(op.path, dict(zip(op.path_params, args, strict=True)))
    assert call.query == tuple(build_query(query))  # every value can go in a query string
    assert [name for name, _ in call.query] == list(op.query_params)
    assert (call.body is not None) is (op.body_type is not None)
    # Bodies with an idempotency key get one made for them, which makes re-sending safe.
    assert call.resend_safe is (op.http_method in IDEMPOTENT_METHODS or op_id in KEYED)
    assert call.resend_safe is op.resend_safe and call.options.retry_unsafe is None
    if op.paging is not None:
        assert result == []
    elif op.response_type is None:
        assert result == {}
    else:
        assert isinstance(result, op.response_type)


@pytest.mark.parametrize("op_id", [op_id for op_id in ALL if OPERATIONS[op_id].paginated])
async def test_keyset_pagers_walk_every_page(op_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    op = OPERATIONS[op_id]
    assert op.response_type is not None
    cloud, recorder = recording_client(monkeypatch)
    names = _load_names()
    item_field = names.PAGER_ITEMS.get(op_id) or next(
        f.encode_name
        for f in _fields(op.response_type)
        if f.encode_name != "pagination" and "list" in str(f.type).lower()
    )
    pages = iter([(["a", "b"], "p2"), (["c"], "")])

    async def send(request: Request) -> RawResponse:
        recorder.calls.append(request)
        items, next_page = next(pages)
        # Items are checked by type only where it matters: send the simplest valid ones.
        body = {item_field: [{} for _ in items], "pagination": {"next_page": next_page}}
        return answer(request, json.dumps(body).encode())

    monkeypatch.setattr(cloud._engine, "send", send)
    args = [_path_value(op, name) for name in op.path_params]
    items = await bound(cloud, op.method)(*args, limit=2).to_list()
    assert len(items) == 3
    queries = [dict(c.query) for c in recorder.calls]
    assert [q.get("pagination.page") for q in queries] == [None, "p2"]
    assert all(q["pagination.limit"] == "2" for q in queries)
    with pytest.raises(ValueError, match="cursor"):
        bound(cloud, op.method)(*args, page="")


UNSAFE = [op_id for op_id in ALL if OPERATIONS[op_id].http_method in {"POST", "PATCH"}]


@pytest.mark.parametrize("op_id", UNSAFE)
async def test_mutations_pass_retry_unsafe(op_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    op = OPERATIONS[op_id]
    cloud, recorder = recording_client(monkeypatch)
    args = [_path_value(op, name) for name in op.path_params]
    body = {"body": minimal(_body_schema(op_id))} if op.body_type else {}
    with _warns(op):
        await bound(cloud, op.method)(*args, retry_unsafe=True, timeout=2.5, max_retries=0, **body)
    options = recorder.calls[0].options
    assert (options.retry_unsafe, options.timeout, options.max_retries) == (True, 2.5, 0)


def _warns(op: Operation) -> Any:
    if op.deprecated:
        return pytest.warns(DeprecationWarning, match=re.escape(op.method))
    return contextlib.nullcontext()


@pytest.mark.parametrize("op_id", [op_id for op_id in ALL if OPERATIONS[op_id].deprecated])
async def test_deprecated_operations_warn(op_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    op = OPERATIONS[op_id]
    cloud, recorder = recording_client(monkeypatch)
    args = [_path_value(op, name) for name in op.path_params]
    body = {"body": minimal(_body_schema(op_id))} if op.body_type else {}
    with pytest.warns(DeprecationWarning) as caught:
        await bound(cloud, op.method)(*args, **body)
    assert len(caught) == 1
    replacement = _load_names().REPLACEMENTS[op_id]
    assert f"use {replacement}()" in str(caught[0].message)
    assert not OPERATIONS_BY_METHOD[replacement].deprecated
    assert caught[0].filename == __file__  # stacklevel points at the caller
    assert len(recorder.calls) == 1  # it still sends the request


# --------------------------------------------------------------------------- bodies


def _body_schema(op_id: str) -> dict[str, Any]:
    _, _, spec_op = SPEC_OPS[op_id]
    schema: dict[str, Any] = spec_op["requestBody"]["content"]["application/json"]["schema"]
    return schema


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _value(schema: dict[str, Any], full: bool, depth: int) -> Any:
    schema = _resolve(schema)
    if "enum" in schema:
        return schema["enum"][-1]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object" or "properties" in schema:
        props: dict[str, Any] = schema.get("properties", {})
        if "@type" in props:  # google.protobuf.Any
            return {"@type": "type.googleapis.com/x", "extra": 1}
        wanted = set(schema.get("required", ())) & set(props)
        names = props if full and depth < 4 else [n for n in props if n in wanted]
        value = {name: _value(props[name], full, depth + 1) for name in names}
        extra = schema.get("additionalProperties")
        if not props and isinstance(extra, dict) and extra:
            value = {"k": _value(extra, full, depth + 1)}
        return value
    if kind == "array":
        items = schema.get("items", {})
        return [_value(items, full, depth + 1)] if full and depth < 4 else []
    if kind == "string":
        if fmt == "date-time":
            return "2024-05-06T07:08:09Z"
        if fmt in {"int64", "uint64"}:
            return "42"
        return "text"
    if kind == "integer":
        return 3
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return {"anything": [1]}


def minimal(schema: dict[str, Any]) -> dict[str, Any]:
    """The smallest body the schema accepts: required fields only, recursively."""
    value = _value(schema, full=False, depth=0)
    assert isinstance(value, dict)
    return value


def full(schema: dict[str, Any]) -> dict[str, Any]:
    """A body with every field (nested ones too, a few levels deep) given a value."""
    value = _value(schema, full=True, depth=0)
    assert isinstance(value, dict)
    return value


def validator(op_id: str) -> jsonschema.protocols.Validator:
    """The request schema with the snapshot's components beside it, so refs resolve."""
    schema = {**_body_schema(op_id), "components": SPEC["components"]}
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)


WITH_BODY = sorted(REQUEST_BODIES)


@pytest.mark.parametrize("op_id", WITH_BODY)
@pytest.mark.parametrize("shape", [minimal, full], ids=["minimal", "full"])
async def test_body_validates_against_the_spec(
    op_id: str, shape: Callable[[dict[str, Any]], dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    op = OPERATIONS[op_id]
    assert op.body_type is not None
    data = shape(_body_schema(op_id))
    check = validator(op_id)
    check.validate(data)  # the test data itself is valid...
    sent = json.loads(build_body(op.body_type, data, {}))
    check.validate(sent)  # ...and so is what the builder makes of it
    assert sent == data  # nothing lost, renamed or re-typed (int64 stays a string)

    # The same body through the method, as keyword fields: names map to wire names.
    cloud, recorder = recording_client(monkeypatch)
    args = [_path_value(op, name) for name in op.path_params]
    fields = {snake(name): value for name, value in data.items()}
    with _warns(op):
        await _send(bound(cloud, op.method), op, *args, **fields)
    on_wire = json.loads(recorder.calls[0].body or b"")
    check.validate(on_wire)
    if op_id in KEYED and "idempotency_key" not in data:
        made = on_wire.pop("idempotency_key")
        assert uuid.UUID(made).version == 4  # made by the SDK, once per call
    assert on_wire == data


def test_validator_rejects_a_broken_body() -> None:
    """The schema check is not vacuous: wrong types and missing fields fail."""
    check = validator("CockroachCloud_CreateSQLUser")
    check.validate({"name": "u", "password": "p"})
    with pytest.raises(jsonschema.ValidationError):
        check.validate({"name": "u"})
    with pytest.raises(jsonschema.ValidationError):
        check.validate({"name": 1, "password": "p"})
    usage = validator("CockroachCloud_UpdateCluster")
    with pytest.raises(jsonschema.ValidationError):  # int64 must travel as a string
        usage.validate({"serverless": {"usage_limits": {"provisioned_virtual_cpus": 2}}})


async def test_structs_and_enums_are_accepted_for_nested_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cloud, recorder = recording_client(monkeypatch)
    await cloud.clusters.create(
        name="my-cluster",
        provider=models.CloudProvider.GCP,
        spec=models.CreateClusterSpecification(
            serverless=models.ServerlessClusterCreateSpecification(regions=["us-central1"])
        ),
    )
    await cloud.clusters.update(
        "c1", serverless={"usage_limits": {"provisioned_virtual_cpus": 2}}, plan="STANDARD"
    )
    create, update = (json.loads(c.body or b"") for c in recorder.calls)
    assert create == {
        "name": "my-cluster",
        "provider": "GCP",
        "spec": {"serverless": {"regions": ["us-central1"]}},
    }
    assert update == {
        "plan": "STANDARD",
        "serverless": {"usage_limits": {"provisioned_virtual_cpus": "2"}},
    }
    validator("CockroachCloud_CreateCluster").validate(create)
    validator("CockroachCloud_UpdateCluster").validate(update)
    with pytest.raises(TypeError, match="either body= or fields"):
        await cloud.sql_users.create("c1", body={"name": "u", "password": "p"}, name="v")
    with pytest.raises(TypeError, match="unknown field"):
        await cloud.sql_users.update_password("c1", "u", body={"pasword": "x"})
    assert len(recorder.calls) == 2  # nothing sent for the bad calls


async def test_camel_case_scim_fields_reach_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    cloud, recorder = recording_client(monkeypatch)
    await cloud.scim.create_user(
        schemas=["urn:ietf:params:scim:schemas:core:2.0:User"],
        user_name="ada",
        display_name="Ada",
        emails=[{"value": "ada@example.com"}],
    )
    await cloud.scim.list_users(
        filter='userName eq "ada"', start_index=2, excluded_attributes="x"
    ).to_list()
    sent = json.loads(recorder.calls[0].body or b"")
    assert sent["userName"] == "ada" and sent["displayName"] == "Ada"
    assert recorder.calls[1].query == (  # unset parameters are not sent
        ("filter", 'userName eq "ada"'),
        ("excludedAttributes", "x"),
        ("startIndex", "2"),
    )


def test_path_parameters_are_escaped_through_the_table() -> None:
    op = OPERATIONS["CockroachCloud_DeleteAllowlistEntry"]
    path = expand_path(op.path, {"cluster_id": "c/1", "cidr_ip": "10.0.0.0", "cidr_mask": 8})
    assert path == "/api/v1/clusters/c%2F1/networking/allowlist/10.0.0.0/8"


def test_untyped_results_and_plain_tuples() -> None:
    untyped = {op.operation_id for op in OPERATIONS.values() if op.response_type is None}
    assert "CockroachCloud_DeleteFolder" in untyped
    assert all(isinstance(op.roles, tuple) for op in OPERATIONS.values())
    assert isinstance(OPERATIONS, Mapping)
