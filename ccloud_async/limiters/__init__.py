"""Rate limiters: the :class:`Limiter` protocol, the in-process default and Redis.

``RedisLimiter`` (and its errors) load on first use, so ``redis`` stays optional.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from .in_process import InProcessLimiter
from .protocol import Limiter, PauseOnlyLimiter

if TYPE_CHECKING:
    from .redis import LimiterUnavailableError, RedisLimiter, RedisLimiterFallbackWarning

__all__ = [
    "InProcessLimiter",
    "Limiter",
    "LimiterUnavailableError",
    "PauseOnlyLimiter",
    "RedisLimiter",
    "RedisLimiterFallbackWarning",
]

_REDIS = ("LimiterUnavailableError", "RedisLimiter", "RedisLimiterFallbackWarning")


def __getattr__(name: str) -> object:
    if name in _REDIS:
        return getattr(import_module(".redis", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
