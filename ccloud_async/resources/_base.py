"""What every resource namespace shares: turning a method call into a request."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import msgspec

from ..errors import BadRequestError, PaginationError, ValidationError
from ..models._base import UNSET, UnsetType
from ..pagination import AsyncPager, Page
from ..request_builder import build_body
from ..response_reader import decode_response
from ..transport import Transport

__all__ = ["PageSize", "Resource", "given", "keyset_page", "scim_page"]

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


def _items(items: Sequence[T] | UnsetType | None) -> Sequence[T]:
    return items if isinstance(items, Sequence) else []


def scim_page(
    items: Sequence[T] | UnsetType | None,
    response: Any,
    start: int | None,
    count: int | None,
    cursor: str | None,
) -> Page[T]:
    """One page of a SCIM list (``startIndex``/``count``, 1-based).

    The next page starts after the last item of this one, until ``totalResults`` items
    have been seen. The cursor of a page is its ``startIndex`` as a string. A server that
    still owes items but sends none raises :class:`PaginationError` (one that sends the
    same page again repeats a cursor, which the pager stops on).
    """
    items = _items(items)
    total = response.total_results
    next_page = None
    if isinstance(total, int) and count != 0:
        first = response.start_index
        if not isinstance(first, int) or first < 1:
            first = start or 1
        after = first + len(items)
        if after <= total:
            if not items:
                raise PaginationError(
                    f"the server sent no items at startIndex {first} of {total}: stopping"
                )
            next_page = str(after)
    return Page(items=items, cursor=cursor, next_page=next_page)


IDEMPOTENCY_FIELD = "idempotency_key"
DEFAULT_PAGE_LIMIT = 500  # the page size keyset lists ask for when the caller sets none
DEFAULT_AUDIT_LIMIT = 1000  # the same for the audit log, whose entries are small


class PageSize:
    """The page size a list asks for: the caller's, else ``largest`` to spend the fewest
    requests. The API documents no cap; if it refuses ours (a 400 about the limit), use
    its own default from then on."""

    def __init__(self, given: int | None, largest: int) -> None:
        self.size: int | None = given if given is not None else largest
        self._ours = given is None

    async def fetch(self, get: Callable[[int | None], Awaitable[T]]) -> T:
        """``get(size)`` with the current size, falling back once as described."""
        try:
            return await get(self.size)
        except BadRequestError as exc:
            if not self._ours or self.size is None or "limit" not in exc.message.lower():
                raise
            self.size = None
        return await get(None)


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def with_idempotency_key(
    body_type: type[Any], body: object, fields: Mapping[str, Any]
) -> tuple[object, Mapping[str, Any], bool]:
    """Fill in an idempotency key where the request body has one and the caller set none.

    The key is made once per call, before any attempt, so every retry carries the same
    key and the server applies the mutation at most once. Returns the body, the fields
    and whether the request now carries a key.
    """
    if IDEMPOTENCY_FIELD not in getattr(body_type, "__struct_fields__", ()):
        return body, fields, False
    if body is None:
        if fields.get(IDEMPOTENCY_FIELD) in (None, UNSET):
            fields = {**fields, IDEMPOTENCY_FIELD: new_idempotency_key()}
        return body, fields, True
    if isinstance(body, msgspec.Struct):
        if getattr(body, IDEMPOTENCY_FIELD, UNSET) in (None, UNSET):
            body = msgspec.structs.replace(body, **{IDEMPOTENCY_FIELD: new_idempotency_key()})
        return body, fields, True
    if isinstance(body, Mapping):
        if body.get(IDEMPOTENCY_FIELD) in (None, UNSET):
            body = {**body, IDEMPOTENCY_FIELD: new_idempotency_key()}
        return body, fields, True
    return body, fields, False


class Resource:
    """Base class of the resource namespaces (``cloud.clusters``, ...)."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _paged(
        self,
        method: str,
        template: str,
        response_type: type[Any],
        items_field: str,
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AsyncPager[Any]:
        """A lazy pager over the ``items_field`` list of every page of a list operation.

        How it pages follows the query: ``pagination.page`` (keyset; its value is the
        cursor to start from), ``startIndex`` (SCIM; its value is where to start, ``count``
        the page size), or neither (the whole list comes as a single page).
        """
        query = dict(query or {})

        async def get(extra: Mapping[str, object]) -> Any:
            return await self._call(
                method,
                template,
                response_type,
                path_params=path_params,
                query={**query, **extra} or None,
                timeout=timeout,
                max_retries=max_retries,
            )

        if "pagination.page" in query:
            page = query["pagination.page"]
            if page is not None and not (isinstance(page, str) and page):
                raise ValidationError("page must be a non-empty cursor")

            limit = query.get("pagination.limit")
            size = PageSize(limit if isinstance(limit, int) else None, DEFAULT_PAGE_LIMIT)

            async def keyset(cursor: str | None) -> Page[Any]:
                response = await size.fetch(
                    lambda n: get({"pagination.page": cursor, "pagination.limit": n})
                )
                items = getattr(response, items_field)
                return keyset_page(items, response.pagination, cursor)

            return AsyncPager(keyset, page=page)

        if "startIndex" in query:
            first, count = query["startIndex"], query.get("count")
            if first is not None and not isinstance(first, int):
                raise ValidationError("start_index must be an int")
            if count is not None and not isinstance(count, int):
                raise ValidationError("count must be an int")

            async def scim(cursor: str | None) -> Page[Any]:
                start = int(cursor) if cursor is not None else first
                response = await get({"startIndex": start})
                return scim_page(getattr(response, items_field), response, start, count, cursor)

            return AsyncPager(scim)

        async def single(cursor: str | None) -> Page[Any]:
            response = await get({})
            return Page(items=_items(getattr(response, items_field)), cursor=None, next_page=None)

        return AsyncPager(single)

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
            body, fields, keyed = with_idempotency_key(body_type, body, fields or {})
            payload = build_body(body_type, body, fields)
            if keyed and retry_unsafe is None:
                retry_unsafe = True  # the key makes a re-sent request safe
        if query is not None and "idempotency_key" in query and query["idempotency_key"] is None:
            query = {**query, "idempotency_key": new_idempotency_key()}
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
