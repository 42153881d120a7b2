"""``cloud.clusters``: create, read, update, delete and list clusters."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from ..models import (
    Cluster,
    CreateClusterRequest,
    ListClustersResponse,
    UpdateClusterSpecification,
)
from ..models._base import UNSET, UnsetType
from ..pagination import AsyncPager, Page
from ._base import Resource, given

__all__ = ["ClustersResource"]

_CLUSTERS = "/api/v1/clusters"
_CLUSTER = "/api/v1/clusters/{cluster_id}"


class ClustersResource(Resource):
    """Clusters of the organization."""

    async def get(
        self, cluster_id: str, *, timeout: float | None = None, max_retries: int | None = None
    ) -> Cluster:
        """One cluster, deleted ones included (their ``state`` is DELETED)."""
        return await self._call(
            "GET",
            _CLUSTER,
            Cluster,
            path_params={"cluster_id": cluster_id},
            timeout=timeout,
            max_retries=max_retries,
        )

    async def create(
        self,
        *,
        body: CreateClusterRequest | Mapping[str, Any] | None = None,
        name: str | UnsetType = UNSET,
        provider: str | UnsetType = UNSET,
        spec: Any = UNSET,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
    ) -> Cluster:
        """Create a cluster: ``name``, ``provider`` and ``spec`` (serverless or dedicated).

        Not re-sent after an ambiguous failure unless ``retry_unsafe=True``.
        """
        return await self._call(
            "POST",
            _CLUSTERS,
            Cluster,
            body_type=CreateClusterRequest,
            body=body,
            fields=given(name=name, provider=provider, spec=spec),
            timeout=timeout,
            max_retries=max_retries,
            retry_unsafe=retry_unsafe,
        )

    async def update(
        self,
        cluster_id: str,
        *,
        body: UpdateClusterSpecification | Mapping[str, Any] | None = None,
        cockroach_version: str | UnsetType = UNSET,
        dedicated: Any = UNSET,
        delete_protection: str | UnsetType = UNSET,
        labels: Mapping[str, str] | UnsetType = UNSET,
        parent_id: str | UnsetType = UNSET,
        plan: str | UnsetType = UNSET,
        serverless: Any = UNSET,
        upgrade_status: str | UnsetType = UNSET,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
    ) -> Cluster:
        """Scale, edit or upgrade a cluster; only the fields given are changed."""
        return await self._call(
            "PATCH",
            _CLUSTER,
            Cluster,
            path_params={"cluster_id": cluster_id},
            body_type=UpdateClusterSpecification,
            body=body,
            fields=given(
                cockroach_version=cockroach_version,
                dedicated=dedicated,
                delete_protection=delete_protection,
                labels=labels,
                parent_id=parent_id,
                plan=plan,
                serverless=serverless,
                upgrade_status=upgrade_status,
            ),
            timeout=timeout,
            max_retries=max_retries,
            retry_unsafe=retry_unsafe,
        )

    async def delete(
        self, cluster_id: str, *, timeout: float | None = None, max_retries: int | None = None
    ) -> Cluster:
        """Delete a cluster and all of its data. Permanent."""
        return await self._call(
            "DELETE",
            _CLUSTER,
            Cluster,
            path_params={"cluster_id": cluster_id},
            timeout=timeout,
            max_retries=max_retries,
        )

    def list(
        self,
        *,
        show_inactive: bool | None = None,
        limit: int | None = None,
        sort_order: str | None = None,
        sort_by: str | None = None,
        as_of_time: datetime.datetime | None = None,
        page: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AsyncPager[Cluster]:
        """Every cluster, page by page (``async for c in cloud.clusters.list(): ...``)."""
        if page is not None and not page:
            raise ValueError("page must be a non-empty cursor")

        async def fetch(cursor: str | None) -> Page[Cluster]:
            response = await self._call(
                "GET",
                _CLUSTERS,
                ListClustersResponse,
                query={
                    "show_inactive": show_inactive,
                    "pagination.page": cursor,
                    "pagination.limit": limit,
                    "pagination.as_of_time": as_of_time,
                    "pagination.sort_order": sort_order,
                    "pagination.sort_by": sort_by,
                },
                timeout=timeout,
                max_retries=max_retries,
            )
            pagination = response.pagination
            next_page = previous_page = None
            if pagination:
                next_page = pagination.next_page or None
                previous_page = pagination.previous_page or None
            return Page(
                items=response.clusters,
                cursor=cursor,
                next_page=next_page,
                previous_page=previous_page,
            )

        return AsyncPager(fetch, page=page)
