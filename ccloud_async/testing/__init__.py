"""An emulator of the CockroachDB Cloud API, for testing code that calls it.

    from ccloud_async.testing import FakeCloud, Fault

    async with FakeCloud(seed_clusters=3) as fake:
        ...  # point a client at fake.url with the API key "test-key"

It speaks the API's wire format (Status errors, int64 strings, keyset pagination),
enforces API keys, roles, Cc-Version and a strict sliding-window rate limit, and can
inject faults. ``FakeCloud(timings=Timings(cluster_create=0.5, ...))`` makes
background work take time (CREATING, LOCKED, PENDING, ... in between), and
``fake.fail_next(kind)`` makes the next one fail. ``FakeCloud(clock=TravelClock(
"2026-12-31T23:59:58Z"))`` dates everything it writes from that clock. ``fake.stats`` and
``fake.request_log`` record what it saw. ``fake_cloud_in_thread(...)`` serves one from
a background thread, for blocking code. The pytest plugin
(``ccloud_async.testing.pytest_plugin``) provides ``fake_cloud`` and ``cloud``
fixtures (``fake_cloud_sync`` and ``cloud_sync`` for sync tests);
``python -m ccloud_async.testing`` runs it standalone.
"""

from .auth import ALL_ROLES, LATEST_VERSION, SUPPORTED_VERSIONS, Principal
from .faults import FAULT_KINDS, Fault, FaultRegistry
from .latency import LatencyRelay
from .server import DEFAULT_API_KEY, FakeCloud
from .stats import RequestRecord, Stats
from .threaded import fake_cloud_in_thread
from .timings import FAILURE_STATES, Timings
from .travel_clock import TravelClock

__all__ = [
    "ALL_ROLES",
    "DEFAULT_API_KEY",
    "FAILURE_STATES",
    "FAULT_KINDS",
    "LATEST_VERSION",
    "SUPPORTED_VERSIONS",
    "FakeCloud",
    "Fault",
    "FaultRegistry",
    "LatencyRelay",
    "Principal",
    "RequestRecord",
    "Stats",
    "Timings",
    "TravelClock",
    "fake_cloud_in_thread",
]
