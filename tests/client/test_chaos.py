"""Chaos: the client over a mixed workload while 20% of requests meet a random fault.

The emulator rate-limits (10 requests per second) and injects, on a seeded 20% of
requests, one of: a 5xx status, an HTML proxy page, an empty or ``null`` error body, a
reset before or after the handler ran, a 200 cut in half, a held-back status line or a
trickling body (both longer than the client's timeout). No 429 fault is injected, so
any 429 would come from the client outrunning the limit.

Per run the figures are collected in a dict, printed on one line (``pytest -s``) and
asserted: at least 95% of GETs right, no wrong value (a GET that disagrees with the
emulator's state), no duplicated POST/PATCH, no untyped exception, no 429.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterable, Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

import pytest

from ccloud_async import CloudError, CockroachCloud, RetryPolicy
from ccloud_async.testing import FakeCloud

from ..conftest import KEY

T = TypeVar("T")
RATE = 0.2
SLOW = 1.0  # how long slow kinds take, well past the client's timeout
TIMEOUT = 0.4
ROUNDS = 9  # 8 calls a round, plus setup reads: at least 60 calls a run
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE"})


class WrongValue(Exception):
    """A GET returned something other than the emulator's state."""


class _RetryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "retrying" in text or "trying again" in text or "pausing" in text:
            self.count += 1


async def collect(pager: AsyncIterable[T]) -> list[T]:
    return [item async for item in pager]


class Run:
    def __init__(self, fake: FakeCloud, cloud: CockroachCloud) -> None:
        self.fake = fake
        self.cloud = cloud
        self.calls = 0
        self.errors: Counter[str] = Counter()
        self.wrong_values = 0
        self.duplicates = 0  # a POST/PATCH applied more than once
        self.reapplied = 0  # a PUT re-applied by a retry (idempotent: allowed)
        self.untyped: list[BaseException] = []
        self.truth_requests = 0  # reads made with faults off, to check values
        self.gets = 0
        self.gets_right = 0  # GETs that returned the emulator's state

    async def truth(self, read: Callable[[], Awaitable[T]]) -> T:
        """Read with faults off: what the emulator holds right now."""
        self.fake.faults.suspended = True
        before = self.fake.stats.requests
        try:
            return await read()
        finally:
            self.fake.faults.suspended = False
            self.truth_requests += self.fake.stats.requests - before

    async def call(
        self,
        operation_id: str,
        method: str,
        run: Callable[[], Awaitable[Any]],
        check: Callable[[Any], Awaitable[bool]] | None = None,
    ) -> Any:
        self.calls += 1
        self.gets += method == "GET"
        before = self.fake.stats.applied[operation_id]
        result: Any = None
        try:
            result = await run()
        except CloudError as exc:
            self.errors[type(exc).__name__] += 1
        except Exception as exc:  # counted, and asserted to be none
            self.untyped.append(exc)
        else:
            if check is not None and not await check(result):
                self.wrong_values += 1
            elif method == "GET":
                self.gets_right += 1
        applied = self.fake.stats.applied[operation_id] - before
        if applied > 1:
            if method in IDEMPOTENT:
                self.reapplied += 1
            else:
                self.duplicates += 1
        return result


async def _workload(run: Run, cid: str, fid: str) -> None:
    cloud, fake = run.cloud, run.fake

    async def cluster_matches(got: Any) -> bool:
        truth = fake.clusters.get(cid)
        assert truth is not None
        return bool(got.id == cid and got.name == truth["name"] and got.state == truth["state"])

    async def folder_matches(got: Any) -> bool:
        truth = fake.org.folders[fid]  # type: ignore[attr-defined]
        return bool(got.resource_id == fid and got.name == truth["name"])

    async def users_match(got: Any) -> bool:
        truth = await run.truth(lambda: collect(cloud.sql_users.list(cid)))
        return sorted(u.name for u in got) == sorted(u.name for u in truth)

    async def backups_match(got: Any) -> bool:
        truth = await run.truth(lambda: cloud.backups.get_config(cid))
        return bool(got == truth)

    async def clusters_match(got: Any) -> bool:
        return sorted(c.id for c in got) == sorted(c["id"] for c in fake.clusters.all())

    for i in range(ROUNDS):
        user = f"user_{i}"
        await run.call(
            "CockroachCloud_GetCluster", "GET", lambda: cloud.clusters.get(cid), cluster_matches
        )
        await run.call(
            "CockroachCloud_UpdateCluster",
            "PATCH",
            partial(cloud.clusters.update, cid, labels={"round": str(i)}),
        )
        await run.call(
            "CockroachCloud_CreateSQLUser",
            "POST",
            partial(cloud.sql_users.create, cid, name=user, password=f"pw-{i}-secret"),
        )
        await run.call(
            "CockroachCloud_UpdateSQLUserPassword",
            "PUT",
            partial(cloud.sql_users.update_password, cid, user, password=f"pw-{i}-rotated"),
        )
        await run.call(
            "CockroachCloud_ListSQLUsers",
            "GET",
            lambda: collect(cloud.sql_users.list(cid)),
            users_match,
        )
        await run.call(
            "CockroachCloud_DeleteSQLUser",
            "DELETE",
            partial(cloud.sql_users.delete, cid, user),
        )
        await run.call(
            "CockroachCloud_GetFolder", "GET", lambda: cloud.folders.get(fid), folder_matches
        )
        if i % 3 == 0:
            await run.call(
                "CockroachCloud_CreateFolder",
                "POST",
                partial(cloud.folders.create, name=f"chaos-{i}"),
            )
        elif i % 3 == 1:
            await run.call(
                "CockroachCloud_UpdateBackupConfiguration",
                "PATCH",
                partial(cloud.backups.update_config, cid, retention_days=(7, 30)[i % 2]),
            )
        else:
            await run.call(
                "CockroachCloud_GetBackupConfiguration",
                "GET",
                lambda: cloud.backups.get_config(cid),
                backups_match,
            )
        await run.call(
            "CockroachCloud_ListClusters",
            "GET",
            lambda: collect(cloud.clusters.list()),
            clusters_match,
        )


