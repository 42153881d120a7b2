"""Error bodies of every shape map to the right exception with a readable message."""

from __future__ import annotations

import pytest

from ccloud_async import errors
from ccloud_async._http.messages import RawResponse, error_from_response


def raw(status: int, body: bytes, content_type: str = "application/json", **headers: str):
    return RawResponse(
        status=status,
        headers={"content-type": content_type, **headers},
        body=body,
        method="GET",
        path="/api/v1/clusters/x",
    )


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (429, errors.RateLimitedError),
        (500, errors.ServerError),
        (502, errors.ServerError),
        (503, errors.ServerError),
        (504, errors.ServerError),
        (405, errors.APIStatusError),
        (418, errors.APIStatusError),
    ],
)
@pytest.mark.parametrize(
    ("body", "content_type", "needle"),
    [
        (
            b'{"code": 5, "message": "cluster not found", "details": []}',
            "application/json",
            "cluster not found",
        ),
        (b"", "application/json", "empty body"),
        (b"null", "application/json", "null body"),
        (
            b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            "text/html",
            "HTML body: 502 Bad Gateway",
        ),
        (b'{"code": 5, "mess', "application/json", "unreadable body"),
    ],
)
def test_every_body_shape_gives_the_right_class(
    status: int, cls: type, body: bytes, content_type: str, needle: str
) -> None:
    error = error_from_response(raw(status, body, content_type))
    assert type(error) is cls
    assert error.status == status
    assert needle in str(error)
    assert "GET /api/v1/clusters/x" in str(error)


def test_status_fields_and_request_id() -> None:
    error = error_from_response(
        raw(404, b'{"code":5,"message":"nope","details":[{"@type":"x"}]}', **{"x-request-id": "r1"})
    )
    assert (error.code, error.message, error.details, error.request_id) == (
        5,
        "nope",
        [{"@type": "x"}],
        "r1",
    )


def test_rate_limit_code_in_body() -> None:
    error = error_from_response(
        raw(503, b'{"code":8,"message":"rate limit exceeded"}'), retry_after=3
    )
    assert isinstance(error, errors.RateLimitedError)
    assert error.retry_after == 3
