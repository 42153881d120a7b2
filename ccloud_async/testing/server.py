"""FakeCloud: the emulator's lifecycle and its request pipeline.

Every request runs these steps, in this order; the first that answers wins:

1. auth          unknown or missing bearer -> 401 (not rate limited: no key to count)
2. rate limit    per bearer key, sliding window -> 429 + Retry-After; every request
                 that passed auth is counted here, whatever happens to it later
3. Cc-Version    unknown version -> 400, on any path
4. role          x-roles of the operation the method and path match -> 403
5. faults        injected delays / failures (``fake.faults``)
6. handler       the operation; a path no operation has -> 404, a known path with
                 another method -> 405, an operation with no handler yet -> 501.
                 A handler is the area method its ``@handles`` names (``areas/``);
                 it reads the body with ``Call.body()``, checked against the
                 operation's request schema (a bad one -> 400 naming the field).
                 Then, in order: a call the handler marked applied
                 (``call.applied()``) files the audit entry its ``@handles``
                 names, the only way entries are written
                 (:meth:`FakeCloud._file_audit_entry`); and with
                 ``validate_responses=True`` a 200 JSON body that does not match
                 the operation's response schema in the snapshot -> 500
                 (``stats.invalid_responses``; see ``response_check.py``)

Faults come before the 404/405 answers because they stand for the network and the
servers in front of the API, which fail whatever the path.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from ssl import SSLContext
from types import TracebackType
from typing import Any

import msgspec
from aiohttp import web

from .._clock import SYSTEM_CLOCK, WallClock
from .._http import in_process_servers
from .._logging import child
from .areas import Areas
from .areas.clusters import ClusterStore
from .areas.org_billing import Billing
from .areas.org_common import OrgState
from .audit_log import AuditLog
from .auth import ALL_ROLES, KeyRing, Principal, check_role, check_version
from .call import Call, Handler
from .common import Timeline, new_id
from .errors import (
    INTERNAL,
    NOT_FOUND,
    RESOURCE_EXHAUSTED,
    UNIMPLEMENTED,
    ApiError,
    status_response,
)
from .faults import FaultRegistry, reset_connection, respond, sleep_unless
from .ratelimit import RetryAfterFormat, SlidingWindowLimiter, format_retry_after
from .response_check import ResponseChecker
from .spec import RouteMatch, RouteTable, load_spec
from .stats import RequestRecord, Stats, max_in_window
from .timings import Jobs, Timings

__all__ = ["DEFAULT_API_KEY", "FakeCloud"]

DEFAULT_API_KEY = "test-key"
_log = child("testing")


class _Reset(Exception):
    """The connection was dropped: there is no response to send."""


class FakeCloud:
    """An in-process CockroachDB Cloud API on a loopback port.

    ``async with FakeCloud() as fake:`` starts it; ``fake.url`` is its base URL.
    ``clock`` (nanoseconds since the epoch, ``time.time_ns`` by default; see
    :class:`~ccloud_async.testing.TravelClock`) dates everything it writes and checks:
    seeded invoices, the organization, cluster and audit timestamps, deferrals, support
    ends and ``Retry-After`` dates. Durations (background work, the rate-limit window)
    run on the monotonic clock.

    State every area may reach is declared here: ``clusters`` (the cluster store),
    ``org`` (the organization: people, service accounts, folders, ...), ``audit``,
    ``jobs`` and ``timeline``. The rest belongs to its area (``areas``); ``invoices``
    is the billing area's.
    """

    def __init__(
        self,
        api_keys: Mapping[str, Iterable[str]] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: int | None = 10,
        rate_window: float = 1.0,
        retry_after: RetryAfterFormat = "seconds",
        seed_clusters: int = 0,
        jwts: Mapping[str, tuple[str, Iterable[str]]] | None = None,
        validate_responses: bool = False,
        audit_entries: int = 0,
        audit_repeats: bool = True,
        timings: Timings | None = None,
        clock: WallClock = SYSTEM_CLOCK,
        ssl: SSLContext | None = None,
    ) -> None:
        if retry_after not in ("seconds", "http-date", "none"):
            raise ValueError(f"retry_after must be seconds, http-date or none: {retry_after!r}")
        # The one wall clock: every date the emulator writes or checks comes from it.
        self.clock = clock
        self.ssl = ssl  # a server context: serve https (e.g. with a test CA's certificate)
        self.timeline = Timeline(clock)
        self.host = host
        self.port = port
        self.retry_after: RetryAfterFormat = retry_after
        self.keys = KeyRing({DEFAULT_API_KEY: ALL_ROLES} if api_keys is None else api_keys, jwts)
        self.limiter = SlidingWindowLimiter(rate_limit, rate_window)
        self.faults = FaultRegistry()
        self.stats = Stats()
        self.request_log: list[RequestRecord] = []
        self.routes = RouteTable(load_spec())
        # Background work (create, scale, restore, ...) and how long it takes.
        self.timings = timings if timings is not None else Timings()
        self.jobs = Jobs(self.timings)
        self.clusters = ClusterStore(self.jobs, self.timeline)
        self.audit = AuditLog(self.timeline, repeats=audit_repeats)
        if audit_entries:
            self.audit.seed(audit_entries)
        self.org = OrgState(self.timeline)
        self.areas = Areas(self)
        # operationId -> handler; a test may replace or drop one.
        self.handlers: dict[str, Handler] = self.areas.handlers
        if seed_clusters:
            self.clusters.seed(seed_clusters, creator_id=new_id())
        # Every 200 JSON response checked against the snapshot (needs jsonschema).
        self.response_checker = ResponseChecker() if validate_responses else None
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._address = ("", 0)
        self._closing = asyncio.Event()

    # --- lifecycle -----------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("FakeCloud is not running; use `async with` or await start()")
        return self._url

    async def start(self) -> FakeCloud:
        if self._runner is not None:
            raise RuntimeError("FakeCloud is already running")
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # A short grace period: in-flight delay faults end as soon as closing starts.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port, ssl_context=self.ssl)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        # A fresh event per run: an Event belongs to the loop that first waits on it.
        self._closing = asyncio.Event()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.port = port
        # Clients on this loop count their limiter slots from our answers (see there).
        self._address = (host, port)
        in_process_servers.register(host, port)
        scheme = "https" if self.ssl is not None else "http"
        self._url = f"{scheme}://{host if ':' not in host else f'[{host}]'}:{port}"
        return self

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing.set()
        await runner.cleanup()
        in_process_servers.unregister(*self._address)
        self._url = None

    async def __aenter__(self) -> FakeCloud:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = self._url or "stopped"
        return f"<FakeCloud {state} clusters={len(self.clusters)}>"

    # --- configuration and inspection ---------------------------------------------

    @property
    def invoices(self) -> dict[str, dict[str, Any]]:
        """The organization's invoices by id (seeded when made; ``areas/org_billing.py``)."""
        return self.areas[Billing].invoices

    def add_api_key(self, key: str, roles: Iterable[str] | str) -> None:
        self.keys.add_api_key(key, roles)

    def remove_api_key(self, key: str) -> None:
        self.keys.remove_api_key(key)

    def max_in_window(self, window: float = 1.0, key: str | None = None) -> int:
        """Most admitted requests (of ``key``, or of all keys) in any ``window`` seconds."""
        return max_in_window(
            (r.at for r in self.request_log if r.admitted and (key is None or r.key == key)),
            window,
        )

    def fail_next(self, kind: str, state: str | None = None) -> None:
        """Make the next operation of ``kind`` (a :class:`Timings` field such as
        ``cluster_create``, ``cluster_update``, ``restore``, ``cmek``) end in the failed
        ``state`` — by default the kind's usual one (``timings.FAILURE_STATES``)."""
        self.jobs.fail_next(kind, state)

    def reset_stats(self) -> None:
        """Zero the counters and the request log; state and rate-limit windows stay."""
        self.stats.reset()
        self.request_log.clear()

    # --- the pipeline ---------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        record = RequestRecord(time.monotonic(), request.method, request.path)
        self.request_log.append(record)
        self.stats.requests += 1
        # The raw path: a parameter holding an encoded '/' (%2F) stays one segment.
        match = self.routes.resolve(request.method, request.rel_url.raw_path)
        if match.route is not None:
            self.stats.by_route[(request.method, match.route.template)] += 1
        response: web.StreamResponse | None
        try:
            # Auth and admission run before the first await: arrival order is admission order.
            principal = self.keys.authenticate(request)
            record.key = principal.key
            self._admit(principal.key, record.at)
            record.admitted = True
            response = await self._serve(request, match, principal)
        except ApiError as exc:
            response = exc.response()
        except (_Reset, ConnectionResetError):
            # Ours, or the client left while we read its body (it timed out): no answer.
            response = None
        except Exception as exc:  # a bug in a handler: answer like the API, keep it visible
            _log.exception("emulator handler failed")
            response = status_response(500, INTERNAL, f"emulator error: {exc!r}")
        record.status = None if response is None else response.status
        record.done = True
        # After a reset aiohttp still wants a response; it goes nowhere.
        return web.Response(status=500) if response is None else response

    def _admit(self, key: str, arrival: float) -> None:
        wait = self.limiter.acquire(key, arrival)
        if wait is None:
            self.stats.admitted += 1
            return
        self.stats.rate_limited += 1
        value = self._retry_after(wait)
        headers = {} if value is None else {"Retry-After": value}
        raise ApiError(429, RESOURCE_EXHAUSTED, "rate limit exceeded", headers)

    async def _serve(
        self, request: web.Request, match: RouteMatch, principal: Principal
    ) -> web.StreamResponse:
        version = check_version(request)
        if match.route is not None:
            check_role(principal, match.route)

        plan = self.faults.plan(request.method, request.path)
        self.stats.faults_injected += len(plan.hit)
        if plan.delay and not await sleep_unless(plan.delay, self._closing):
            # Shutting down mid-delay: drop the connection rather than hold up close().
            self._inflict(request, None)
        fault = plan.fault
        if fault is not None and not fault.after_apply:
            return self._inflict(request, respond(fault, self._retry_after, None, self._closing))
        try:
            response = await self._run_handler(request, match, principal, version)
        except ApiError as exc:
            if fault is None:
                raise
            response = exc.response()
        if fault is not None:  # after_apply: the work is done, its response is lost
            return self._inflict(
                request, respond(fault, self._retry_after, response, self._closing)
            )
        return response

    async def _run_handler(
        self, request: web.Request, match: RouteMatch, principal: Principal, version: str
    ) -> web.StreamResponse:
        route = match.route
        if route is None:
            if match.allowed:
                allow = {"Allow": ", ".join(match.allowed)}
                raise ApiError(405, UNIMPLEMENTED, "Method Not Allowed", allow)
            raise ApiError(404, NOT_FOUND, "Not Found")
        handler = self.handlers.get(route.operation_id)
        if handler is None:
            raise ApiError(
                501, UNIMPLEMENTED, f"not implemented by the emulator: {route.operation_id}"
            )
        self.jobs.settle()  # background work catches up with the clock
        call = Call(request, route, match.params, principal, version, self._applied)
        response = await handler(call)
        if call.was_applied:
            self._file_audit_entry(call)
        if self.response_checker is not None:
            response = self._check_response(route.operation_id, response)
        return response

    def _check_response(
        self, operation_id: str, response: web.StreamResponse
    ) -> web.StreamResponse:
        """A 200 JSON body that does not match the spec becomes a 500, counted."""
        assert self.response_checker is not None
        if (
            response.status != 200
            or not isinstance(response, web.Response)
            or response.content_type != "application/json"
            or not isinstance(response.body, bytes)
        ):
            return response
        problem = self.response_checker.problem(operation_id, msgspec.json.decode(response.body))
        if problem is None:
            return response
        self.stats.invalid_responses += 1
        _log.error("%s: emulator response does not match the spec: %s", operation_id, problem)
        return status_response(
            500, INTERNAL, f"emulator response does not match the spec: {problem}"
        )

    def _inflict(self, request: web.Request, response: web.Response | None) -> web.Response:
        """Send a fault's response instead of the real one; None resets the connection."""
        if response is None:
            reset_connection(request)
            raise _Reset
        return response

    def _retry_after(self, delay: float, style: RetryAfterFormat | None = None) -> str | None:
        """A Retry-After value in ``style`` (by default the emulator's), dated by its clock."""
        return format_retry_after(delay, style or self.retry_after, now_ns=self.clock())

    def _applied(self, operation_id: str) -> None:
        self.stats.applied[operation_id] += 1

    def _file_audit_entry(self, call: Call) -> None:
        """The one audit path: an applied call files the entry its ``@handles`` declares,
        naming what the handler gave ``call.applied()`` (a cluster, a payload)."""
        action = self.areas.audit_actions.get(call.route.operation_id)
        if action is not None:
            self.audit.record(action, call, cluster=call.audit_cluster, payload=call.audit_payload)
        elif call.audit_cluster is not None or call.audit_payload:
            raise RuntimeError(f"{call.route.operation_id} declares no audit action")
