"""Shared helpers for the client tests: emulators and clients with fast retry timings."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from ccloud_async import CockroachCloud, RetryPolicy
from ccloud_async._clock import utc_now
from ccloud_async.testing import FakeCloud, TravelClock

KEY = "test-key"
FAST_RETRIES = RetryPolicy(max_retries=3, backoff_initial=0.01, backoff_max=0.05)

SERVERLESS = {"serverless": {"regions": ["us-central1"]}}
STANDARD = {
    "plan": "STANDARD",
    "serverless": {"regions": ["us-central1"], "usage_limits": {"provisioned_virtual_cpus": 2}},
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeCloud]:
    """An emulator with no rate limit (tests that need one build their own).

    Every 200 response it sends is checked against the snapshot's schema. Its clock is a
    TravelClock starting at the machine's time, so a test can move it on.
    """
    clock = TravelClock(utc_now())
    async with FakeCloud(rate_limit=None, validate_responses=True, clock=clock) as server:
        yield server


def make_client(server: FakeCloud, **kwargs: Any) -> CockroachCloud:
    kwargs.setdefault("api_key", KEY)
    kwargs.setdefault("retry_policy", FAST_RETRIES)
    kwargs.setdefault("limiter", None)
    return CockroachCloud(base_url=server.url, **kwargs)


@contextlib.contextmanager
def emulator_thread(**kwargs: Any) -> Iterator[FakeCloud]:
    """A FakeCloud serving from its own event loop in a background thread."""
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def serve() -> None:
        async with FakeCloud(**kwargs) as server:
            holder["server"] = server
            holder["stop"] = stop = asyncio.Event()
            holder["loop"] = asyncio.get_running_loop()
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the emulator thread did not start")
    try:
        yield holder["server"]
    finally:
        holder["loop"].call_soon_threadsafe(holder["stop"].set)
        thread.join(10)


@pytest.fixture
async def client(fake: FakeCloud) -> AsyncIterator[CockroachCloud]:
    async with make_client(fake) as cloud:
        yield cloud
