"""ccloud_async: an asyncio-native, typed SDK for the CockroachDB Cloud API."""

from importlib import import_module
from typing import TYPE_CHECKING

from ._version import __version__

# Every name below is imported on first use (PEP 562), so that ``import ccloud_async``
# and the command line's ``--help`` do not pay for aiohttp and the generated models
# before anything needs them.
if TYPE_CHECKING:
    from . import errors, models
    from ._clock import WallClock
    from ._generated.operations import OPERATIONS
    from ._http.retry import RetryPolicy
    from .audit.cursor import AuditResume
    from .audit.stream import AuditLogStream, AuditPage
    from .blocking import (
        SyncAuditLogStream,
        SyncFleetStream,
        SyncPager,
        run_fleet_sync,
        stream_fleet_sync,
    )
    from .client import DEFAULT_LIMITER, CockroachCloud
    from .errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ClientStateError,
        CloudError,
        ConfigurationError,
        ConflictError,
        HookError,
        MissingCredentialsError,
        NotFoundError,
        OperationFailedError,
        PaginationError,
        PermissionDeniedError,
        RateLimitedError,
        RedirectError,
        ResponseDecodeError,
        ResponseTooLargeError,
        ServerError,
        ValidationError,
        WaitError,
        WaitTimeoutError,
    )
    from .fleet import FleetProgress, FleetResult, FleetStream, run_fleet, stream_fleet
    from .limiters.in_process import InProcessLimiter
    from .limiters.protocol import Limiter, PauseOnlyLimiter
    from .limiters.redis import LimiterUnavailableError, RedisLimiter
    from .operations import Operation
    from .pagination import AsyncPager, Page
    from .responses import APIResponse
    from .sync_client import CockroachCloudSync
    from .waiters import PollSchedule

__all__ = [
    "DEFAULT_LIMITER",
    "OPERATIONS",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPager",
    "AuditLogStream",
    "AuditPage",
    "AuditResume",
    "AuthenticationError",
    "BadRequestError",
    "ClientStateError",
    "CloudError",
    "CockroachCloud",
    "CockroachCloudSync",
    "ConfigurationError",
    "ConflictError",
    "FleetProgress",
    "FleetResult",
    "FleetStream",
    "HookError",
    "InProcessLimiter",
    "Limiter",
    "LimiterUnavailableError",
    "MissingCredentialsError",
    "NotFoundError",
    "Operation",
    "OperationFailedError",
    "Page",
    "PaginationError",
    "PauseOnlyLimiter",
    "PermissionDeniedError",
    "PollSchedule",
    "RateLimitedError",
    "RedirectError",
    "RedisLimiter",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServerError",
    "SyncAuditLogStream",
    "SyncFleetStream",
    "SyncPager",
    "ValidationError",
    "WaitError",
    "WaitTimeoutError",
    "WallClock",
    "__version__",
    "errors",
    "models",
    "run_fleet",
    "run_fleet_sync",
    "stream_fleet",
    "stream_fleet_sync",
]

_SUBMODULES = ("errors", "models")
# Where each exported name lives. Redis stays optional: its module loads only when
# RedisLimiter or LimiterUnavailableError is asked for.
_EXPORTS_BY_MODULE = {
    "._generated.operations": ("OPERATIONS",),
    ".audit.cursor": ("AuditResume",),
    ".audit.stream": ("AuditLogStream", "AuditPage"),
    ".blocking": (
        "SyncAuditLogStream",
        "SyncFleetStream",
        "SyncPager",
        "run_fleet_sync",
        "stream_fleet_sync",
    ),
    "._clock": ("WallClock",),
    ".client": ("DEFAULT_LIMITER", "CockroachCloud"),
    ".errors": (
        "APIConnectionError",
        "APIError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "CloudError",
        "ConfigurationError",
        "ConflictError",
        "HookError",
        "MissingCredentialsError",
        "NotFoundError",
        "PaginationError",
        "PermissionDeniedError",
        "PollSchedule",
        "RateLimitedError",
        "ResponseDecodeError",
        "ServerError",
        "ClientStateError",
        "RedirectError",
        "ResponseTooLargeError",
        "ValidationError",
        "WaitError",
        "WaitTimeoutError",
        "OperationFailedError",
    ),
    ".fleet": ("FleetProgress", "FleetResult", "FleetStream", "run_fleet", "stream_fleet"),
    ".limiters.in_process": ("InProcessLimiter",),
    ".limiters.protocol": ("Limiter", "PauseOnlyLimiter"),
    ".operations": ("Operation",),
    ".pagination": ("AsyncPager", "Page"),
    ".responses": ("APIResponse",),
    ".sync_client": ("CockroachCloudSync",),
    ".limiters.redis": ("LimiterUnavailableError", "RedisLimiter"),
    "._http.retry": ("RetryPolicy",),
    ".waiters": ("PollSchedule",),
}
_HOME = {name: module for module, names in _EXPORTS_BY_MODULE.items() for name in names}


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        value: object = import_module(f".{name}", __name__)
    elif name in _HOME:
        value = getattr(import_module(_HOME[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
