"""What every namespace shares: an operation's table entry and arguments into a request.

A generated method hands :meth:`Resource._call` (or :meth:`Resource._paged` for lists)
its :class:`~ccloud_async.operations.Operation`, the model to decode, and the caller's
arguments; the request built from them goes to the engine, which sends it (retries
included) and returns the success response decoded here.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

import msgspec

from .._http.engine import Engine
from .._http.messages import (
    CallOptions,
    Request,
    build_payload,
    build_request,
    extra_header_pairs,
)
from ..errors import BadRequestError, ValidationError
from ..models._base import UNSET
from ..operations import IDEMPOTENCY_KEY, Operation
from ..pagination import AsyncPager, Page, keyset_page, scim_page, single_page
from ..responses import answer

__all__ = ["DEFAULT_AUDIT_LIMIT", "DEFAULT_PAGE_LIMIT", "PageSize", "Resource", "given"]

T = TypeVar("T")

DEFAULT_PAGE_LIMIT = 500  # the page size keyset lists ask for when the caller sets none
DEFAULT_AUDIT_LIMIT = 1000  # the same for the audit log, whose entries are small
_CLIENT_DEFAULTS = CallOptions()  # nothing set per call: the client's settings apply


def given(**fields: Any) -> dict[str, Any]:
    """The keyword fields the caller actually set (UNSET means "not given")."""
    return {name: value for name, value in fields.items() if value is not UNSET}


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def _keyed_body(
    body_type: type[Any], body: object, fields: Mapping[str, Any]
) -> tuple[object, Mapping[str, Any]]:
    """Fill in an idempotency key where the body has one and the caller set none.

    Made once per call, before any attempt, so every retry carries the same key and the
    server applies the mutation at most once.
    """
    if IDEMPOTENCY_KEY not in getattr(body_type, "__struct_fields__", ()):
        return body, fields
    if body is None:
        if fields.get(IDEMPOTENCY_KEY) in (None, UNSET):
            fields = {**fields, IDEMPOTENCY_KEY: new_idempotency_key()}
    elif isinstance(body, msgspec.Struct):
        if getattr(body, IDEMPOTENCY_KEY, UNSET) in (None, UNSET):
            body = msgspec.structs.replace(body, **{IDEMPOTENCY_KEY: new_idempotency_key()})
    elif isinstance(body, Mapping) and body.get(IDEMPOTENCY_KEY) in (None, UNSET):
        body = {**body, IDEMPOTENCY_KEY: new_idempotency_key()}
    return body, fields


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


class Resource:
    """Base class of the namespaces (``cloud.clusters``, ...)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _request(
        self,
        op: Operation,
        response_type: type[Any],
        path_params: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        body: object,
        fields: Mapping[str, Any] | None,
        options: CallOptions,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, object] | None,
        extra_body: Mapping[str, Any] | None,
    ) -> Request:
        payload: bytes | None = None
        secrets: tuple[str, ...] = ()
        if op.body_type is not None:
            body, fields = _keyed_body(op.body_type, body, fields or {})
            payload, secrets = build_payload(op.body_type, body, fields, extra_body)
        elif extra_body:
            raise ValidationError(f"{op.method} sends no body: extra_body has nowhere to go")
        if query is not None and IDEMPOTENCY_KEY in query and query[IDEMPOTENCY_KEY] is None:
            query = {**query, IDEMPOTENCY_KEY: new_idempotency_key()}
        if extra_query:
            query = {**(query or {}), **extra_query}
        return build_request(
            op.http_method,
            op.path,
            path_params=path_params,
            query=query,
            body=payload,
            resend_safe=op.resend_safe,
            options=options,
            operation_id=op.operation_id,
            response_type=response_type,
            secrets=secrets,
            headers=extra_header_pairs(extra_headers),
        )

    async def _call(
        self,
        op: Operation,
        response_type: type[T],
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        fields: Mapping[str, Any] | None = None,
        options: CallOptions = _CLIENT_DEFAULTS,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> T:
        """Send ``op`` with these arguments; the success body decoded as ``response_type``
        (or, under ``with_raw_response``, the :class:`~ccloud_async.APIResponse`)."""
        request = self._request(
            op,
            response_type,
            path_params,
            query,
            body,
            fields,
            options,
            extra_headers,
            extra_query,
            extra_body,
        )
        return cast(T, answer(await self._engine.send(request), response_type))

    def _paged(
        self,
        op: Operation,
        response_type: type[Any],
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: CallOptions = _CLIENT_DEFAULTS,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> AsyncPager[Any]:
        """A lazy pager over the items of every page of a list operation.

        ``op.paging`` says how it pages: ``keyset`` (``pagination.page`` is the cursor to
        start from), ``scim`` (``startIndex`` where to start, ``count`` the page size) or
        ``single`` (the whole list comes as one page); ``op.items`` names the list.
        """
        query = dict(query or {})
        items = op.items or ""

        async def get(extra: Mapping[str, object]) -> Any:
            return await self._call(
                op,
                response_type,
                path_params=path_params,
                query={**query, **extra} or None,
                options=options,
                extra_headers=extra_headers,
                extra_query=extra_query,
            )

        if op.paging == "keyset":
            page = query["pagination.page"]
            if page is not None and not (isinstance(page, str) and page):
                raise ValidationError("page must be a non-empty cursor")
            limit = query.get("pagination.limit")
            size = PageSize(limit if isinstance(limit, int) else None, DEFAULT_PAGE_LIMIT)

            async def keyset(cursor: str | None) -> Page[Any]:
                response = await size.fetch(
                    lambda n: get({"pagination.page": cursor, "pagination.limit": n})
                )
                return keyset_page(getattr(response, items), response.pagination, cursor)

            return AsyncPager(keyset, page=page)

        if op.paging == "scim":
            first, count = query["startIndex"], query.get("count")
            if first is not None and not isinstance(first, int):
                raise ValidationError("start_index must be an int")
            if count is not None and not isinstance(count, int):
                raise ValidationError("count must be an int")

            async def scim(cursor: str | None) -> Page[Any]:
                start = int(cursor) if cursor is not None else first
                response = await get({"startIndex": start})
                return scim_page(getattr(response, items), response, start, count, cursor)

            return AsyncPager(scim)

        async def single(cursor: str | None) -> Page[Any]:
            return single_page(getattr(await get({}), items))

        return AsyncPager(single)
