"""A small forward proxy on loopback: absolute-form HTTP requests and CONNECT tunnels.

``Proxy(user=, password=)`` demands ``Proxy-Authorization: Basic`` (407 otherwise).
``proxy.requests`` counts what it forwarded (one per HTTP request, one per tunnel) and
``proxy.seen_auth`` records whether requests carried the right credentials.
"""

from __future__ import annotations

import asyncio
import base64
from types import TracebackType

from yarl import URL


class Proxy:
    def __init__(self, user: str | None = None, password: str | None = None) -> None:
        self._expected = None
        if user is not None:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self._expected = f"Basic {token}"
        self.requests = 0
        self.tunnels = 0
        self.refused = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    async def __aenter__(self) -> Proxy:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def _authorized(self, headers: list[bytes]) -> bool:
        if self._expected is None:
            return True
        for line in headers:
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "proxy-authorization":
                return value.strip() == self._expected
        return False

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")[:-2]
                method, target, version = lines[0].decode("latin-1").split(" ", 2)
                if not self._authorized(lines[1:]):
                    self.refused += 1
                    writer.write(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                        b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
                    )
                    await writer.drain()
                    continue
                if method == "CONNECT":
                    await self._tunnel(target, reader, writer)
                    return
                await self._forward(method, target, version, lines[1:], reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self._tasks.discard(task)

    async def _tunnel(
        self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, _, port = target.rpartition(":")
        up_r, up_w = await asyncio.open_connection(host, int(port))
        self.tunnels += 1
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while chunk := await src.read(65536):
                    dst.write(chunk)
                    await dst.drain()
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_w), pipe(up_r, writer), return_exceptions=True)

    async def _forward(
        self,
        method: str,
        target: str,
        version: str,
        headers: list[bytes],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        url = URL(target)
        kept = [h for h in headers if not h.lower().startswith((b"proxy-", b"connection"))]
        length = next(
            (int(h.split(b":")[1]) for h in kept if h.lower().startswith(b"content-length:")), 0
        )
        body = await reader.readexactly(length) if length else b""
        assert url.host is not None and url.port is not None
        up_r, up_w = await asyncio.open_connection(url.host, url.port)
        self.requests += 1
        path = url.raw_path_qs
        up_w.write(
            f"{method} {path} {version}\r\n".encode()
            + b"\r\n".join([*kept, b"Connection: close"])
            + b"\r\n\r\n"
            + body
        )
        await up_w.drain()
        answer = await up_r.read()
        up_w.close()
        # The upstream said "close"; keep the client's connection by framing the answer.
        head, _, rest = answer.partition(b"\r\n\r\n")
        lines = [
            h
            for h in head.split(b"\r\n")
            if not h.lower().startswith((b"connection", b"keep-alive"))
        ]
        writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + rest)
        await writer.drain()
