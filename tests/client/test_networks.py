"""Networks as companies run them: latency and jitter, proxies, private CAs, own sessions.

Everything is real on loopback: a relay that delays request legs, a forward proxy (with
and without credentials, plain and CONNECT), an HTTPS emulator whose certificate comes
from a CA made in the test (trustme), and the caller's own aiohttp session.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import trustme

from ccloud_async import APIConnectionError, CockroachCloud, InProcessLimiter
from ccloud_async.testing import FakeCloud, Fault, LatencyRelay

from ..conftest import KEY
from ..support.proxy import Proxy

PROXY_PASSWORD = "pr0xy-Passw0rd-9"


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


# --- pacing at real latencies: counts and bounds (the speed is in benchmarks/latency.py) --


@pytest.mark.parametrize("answer_time", [0.0, 0.3])
async def test_latency_and_jitter_never_put_eleven_in_a_second(answer_time: float) -> None:
    async with FakeCloud(rate_limit=10, seed_clusters=1) as fake:
        async with LatencyRelay(fake.url, jitter=0.02, seed=3) as relay:
            async with CockroachCloud(api_key=KEY, base_url=relay.url) as cloud:
                if answer_time:
                    fake.faults.add(Fault("delay", delay=answer_time, times=None))
                cluster_id = fake.clusters.all()[0]["id"]
                for _ in range(30):
                    await cloud.clusters.get(cluster_id)  # warm: connections reused
                fake.reset_stats()
                await asyncio.gather(*(cloud.clusters.get(cluster_id) for _ in range(40)))
    assert fake.max_in_window(1.0) <= 10
    assert fake.stats.rate_limited == 0 and fake.stats.requests == 40


class FirstOfBurst:
    """True once: for the first attempt after ``arm()``."""

    def __init__(self) -> None:
        self.armed = False

    def __call__(self) -> bool:
        fire, self.armed = self.armed, False
        return fire


async def _eleven_after_a_late_first(
    cloud: CockroachCloud, fake: FakeCloud, first: FirstOfBurst
) -> None:
    cluster_id = fake.clusters.all()[0]["id"]
    await cloud.clusters.get(cluster_id)  # a warm connection: later writes count from sending
    await asyncio.sleep(1.1)
    fake.reset_stats()
    first.armed = True
    await asyncio.gather(*(cloud.clusters.get(cluster_id) for _ in range(21)))
    assert fake.stats.rate_limited == 0 and fake.stats.requests == 21
    assert fake.max_in_window(1.0) <= 10


async def test_a_busy_loop_cannot_crowd_an_in_process_emulator() -> None:
    # The emulator shares our loop: a stall (a GC, 200 handlers) just after one request
    # was written delays its arrival there, so its slot must count from its answer.
    first = FirstOfBurst()

    def stall_after_writing(request: object) -> None:
        if first():
            asyncio.get_running_loop().call_soon(time.sleep, 0.15)

    async with FakeCloud(rate_limit=10, seed_clusters=1) as fake:
        hooks = {"request": [stall_after_writing]}
        async with CockroachCloud(api_key=KEY, base_url=fake.url, event_hooks=hooks) as cloud:
            await _eleven_after_a_late_first(cloud, fake, first)


async def test_a_slow_request_hook_delays_the_count_not_the_write() -> None:
    # Across a network a slot counts from the write; a hook that takes 150 ms runs
    # before the write, so the slot must not count from before the hook.
    first = FirstOfBurst()

    async def slow_hook(request: object) -> None:
        if first():
            await asyncio.sleep(0.15)

    async with FakeCloud(rate_limit=10, seed_clusters=1) as fake:
        async with LatencyRelay(fake.url) as relay:
            hooks = {"request": [slow_hook]}
            async with CockroachCloud(api_key=KEY, base_url=relay.url, event_hooks=hooks) as cloud:
                await _eleven_after_a_late_first(cloud, fake, first)


def test_an_answered_slot_counts_from_arrival_not_answer() -> None:
    async def run() -> float:
        limiter = InProcessLimiter(max_requests=1, period=0.5, jitter=0.02)
        await limiter.acquire()
        written = asyncio.get_running_loop().time()
        await asyncio.sleep(0.3)  # the answer takes 0.3 s
        limiter.release_answered(written)
        await limiter.acquire()  # free at written + 0.02 + 0.5, not answer + 0.5
        limiter.release()
        return asyncio.get_running_loop().time() - written

    after = asyncio.run(run())
    assert 0.5 <= after < 0.65  # (it would be 0.8 counted from the answer)


# --- proxies -----------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeCloud]:
    async with FakeCloud(rate_limit=None, seed_clusters=2) as server:
        yield server


async def test_the_environment_proxy_is_used_unless_trust_env_is_off(
    fake: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        async with CockroachCloud(api_key=KEY, base_url=fake.url) as cloud:
            assert len(await cloud.clusters.list().to_list()) == 2
        assert proxy.requests == 1
        async with CockroachCloud(api_key=KEY, base_url=fake.url, trust_env=False) as cloud:
            await cloud.clusters.list().to_list()
        assert proxy.requests == 1  # not through it
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with CockroachCloud(api_key=KEY, base_url=fake.url) as cloud:
            await cloud.clusters.list().to_list()
        assert proxy.requests == 1


async def test_a_proxy_with_credentials_that_never_show(fake: FakeCloud) -> None:
    async with Proxy(user="ops", password=PROXY_PASSWORD) as proxy:
        base = proxy.url.replace("http://", "")
        good = f"http://ops:{PROXY_PASSWORD}@{base}"
        async with CockroachCloud(api_key=KEY, base_url=fake.url, proxy=good) as cloud:
            assert len(await cloud.clusters.list().to_list()) == 2
            shown = repr(cloud) + repr(cloud._engine) + str(vars(cloud._engine))
        assert proxy.requests == 1 and PROXY_PASSWORD not in shown
        bad = f"http://ops:wrong-{PROXY_PASSWORD}@{base}"
        async with CockroachCloud(
            api_key=KEY, base_url=fake.url, proxy=bad, max_retries=0
        ) as cloud:
            with pytest.raises(Exception) as caught:
                await cloud.clusters.list().to_list()
        text = str(caught.value) + repr(caught.value)
        assert proxy.refused >= 1 and PROXY_PASSWORD not in text


# --- a private CA --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def tls_fake(ca: trustme.CA) -> AsyncIterator[FakeCloud]:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(server_context)
    async with FakeCloud(rate_limit=None, seed_clusters=1, ssl=server_context) as server:
        yield server


def _https(fake: FakeCloud) -> str:
    return fake.url.replace("127.0.0.1", "localhost")


async def test_a_private_ca_is_trusted_when_given_and_refused_otherwise(
    tls_fake: FakeCloud, ca: trustme.CA
) -> None:
    assert tls_fake.url.startswith("https://")
    trusted = ssl.create_default_context()
    ca.configure_trust(trusted)
    async with CockroachCloud(api_key=KEY, base_url=_https(tls_fake), ssl=trusted) as cloud:
        assert len(await cloud.clusters.list().to_list()) == 1
    async with CockroachCloud(api_key=KEY, base_url=_https(tls_fake)) as cloud:
        with pytest.raises(APIConnectionError, match="certificate not trusted"):
            await cloud.clusters.list().to_list()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: pytest.TempPathFactory) -> Iterator[str]:
    path = f"{tmp_path}/ca.pem"
    ca.cert_pem.write_to_path(path)
    yield path


async def test_ssl_cert_file_from_the_environment(
    tls_fake: FakeCloud, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    async with CockroachCloud(api_key=KEY, base_url=_https(tls_fake)) as cloud:
        assert len(await cloud.clusters.list().to_list()) == 1


async def test_https_through_a_connect_proxy(
    tls_fake: FakeCloud, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    trusted = ssl.create_default_context()
    ca.configure_trust(trusted)
    async with Proxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        async with CockroachCloud(api_key=KEY, base_url=_https(tls_fake), ssl=trusted) as cloud:
            assert len(await cloud.clusters.list().to_list()) == 1
        assert proxy.tunnels == 1


def test_no_verification_is_for_loopback_only() -> None:
    from ccloud_async import ConfigurationError

    CockroachCloud(api_key=KEY, base_url="https://127.0.0.1:8443", ssl=False)
    with pytest.raises(ConfigurationError, match="loopback"):
        CockroachCloud(api_key=KEY, base_url="https://api.example.com", ssl=False)


# --- the caller's own session ----------------------------------------------------------------


async def test_the_callers_session_serves_several_keys_and_stays_open(fake: FakeCloud) -> None:
    fake.add_api_key("second-key", ["CLUSTER_ADMIN"])
    async with aiohttp.ClientSession() as session:
        first = CockroachCloud(api_key=KEY, base_url=fake.url, session=session)
        second = CockroachCloud(api_key="second-key", base_url=fake.url, session=session)
        async with first, second:
            await first.clusters.list().to_list()
            await second.clusters.list().to_list()
        assert not session.closed  # ours to close, not the clients'
        keys = [r.key for r in fake.request_log]
        assert keys == [KEY, "second-key"]


def test_the_cli_trusts_a_ca_bundle(
    ca: trustme.CA, ca_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from ccloud_async.cli.app import run

    from ..conftest import emulator_thread

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(server_context)
    with emulator_thread(rate_limit=None, seed_clusters=3, ssl=server_context) as fake:
        base = ["--base-url", _https(fake), "--api-key", KEY, "--output", "json"]
        assert run([*base, "--ca-bundle", ca_file, "clusters", "list"]) == 0
        assert '"fleet-0003"' in capsys.readouterr().out
        assert run([*base, "--max-retries", "0", "clusters", "list"]) == 8
        assert "certificate not trusted" in capsys.readouterr().err
