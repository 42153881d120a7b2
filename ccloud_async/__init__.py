"""ccloud_async: an asyncio-native, typed SDK for the CockroachDB Cloud API."""

from importlib import import_module
from typing import TYPE_CHECKING

from ._version import __version__

# Every name below is imported on first use (PEP 562), so that ``import ccloud_async``
# and the command line's ``--help`` do not pay for aiohttp and the generated models
# before anything needs them.
if TYPE_CHECKING:
    from . import errors, models
    from ._operations import OPERATIONS
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
    from .redis_limiter import LimiterUnavailableError, RedisLimiter
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

_SUBMODULES = ("errors", "models")
_HOME = {
    "OPERATIONS": "._operations",
    "DEFAULT_LIMITER": ".client",
    "CockroachCloud": ".client",
    "FleetProgress": ".fleet",
    "FleetResult": ".fleet",
    "run_fleet": ".fleet",
    "stream_fleet": ".fleet",
    "InProcessLimiter": ".limiter",
    "Limiter": ".limiter",
    "PauseOnlyLimiter": ".limiter",
    "Operation": ".operations",
    "AsyncPager": ".pagination",
    "Page": ".pagination",
    "RetryPolicy": ".retry",
    # Only when asked for: redis stays an optional dependency.
    "LimiterUnavailableError": ".redis_limiter",
    "RedisLimiter": ".redis_limiter",
}


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        value: object = import_module(f".{name}", __name__)
    elif name in _HOME:
        value = getattr(import_module(_HOME[name], __name__), name)
    elif name in __all__:  # the error classes
        value = getattr(import_module(".errors", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
