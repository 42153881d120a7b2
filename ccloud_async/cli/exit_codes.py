"""Exit codes of ``ccloud-async``, one per class of failure.

=====  ==========================================================
0      success
2      usage: bad arguments, a refused confirmation, bad settings
3      authentication failed (401) or no credentials found
4      permission denied (403)
5      not found (404)
6      rate limited: a 429 the client would not wait out
7      any other API error (4xx/5xx, bad response, failed operation)
8      connection failure or timeout
70     internal error: a bug in ccloud-async (EX_SOFTWARE)
130    interrupted (Ctrl-C)
=====  ==========================================================
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "API_ERROR",
    "AUTH",
    "CONNECTION",
    "INTERNAL",
    "INTERRUPTED",
    "NOT_FOUND",
    "OK",
    "PERMISSION",
    "RATE_LIMITED",
    "USAGE",
    "NameNotFoundError",
    "UsageError",
    "exit_code_for",
]

OK: Final = 0
USAGE: Final = 2
AUTH: Final = 3
PERMISSION: Final = 4
NOT_FOUND: Final = 5
RATE_LIMITED: Final = 6
API_ERROR: Final = 7
CONNECTION: Final = 8
INTERNAL: Final = 70
INTERRUPTED: Final = 130


class UsageError(Exception):
    """A command was used wrongly (exit code 2); the message says how."""


class NameNotFoundError(LookupError):
    """No resource of the kind has the name (or id) given on the line (exit code 5)."""


def exit_code_for(exc: BaseException) -> int:
    """The exit code for an error raised while running a command."""
    from .. import errors  # the error tree is light; imported here to keep this module tiny

    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED
    if isinstance(exc, UsageError):
        return USAGE
    if isinstance(exc, NameNotFoundError):
        return NOT_FOUND
    if isinstance(exc, errors.MissingCredentialsError | errors.AuthenticationError):
        return AUTH
    if isinstance(exc, errors.ConfigurationError | errors.ValidationError):
        return USAGE
    if isinstance(exc, errors.PermissionDeniedError):
        return PERMISSION
    if isinstance(exc, errors.NotFoundError):
        return NOT_FOUND
    if isinstance(exc, errors.RateLimitedError):
        return RATE_LIMITED
    if isinstance(exc, errors.APIConnectionError | errors.WaitTimeoutError):
        return CONNECTION
    if isinstance(exc, errors.CloudError):
        return API_ERROR
    return INTERNAL
