"""What every resource namespace shares: turning a method call into a request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from ..models._base import UNSET, UnsetType
from ..pagination import Page
from ..request_builder import build_body
from ..response_reader import decode_response
from ..transport import Transport

__all__ = ["Resource", "given", "keyset_page"]

T = TypeVar("T")


def given(**fields: Any) -> dict[str, Any]:
    """The keyword fields the caller actually set (UNSET means "not given")."""
    return {name: value for name, value in fields.items() if value is not UNSET}


def keyset_page(
    items: Sequence[T] | UnsetType | None, pagination: Any, cursor: str | None
) -> Page[T]:
    """One page of a keyset-paginated list: its items and the cursors around it."""
    next_page = previous_page = None
    if pagination:
        next_page = pagination.next_page or None
        previous_page = pagination.previous_page or None
    return Page(
        items=items if isinstance(items, Sequence) else [],
        cursor=cursor,
        next_page=next_page,
        previous_page=previous_page,
    )


class Resource:
    """Base class of the resource namespaces (``cloud.clusters``, ...)."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    async def _call(
        self,
        method: str,
        template: str,
        response_type: type[T],
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body_type: type[Any] | None = None,
        body: object = None,
        fields: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
    ) -> T:
        payload = None
        if body_type is not None:
            payload = build_body(body_type, body, fields or {})
        response = await self._transport.request(
            method,
            template,
            path_params=path_params,
            query=query,
            body=payload,
            timeout=timeout,
            max_retries=max_retries,
            retry_unsafe=retry_unsafe,
        )
        return decode_response(response_type, response)
