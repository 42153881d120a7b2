"""Injected failures: what a flaky network, a proxy or an overloaded server does.

A :class:`Fault` says which requests it hits (method, path regex, how many times, with
what probability) and what happens to them. Faults are checked in the order they were
added: every matching "delay" adds its sleep, then the first matching terminal fault
decides the outcome. New kinds plug in by adding a responder to ``_RESPONDERS``.

Kinds:

* ``status`` / ``rate_limit``  a google.rpc.Status error (``rate_limit``: a 429 whose
  ``Retry-After`` is sent in seconds, as an HTTP-date or not at all: ``retry_after``)
* ``html`` / ``empty`` / ``null``  what a proxy or a broken server sends
* ``reset``  the connection is dropped with a TCP RST
* ``delay``  sleep before the request is handled (adds to any other fault)
* ``slow_headers``  no status line for ``delay`` seconds: before the handler runs, or
  (``after_apply=True``) after it ran, holding its response back
* ``truncated``  the handler runs; its body is sent cut in half (a complete response
  with a shorter Content-Length, so the client sees a 200 it cannot decode)
* ``slow_body``  the handler runs; the headers go out at once, then the body trickles
  out in ``chunks`` pieces over ``delay`` seconds (a client read timeout hits)
* ``chaos``  made by :meth:`Fault.chaos`: on a fraction of requests, one kind chosen at
  random (with the registry's seeded random, so a run can be replayed)
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import struct
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal, get_args

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter

from .errors import grpc_code_for, status_response
from .ratelimit import RetryAfterFormat

__all__ = [
    "CHAOS_KINDS",
    "FAULT_KINDS",
    "Fault",
    "FaultKind",
    "FaultRegistry",
    "reset_connection",
]

FaultKind = Literal[
    "status",
    "rate_limit",
    "html",
    "empty",
    "null",
    "reset",
    "delay",
    "slow_headers",
    "truncated",
    "slow_body",
    "chaos",
]
FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))
# What Fault.chaos picks from by default: everything but 429s and plain delays.
CHAOS_KINDS: tuple[str, ...] = (
    "status",
    "html",
    "empty",
    "null",
    "reset",
    "truncated",
    "slow_headers",
    "slow_body",
)

# Status sent when a fault names none: what a failing proxy or server typically sends.
_DEFAULT_STATUS = {"status": 503, "rate_limit": 429, "html": 502, "empty": 503, "null": 500}
_CHAOS_STATUSES = (500, 502, 503, 504)
_DEFAULT_SLOW = 2.0  # seconds a slow kind takes when the fault names no delay
_NO_STATUS = frozenset({"reset", "delay", "slow_headers", "truncated", "slow_body", "chaos"})
# Kinds that need the handler's response, so the handler always runs first.
_AFTER_HANDLER = frozenset({"truncated", "slow_body"})

_MESSAGES = {
    429: "rate limit exceeded",
    500: "internal error",
    502: "bad gateway",
    503: "service unavailable",
    504: "deadline exceeded",
}

_HTML = (
    "<html><head><title>{status} {reason}</title></head>"
    "<body><center><h1>{status} {reason}</h1></center><hr><center>proxy</center></body></html>\n"
)


@dataclass(eq=False)
class Fault:
    kind: FaultKind
    _: KW_ONLY
    status: int | None = None
    method: str | None = None  # None: any method
    path: str | None = None  # regex, re.search against the request path; None: any
    times: int | None = 1  # how many matching requests to hit; None: unlimited
    after_apply: bool = False  # run the real handler first, then lose its response
    delay: float = 0.0  # seconds to sleep before the fault takes effect
    probability: float = 1.0
    message: str | None = None  # Status message for kind "status"
    headers: Mapping[str, str] | None = None  # extra response headers
    # 429s: how Retry-After is sent (None: the emulator's own format) and what it asks.
    retry_after: RetryAfterFormat | None = None
    retry_after_seconds: float = 1.0
    chunks: int = 4  # slow_body: the body is sent in this many pieces
    kinds: tuple[str, ...] = CHAOS_KINDS  # chaos: the kinds to pick from
    hits: int = field(default=0, init=False)  # requests this fault has hit so far
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(FAULT_KINDS)}")
        if self.kind in _NO_STATUS and self.status is not None:
            raise ValueError(f"a {self.kind!r} fault sends no status")
        if self.kind == "delay" and (self.delay <= 0 or self.after_apply):
            raise ValueError("a 'delay' fault needs delay > 0 and cannot be after_apply")
        if self.kind in ("slow_headers", "slow_body") and self.delay <= 0:
            self.delay = _DEFAULT_SLOW
        if self.kind in _AFTER_HANDLER:
            self.after_apply = True
        if self.kind == "rate_limit" and self.status not in (None, 429):
            raise ValueError("a 'rate_limit' fault always sends 429")
        if self.retry_after not in (None, "seconds", "http-date", "none"):
            raise ValueError(
                f"retry_after must be seconds, http-date or none: {self.retry_after!r}"
            )
        if self.chunks < 1:
            raise ValueError("chunks must be at least 1")
        if self.kind == "chaos":
            unknown = set(self.kinds) - (FAULT_KINDS - {"chaos"})
            if not self.kinds or unknown:
                raise ValueError(f"chaos kinds must be known fault kinds: {sorted(unknown)}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for unlimited)")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be within [0, 1]")
        if self.method is not None:
            self.method = self.method.upper()
        self._pattern = re.compile(self.path) if self.path is not None else None

    @classmethod
    def chaos(
        cls,
        rate: float = 0.2,
        kinds: Iterable[str] | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        delay: float = _DEFAULT_SLOW,
        times: int | None = None,
    ) -> Fault:
        """One randomly chosen fault on a ``rate`` fraction of the matching requests.

        ``delay`` is how long the slow kinds take (make it longer than the client's
        timeout). Status faults pick a 5xx; "reset" and the error kinds hit before or
        after the handler ran, at random.
        """
        return cls(
            "chaos",
            probability=rate,
            kinds=tuple(kinds) if kinds is not None else CHAOS_KINDS,
            method=method,
            path=path,
            delay=delay,
            times=times,
        )

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    @property
    def terminal(self) -> bool:
        if self.kind == "slow_headers":
            return self.after_apply  # before the handler it is just a delay
        return self.kind != "delay"

    @property
    def delays_request(self) -> bool:
        """Whether ``delay`` is slept before the handler (else the responder uses it)."""
        return self.kind not in ("slow_body", "chaos") and not (
            self.kind == "slow_headers" and self.after_apply
        )

    def matches(self, method: str, path: str) -> bool:
        return (
            not self.exhausted
            and (self.method is None or self.method == method)
            and (self._pattern is None or self._pattern.search(path) is not None)
        )

    def pick(self, rng: random.Random) -> Fault:
        """For a chaos fault: the concrete one-shot fault that hits this request."""
        kind = rng.choice(self.kinds)
        after = rng.random() < 0.5
        status: int | None = None
        if kind == "status":
            status = rng.choice(_CHAOS_STATUSES)
        elif kind == "html":
            status = rng.choice((502, 503, 504))
        retry_after: RetryAfterFormat | None = None
        if kind == "rate_limit":
            retry_after = rng.choice(("seconds", "http-date", "none"))
        if kind in ("slow_headers", "slow_body"):
            after = True  # the handler runs at once, so retries never race a late apply
        elif kind in ("delay", "rate_limit"):
            after = False
        return Fault(
            kind,  # type: ignore[arg-type]
            status=status,
            after_apply=after,
            delay=self.delay if kind in ("delay", "slow_headers", "slow_body") else 0.0,
            retry_after=retry_after,
            retry_after_seconds=self.retry_after_seconds,
            chunks=self.chunks,
        )


@dataclass
class Plan:
    """The faults that hit one request."""

    delay: float = 0.0
    fault: Fault | None = None  # the terminal fault, if any
    hit: list[Fault] = field(default_factory=list)


class FaultRegistry:
    def __init__(self, seed: int | None = None) -> None:
        self._faults: list[Fault] = []
        # Seedable so probabilistic faults (and chaos picks) can be replayed.
        self.random = random.Random(seed)
        self.injected: Counter[str] = Counter()  # faults that hit a request, by kind
        self.suspended = False  # True: no fault hits (the registry keeps them)

    def seed(self, seed: int | None) -> None:
        """Restart the random sequence: the same seed replays the same faults."""
        self.random.seed(seed)

    def add(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    def chaos(
        self,
        rate: float = 0.2,
        seed: int | None = None,
        kinds: Iterable[str] | None = None,
        **options: object,
    ) -> Fault:
        """Add :meth:`Fault.chaos` (reseeding first when ``seed`` is given)."""
        if seed is not None:
            self.seed(seed)
        return self.add(Fault.chaos(rate, kinds, **options))  # type: ignore[arg-type]

    def remove(self, fault: Fault) -> None:
        self._faults = [f for f in self._faults if f is not fault]

    def clear(self) -> None:
        self._faults.clear()

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._faults))

    def __len__(self) -> int:
        return len(self._faults)

    def plan(self, method: str, path: str) -> Plan:
        """Pick (and use up) the faults for a request; synchronous, so it is race-free."""
        plan = Plan()
        if self.suspended:
            return plan
        for fault in self._faults:
            if not fault.matches(method, path):
                continue
            if fault.probability < 1.0 and self.random.random() >= fault.probability:
                continue
            fault.hits += 1
            hit = fault.pick(self.random) if fault.kind == "chaos" else fault
            if hit is not fault:
                hit.hits = 1
            plan.hit.append(hit)
            self.injected[hit.kind] += 1
            if hit.delays_request:
                plan.delay += hit.delay
            if hit.terminal:
                plan.fault = hit
                break
        self._faults = [f for f in self._faults if not f.exhausted]
        return plan


def reset_connection(request: web.BaseRequest) -> None:
    """Drop the connection with a TCP RST, so the client sees no response at all."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # Linger 0 turns close into a reset instead of an orderly FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


