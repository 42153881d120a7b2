"""Any date of the year: one injected clock, and calendar arithmetic that is right.

The emulator and the client read the same :class:`TravelClock`, set to instants where
date code breaks: the first seconds of December, the last of the year, the first of the
next, a leap day and a month end before a shorter month. A workflow (create, list,
invoices, audit log, delete) runs at each, and the dates it sees must come from that
clock, not the machine's. The main job also runs across midnight on New Year's Eve,
once with the emulator's clock set and once (when Debian's ``faketime`` is installed,
as ``.ci/run`` does) with the whole process's system clock set.
"""

from __future__ import annotations

import calendar
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ccloud_async import CockroachCloud
from ccloud_async._clock import from_ns
from ccloud_async._http.messages import rfc3339
from ccloud_async._http.retry import parse_retry_after
from ccloud_async.audit.cursor import timestamp_ns
from ccloud_async.testing import FakeCloud, Fault, TravelClock
from ccloud_async.testing.areas.org_billing import month_start, seed_invoices

from ..conftest import SERVERLESS

UTC = timezone.utc
INSTANTS = [
    "2026-12-01T00:00:05Z",
    "2026-12-31T23:59:58Z",
    "2027-01-01T00:00:01Z",
    "2028-02-29T12:00:00Z",
    "2027-03-31T22:00:00Z",
]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _near(moment: Any, expected: datetime, seconds: float = 30.0) -> bool:
    value = _at(moment) if isinstance(moment, str) else moment
    return isinstance(value, datetime) and abs((value - expected).total_seconds()) <= seconds


def _check_invoices(invoices: list[dict[str, Any]], now: datetime) -> None:
    """Three calendar months, contiguous, from the 1st, ending with now's month (DRAFT)."""
    assert len(invoices) == 3
    invoices = sorted(invoices, key=lambda i: i["period_start"])
    starts = [_at(i["period_start"]) for i in invoices]
    ends = [_at(i["period_end"]) for i in invoices]
    for start, end in zip(starts, ends, strict=True):
        assert (start.day, start.hour, start.minute, start.second) == (1, 0, 0, 0)
        days = calendar.monthrange(start.year, start.month)[1]
        assert end - start == timedelta(days=days)
    assert ends[:2] == starts[1:], "months must be contiguous"
    assert starts[2] <= now < ends[2]
    assert (starts[2].year, starts[2].month) == (now.year, now.month)
    assert [i["status"] for i in invoices] == ["FINALIZED", "FINALIZED", "DRAFT"]
    months = [(s.year * 12 + s.month - 1) for s in starts]
    assert months == [months[2] - 2, months[2] - 1, months[2]]


# --- calendar arithmetic, every month ----------------------------------------------------


