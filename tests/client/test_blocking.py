"""The blocking client: the async client driven from a loop thread, with nothing lost.

Every namespace and method of the async client is there with the same signature (the
generated file is what the generator gives, and a drift check compares the classes);
each namespace answers a real call on the emulator; threads share one limiter; Ctrl-C
cancels a call and frees its slot; calls work from inside a running loop; close leaves
no thread or socket; pagers, audit streams (and their resume tokens), waiters and fleets
have blocking forms; the pytest plugin serves sync tests.
"""

from __future__ import annotations

import _thread
import ast
import asyncio
import gc
import importlib.util
import inspect
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import typing
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest

from ccloud_async import (
    OPERATIONS,
    ClientStateError,
    CockroachCloud,
    CockroachCloudSync,
    FleetProgress,
    HookError,
    InProcessLimiter,
    NotFoundError,
    PollSchedule,
    SyncAuditLogStream,
    SyncPager,
    ValidationError,
    WaitTimeoutError,
    run_fleet_sync,
    stream_fleet_sync,
)
from ccloud_async._generated.blocking import BlockingNamespaces
from ccloud_async._generated.namespaces import Namespaces
from ccloud_async.audit.stream import AuditLogStream
from ccloud_async.models import Cluster
from ccloud_async.pagination import AsyncPager
from ccloud_async.resources.clusters import Clusters
from ccloud_async.testing import FakeCloud, Fault, Timings, fake_cloud_in_thread

from ..conftest import FAST_RETRIES, KEY, SERVERLESS

ROOT = Path(__file__).resolve().parents[2]


