"""How long the emulator's background work takes, and how to make it fail.

The API has no job resource: long-running work shows in status fields (a cluster's
``state`` and ``operation_status``, a restore's ``status`` and ``completion_percent``,
``status`` of CMEK, exports, private endpoint services, the client CA certificate, the
egress traffic policy, replication streams). :class:`Timings` says how many seconds
each kind of work lasts; every duration is 0 by default, so the emulator answers with
the final state at once, as it always has::

    fake = FakeCloud(timings=Timings(cluster_create=0.3, cluster_update=0.3))

While work runs, reads show the in-progress state (CREATING, LOCKED +
``CRDB_SCALE_RUNNING``, PENDING, ENABLING, ...) and a LOCKED (or CREATING) cluster
rejects mutations of itself and of its sub-resources with 400 FAILED_PRECONDITION
(code 9) "cluster is locked: an operation is in progress"; reads keep working.

Nothing runs in the background: a :class:`Job` records when it started, and the state
is brought up to date whenever the emulator handles a request (:meth:`Jobs.settle`),
so nothing is left running at shutdown.

Failures: ``fake.fail_next(kind, state=None)`` makes the next operation of that kind
end in a failed state — ``state``, or the kind's usual failure (see
:data:`FAILURE_STATES`). Calls queue up: two calls fail the next two operations.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, MutableMapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["FAILURE_STATES", "KINDS", "Job", "Jobs", "Timings"]


@dataclass
class Timings:
    """Seconds each kind of background work lasts (0: done at once)."""

    cluster_create: float = 0.0  # state CREATING -> CREATED
    cluster_update: float = 0.0  # state LOCKED, operation_status *_RUNNING -> UNSPECIFIED
    cluster_delete: float = 0.0  # state LOCKED -> DELETED
    restore: float = 0.0  # PENDING (completion_percent 0 -> 1) -> SUCCESS
    cmek: float = 0.0  # ENABLING / ROTATING / REVOKING -> ENABLED / REVOKED
    log_export: float = 0.0  # ENABLING -> ENABLED; DISABLING -> gone
    metric_export: float = 0.0  # ENABLING -> ENABLED
    private_endpoint: float = 0.0  # services CREATING -> AVAILABLE
    egress_policy: float = 0.0  # egress_traffic_policy UPDATING -> ALLOW_ALL / DEFAULT_DENY
    client_ca: float = 0.0  # PENDING -> IS_SET
    replication: float = 0.0  # STARTING -> REPLICATING; FAILING_OVER -> COMPLETED

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"Timings.{f.name}: must be seconds >= 0 (got {value!r})")


KINDS: tuple[str, ...] = tuple(f.name for f in fields(Timings))

# The state an operation of each kind ends in when it fails (``fail_next(kind)``).
# cluster_update fails with the running operation's ``*_FAILED`` status (a scale
# fails as CRDB_SCALE_FAILED), cmek with the action's (ENABLE_/ROTATE_/REVOKE_FAILED);
# the values here are what they fail with when nothing more specific applies.
FAILURE_STATES: dict[str, str] = {
    "cluster_create": "CREATION_FAILED",
    "cluster_update": "CRDB_EDIT_CLUSTER_FAILED",
    "restore": "FAILED",
    "cmek": "ENABLE_FAILED",
    "log_export": "ENABLE_FAILED",
    "metric_export": "ERROR",
    "private_endpoint": "CREATE_FAILED",
    "egress_policy": "ERROR",
    "client_ca": "FAILED",
}


@dataclass(eq=False)
class Job:
    """One piece of background work; ``on_done(failure)`` applies its outcome."""

    kind: str
    started: float
    duration: float
    failure: str | None  # the failed state it ends in, or None: it succeeds
    on_done: Callable[[str | None], None]
    on_progress: Callable[[float], None] | None = None
    key: Hashable | None = None
    finished: bool = False

    def fraction(self, now: float) -> float:
        if self.duration <= 0:
            return 1.0
        return max(0.0, min(1.0, (now - self.started) / self.duration))


@dataclass
class Jobs:
    """The emulator's running work; ``fake.jobs``."""

    timings: Timings = field(default_factory=Timings)
    clock: Callable[[], float] = time.monotonic
    _live: dict[Hashable, Job] = field(default_factory=dict)
    _failures: defaultdict[str, deque[str | None]] = field(
        default_factory=lambda: defaultdict(deque)
    )

    def fail_next(self, kind: str, state: str | None = None) -> None:
        """Make the next operation of ``kind`` end in ``state`` (or its usual failure)."""
        if kind not in FAILURE_STATES:
            raise ValueError(f"kind: one of {', '.join(FAILURE_STATES)} (got {kind!r})")
        self._failures[kind].append(state)

    def start(
        self,
        kind: str,
        on_done: Callable[[str | None], None],
        *,
        failed: str | None = None,
        on_progress: Callable[[float], None] | None = None,
        key: Hashable | None = None,
    ) -> Job:
        """Start work of ``kind``. The caller has already set the in-progress state;
        ``on_done(None)`` (success) or ``on_done(failed_state)`` runs when it ends — at
        once when its duration is 0. A job with the ``key`` of a live one replaces it."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of work {kind!r}")
        failure = None
        queue = self._failures.get(kind)
        if queue:
            failure = queue.popleft() or failed or FAILURE_STATES[kind]
        job = Job(
            kind,
            self.clock(),
            float(getattr(self.timings, kind)),
            failure,
            on_done,
            on_progress,
            key if key is not None else object(),
        )
        self._live.pop(job.key, None)
        if job.duration <= 0:
            self._finish(job)
        else:
            self._live[job.key] = job
            if on_progress is not None:
                on_progress(0.0)
        return job

    def track(
        self,
        kind: str,
        obj: MutableMapping[str, Any],
        name: str,
        running: str,
        final: str,
        *,
        key: Hashable,
        failed: str | None = None,
    ) -> Job:
        """Set ``obj[name]`` to ``running`` and start work of ``kind`` that ends with it
        ``final`` — or the failed state (see :meth:`start`)."""

        def done(failure: str | None) -> None:
            obj[name] = failure or final

        obj[name] = running
        return self.start(kind, done, failed=failed, key=key)

    def busy(self, key: Hashable) -> bool:
        """Whether the work started with ``key`` is still running."""
        self.settle()
        return key in self._live

    def settle(self) -> None:
        """Bring every running job's state up to now; finish those whose time is up."""
        if not self._live:
            return
        now = self.clock()
        for key, job in list(self._live.items()):
            fraction = job.fraction(now)
            if fraction >= 1.0:
                self._live.pop(key, None)
                self._finish(job)
            elif job.on_progress is not None:
                job.on_progress(fraction)

    def _finish(self, job: Job) -> None:
        job.finished = True
        if job.on_progress is not None and job.failure is None:
            job.on_progress(1.0)
        job.on_done(job.failure)

    def __len__(self) -> int:
        return len(self._live)
