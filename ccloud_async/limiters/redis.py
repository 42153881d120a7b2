"""A rate limiter shared through Redis: many processes, one API key, one budget.

The API allows 10 requests per second *per user*, not per process. Four gunicorn
workers each running an :class:`~ccloud_async.InProcessLimiter` would start up to 40
requests a second on one key. :class:`RedisLimiter` keeps one budget for every process
and host that shares a key: never more than ``max_requests`` starts in any sliding
``period``.

How
---
A sorted set per key is a sliding-window log: one member per start, scored in
microseconds of the Redis server's own clock. The acquire script (one round trip,
atomic) drops entries that left the window, counts the rest, and adds the new start
when there is room, or answers how long to wait. Its clock is ``TIME`` on the Redis
server, so hosts with skewed clocks still agree on what "the last second" is.

It keeps the two ideas of the in-process limiter:

* **Headroom.** The script's window is ``period / headroom`` (1.0256 s for 97.5 %), so
  the budget is 9.75 starts a second, not 10.
* **The completion gate.** A start's slot counts until one ``period`` after its
  attempt *ended*, not after it began: ``acquire`` scores the member as in flight
  (``now + lease``, in the future, so it never leaves the window while the request
  runs) and ``release`` re-stamps it to the release time with a second script. A
  request always reaches the API before its response comes back, so a start admitted
  by the log can never share a server-side window with ``max_requests`` others, however
  long any of them sat in a socket buffer. A process that dies with requests in flight
  leaves its members behind; they age out ``lease`` seconds later (default 60 s).

A 429 seen by one process pauses all of them: ``pause`` raises a shared pause-until
key (Redis clock, ``SET ... PX``, keeping the later deadline) and the acquire script
answers "wait" until it has passed.

Keys are ``<prefix>:{<digest>}:window`` and ``<prefix>:{<digest>}:pause`` where the
digest is the first 16 hex digits of ``sha256(key)``: the API key itself is never
stored, sent to Redis, logged or shown in a ``repr``. The braces are a hash tag, so both
keys live in one slot of a Redis Cluster.

Why a Lua script and not the ``limits`` library
-----------------------------------------------
``limits`` offers moving-window strategies over Redis, but its interface is
``hit``/``test`` of a counter: there is no handle on one start, so it cannot hold a
slot until its attempt has ended (the completion gate, which is what makes the
guarantee hold on a jittery network), it has no shared 429 pause, and it would be one
more dependency to pin. Two short scripts (about 30 lines of Lua) do exactly what the
:class:`~ccloud_async.Limiter` protocol needs, in one round trip per start.

When Redis is unreachable
-------------------------
``on_redis_error="raise"`` (the default) fails closed: ``acquire`` raises
:class:`LimiterUnavailableError` and no request is sent, because the alternative —
every process running on its own — may exceed the shared budget. ``"local"`` keeps
serving with an :class:`~ccloud_async.InProcessLimiter` (``local_max_requests`` per
process, default ``max_requests``; set it to ``max_requests // workers`` to stay under
the limit while Redis is down). The switch is announced once per limiter with a
:class:`RedisLimiterFallbackWarning` (and a log WARNING each time it happens); every
``retry_interval`` seconds one acquire tries Redis again, and the limiter goes back to
it as soon as it answers (logged at INFO). Each switch can let one extra window's worth
through (the starts counted on one side are unknown to the other); the engine's 429
handling covers that rare overlap.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import itertools
import time
import uuid
import warnings
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from .._logging import child
from ..errors import CloudError, ConfigurationError
from .in_process import (
    API_RATE_LIMIT,
    DEFAULT_HEADROOM,
    DEFAULT_JITTER,
    DEFAULT_MAX_TRANSIT,
    InProcessLimiter,
)

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["LimiterUnavailableError", "RedisLimiter", "RedisLimiterFallbackWarning"]

logger = child("redis_limiter")

_US = 1_000_000

# KEYS: window zset, pause key. ARGV: limit, window_us, member, lease_us.
# Returns 0 when the start was recorded, else microseconds to wait before asking again.
_ACQUIRE = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local lease = tonumber(ARGV[4])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then
  return paused - now
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil((lease + window) / 1000) + 1000)
  return 0
end
-- In-flight members are scored in the future: they free a slot no sooner than
-- one window after now. A released one frees its slot one window after its score.
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
return math.max(math.min(oldest, now) + window - now, 1)
"""

