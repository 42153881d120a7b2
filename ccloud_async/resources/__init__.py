"""Resource namespaces of the client, one per API area."""

from .clusters import ClustersResource

__all__ = ["ClustersResource"]
