"""ccloud_async: an asyncio-native, typed SDK for the CockroachDB Cloud API."""

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
    "MissingCredentialsError",
    "NotFoundError",
    "Operation",
    "Page",
    "PaginationError",
    "PauseOnlyLimiter",
    "PermissionDeniedError",
    "RateLimitedError",
    "ResponseDecodeError",
    "RetryPolicy",
    "ServerError",
    "__version__",
    "errors",
    "models",
    "run_fleet",
    "stream_fleet",
]
