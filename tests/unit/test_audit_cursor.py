"""The audit-log cursor rules, without a network."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ccloud_async import PaginationError
from ccloud_async.audit.cursor import AuditCursor, AuditResume


@dataclass(frozen=True)
class E:
    id: str


def ids(entries: list[E]) -> list[str]:
    return [e.id for e in entries]


def test_asc_dedupes_boundary_repeats_and_stops_when_caught_up() -> None:
    cursor = AuditCursor()
    first = cursor.feed([E("a"), E("b"), E("c")], "t3")
    assert ids(first.new) == ["a", "b", "c"] and not first.caught_up
    assert cursor.starting_from == "t3"
    second = cursor.feed([E("c"), E("d")], "t4")  # "c" shares the boundary: repeated
    assert ids(second.new) == ["d"] and not second.caught_up
    idle = cursor.feed([], "t4")
    assert idle.new == [] and idle.caught_up
    only_seen = cursor.feed([E("d")], "t4")
    assert only_seen.caught_up
    later = cursor.feed([E("d"), E("e")], "t5")  # following: something new arrived
    assert ids(later.new) == ["e"] and not later.caught_up


def test_asc_only_repeats_with_a_moved_cursor_is_not_caught_up() -> None:
    cursor = AuditCursor()
    cursor.feed([E("a"), E("b")], "t2")
    result = cursor.feed([E("b")], "t3")
    assert result.new == [] and not result.caught_up and cursor.starting_from == "t3"


def test_new_entries_at_an_unchanged_boundary_keep_the_cursor() -> None:
    cursor = AuditCursor()
    cursor.feed([E("a")], "t1")
    result = cursor.feed([E("a"), E("a2")], "t1")
    assert ids(result.new) == ["a2"] and cursor.starting_from == "t1"
    assert cursor.feed([E("a"), E("a2")], "t1").caught_up


def test_desc_ends_when_the_cursor_is_absent() -> None:
    cursor = AuditCursor(sort_order="DESC")
    assert ids(cursor.feed([E("z"), E("y")], "t8").new) == ["z", "y"]
    last = cursor.feed([E("y"), E("x")], None)
    assert ids(last.new) == ["x"] and last.exhausted


def test_desc_repeated_cursor_with_nothing_new_raises() -> None:
    cursor = AuditCursor(sort_order="DESC")
    cursor.feed([E("z")], "t8")
    with pytest.raises(PaginationError):
        cursor.feed([E("z")], "t8")


def test_resume_token_round_trip_skips_what_was_delivered() -> None:
    cursor = AuditCursor()
    cursor.feed([E("a"), E("b")], "2024-01-01T00:00:00.123456789Z")
    page = [E("b"), E("c"), E("d")]
    result = cursor.feed(page, "2024-01-01T00:00:01.000000001Z")
    assert ids(result.new) == ["c", "d"]
    # Interrupted after delivering "e" of the next page:
    point = cursor.position(["e"])
    token = point.token()
    again = AuditResume.from_token(token)
    assert again == point and again.starting_from == "2024-01-01T00:00:01.000000001Z"
    resumed = AuditCursor.resume(again)
    assert ids(resumed.feed([E("d"), E("e"), E("f")], "t9").new) == ["f"]


@pytest.mark.parametrize("junk", ["", "not-base64!", "e30", "bnVsbA"])
def test_bad_tokens_are_value_errors(junk: str) -> None:
    with pytest.raises(ValueError, match="resume token"):
        AuditResume.from_token(junk)


def test_sort_order_is_checked() -> None:
    with pytest.raises(ValueError):
        AuditCursor(sort_order="UP")


def test_timestamp_ns_keeps_every_digit() -> None:
    from ccloud_async.audit.cursor import timestamp_ns

    base = timestamp_ns("2024-01-02T03:04:05Z")
    assert timestamp_ns("2024-01-02T03:04:05.000000001Z") == base + 1
    assert timestamp_ns("2024-01-02T03:04:05.5Z") == base + 500_000_000
    assert timestamp_ns("2024-01-02T04:04:05.000000001+01:00") == base + 1
    assert timestamp_ns("2024-01-02T02:04:05-01:00") == base
    with pytest.raises(ValueError):
        timestamp_ns("yesterday")


@dataclass(frozen=True)
class Stamped:
    id: str
    created_at: str


def test_entries_at_or_before_the_bound_are_dropped() -> None:
    cursor = AuditCursor("2024-01-01T00:00:00.000000005Z")
    page = [
        Stamped("old", "2024-01-01T00:00:00.000000004Z"),
        Stamped("at", "2024-01-01T00:00:00.000000005Z"),
        Stamped("new", "2024-01-01T00:00:00.000000006Z"),
    ]
    assert [e.id for e in cursor.feed(page, "2024-01-01T00:00:00.000000006Z").new] == ["new"]
    desc = AuditCursor("2024-01-01T00:00:00.000000005Z", "DESC")
    assert [e.id for e in desc.feed(page[::-1], None).new] == ["old"]
