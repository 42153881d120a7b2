"""What a command runs with: :class:`Context` (client, printer, terminal abilities)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .output import Output
from .progress import Progress

if TYPE_CHECKING:
    from ..client import CockroachCloud
    from ..testing import FakeCloud

__all__ = ["Context", "CountingLimiter"]


class CountingLimiter:
    """Wraps the client's limiter to count the attempts that went on the wire."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.requests = 0

    async def acquire(self) -> None:
        await self.inner.acquire()
        self.requests += 1

    def release(self) -> None:
        self.inner.release()

    async def pause(self, seconds: float) -> None:
        await self.inner.pause(seconds)


@dataclass
class Context:
    """What a command runs with: the client, the printer, and the terminal's abilities."""

    out: Output
    progress_enabled: bool
    interactive: bool  # stdin is a terminal: prompts are possible
    cloud: CockroachCloud | None = None
    counter: CountingLimiter | None = None
    emulator: FakeCloud | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def client(self) -> CockroachCloud:
        assert self.cloud is not None, "this command runs without a client"
        return self.cloud

    @property
    def requests(self) -> int:
        """API requests sent so far (attempts, retries included)."""
        return self.counter.requests if self.counter is not None else 0

    def progress(self, label: str, unit: str, total: int | None = None) -> Progress:
        return Progress.create(label, unit, enabled=self.progress_enabled, total=total)
