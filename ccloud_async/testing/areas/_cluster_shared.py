"""What the areas of a cluster's sub-resources share (no operations of its own).

Sub-resources belong to their cluster: an unknown cluster is a 404 (code 5); a
DELETED cluster still answers reads, while mutations fail with 400 FAILED_PRECONDITION
(code 9), and so do mutations while the cluster is CREATING or LOCKED (the message
mentions the lock, as the API's does). Per-cluster state lives in :class:`PerCluster`
stores, keyed by cluster id and never dropped, so a deleted cluster's sub-resources stay
readable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from ..call import Call
from ..common import precondition
from ._base import Area

__all__ = ["ClusterArea", "PerCluster", "require_plan"]

T = TypeVar("T")


class PerCluster(Generic[T]):
    """One ``T`` per cluster id, made on first use."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._items: dict[str, T] = {}

    def __getitem__(self, cluster_id: str) -> T:
        item = self._items.get(cluster_id)
        if item is None:
            item = self._items[cluster_id] = self._factory()
        return item


class ClusterArea(Area):
    """An area whose resources hang off a cluster (``/api/v1/clusters/{cluster_id}/...``)."""

    def cluster_for(
        self, call: Call, *, mutate: bool = False, param: str = "cluster_id"
    ) -> dict[str, Any]:
        """The cluster the path names: 404 if unknown; 400 (code 9) to mutate a deleted
        or locked one."""
        clusters = self.fake.clusters
        cluster_id = call.params[param]
        return clusters.live(cluster_id) if mutate else clusters.existing(cluster_id)


def require_plan(cluster: Mapping[str, Any], plan: str, what: str) -> None:
    if cluster["plan"] != plan:
        raise precondition(f"{what} is only available on {plan} clusters")
