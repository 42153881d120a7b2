"""The emulator on an event loop of its own, for blocking code and plain (sync) tests.

::

    with fake_cloud_in_thread(seed_clusters=3) as fake:
        with CockroachCloudSync(api_key="test-key", base_url=fake.url) as cloud:
            ...

:class:`~ccloud_async.testing.FakeCloud` is an aiohttp server: something must run its
event loop while the test's thread blocks on its calls. Here anyio's blocking portal
runs it in a background thread, from start to close.

Reading ``fake.stats``, ``fake.request_log`` and ``fake.max_in_window()`` from the
test's thread is safe (plain counters, and a list the server only appends to), and so
is adding faults or API keys between calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from anyio.from_thread import start_blocking_portal

from .server import FakeCloud

__all__ = ["fake_cloud_in_thread"]


async def _start(make: Callable[[], FakeCloud]) -> FakeCloud:
    return await make().start()


@contextmanager
def fake_cloud_in_thread(**kwargs: Any) -> Iterator[FakeCloud]:
    """A running ``FakeCloud(**kwargs)`` served from a background thread; closed, and
    its thread joined, when the block ends."""
    with start_blocking_portal("asyncio", name="ccloud-fake-cloud") as portal:
        # Made on its own loop: anything it binds to a loop binds to that one.
        fake = portal.call(_start, lambda: FakeCloud(**kwargs))
        try:
            yield fake
        finally:
            portal.call(fake.close)