def _load_generator() -> ModuleType:
    path = ROOT / "tools" / "generate_blocking.py"
    spec = importlib.util.spec_from_file_location("ccloud_generate_blocking", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gen = _load_generator()

ASYNC_NAMESPACES: dict[str, type] = {
    n: t for n, t in typing.get_type_hints(Namespaces).items() if n in Namespaces.NAMES
}
SYNC_NAMESPACES: dict[str, type] = {
    n: t for n, t in typing.get_type_hints(BlockingNamespaces).items() if n != "NAMES"
}


@pytest.fixture
def fake() -> Iterator[FakeCloud]:
    """An emulator in a thread of its own, seeded, with no rate limit."""
    with fake_cloud_in_thread(
        seed_clusters=3, audit_entries=300, rate_limit=None, validate_responses=True
    ) as server:
        yield server


def make(fake: FakeCloud, **kwargs: Any) -> CockroachCloudSync:
    kwargs.setdefault("limiter", None)
    kwargs.setdefault("retry_policy", FAST_RETRIES)
    return CockroachCloudSync(api_key=KEY, base_url=fake.url, **kwargs)


@pytest.fixture
def cloud(fake: FakeCloud) -> Iterator[CockroachCloudSync]:
    with make(fake) as client:
        yield client


@pytest.fixture
def ids(cloud: CockroachCloudSync) -> list[str]:
    return [c.id for c in cloud.clusters.list()]


# --------------------------------------------------------------------------- drift

_WRAPPED = {"AsyncPager[": "SyncPager[", "AuditLogStream[": "SyncAuditLogStream["}


def _public(cls: type) -> dict[str, Callable[..., Any]]:
    return {n: f for n, f in inspect.getmembers(cls, inspect.isfunction) if not n.startswith("_")}


def _params(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    return list(inspect.signature(fn).parameters.values())


def drift(async_cls: type, sync_cls: type) -> list[str]:
    """How ``sync_cls`` differs from the blocking form of ``async_cls`` (empty: none)."""
    problems = []
    mine = _public(sync_cls)
    for name, fn in _public(async_cls).items():
        other = mine.pop(name, None)
        if other is None:
            problems.append(f"{name}: missing")
            continue
        if _params(fn) != _params(other):
            problems.append(f"{name}: parameters differ")
        want = str(inspect.signature(fn).return_annotation)
        for old, new in _WRAPPED.items():
            if want.startswith(old):
                want = new + want.removeprefix(old)
        if inspect.signature(other).return_annotation != want:
            problems.append(f"{name}: returns {inspect.signature(other).return_annotation}")
        overloads = getattr(typing, "get_overloads", None)  # Python 3.11+
        if overloads is not None:
            pairs = list(zip(overloads(fn), overloads(other), strict=False))
            if len(overloads(fn)) != len(overloads(other)) or any(
                _params(a) != _params(b) for a, b in pairs
            ):
                problems.append(f"{name}: overloads differ")
    problems += [f"{name}: not in the async class" for name in mine]
    return problems


def namespace_drift(async_ns: Mapping[str, type], sync_ns: Mapping[str, type]) -> list[str]:
    problems = [f"{n}: namespace missing" for n in async_ns if n not in sync_ns]
    problems += [f"{n}: namespace not in the async client" for n in sync_ns if n not in async_ns]
    for name in async_ns.keys() & sync_ns.keys():
        problems += [f"{name}.{p}" for p in drift(async_ns[name], sync_ns[name])]
    return problems


def test_every_namespace_and_method_is_there_with_the_same_signature() -> None:
    assert list(SYNC_NAMESPACES) == list(Namespaces.NAMES) == list(BlockingNamespaces.NAMES)
    assert namespace_drift(ASYNC_NAMESPACES, SYNC_NAMESPACES) == []
    # Every operation of the table included (144), and the hand-written waiters.
    for op in OPERATIONS.values():
        namespace, method = op.method.split(".")
        assert callable(getattr(SYNC_NAMESPACES[namespace], method)), op.method
    assert {"wait", "list", "records"} <= {
        m for cls in SYNC_NAMESPACES.values() for m in _public(cls)
    }
    # The client itself: the constructor's parameters, and every public member.
    init = _params(CockroachCloud.__init__)
    assert _params(CockroachCloudSync.__init__) == init
    assert _params(CockroachCloudSync.with_options) == _params(CockroachCloud.with_options)
    assert _params(CockroachCloudSync.request) == _params(CockroachCloud.request)
    members = {n for n in dir(CockroachCloud) if not n.startswith("_")} - {"aclose"}
    assert members - set(dir(CockroachCloudSync)) == set()
    assert callable(CockroachCloudSync.close) and callable(CockroachCloudSync.__enter__)


def test_the_drift_check_finds_a_missing_namespace_method_or_parameter() -> None:
    class Grown(Clusters):
        async def reboot(self, cluster_id: str) -> Cluster:
            raise NotImplementedError

        async def get(self, cluster_id: str, *, fresh: bool = False) -> Cluster:  # type: ignore[override]
            raise NotImplementedError

    assert drift(Grown, SYNC_NAMESPACES["clusters"]) == [
        "get: parameters differ",
        "reboot: missing",
    ]
    grown = {**ASYNC_NAMESPACES, "backups_v2": ASYNC_NAMESPACES["backups"]}
    assert namespace_drift(grown, SYNC_NAMESPACES) == ["backups_v2: namespace missing"]


def test_the_generated_file_is_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = gen.OUTPUT_PATH.read_text(encoding="utf-8")
    assert gen.render() == committed, "stale: run `python tools/generate_blocking.py`"
    head = committed.splitlines()[:3]
    assert "tools/generate_blocking.py" in head[0] and "Do not edit by hand" in head[1]
    stale = tmp_path / "blocking.py"
    stale.write_text(committed.replace("def wait(", "def wait_a_bit(", 1), encoding="utf-8")
    monkeypatch.setattr(gen, "OUTPUT_PATH", stale)
    assert gen.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert gen.main([]) == 0  # rewrites it...
    assert gen.main(["--check"]) == 0  # ...and then it is current
    assert stale.read_text(encoding="utf-8") == committed


def test_the_generator_refuses_a_method_it_cannot_make_blocking() -> None:
    # A plain method returning something new must stop the generator, not be skipped.
    node = ast.parse("def tail(self) -> Iterator[int]: ...").body[0]
    assert isinstance(node, ast.FunctionDef)
    method = gen.Method("tail", [node], sys.modules[__name__])
    with pytest.raises(gen.GenerationError, match="teach"):
        gen._kind(method, "Clusters.tail")


# --------------------------------------------------------------------------- namespaces


def _calls(cloud: CockroachCloudSync, cid: str) -> dict[str, Callable[[], object]]:
    """One real call per namespace (a read where the emulator has one to answer)."""
    return {
        "clusters": lambda: cloud.clusters.get(cid),
        "backups": lambda: cloud.backups.list(cid).to_list(),
        "restores": lambda: cloud.restores.list(cid).to_list(),
        "cmek": lambda: cloud.cmek.get(cid),  # not configured: a typed 404
        "sql_users": lambda: cloud.sql_users.list(cid).to_list(),
        "databases": lambda: cloud.databases.list(cid).to_list(),
        "allowlist": lambda: cloud.allowlist.list(cid).to_list(),
        "private_endpoints": lambda: cloud.private_endpoints.list_services(cid).to_list(),
        "egress_private_endpoints": lambda: cloud.egress_private_endpoints.list(cid).to_list(),
        "egress_rules": lambda: cloud.egress_rules.list(cid).to_list(),
        # Waiting for an export that is not there to be gone: the waiters' 404 rule.
        "log_export": lambda: cloud.log_export.wait(cid, until="DISABLED"),
        "metric_export": lambda: cloud.metric_export.wait_datadog(cid, until="NOT_DEPLOYED"),
        "audit_logs": lambda: cloud.audit_logs.list_page(limit=5),
        "invoices": lambda: cloud.invoices.list().to_list(),
        "folders": lambda: cloud.folders.list().to_list(),
        "roles": lambda: cloud.roles.list_grants().to_list(),
        "service_accounts": lambda: cloud.service_accounts.list().to_list(),
        "api_keys": lambda: cloud.api_keys.list().to_list(),
        "jwt_issuers": lambda: cloud.jwt_issuers.list().to_list(),
        "replication": lambda: cloud.replication.list_streams().to_list(),
        "maintenance_windows": lambda: cloud.maintenance_windows.get(cid),  # a typed 404
        "blackout_windows": lambda: cloud.blackout_windows.list(cid).to_list(),
        "version_deferral": lambda: cloud.version_deferral.get(cid),
        "disruption": lambda: cloud.disruption.get(cid),
        "client_ca_certs": lambda: cloud.client_ca_certs.get(cid),
        "organization": lambda: cloud.organization.get(),
        "scim": lambda: cloud.scim.list_users().to_list(),
    }


def _route(namespace: str, method: str, path: str) -> bool:
    """Whether (method, path) is one of the namespace's operations."""
    for op in OPERATIONS.values():
        template = re.sub(r"\{[^{}]+\}", "[^/]+", op.path)
        ours = op.method.startswith(f"{namespace}.") and op.http_method == method
        if ours and re.fullmatch(template, path):
            return True
    return False


def test_every_namespace_answers_a_real_call(
    cloud: CockroachCloudSync, fake: FakeCloud, ids: list[str]
) -> None:
    calls = _calls(cloud, ids[0])
    assert set(calls) == set(Namespaces.NAMES)
    for namespace, call in calls.items():
        seen = len(fake.request_log)
        try:
            value = call()
        except NotFoundError:
            value = None
            assert namespace in {"cmek", "maintenance_windows"}, namespace
        assert value is not None or namespace in {"cmek", "maintenance_windows"}
        sent = fake.request_log[seen:]
        assert sent and all(_route(namespace, r.method, r.path) for r in sent), namespace
    assert fake.stats.invalid_responses == 0


def test_the_client_surface(cloud: CockroachCloudSync, fake: FakeCloud, ids: list[str]) -> None:
    raw = cloud.with_raw_response.clusters.get(ids[0])
    assert raw.status == 200 and raw.parse().id == ids[0] and raw.json()["id"] == ids[0]
    body = cloud.request("GET", "/api/v1/clusters/{cluster_id}", path_params={"cluster_id": ids[1]})
    assert body["id"] == ids[1]
    assert cloud.request("GET", f"/api/v1/clusters/{ids[1]}", cast_to=Cluster).id == ids[1]
    raw_body = cloud.with_raw_response.request("GET", "/api/v1/organization")
    assert raw_body.status == 200
    view = cloud.with_options(timeout=5, max_retries=0)
    assert view.clusters.get(ids[2]).id == ids[2]
    view.close()  # a view leaves the client open
    assert not cloud.closed and cloud.organization.get().id
    assert repr(cloud).startswith("CockroachCloudSync(") and "test-key" not in repr(cloud)
    assert cloud.base_url.rstrip("/") == fake.url and cloud.limiter is cloud._client.limiter
    pager = cloud.clusters.list()
    assert isinstance(pager, SyncPager) and isinstance(cloud.audit_logs.list(), SyncAuditLogStream)
    assert isinstance(pager._pager, AsyncPager)
    assert isinstance(cloud.audit_logs.records()._stream, AuditLogStream)


def test_deprecated_methods_warn_in_the_callers_thread(
    cloud: CockroachCloudSync, fake: FakeCloud
) -> None:
    sent = fake.stats.requests
    with pytest.raises(DeprecationWarning, match="search_groups_with_put"):
        cloud.scim.search_groups_with_put()  # warnings are errors here: raised before sending
    assert fake.stats.requests == sent
    with pytest.warns(DeprecationWarning) as caught:
        cloud.scim.search_groups_with_put()
    assert any(w.filename == __file__ for w in caught)  # pointing at the caller's line


def test_a_callers_session_is_refused() -> None:
    async def attempt() -> None:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(ValidationError, match="session"):
                CockroachCloudSync(api_key=KEY, base_url="http://127.0.0.1:1", session=session)

    asyncio.run(attempt())


# --------------------------------------------------------------------------- threads


def test_eight_threads_share_one_limiter() -> None:
    # 8 threads x 20 calls through one client on an emulator that counts strictly.
    with fake_cloud_in_thread(seed_clusters=8, rate_limit=10) as fake:
        with CockroachCloudSync(api_key=KEY, base_url=fake.url) as cloud:
            ids = [c.id for c in cloud.clusters.list()]
            fake.reset_stats()
            start = threading.Barrier(8)
            results: dict[int, list[str]] = {}

            def worker(n: int) -> None:
                start.wait()
                results[n] = [cloud.clusters.get(ids[n]).id for _ in range(20)]

            threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
            began = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            took = time.monotonic() - began
    assert results == {n: [ids[n]] * 20 for n in range(8)}
    assert fake.stats.admitted == 160
    assert fake.stats.rate_limited == 0
    assert fake.max_in_window() <= 10
    assert took > 15.0  # 160 starts spaced ~0.1 s apart: the limiter was not bypassed


def _interrupt_main() -> None:
    _thread.interrupt_main()


def _raise_signal() -> None:
    signal.raise_signal(signal.SIGINT)  # lands on this (timer) thread, not the main one


def _no_op(view: object) -> None:
    pass


@pytest.mark.parametrize(
    ("deliver", "hooks"),
    [(_interrupt_main, False), (_raise_signal, False), (_interrupt_main, True)],
    ids=["interrupt_main", "raise_signal", "with_hooks"],  # hooks: the engine's other path
)
def test_keyboard_interrupt_cancels_the_call_and_frees_its_slot(
    fake: FakeCloud, deliver: Callable[[], None], hooks: bool
) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("KeyboardInterrupt is delivered to the main thread")
    limiter = InProcessLimiter(max_requests=1, period=0.2)
    event_hooks = {"request": [_no_op]} if hooks else None
    with make(fake, limiter=limiter, event_hooks=event_hooks) as cloud:
        first, second = [c.id for c in cloud.clusters.list()][:2]
        fake.faults.add(Fault("delay", method="GET", delay=3.0, times=1))
        caught: KeyboardInterrupt | None = None
        timer = threading.Timer(0.3, deliver)
        began = time.monotonic()
        try:
            try:
                timer.start()
                cloud.clusters.get(first)
            finally:
                # However late it comes, the interrupt is raised in here, not in pytest.
                timer.join()
        except KeyboardInterrupt as exc:
            caught = exc
        interrupted = time.monotonic() - began
        assert caught is not None
        assert 0.25 < interrupted < 1.5  # not the 3 s answer
        if sys.version_info >= (3, 11):
            assert "get() was cancelled and has ended" in "\n".join(caught.__notes__)
        # Nothing of it is left on the loop: no task, no connection checked out.
        assert cloud._loop.call(_leftovers, cloud) == (0, 0)
        began = time.monotonic()
        assert cloud.clusters.get(second).id == second  # its own answer, not a half-read one
        # Its slot is back a period after the interrupt; a lost one would hold it ~5 s.
        assert time.monotonic() - began < 1.5


async def _leftovers(cloud: CockroachCloudSync) -> tuple[int, int]:
    """Tasks on the client's loop other than the portal's and this one; connections in use."""
    here = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if not t.done() and t is not here]
    portal = [t for t in tasks if "run_portal" in repr(t.get_coro())]
    connector = cloud._client._engine.session().connector
    assert connector is not None
    return len(tasks) - len(portal), sum(len(v) for v in connector._acquired_per_host.values())


def test_calls_from_a_thread_that_runs_an_event_loop(
    cloud: CockroachCloudSync, ids: list[str]
) -> None:
    async def cell() -> list[str]:
        # What a notebook cell does: plain calls while this thread's loop is running.
        asyncio.get_running_loop()
        found = [c.id for c in cloud.clusters.list()]
        one = cloud.clusters.get(ids[0]).id
        await asyncio.sleep(0)
        return [one, *found]

    assert asyncio.run(cell()) == [ids[0], *ids]


def test_a_blocking_call_from_the_clients_own_loop_thread_is_refused(
    fake: FakeCloud, ids: list[str]
) -> None:
    def hook(view: object) -> None:
        inner.organization.get()  # would wait for its own thread

    with make(fake, event_hooks={"response": [hook]}) as inner:
        with pytest.raises(HookError) as info:
            inner.clusters.get(ids[0])
        assert isinstance(info.value.__cause__, ClientStateError)


def _sockets() -> int:
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:
            continue
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts sockets in /proc")
def test_close_leaves_no_thread_and_no_socket(fake: FakeCloud) -> None:
    before, sockets = set(threading.enumerate()), _sockets()
    cloud = make(fake)
    assert set(threading.enumerate()) == before  # started on first use, not before
    ids = [c.id for c in cloud.clusters.list()]
    assert len(set(threading.enumerate()) - before) == 1  # one loop thread
    workers = [threading.Thread(target=cloud.clusters.get, args=(i,)) for i in ids]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    for _ in cloud.clusters.list(limit=1):  # left early: its prefetch is cancelled
        break
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cloud.close()
        cloud.close()  # twice is fine
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert set(threading.enumerate()) == before
    assert cloud.closed
    with pytest.raises(ClientStateError):
        cloud.clusters.get(ids[0])
    # A client nobody closed is closed when it is collected.
    dropped = make(fake)
    dropped.organization.get()
    del dropped
    gc.collect()
    assert set(threading.enumerate()) == before
    deadline = time.monotonic() + 3
    while _sockets() > sockets and time.monotonic() < deadline:
        time.sleep(0.05)  # the emulator's side closes once it reads the EOF
    assert _sockets() <= sockets


# --------------------------------------------------------------------------- iterators


def test_pagers_are_plain_iterators(cloud: CockroachCloudSync, fake: FakeCloud) -> None:
    for n in range(4):
        cloud.clusters.create(name=f"paged-{n:02d}", provider="GCP", spec=SERVERLESS)
    every = [c.id for c in cloud.clusters.list()]
    assert len(every) == 7
    fake.reset_stats()
    assert [c.id for c in cloud.clusters.list(limit=3)] == every
    assert fake.stats.requests == 3  # one per page
    with cloud.clusters.list(limit=3).pages() as pages:
        got = list(pages)
    assert [len(p.items) for p in got] == [3, 3, 1]
    assert got[1].cursor == got[0].next_page and got[-1].next_page is None
    resumed = cloud.clusters.list(limit=3, page=got[0].next_page).to_list()
    assert [c.id for c in resumed] == every[3:]
    assert cloud.clusters.list(limit=3).first_page().items == got[0].items
    assert [i.status for i in cloud.invoices.list()] != []  # a list sent whole
    # Leaving early: the next page, already being fetched, is cancelled.
    before = cloud._loop.call(_leftovers, cloud)
    for _ in cloud.clusters.list(limit=1):
        break
    assert cloud._loop.call(_leftovers, cloud) == before == (0, 0)


def test_audit_streams_are_plain_iterators_with_the_same_resume_tokens(
    cloud: CockroachCloudSync, fake: FakeCloud
) -> None:
    every = [e.id for e in cloud.audit_logs.list(limit=50)]
    assert len(every) == len(set(every)) == 300
    stream = cloud.audit_logs.list(limit=50)
    assert stream.resume_point().token() == cloud.audit_logs.list(limit=50).resume_point().token()
    taken = []
    for entry in stream:
        taken.append(entry.id)
        if len(taken) == 120:
            break
    token = stream.resume_point().token()
    rest = [e.id for e in cloud.audit_logs.list(resume=token, limit=50)]
    assert taken + rest == every  # nothing lost, nothing twice

    async def async_token() -> str:
        async with CockroachCloud(api_key=KEY, base_url=fake.url, limiter=None) as client:
            walk = client.audit_logs.list(limit=50)
            count = 0
            async for _ in walk:
                count += 1
                if count == 120:
                    break
            return walk.resume_point().token()

    assert asyncio.run(async_token()) == token  # the async stream's token for that place
    records = list(cloud.audit_logs.records(limit=50))
    assert [r.id for r in records] == every
    assert json.loads(records[0].json)["id"] == every[0] and records[0].entry().id == every[0]
    pages = cloud.audit_logs.list(limit=50).pages()
    page = next(pages)
    after = [e.id for e in cloud.audit_logs.list(resume=page.resume.token(), limit=50)]
    assert [e.id for e in page.entries] + after == every
    newest_first = [e.id for e in cloud.audit_logs.list(sort_order="DESC", limit=50)]
    assert newest_first == every[::-1]


def test_waiters_block_with_the_same_timeouts() -> None:
    with fake_cloud_in_thread(rate_limit=None, timings=Timings(cluster_create=0.5)) as fake:
        with make(fake) as cloud:
            created = cloud.clusters.create(name="wait-for-me", provider="GCP", spec=SERVERLESS)
            assert created.state == "CREATING"
            seen: list[str] = []
            quick = PollSchedule(initial=0.05, maximum=0.1)
            began = time.monotonic()
            done = cloud.clusters.wait(
                created.id, poll=quick, on_change=lambda state, value: seen.append(state)
            )
            assert done.state == "CREATED" and time.monotonic() - began > 0.3
            assert seen[0] == "CREATING" and seen[-1] == "CREATED"
            slow = cloud.clusters.create(name="slow-to-come", provider="GCP", spec=SERVERLESS)
            began = time.monotonic()
            with pytest.raises(WaitTimeoutError) as info:
                cloud.clusters.wait(slow.id, timeout=0.2, poll=quick)
            assert info.value.state == "CREATING" and time.monotonic() - began < 1.0
            # A callback on the loop thread may not call the client back: refused.
            again = cloud.clusters.create(name="call-me-back", provider="GCP", spec=SERVERLESS)
            with pytest.raises(ClientStateError, match="own event loop thread"):
                cloud.clusters.wait(
                    again.id, poll=quick, on_change=lambda s, v: cloud.clusters.get(again.id)
                )


# --------------------------------------------------------------------------- fleets


def test_run_fleet_sync(cloud: CockroachCloudSync, fake: FakeCloud, ids: list[str]) -> None:
    before = set(threading.enumerate())
    progress: list[FleetProgress] = []
    results = run_fleet_sync(
        lambda cid: cloud.clusters.get(cid).id,
        [*ids, "missing"],
        concurrency=2,
        on_progress=progress.append,
    )
    assert [r.value for r in results[:3]] == ids and [r.index for r in results] == [0, 1, 2, 3]
    assert isinstance(results[3].error, NotFoundError)
    assert progress[-1] == FleetProgress(done=4, total=4, failed=1)
    assert set(threading.enumerate()) == before

    # fail_fast: the first error stops the rest, and their calls in flight are cancelled.
    fake.faults.add(Fault("delay", method="GET", delay=3.0, times=3))

    def check(cid: str) -> str:
        if cid == "bad":
            time.sleep(0.2)  # the others are on the wire by now
            raise ValueError("bad item")
        return cloud.clusters.get(cid).id

    began = time.monotonic()
    with pytest.raises(ValueError, match="bad item"):
        run_fleet_sync(check, [*ids, "bad"], concurrency=4, fail_fast=True)
    assert time.monotonic() - began < 2.5  # not the 3 s answers
    assert set(threading.enumerate()) == before
    assert cloud.clusters.get(ids[0]).id == ids[0]


def test_stream_fleet_sync(cloud: CockroachCloudSync, fake: FakeCloud, ids: list[str]) -> None:
    before = set(threading.enumerate())
    with stream_fleet_sync(lambda cid: cloud.clusters.get(cid).name, ids, concurrency=3) as done:
        names = sorted(r.unwrap() for r in done)
    assert names == sorted(c.name for c in cloud.clusters.list())
    assert set(threading.enumerate()) == before
    # Leaving early cancels the items still running: two of three answers take 3 s.
    fake.faults.add(Fault("delay", method="GET", delay=3.0, times=2))
    began = time.monotonic()
    for result in stream_fleet_sync(lambda cid: cloud.clusters.get(cid).id, ids, concurrency=3):
        assert result.ok  # the one answered at once
        break
    assert time.monotonic() - began < 2.5  # not the 3 s answers
    assert set(threading.enumerate()) == before


# --------------------------------------------------------------------------- plugin, README


@pytest.mark.fake_cloud(seed_clusters=2, rate_limit=None)
def test_the_pytest_plugin_serves_sync_tests(
    cloud_sync: CockroachCloudSync, fake_cloud_sync: FakeCloud
) -> None:
    assert len(cloud_sync.clusters.list().to_list()) == 2 == len(fake_cloud_sync.clusters)
    assert cloud_sync.clock is fake_cloud_sync.clock


def test_the_readme_program_runs(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Blocking client\n", 1)[1].split("\n### ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None and "asyncio" not in code.group(1)
    script = tmp_path / "program.py"
    script.write_text(code.group(1), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "nodes" in done.stdout and "entries after the first 20" in done.stdout