def test_month_start_rolls_over_both_ways() -> None:
    assert month_start(2026, 13) == datetime(2027, 1, 1, tzinfo=UTC)
    assert month_start(2026, 14) == datetime(2027, 2, 1, tzinfo=UTC)
    assert month_start(2027, 0) == datetime(2026, 12, 1, tzinfo=UTC)
    assert month_start(2027, -1) == datetime(2026, 11, 1, tzinfo=UTC)
    assert month_start(2027, 25) == datetime(2029, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_invoices_on_the_first_and_last_moment_of_every_month(year: int) -> None:
    for month in range(1, 13):
        first = datetime(year, month, 1, tzinfo=UTC)
        last = month_start(year, month + 1) - timedelta(microseconds=1)
        for now in (first, last):
            invoices = seed_invoices(now, "creator")
            _check_invoices(list(invoices.values()), now)


def test_finished_invoices_bill_the_real_month_length() -> None:
    invoices = sorted(
        seed_invoices(datetime(2028, 3, 15, tzinfo=UTC), "c").values(),
        key=lambda i: i["period_start"],
    )
    compute = [i["invoice_items"][0]["line_items"][0]["quantity"] for i in invoices]
    assert compute[0] == 3 * 31 * 24  # January 2028
    assert compute[1] == 3 * 29 * 24  # February of a leap year
    assert compute[2] == 3 * 14 * 24  # March so far


# --- the workflow at each instant ---------------------------------------------------------


@pytest.mark.parametrize("instant", INSTANTS)
async def test_workflow_dates_come_from_the_clock(instant: str) -> None:
    clock = TravelClock(instant)
    start = clock.now()
    async with FakeCloud(
        rate_limit=None, validate_responses=True, audit_entries=200, clock=clock
    ) as fake:
        async with CockroachCloud(
            api_key="test-key", base_url=fake.url, limiter=None, clock=clock
        ) as cloud:
            created = await cloud.clusters.create(
                name="time-traveller", provider="GCP", spec=SERVERLESS
            )
            assert _near(created.created_at, start)
            assert created.id in [c.id async for c in cloud.clusters.list()]

            raw = [i for i in fake.invoices.values()]  # type: ignore[attr-defined]
            _check_invoices(raw, start)
            listed = [i async for i in cloud.invoices.list()]
            assert sorted(i.period_start for i in listed) == sorted(
                _at(i["period_start"]) for i in raw
            )
            drafts = [i async for i in cloud.invoices.list(status="DRAFT")]
            assert [(d.period_start.year, d.period_start.month) for d in drafts] == [
                (start.year, start.month)
            ]

            org = await cloud.organization.get()
            assert _near(org.created_at, start - timedelta(days=412))

            entries = [e async for e in cloud.audit_logs.list(limit=17)]
            assert len(entries) == 201 and len({e.id for e in entries}) == 201
            stamps = [timestamp_ns(e.created_at) for e in entries]
            assert stamps == sorted(stamps)
            assert entries[-1].action == "AUDIT_LOG_ACTION_CREATE_CLUSTER"
            assert all(_near(from_ns(ns), start, seconds=60) for ns in stamps)
            newest_first = [e async for e in cloud.audit_logs.list(sort_order="DESC", limit=17)]
            assert [e.id for e in newest_first] == [e.id for e in reversed(entries)]

            deferral = await cloud.version_deferral.set(
                created.id, deferral_policy="DEFERRAL_30_DAYS"
            )
            assert _near(deferral.deferred_until, start + timedelta(days=30))
            majors = {m.version: m async for m in cloud.clusters.list_major_versions()}
            for major in majors.values():
                supported = major.support_end > start
                assert (major.support_status == "SUPPORTED") == supported

            await cloud.clusters.delete(created.id)
            gone = await cloud.clusters.get(created.id)
            assert gone.state == "DELETED" and _near(gone.deleted_at, start)


async def test_audit_walk_across_new_year_in_small_pages() -> None:
    # 400 entries over the ~20 s before 00:00:10: the log straddles the year boundary.
    clock = TravelClock("2027-01-01T00:00:10Z", frozen=True)
    async with FakeCloud(rate_limit=None, audit_entries=400, clock=clock) as fake:
        async with CockroachCloud(
            api_key="test-key", base_url=fake.url, limiter=None, clock=clock
        ) as cloud:
            every = [e async for e in cloud.audit_logs.list(limit=9)]
            years = {e.created_at[:4] for e in every}
            assert years == {"2026", "2027"}
            assert len(every) == 400 and len({e.id for e in every}) == 400
            # Resume exactly at the year boundary: nothing lost, nothing twice.
            stream = cloud.audit_logs.list(limit=9)
            before: list[str] = []
            async for entry in stream:
                before.append(entry.id)
                if entry.created_at.startswith("2027"):
                    break
            token = stream.resume_point().token()
            after = [e.id async for e in cloud.audit_logs.list(resume=token, limit=9)]
            assert before + after == [e.id for e in every]
            since_new_year = [
                e
                async for e in cloud.audit_logs.list(starting_from="2026-12-31T23:59:59.999999999Z")
            ]
            assert [e.id for e in since_new_year] == [
                e.id for e in every if e.created_at.startswith("2027")
            ]


async def test_retry_after_http_date_is_read_on_the_injected_clock() -> None:
    # Far from the machine's date: a client reading the system clock would see an HTTP
    # date years away and give up (or not wait at all).
    clock = TravelClock("2028-02-29T23:59:59Z")
    async with FakeCloud(rate_limit=None, retry_after="http-date", clock=clock) as fake:
        fake.faults.add(Fault("rate_limit", retry_after_seconds=1.0))
        async with CockroachCloud(
            api_key="test-key", base_url=fake.url, limiter=None, clock=clock, max_retry_after=5
        ) as cloud:
            started = time.monotonic()
            assert [c async for c in cloud.clusters.list()] == []
            waited = time.monotonic() - started
    assert fake.stats.rate_limited == 0 and fake.faults.injected["rate_limit"] == 1
    assert 0.5 <= waited <= 3.0


# --- client-side date handling ---------------------------------------------------------------


def test_retry_after_http_date_across_new_year() -> None:
    now = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()
    assert parse_retry_after("Fri, 01 Jan 2027 00:00:04 GMT", now=now) == 5.0
    leap = datetime(2028, 2, 29, 23, 59, 58, tzinfo=UTC).timestamp()
    assert parse_retry_after("Wed, 01 Mar 2028 00:00:00 GMT", now=leap) == 2.0


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2027-01-01T00:30:00.123456789+01:00", "2026-12-31T23:30:00.123456789"),
        ("2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00"),
        ("2028-02-29T23:59:59.999999999-00:30", "2028-03-01T00:29:59.999999999"),
        ("2028-03-01T00:15:00+00:30", "2028-02-29T23:45:00"),
        ("2026-12-31t23:59:59.5z", "2026-12-31T23:59:59.5"),
    ],
)
def test_audit_cursor_times_with_offsets_and_nanoseconds(text: str, utc: str) -> None:
    whole, _, fraction = utc.partition(".")
    expected = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 10**9
    expected += int(fraction.ljust(9, "0")) if fraction else 0
    assert timestamp_ns(text) == expected