# KEYS: window zset. ARGV: member, offset_us. Re-stamps a start to when it arrived:
# now + offset (offset <= 0 for an answered request: it arrived before its answer; > 0
# for one with no answer, which may still be on its way until its transit bound).
_RELEASE = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2] or '0'), ARGV[1])
return n
"""

# KEYS: pause key. ARGV: seconds in microseconds. Keeps the later of two deadlines.
_PAUSE = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untl = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > current then
  redis.call('SET', KEYS[1], string.format('%d', untl), 'PX',
             math.ceil(tonumber(ARGV[1]) / 1000) + 1)
end
return 0
"""

_LOCAL = "local"  # marks a start granted by the local fallback limiter


class LimiterUnavailableError(CloudError):
    """The shared limiter's Redis could not be reached, so no request was sent."""


class RedisLimiterFallbackWarning(RuntimeWarning):
    """Redis was unreachable: this process now paces itself alone (``on_redis_error="local"``)."""


def key_digest(key: str) -> str:
    """The only form of the API key (or namespace) that reaches Redis."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class RedisLimiter:
    """At most ``max_requests`` starts in any sliding ``period``, across processes.

    ``url`` is a Redis URL (``redis://host:6379/0``; ``rediss://`` for TLS, with
    ``user:password@`` for authentication), or a list of Redis Cluster startup nodes.
    A cluster is found from any one node's URL too (the node says so), so ``cluster``
    need not be given; ``key`` is the API key (or any namespace string) whose budget is
    shared: it is hashed, never stored. The Redis
    connection is made on first use, so the limiter can be built outside an event loop;
    use it from one loop, and close it with :meth:`aclose` or ``async with``.
    """

    def __init__(
        self,
        url: str | Sequence[str],
        *,
        key: str,
        max_requests: int = API_RATE_LIMIT,
        period: float = 1.0,
        headroom: float = DEFAULT_HEADROOM,
        prefix: str = "ccloud",
        on_redis_error: Literal["raise", "local"] = "raise",
        local_max_requests: int | None = None,
        retry_interval: float = 1.0,
        lease: float = 60.0,
        redis_timeout: float = 1.0,
        max_transit: float = DEFAULT_MAX_TRANSIT,
        jitter: float = DEFAULT_JITTER,
        cluster: bool | None = None,
    ) -> None:
        if max_requests < 1 or period <= 0:
            raise ConfigurationError("max_requests must be >= 1 and period > 0")
        if not 0 < headroom <= 1:
            raise ConfigurationError("headroom must be in (0, 1]")
        if on_redis_error not in ("raise", "local"):
            raise ConfigurationError('on_redis_error must be "raise" or "local"')
        if not key:
            raise ConfigurationError("key must be a non-empty API key or namespace")
        if lease <= 0 or retry_interval < 0 or redis_timeout <= 0:
            raise ConfigurationError("lease and redis_timeout must be > 0, retry_interval >= 0")
        if not max_transit > 0 or not 0 <= jitter < period:
            raise ConfigurationError("max_transit must be > 0, jitter in [0, period)")
        if not isinstance(url, str) and not url:
            raise ConfigurationError("url must be a Redis URL or a non-empty list of them")
        _import_redis()  # fail early, with a message naming the extra
        self._url = url
        self._cluster = cluster if isinstance(url, str) else True
        self.max_transit = max_transit
        self.jitter = jitter
        self.max_requests = max_requests
        self.period = period
        self.window = period / headroom
        self.on_redis_error = on_redis_error
        self.retry_interval = retry_interval
        self.lease = lease
        self.redis_timeout = redis_timeout
        digest = key_digest(key)
        self.window_key = f"{prefix}:{{{digest}}}:window"
        self.pause_key = f"{prefix}:{{{digest}}}:pause"
        self._local_max = local_max_requests or max_requests
        self._local: InProcessLimiter | None = None
        self._redis: Redis | None = None
        self._scripts: dict[str, Any] = {}
        self._lock: asyncio.Lock | None = None
        self._instance = uuid.uuid4().hex[:12]
        self._counter = itertools.count()
        # This instance's unreleased members, oldest first, with when each was taken.
        self._held: dict[str, float] = {}
        self._mine: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
            f"ccloud_redis_limiter_{self._instance}", default=()
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self._degraded_since: float | None = None  # monotonic time we fell back to local
        self._last_probe = 0.0
        self._warned = False
        self._closed = False

    def __repr__(self) -> str:
        state = "local fallback" if self._degraded_since is not None else "redis"
        return (
            f"RedisLimiter(max_requests={self.max_requests}, period={self.period}, "
            f"key={self.window_key.split(':')[1]}, on_redis_error={self.on_redis_error!r}, "
            f"state={state!r})"
        )

    @property
    def degraded(self) -> bool:
        """True while Redis is unreachable and the local fallback paces this process."""
        return self._degraded_since is not None

    # --- lifecycle ----------------------------------------------------------------

    async def __aenter__(self) -> RedisLimiter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Finish pending releases (briefly) and close the Redis connections."""
        if self._closed:
            return
        self._closed = True
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.redis_timeout)
        if self._redis is not None:
            client, self._redis = self._redis, None
            try:
                await client.aclose()
            except (OSError, asyncio.TimeoutError, _redis_errors()):
                pass

    async def _client(self) -> Redis:
        if self._closed:
            raise RuntimeError("this RedisLimiter is closed")
        if self._redis is None:
            redis = _import_redis()
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            options: dict[str, Any] = {
                "socket_timeout": self.redis_timeout,
                "socket_connect_timeout": self.redis_timeout,
            }
            if self._cluster is None:  # ask the node whether it is part of a cluster
                assert isinstance(self._url, str)
                probe = redis.asyncio.Redis.from_url(self._url, **options)
                try:
                    info = await probe.info("cluster")
                finally:
                    await probe.aclose()
                self._cluster = bool(info.get("cluster_enabled"))
            if self._cluster:
                from redis.asyncio.cluster import ClusterNode, RedisCluster

                if isinstance(self._url, str):
                    client: Any = RedisCluster.from_url(self._url, **options)
                else:
                    nodes = [ClusterNode(u.host, u.port or 6379) for u in map(_url, self._url)]
                    client = RedisCluster(startup_nodes=nodes, **options)
            else:
                assert isinstance(self._url, str)
                client = redis.asyncio.Redis.from_url(
                    self._url, retry=Retry(NoBackoff(), 1), **options
                )
            self._redis = client
            for name, source in (("acquire", _ACQUIRE), ("release", _RELEASE), ("pause", _PAUSE)):
                self._scripts[name] = client.register_script(source)
        return self._redis

    async def _call(self, name: str, keys: list[str], args: list[Any]) -> int:
        await self._client()
        result = await self._scripts[name](keys=keys, args=args)
        return int(result)

    # --- the Limiter protocol -------------------------------------------------------

    async def acquire(self) -> None:
        """Wait for a slot in the shared window (and out any shared pause), then take it."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        # One waiter per process asks Redis at a time; the others queue here in order.
        async with self._lock:
            token = await self._acquire_one()
        self._mine.set((*self._mine.get(), token))

    async def _acquire_one(self) -> str:
        while True:
            if self._degraded_since is not None and not self._probe_due():
                return await self._acquire_local()
            member = f"{self._instance}:{next(self._counter)}"
            try:
                wait_us = await self._call(
                    "acquire",
                    [self.window_key, self.pause_key],
                    [self.max_requests, round(self.window * _US), member, round(self.lease * _US)],
                )
            except asyncio.CancelledError:
                # The script may have recorded the start: count it as ended now.
                self._spawn_release(member)
                raise
            except (OSError, asyncio.TimeoutError, _redis_errors()) as exc:
                self._last_probe = time.monotonic()
                if self.on_redis_error == "raise":
                    raise LimiterUnavailableError(
                        f"the shared rate limiter's Redis is unreachable ({type(exc).__name__})"
                    ) from exc
                self._fall_back(exc)
                continue
            if self._degraded_since is not None:
                self._recover()
            if wait_us == 0:
                self._held[member] = time.monotonic()
                return member
            await asyncio.sleep(wait_us / _US + 0.001)

    def release(self) -> None:
        """The current attempt got its answer: it arrived by now; its slot counts for
        one more period."""
        self._release(lambda started: 0.0)

    def release_answered(self, written_at: float) -> None:
        """The attempt got its answer, its request written by ``written_at``
        (monotonic): it arrived by then + ``jitter`` (or by now)."""
        now = time.monotonic()
        self._release(
            lambda started: min(
                0.0, written_at + self.jitter - now, started + self.max_transit - now
            )
        )

    def release_unanswered(self) -> None:
        """The attempt got no answer: it may arrive until its transit bound."""
        now = time.monotonic()
        self._release(lambda started: started + self.max_transit - now)

    def release_cancelled(self) -> None:
        """Its caller cancelled the attempt before the answer: nothing more of it goes
        out, so it arrived by now + ``jitter`` (as the in-process limiter counts it)."""
        now = time.monotonic()
        self._release(lambda started: min(self.jitter, started + self.max_transit - now))

    def _release(self, offset: Callable[[float], float]) -> None:
        stack = self._mine.get()
        if stack:
            token = stack[-1]
            self._mine.set(stack[:-1])
        elif self._held:
            token = next(iter(self._held))  # released from another context: oldest first
        else:
            return
        if token == _LOCAL:
            if self._local is not None:
                self._local.release()
            return
        if token not in self._held:
            return  # already released
        started = self._held.pop(token)
        self._spawn_release(token, round(offset(started) * _US))

    async def pause(self, seconds: float) -> None:
        """No acquire of any process sharing the key returns before ``seconds`` pass."""
        if self._local is not None:
            await self._local.pause(seconds)
        micros = max(1, round(max(0.0, seconds) * _US))
        try:
            await self._call("pause", [self.pause_key], [micros])
        except (OSError, asyncio.TimeoutError, _redis_errors()) as exc:
            if self.on_redis_error == "raise":
                raise LimiterUnavailableError(
                    f"the shared rate limiter's Redis is unreachable ({type(exc).__name__})"
                ) from exc
            self._fall_back(exc)
            assert self._local is not None
            await self._local.pause(seconds)

    # --- internals ----------------------------------------------------------------

    async def _release_member(self, member: str, offset_us: int = 0) -> None:
        try:
            await self._call("release", [self.window_key], [member, offset_us])
        except (OSError, asyncio.TimeoutError, _redis_errors()):
            # The start stays "in flight" until its lease runs out: slower, never faster.
            logger.debug("could not release a start in Redis; it expires with its lease")

    def _spawn_release(self, member: str, offset_us: int = 0) -> None:
        if self._closed:
            return  # the member ages out with its lease
        task = asyncio.get_running_loop().create_task(self._release_member(member, offset_us))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _acquire_local(self) -> str:
        assert self._local is not None
        await self._local.acquire()
        return _LOCAL

    def _probe_due(self) -> bool:
        return time.monotonic() - self._last_probe >= self.retry_interval

    def _fall_back(self, exc: BaseException) -> None:
        if self._local is None:
            self._local = InProcessLimiter(self._local_max, self.period)
        if self._degraded_since is None:
            self._degraded_since = time.monotonic()
            message = (
                f"Redis is unreachable ({type(exc).__name__}); pacing this process alone at "
                f"{self._local_max} requests per {self.period:g}s until it answers again"
            )
            logger.warning("%s", message)
            if not self._warned:
                self._warned = True
                warnings.warn(message, RedisLimiterFallbackWarning, stacklevel=4)

    def _recover(self) -> None:
        since = self._degraded_since
        self._degraded_since = None
        down = 0.0 if since is None else time.monotonic() - since
        logger.info("Redis answers again after %.1fs; back to the shared limit", down)


def _url(text: str) -> Any:
    from yarl import URL

    return URL(text)


def _import_redis() -> Any:
    try:
        import redis
        import redis.asyncio
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "RedisLimiter needs the redis package: pip install 'ccloud-async[redis]'"
        ) from exc
    return redis


def _redis_errors() -> type[Exception]:
    from redis.exceptions import RedisError

    return RedisError