@dataclass
class _Context:
    """What a responder gets besides the fault."""

    # (seconds, format or None for the emulator's own) -> the Retry-After value
    retry_after: Callable[[float, RetryAfterFormat | None], str | None]
    response: web.StreamResponse | None = None  # the handler's, for after_apply faults
    closing: asyncio.Event | None = None  # set when the emulator shuts down


Responder = Callable[[Fault, _Context], web.Response | None]


def _status(fault: Fault, ctx: _Context) -> web.Response:
    status = fault.status or _DEFAULT_STATUS[fault.kind]
    headers = dict(fault.headers or {})
    if status == 429 and "Retry-After" not in headers:
        value = ctx.retry_after(fault.retry_after_seconds, fault.retry_after)
        if value is not None:
            headers["Retry-After"] = value
    message = fault.message or _MESSAGES.get(status, "injected fault")
    return status_response(status, grpc_code_for(status), message, headers)


def _html(fault: Fault, _: _Context) -> web.Response:
    status = fault.status or _DEFAULT_STATUS["html"]
    reason = web.Response(status=status).reason
    body = _HTML.format(status=status, reason=reason)
    return web.Response(text=body, status=status, content_type="text/html", headers=fault.headers)


def _empty(fault: Fault, _: _Context) -> web.Response:
    return web.Response(status=fault.status or _DEFAULT_STATUS["empty"], headers=fault.headers)


