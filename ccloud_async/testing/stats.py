"""What the emulator saw, for tests to assert on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["RequestRecord", "Stats", "max_in_window"]


@dataclass
class RequestRecord:
    """One received request. Logged on arrival, so in-flight requests are visible too."""

    at: float  # time.monotonic() at arrival
    method: str
    path: str
    status: int | None = None  # None until answered, and for good if the connection was reset
    key: str | None = None  # the bearer that authenticated it; None for a 401
    admitted: bool = False  # passed auth and the rate limit
    done: bool = False  # handling finished (a response was sent or the connection dropped)


@dataclass
class Stats:
    requests: int = 0  # every request received
    admitted: int = 0  # passed auth and the rate limit (these fill the window)
    rate_limited: int = 0  # answered 429 by the limiter
    faults_injected: int = 0
    # 200 responses that failed FakeCloud(validate_responses=True) and became 500s.
    invalid_responses: int = 0
    # Every received request whose method and path matched a spec operation.
    by_route: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Mutations that changed state, by operationId; a fault after the change still counts.
    applied: Counter[str] = field(default_factory=Counter)

    def reset(self) -> None:
        # In place, so a test holding ``fake.stats`` keeps seeing live numbers.
        self.requests = self.admitted = self.rate_limited = self.faults_injected = 0
        self.invalid_responses = 0
        self.by_route.clear()
        self.applied.clear()


def max_in_window(times: Iterable[float], window: float) -> int:
    """Most arrivals inside any half-open interval ``[t, t + window)``."""
    ordered = sorted(times)
    best = start = 0
    for end, t in enumerate(ordered):
        while not t - ordered[start] < window:
            start += 1
        best = max(best, end - start + 1)
    return best
