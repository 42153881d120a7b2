"""pytest fixtures for code that talks to the CockroachDB Cloud API.

* ``fake_cloud`` - a running :class:`~ccloud_async.testing.FakeCloud` that accepts the
  API key ``"test-key"`` with every role (and, when jsonschema is installed, checks its
  own responses against the spec: ``validate_responses=True``);
* ``cloud`` - a :class:`ccloud_async.CockroachCloud` client pointed at it.

Registered through the ``pytest11`` entry point, so it is imported by every pytest run
where the package is installed: importing it must never fail. Without pytest-asyncio
the fixtures still exist, and skip with a message saying what to install.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

from .response_check import jsonschema_available
from .server import DEFAULT_API_KEY, FakeCloud

if TYPE_CHECKING:
    from ccloud_async import CockroachCloud

__all__ = ["cloud", "fake_cloud"]

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - depends on the environment
    pytest_asyncio = None  # type: ignore[assignment]

_NEEDS = "the fake_cloud and cloud fixtures need pytest-asyncio (pip install pytest-asyncio)"

if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def fake_cloud() -> AsyncIterator[FakeCloud]:
        # Responses are checked against the spec when jsonschema is there to do it.
        async with FakeCloud(validate_responses=jsonschema_available()) as fake:
            yield fake

    @pytest_asyncio.fixture
    async def cloud(fake_cloud: FakeCloud) -> AsyncIterator[CockroachCloud]:
        from ccloud_async import CockroachCloud

        async with CockroachCloud(api_key=DEFAULT_API_KEY, base_url=fake_cloud.url) as client:
            yield client

else:  # pragma: no cover - depends on the environment

    @pytest.fixture
    def fake_cloud() -> Any:
        pytest.skip(_NEEDS)

    @pytest.fixture
    def cloud() -> Any:
        pytest.skip(_NEEDS)
