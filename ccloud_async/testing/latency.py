"""A TCP relay that makes loopback behave a little more like a network.

::

    async with FakeCloud() as fake, LatencyRelay(fake.url, jitter=0.02) as relay:
        cloud = CockroachCloud(api_key="test-key", base_url=relay.url)

Each request leg is delayed by ``delay`` plus a random share of ``jitter`` seconds, so
requests sent together reach the server in a different order and up to ``jitter``
apart, as they do over the internet; bytes of one connection keep their order. Answers
pass straight back (give the emulator an answer time with a ``delay`` fault).
``relay.connections`` counts the connections it carried.
"""

from __future__ import annotations

import asyncio
import random
from types import TracebackType

from yarl import URL

__all__ = ["LatencyRelay"]


class LatencyRelay:
    def __init__(
        self, target: str, *, delay: float = 0.0, jitter: float = 0.0, seed: int | None = None
    ) -> None:
        url = URL(target)
        if url.host is None or url.port is None:
            raise ValueError(f"the relay needs a target with a host and port: {target!r}")
        if delay < 0 or jitter < 0:
            raise ValueError("delay and jitter must be >= 0")
        self._host, self._port = url.host, url.port
        self.delay = delay
        self.jitter = jitter
        self._random = random.Random(seed)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections = 0
        self.url = ""

    async def __aenter__(self) -> LatencyRelay:
        self._server = await asyncio.start_server(self._carry, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()

    async def _carry(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            server_r, server_w = await asyncio.open_connection(self._host, self._port)
        except OSError:
            client_w.close()
            self._tasks.discard(task)
            return
        try:
            await asyncio.gather(
                self._pump(client_r, server_w, delayed=True),
                self._pump(server_r, client_w, delayed=False),
            )
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # a side hung up, or the relay is shutting down
        finally:
            for writer in (client_w, server_w):
                writer.close()
            self._tasks.discard(task)

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, delayed: bool
    ) -> None:
        loop = asyncio.get_running_loop()
        due = 0.0  # bytes of one connection keep their order
        while chunk := await reader.read(65536):
            if delayed and (self.delay or self.jitter):
                due = max(due, loop.time() + self.delay + self._random.random() * self.jitter)
                await asyncio.sleep(due - loop.time())
            writer.write(chunk)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