@pytest.mark.parametrize(
    "text", ["2027-02-29T00:00:00Z", "2026-12-32T00:00:00Z", "2026-13-01T00:00:00Z"]
)
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        timestamp_ns(text)


def test_rfc3339_formatting_converts_offsets_across_the_year() -> None:
    plus_one = timezone(timedelta(hours=1))
    assert rfc3339(datetime(2027, 1, 1, 0, 30, tzinfo=plus_one)) == "2026-12-31T23:30:00Z"
    minus_five = timezone(timedelta(hours=-5))
    moment = datetime(2028, 2, 28, 19, 0, 0, 1, tzinfo=minus_five)
    assert rfc3339(moment) == "2028-02-29T00:00:00.000001Z"


def test_travel_clock_runs_advances_and_travels() -> None:
    clock = TravelClock("2026-12-31T23:59:59.5Z")
    first = clock()
    time.sleep(0.01)
    assert clock() > first
    clock.advance(3600)
    assert clock.now().year == 2027 and clock.now().hour == 0
    clock.travel(datetime(2028, 2, 29, 12, tzinfo=UTC))
    assert clock.now().date().isoformat() == "2028-02-29"
    frozen = TravelClock("2027-03-31T22:00:00Z", frozen=True)
    assert frozen() == frozen()
    with pytest.raises(ValueError):
        TravelClock("2027-02-29T00:00:00Z")
    with pytest.raises(ValueError):
        TravelClock(datetime(2027, 1, 1))  # naive


# --- the main job across midnight on New Year's Eve ---------------------------------------


def _env() -> dict[str, str]:
    # No COCKROACH_* settings, and no faketime of an outer run (when the whole suite runs
    # under faketime, a nested one would add its offset to the outer one).
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COCKROACH_", "FAKETIME"))
        and k not in ("LD_PRELOAD", "DONT_FAKE_MONOTONIC")
    }


def _main_job(tmp_path: Path, *extra: str, prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    target = tmp_path / "audit.jsonl"
    env = _env()
    started = time.monotonic()
    done = subprocess.run(
        [*prefix, sys.executable, "-W", "error", "-m", "ccloud_async.cli", "--emulator",
         *extra, "--quiet", "report", "--export-audit", str(target)],
        capture_output=True, text=True, timeout=180, env=env,
    )  # fmt: skip
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["clusters"] == 200 and report["summary"]["failed"] == 0
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(lines) == report["audit_export"]["written"] == 5000
    assert len({e["id"] for e in lines}) == 5000
    stamps = [timestamp_ns(e["created_at"]) for e in lines]
    assert stamps == sorted(stamps)
    return {"report": report, "took": took, "last": lines[-1]["created_at"]}


def test_main_job_across_midnight_on_new_years_eve(tmp_path: Path) -> None:
    # The report alone takes ~20 s at 10 requests/s: it starts in 2026 and ends in 2027.
    run = _main_job(tmp_path, "--emulator-time", "2026-12-31T23:59:52Z")
    assert run["took"] > 8.0, "the job must still be running at midnight"
    assert run["last"].startswith("2026-12-31T23:5")


def _faketime() -> str | None:
    found = shutil.which("faketime")
    if found is None and os.environ.get("CCLOUD_ASYNC_REQUIRE_FAKETIME") == "1":
        pytest.fail("faketime is required here (.ci/run installs it) but was not found")
    return found


def test_main_job_under_a_faked_system_clock(tmp_path: Path) -> None:
    """The Quick start's main job with the machine's own clock at 23:59:45 on Dec 31."""
    faketime = _faketime()
    if faketime is None:
        pytest.skip("Debian's faketime is not installed (.ci/run installs it)")
    probe = subprocess.run(
        [faketime, "2026-12-31 23:59:45", sys.executable, "-c", "import time; print(time.time())"],
        capture_output=True, text=True, timeout=30, env=_env(),
    )  # fmt: skip
    assert abs(float(probe.stdout) - _at("2026-12-31T23:59:45Z").timestamp()) < 30
    run = _main_job(tmp_path, prefix=(faketime, "2026-12-31 23:59:45"))
    assert run["last"].startswith("2026-12-31T23:5")
