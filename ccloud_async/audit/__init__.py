"""The audit log's rules and stream: ``cursor`` decides (no I/O), ``stream`` iterates.

``cloud.audit_logs.list()`` (in :mod:`ccloud_async.resources.audit_logs`) builds an
:class:`AuditLogStream` over the generated one-page call.
"""

from .cursor import AuditCursor, AuditResume, timestamp_ns
from .stream import AuditEntryIterator, AuditLogStream, AuditPage

__all__ = [
    "AuditCursor",
    "AuditEntryIterator",
    "AuditLogStream",
    "AuditPage",
    "AuditResume",
    "timestamp_ns",
]
