"""ccloud_async: an asyncio-native, typed SDK for the CockroachDB Cloud API."""

from typing import TYPE_CHECKING

from . import errors, models
from ._operations import OPERATIONS
from ._version import __version__
from .client import DEFAULT_LIMITER, CockroachCloud
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CloudError,
    ConfigurationError,
    ConflictError,
    MissingCredentialsError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitedError,
    ResponseDecodeError,
    ServerError,
)
from .fleet import FleetProgress, FleetResult, run_fleet, stream_fleet
from .limiter import InProcessLimiter, Limiter, PauseOnlyLimiter
from .operations import Operation
from .pagination import AsyncPager, Page
from .retry import RetryPolicy

__all__ = [
    "DEFAULT_LIMITER",
    "OPERATIONS",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "CloudError",
    "CockroachCloud",
    "ConfigurationError",
    "ConflictError",
    "FleetProgress",
    "FleetResult",
    "InProcessLimiter",
    "Limiter",
    "LimiterUnavailableError",
    "MissingCredentialsError",
    "NotFoundError",
    "Operation",
    "Page",
    "PaginationError",
    "PauseOnlyLimiter",
    "PermissionDeniedError",
    "RateLimitedError",
    "RedisLimiter",
    "ResponseDecodeError",
    "RetryPolicy",
    "ServerError",
    "__version__",
    "errors",
    "models",
    "run_fleet",
    "stream_fleet",
]


if TYPE_CHECKING:
    from .redis_limiter import LimiterUnavailableError, RedisLimiter

_LAZY = ("LimiterUnavailableError", "RedisLimiter")


def __getattr__(name: str) -> object:
    # The Redis limiter's module is imported only when asked for (redis stays optional).
    if name in _LAZY:
        from . import redis_limiter

        return getattr(redis_limiter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
