"""pytest fixtures for code that talks to the CockroachDB Cloud API.

* ``fake_cloud`` - a running :class:`~ccloud_async.testing.FakeCloud` that accepts the
  API key ``"test-key"`` with every role (and, when jsonschema is installed, checks its
  own responses against the spec: ``validate_responses=True``). Configure it per test
  with the marker ``@pytest.mark.fake_cloud(**kwargs)``, whose keyword arguments go to
  ``FakeCloud`` (``seed_clusters=``, ``timings=``, ``clock=``, ``rate_limit=``, ...);
* ``cloud`` - a :class:`ccloud_async.CockroachCloud` client pointed at it, with the
  key ``"test-key"`` (or the first of the marker's ``api_keys``), reading the emulator's
  clock;
* ``fake_cloud_factory`` - ``await fake_cloud_factory(**kwargs)`` starts one more
  emulator (several per test if need be); each is closed when the test ends.

These three are async: the tests using them need pytest-asyncio, with
``asyncio_mode = "auto"`` in the pytest configuration or ``@pytest.mark.asyncio`` on
each test. For plain (sync) tests of blocking code, with or without pytest-asyncio:

* ``fake_cloud_sync`` - the same emulator (same key, same marker), served from a
  background thread (:func:`~ccloud_async.testing.fake_cloud_in_thread`);
* ``cloud_sync`` - a :class:`ccloud_async.CockroachCloudSync` pointed at it, closed
  (its loop thread joined) when the test ends.

Registered through the ``pytest11`` entry point, so it is imported by every pytest run
where the package is installed: importing it must never fail. Without pytest-asyncio
the fixtures still exist, and skip with a message saying what to install.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .response_check import jsonschema_available
from .server import DEFAULT_API_KEY, FakeCloud

if TYPE_CHECKING:
    from ccloud_async import CockroachCloud, CockroachCloudSync

__all__ = [
    "cloud",
    "cloud_sync",
    "fake_cloud",
    "fake_cloud_factory",
    "fake_cloud_sync",
    "pytest_configure",
]

MARKER = "fake_cloud"

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - depends on the environment
    pytest_asyncio = None  # type: ignore[assignment]

_NEEDS = (
    "the fake_cloud, fake_cloud_factory and cloud fixtures need pytest-asyncio "
    "(pip install pytest-asyncio)"
)

FakeCloudFactory = Callable[..., Awaitable[FakeCloud]]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**kwargs): keyword arguments for the FakeCloud of the fake_cloud fixture",
    )


def _settings(overrides: dict[str, Any]) -> dict[str, Any]:
    """FakeCloud arguments: responses checked against the spec when jsonschema can."""
    return {"validate_responses": jsonschema_available(), **overrides}


def _marker_kwargs(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    if marker.args:
        raise TypeError(f"@pytest.mark.{MARKER} takes keyword arguments only")
    return dict(marker.kwargs)


def _client_key(fake: FakeCloud) -> str:
    keys = fake.keys.api_keys()
    return DEFAULT_API_KEY if DEFAULT_API_KEY in keys or not keys else keys[0]


@pytest.fixture
def fake_cloud_sync(request: pytest.FixtureRequest) -> Iterator[FakeCloud]:
    from .threaded import fake_cloud_in_thread

    with fake_cloud_in_thread(**_settings(_marker_kwargs(request))) as fake:
        yield fake


@pytest.fixture
def cloud_sync(fake_cloud_sync: FakeCloud) -> Iterator[CockroachCloudSync]:
    from ccloud_async import CockroachCloudSync

    with CockroachCloudSync(
        api_key=_client_key(fake_cloud_sync),
        base_url=fake_cloud_sync.url,
        clock=fake_cloud_sync.clock,
    ) as client:
        yield client


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def fake_cloud_factory() -> AsyncIterator[FakeCloudFactory]:
        started: list[FakeCloud] = []

        async def start(**kwargs: Any) -> FakeCloud:
            fake = await FakeCloud(**_settings(kwargs)).start()
            started.append(fake)
            return fake

        try:
            yield start
        finally:
            for fake in reversed(started):
                await fake.close()

    @pytest_asyncio.fixture
    async def fake_cloud(
        request: pytest.FixtureRequest, fake_cloud_factory: FakeCloudFactory
    ) -> FakeCloud:
        return await fake_cloud_factory(**_marker_kwargs(request))

    @pytest_asyncio.fixture
    async def cloud(fake_cloud: FakeCloud) -> AsyncIterator[CockroachCloud]:
        from ccloud_async import CockroachCloud

        async with CockroachCloud(
            api_key=_client_key(fake_cloud), base_url=fake_cloud.url, clock=fake_cloud.clock
        ) as client:
            yield client

else:  # pragma: no cover - depends on the environment

    @pytest.fixture
    def fake_cloud_factory() -> Any:
        pytest.skip(_NEEDS)

    @pytest.fixture
    def fake_cloud() -> Any:
        pytest.skip(_NEEDS)

    @pytest.fixture
    def cloud() -> Any:
        pytest.skip(_NEEDS)
