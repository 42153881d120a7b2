"""A FastAPI backend that serves cluster information from the CockroachDB Cloud API.

    COCKROACH_API_KEY=... uvicorn examples.fastapi_app:app

    curl localhost:8000/clusters
    curl localhost:8000/clusters/<cluster_id>
    curl localhost:8000/clusters/<cluster_id>/nodes

``COCKROACH_SERVER`` points it at another API server, e.g. the emulator
(``python -m ccloud_async.testing``). Tests build their own app with
``create_app(client_factory=...)``.

One :class:`CockroachCloud` serves every request: it owns the HTTP connection pool and
the rate limiter, and the limiter can only keep the whole process under the API's 10
requests per second if all requests go through the same client. Incoming requests
beyond that budget wait in the limiter instead of failing with a 429.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ccloud_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    CloudError,
    CockroachCloud,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from ccloud_async.models import Cluster

ClientFactory = Callable[[], CockroachCloud]


class ClusterSummary(BaseModel):
    id: str
    name: str
    state: str
    plan: str
    cloud_provider: str


class ClusterDetail(ClusterSummary):
    cockroach_version: str
    regions: list[str]
    labels: dict[str, str]


class NodeInfo(BaseModel):
    name: str
    region: str
    status: str


def _text(value: object) -> str:
    # The API's enums are open: an unknown value still prints as what the server sent.
    return "" if value is None else str(value)


def _summary(cluster: Cluster) -> ClusterSummary:
    return ClusterSummary(
        id=cluster.id,
        name=cluster.name,
        state=_text(cluster.state),
        plan=_text(cluster.plan),
        cloud_provider=_text(cluster.cloud_provider),
    )


def get_cloud(request: Request) -> CockroachCloud:
    """The app's one client, made by the lifespan."""
    cloud: CockroachCloud = request.app.state.cloud
    return cloud


Cloud = Annotated[CockroachCloud, Depends(get_cloud)]


def _status_for(exc: CloudError) -> int:
    """The HTTP status our caller sees for an SDK error.

    The caller did not talk to the Cloud API, we did: a missing cluster or a bad id is
    theirs (404/400/409), but our credentials being refused, the API failing or being
    unreachable is a bad gateway, not something they can fix.
    """
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, RateLimitedError):
        return 503  # only when the API asked for a longer pause than we will wait
    if isinstance(exc, AuthenticationError | PermissionDeniedError):
        return 502
    if isinstance(exc, APIStatusError):
        return exc.status if 400 <= exc.status < 500 else 502
    if isinstance(exc, APITimeoutError):
        return 504
    if isinstance(exc, APIConnectionError):
        return 502
    return 500


async def cloud_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CloudError)
    status = _status_for(exc)
    # The API's own message for client errors; nothing upstream-specific otherwise.
    detail = exc.message if status < 500 and isinstance(exc, APIStatusError) else "upstream error"
    headers = {}
    if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
        headers["Retry-After"] = str(math.ceil(exc.retry_after))
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def create_app(client_factory: ClientFactory | None = None) -> FastAPI:
    """The app; ``client_factory`` builds its client (default: from the environment)."""
    factory: ClientFactory = client_factory or CockroachCloud

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Made here rather than at import, so importing this module needs no API key;
        # closed here so shutdown leaves no open connections behind.
        cloud = factory()
        app.state.cloud = cloud
        try:
            yield
        finally:
            await cloud.aclose()

    app = FastAPI(title="CockroachDB Cloud clusters", lifespan=lifespan)
    app.add_exception_handler(CloudError, cloud_error_handler)

    @app.get("/clusters")
    async def list_clusters(cloud: Cloud) -> list[ClusterSummary]:
        return [_summary(c) async for c in cloud.clusters.list()]

    @app.get("/clusters/{cluster_id}", responses={404: {"description": "No such cluster"}})
    async def get_cluster(cluster_id: str, cloud: Cloud) -> ClusterDetail:
        cluster = await cloud.clusters.get(cluster_id)
        return ClusterDetail(
            **_summary(cluster).model_dump(),
            cockroach_version=cluster.cockroach_version,
            regions=[r.name for r in cluster.regions],
            labels=cluster.labels,
        )

    @app.get("/clusters/{cluster_id}/nodes", responses={404: {"description": "No such cluster"}})
    async def list_nodes(cluster_id: str, cloud: Cloud) -> list[NodeInfo]:
        # Basic and Standard clusters have no nodes to show: an empty list, not an error.
        return [
            NodeInfo(name=n.name, region=n.region_name, status=_text(n.status))
            async for n in cloud.clusters.list_nodes(cluster_id)
        ]

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


app = create_app()
