"""Paths, query strings and bodies, without a network."""

from __future__ import annotations

import datetime
import enum

import pytest

from ccloud_async._http.messages import build_query, expand_path

T = "/api/v1/clusters/{cluster_id}/sql-users/{name}"


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("abc", "abc"),
        ("../organization", "..%2Forganization"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("a/b", "a%2Fb"),
        ("a?b#c", "a%3Fb%23c"),
        ("a b", "a%20b"),
        ("ü", "%C3%BC"),
        ("%2e%2e", "%252e%252e"),
    ],
)
def test_path_parameters_stay_in_one_segment(value: str, segment: str) -> None:
    path = expand_path(T, {"cluster_id": value, "name": "u"})
    assert path == f"/api/v1/clusters/{segment}/sql-users/u"
    assert path.count("/") == T.count("/")


def test_empty_and_wrong_path_parameters() -> None:
    with pytest.raises(ValueError, match="cluster_id"):
        expand_path(T, {"cluster_id": "", "name": "u"})
    with pytest.raises(TypeError, match="name"):
        expand_path(T, {"cluster_id": "c"})
    with pytest.raises(TypeError, match="cluster_id"):
        expand_path(T, {"cluster_id": None, "name": "u"})
    assert expand_path("/x/{n}", {"n": 32}) == "/x/32"


class Order(str, enum.Enum):
    ASC = "ASC"


def test_query_values() -> None:
    when = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert build_query(
        {
            "show_inactive": True,
            "pagination.page": None,
            "pagination.limit": 100,
            "pagination.sort_order": Order.ASC,
            "pagination.as_of_time": when,
            "ids": ["a", "b"],
        }
    ) == [
        ("show_inactive", "true"),
        ("pagination.limit", "100"),
        ("pagination.sort_order", "ASC"),
        ("pagination.as_of_time", "2024-01-02T03:04:05Z"),
        ("ids", "a"),
        ("ids", "b"),
    ]
    with pytest.raises(ValueError):
        build_query({"t": datetime.datetime(2024, 1, 1)})
    with pytest.raises(TypeError):
        build_query({"x": object()})
