"""Error responses in the API's wire shape: a google.rpc.Status JSON body.

Handlers and checks raise :class:`ApiError`; the server turns it into a response, so
no code path can forget the body, the content type or the gRPC code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from aiohttp import web

__all__ = [
    "ALREADY_EXISTS",
    "FAILED_PRECONDITION",
    "INTERNAL",
    "INVALID_ARGUMENT",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "UNAUTHENTICATED",
    "UNAVAILABLE",
    "UNIMPLEMENTED",
    "ApiError",
    "grpc_code_for",
    "json_response",
    "status_response",
]

# google.rpc.Code values the emulator uses.
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
UNAUTHENTICATED = 16

# The usual gateway mapping, used when a fault names only an HTTP status.
_CODE_FOR_STATUS = {
    400: INVALID_ARGUMENT,
    401: UNAUTHENTICATED,
    403: PERMISSION_DENIED,
    404: NOT_FOUND,
    405: UNIMPLEMENTED,
    409: ALREADY_EXISTS,
    429: RESOURCE_EXHAUSTED,
    500: INTERNAL,
    501: UNIMPLEMENTED,
    503: UNAVAILABLE,
    504: DEADLINE_EXCEEDED,
}


def grpc_code_for(http_status: int) -> int:
    return _CODE_FOR_STATUS.get(http_status, UNKNOWN)


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=msgspec.json.encode(body),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def status_response(
    http_status: int, code: int, message: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    return json_response({"code": code, "message": message, "details": []}, http_status, headers)


class ApiError(Exception):
    """An error the emulator answers with a Status body."""

    def __init__(
        self,
        http_status: int,
        code: int,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def response(self) -> web.Response:
        return status_response(self.http_status, self.code, self.message, self.headers)


def invalid(message: str) -> ApiError:
    return ApiError(400, INVALID_ARGUMENT, message)
