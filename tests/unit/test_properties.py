"""Properties that must hold for any input (hypothesis).

* Any JSON value, decoded as any model of the spec, decodes or raises
  ResponseDecodeError: nothing else.
* A path parameter of any text stays inside its own path segment.
* An error response with any body maps to the exception class of its status.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import unquote

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from ccloud_async._http.messages import (
    RawResponse,
    decode_response,
    error_from_response,
    expand_path,
    parse_error_body,
)
from ccloud_async.errors import APIStatusError, RateLimitedError, ResponseDecodeError
from ccloud_async.errors import status_error_class as class_for
from ccloud_async.models import SCHEMAS

NAMES = sorted(SCHEMAS)


def _field_names(name: str) -> list[str]:
    model = SCHEMAS[name]
    if isinstance(model, type) and issubclass(model, msgspec.Struct):
        return [f.encode_name for f in msgspec.structs.fields(model)] or ["x"]
    return ["x"]


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["2024-09-16T00:00:00Z", "172800s", "12", "ADVANCED", ""])
)


@st.composite
def schema_and_json(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(NAMES))
    keys = st.sampled_from(_field_names(name)) | st.text(max_size=8)
    values = st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=8,
    )
    top = st.dictionaries(keys, values, max_size=6) | values
    return name, draw(top)


@settings(max_examples=300, deadline=None)
@given(schema_and_json())
def test_any_json_decodes_or_raises_decode_error(case: tuple[str, Any]) -> None:
    name, value = case
    body = msgspec.json.encode(value)
    raw = RawResponse(status=200, headers={}, body=body, method="GET", path="/api/v1/x")
    try:
        decode_response(SCHEMAS[name], raw)
    except ResponseDecodeError as exc:
        assert exc.status == 200 and exc.path == "/api/v1/x"
        assert str(exc) and repr(exc)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_as_a_model_decode_or_raise_decode_error(body: bytes) -> None:
    raw = RawResponse(status=200, headers={}, body=body, method="GET", path="/p")
    for name in ("Cluster", "ListClustersResponse", "CreateApiKeyResponse"):
        with contextlib.suppress(ResponseDecodeError):
            decode_response(SCHEMAS[name], raw)


TEMPLATE = "/api/v1/clusters/{cluster_id}/sql-users/{name}"


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1), st.text(min_size=1))
def test_path_parameters_stay_in_their_segment(cluster_id: str, name: str) -> None:
    path = expand_path(TEMPLATE, {"cluster_id": cluster_id, "name": name})
    assert path.count("/") == TEMPLATE.count("/")
    assert "?" not in path and "#" not in path
    parts = path.split("/")
    assert parts[:4] == ["", "api", "v1", "clusters"] and parts[5] == "sql-users"
    assert unquote(parts[4]) == cluster_id
    assert unquote(parts[6]) == name
    assert parts[4] not in (".", "..") and parts[6] not in (".", "..")


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=400, max_value=599),
    st.sampled_from(["", "application/json", "text/html", "text/plain"]),
    st.binary(max_size=200)
    | st.builds(
        lambda code, message: msgspec.json.encode({"code": code, "message": message}),
        st.integers(min_value=0, max_value=20),
        st.text(max_size=20),
    ),
)
def test_error_bodies_map_to_the_status_class(status: int, content_type: str, body: bytes) -> None:
    headers = {"content-type": content_type} if content_type else {}
    raw = RawResponse(status=status, headers=headers, body=body, method="POST", path="/p")
    exc = error_from_response(raw)
    parsed = parse_error_body(status, content_type, body)
    assert isinstance(exc, APIStatusError)
    assert exc.status == status and exc.method == "POST" and exc.path == "/p"
    if status == 429 or parsed.code == 8:
        assert type(exc) is RateLimitedError
    else:
        assert type(exc) is class_for(status)
    assert str(exc) and repr(exc)