def _null(fault: Fault, _: _Context) -> web.Response:
    return web.Response(
        body=b"null",
        status=fault.status or _DEFAULT_STATUS["null"],
        content_type="application/json",
        headers=fault.headers,
    )


def _reset(fault: Fault, _: _Context) -> None:
    return None


def _body_of(ctx: _Context) -> tuple[int, bytes, str]:
    """Status, body and content type of the handler's response (a 200 {} if none)."""
    response = ctx.response
    if isinstance(response, web.Response) and isinstance(response.body, bytes):
        return response.status, response.body, response.content_type
    return 200, b"{}", "application/json"


def _truncated(fault: Fault, ctx: _Context) -> web.Response:
    status, body, content_type = _body_of(ctx)
    return web.Response(
        body=body[: len(body) // 2],
        status=status,
        content_type=content_type,
        headers=fault.headers,
    )


async def _pause(seconds: float, closing: asyncio.Event | None) -> bool:
    if closing is None:
        await asyncio.sleep(seconds)
        return True
    return await sleep_unless(seconds, closing)


def _gone(request: web.BaseRequest | None) -> bool:
    transport = None if request is None else request.transport
    return transport is None or transport.is_closing()


class _HeldResponse(web.Response):
    """A response whose status line goes out only after ``hold`` seconds."""

    def __init__(self, *, hold: float, closing: asyncio.Event | None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._hold = hold
        self._closing_event = closing

    async def prepare(self, request: web.BaseRequest) -> AbstractStreamWriter | None:
        if not await _pause(self._hold, self._closing_event) or _gone(request):
            reset_connection(request)
            raise ConnectionResetError("slow_headers: the client left or the server closed")
        return await super().prepare(request)


class _TrickledResponse(web.Response):
    """A response whose headers go out at once and whose body trickles out slowly."""

    def __init__(
        self, *, interval: float, chunks: int, closing: asyncio.Event | None, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._interval = interval
        self._chunks = chunks
        self._closing_event = closing

    async def write_eof(self, data: bytes = b"") -> None:
        body = self.body if isinstance(self.body, bytes) else b""
        size = max(1, -(-len(body) // self._chunks))
        for start in range(0, len(body), size):
            if _gone(self._req):
                return
            try:
                await self.write(body[start : start + size])
            except ConnectionError:
                return
            if not await _pause(self._interval, self._closing_event):
                if self._req is not None:
                    reset_connection(self._req)
                return
        await web.StreamResponse.write_eof(self)


def _slow_headers(fault: Fault, ctx: _Context) -> web.Response:
    status, body, content_type = _body_of(ctx)
    return _HeldResponse(
        hold=fault.delay,
        closing=ctx.closing,
        body=body,
        status=status,
        content_type=content_type,
        headers=fault.headers,
    )


def _slow_body(fault: Fault, ctx: _Context) -> web.Response:
    status, body, content_type = _body_of(ctx)
    return _TrickledResponse(
        interval=fault.delay / fault.chunks,
        chunks=fault.chunks,
        closing=ctx.closing,
        body=body,
        status=status,
        content_type=content_type,
        headers=fault.headers,
    )


_RESPONDERS: dict[str, Responder] = {
    "status": _status,
    "rate_limit": _status,
    "html": _html,
    "empty": _empty,
    "null": _null,
    "reset": _reset,
    "truncated": _truncated,
    "slow_headers": _slow_headers,
    "slow_body": _slow_body,
}


def respond(
    fault: Fault,
    retry_after: Callable[[float, RetryAfterFormat | None], str | None],
    response: web.StreamResponse | None = None,
    closing: asyncio.Event | None = None,
) -> web.Response | None:
    """The response a terminal fault sends instead of the real one; None = reset.

    ``response`` is the handler's own (after_apply faults: truncated, slow_body and
    held-back slow_headers send it, damaged); ``closing`` ends slow kinds at shutdown.
    """
    return _RESPONDERS[fault.kind](fault, _Context(retry_after, response, closing))


async def sleep_unless(delay: float, closing: asyncio.Event) -> bool:
    """Sleep ``delay`` seconds; return False early if the server starts closing."""
    try:
        await asyncio.wait_for(closing.wait(), delay)
    except asyncio.TimeoutError:
        return True
    return False