@pytest.mark.parametrize("seed", [7, 2026])
async def test_chaos_run(seed: int) -> None:
    counter = _RetryCounter()
    log = logging.getLogger("ccloud_async")
    log.addHandler(counter)
    started = time.monotonic()
    try:
        async with FakeCloud(rate_limit=10, seed_clusters=2) as fake:
            cloud = CockroachCloud(
                api_key=KEY,
                base_url=fake.url,
                retry_policy=RetryPolicy(backoff_initial=0.01, backoff_max=0.05),
                timeout=TIMEOUT,
            )
            async with cloud:
                cid = fake.clusters.all()[0]["id"]
                fid = (await cloud.folders.create(name="chaos-home")).resource_id
                fake.reset_stats()
                fake.faults.chaos(RATE, seed=seed, delay=SLOW)
                run = Run(fake, cloud)
                await _workload(run, cid, fid)
                fake.faults.clear()
            figures = {
                "seed": seed,
                "calls": run.calls,
                "requests": fake.stats.requests - run.truth_requests,
                "faults": fake.stats.faults_injected,
                "by_kind": dict(sorted(fake.faults.injected.items())),
                "retries_logged": counter.count,
                "retries_wire": fake.stats.requests - run.truth_requests - run.calls,
                "typed_errors": dict(sorted(run.errors.items())),
                "gets_right": f"{run.gets_right}/{run.gets}",
                "wrong_values": run.wrong_values,
                "duplicates": run.duplicates,
                "put_reapplied": run.reapplied,
                "untyped": len(run.untyped),
                "429s": fake.stats.rate_limited,
                "seconds": round(time.monotonic() - started, 1),
            }
    finally:
        log.removeHandler(counter)
    print("\nchaos:", figures)
    assert run.calls >= 60
    assert run.gets_right >= 0.95 * run.gets  # a garbled answer to a GET is retried
    assert not run.untyped, run.untyped
    assert run.wrong_values == 0
    assert run.duplicates == 0
    assert fake.stats.rate_limited == 0
    assert fake.stats.faults_injected >= run.calls * RATE / 3  # chaos really happened
    assert len(fake.faults.injected) >= 4  # and in several shapes


def test_chaos_is_reproducible() -> None:
    from ccloud_async.testing import Fault, FaultRegistry

    def picks(seed: int) -> list[tuple[str, bool]]:
        registry = FaultRegistry(seed=seed)
        registry.add(Fault.chaos(0.5))
        out: list[tuple[str, bool]] = []
        for _ in range(200):
            plan = registry.plan("GET", "/api/v1/clusters")
            out += [(f.kind, f.after_apply) for f in plan.hit]
        return out

    assert picks(3) == picks(3)
    assert picks(3) != picks(4)
    assert 60 < len(picks(3)) < 140


@pytest.mark.parametrize("style", ["seconds", "http-date", "none"])
async def test_rate_limit_fault_retry_after_styles(style: str) -> None:
    import aiohttp

    from ccloud_async.testing import Fault

    async with FakeCloud(rate_limit=None) as fake:
        fake.faults.add(Fault("rate_limit", retry_after=style, retry_after_seconds=3))  # type: ignore[arg-type]
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bearer {KEY}"}
            async with session.get(f"{fake.url}/api/v1/clusters", headers=headers) as resp:
                assert resp.status == 429
                value = resp.headers.get("Retry-After")
    if style == "seconds":
        assert value == "3"
    elif style == "http-date":
        assert value is not None and value.endswith(" GMT")
    else:
        assert value is None
