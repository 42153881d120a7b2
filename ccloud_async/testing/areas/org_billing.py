"""Invoices: list (filtered by status and period) and get one.

Each FakeCloud starts with three monthly invoices (:attr:`Billing.invoices`, by id; also
``fake.invoices``): the two previous months FINALIZED and the current month DRAFT, dated
by the emulator's clock, contiguous calendar months from the 1st 00:00 UTC, each billing
two clusters in USD.
Hours are the month's real length (28 to 31 days), and so far for the current month.
Amounts are consistent: line item total = quantity x unit cost, item totals sum the
line items, the invoice total sums the items, and finalized invoices are paid
(balance 0).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import not_found, ok, parse_time, timestamp
from ._base import handles
from .org_common import OrgArea

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["Billing", "month_start", "seed_invoices"]

_STATUSES = ("FINALIZED", "DRAFT")


def _usd(amount: float) -> dict[str, Any]:
    return {"amount": round(amount, 2), "currency": "USD"}


def _cluster(name: str, plan: str, provider: str, region: str, creator: str) -> dict[str, Any]:
    cluster_id = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.invoice.example"))
    dedicated = plan == "ADVANCED"
    config: dict[str, Any]
    if dedicated:
        config = {
            "dedicated": {
                "machine_type": "m6i.xlarge",
                "num_virtual_cpus": 4,
                "storage_gib": 150,
                "memory_gib": 16.0,
                "disk_iops": 4500,
            }
        }
    else:
        config = {
            "serverless": {"routing_id": f"{name}-{cluster_id[:4]}", "upgrade_type": "AUTOMATIC"}
        }
    dns = f"{name}-{cluster_id[:4]}.{provider.lower()}-{region}.cockroachlabs.cloud"
    return {
        "id": cluster_id,
        "name": name,
        "cockroach_version": "v24.3.1",
        "upgrade_status": "FINALIZED",
        "plan": plan,
        "cloud_provider": provider,
        "account_id": "",
        "state": "CREATED",
        "creator_id": creator,
        "operation_status": "UNSPECIFIED",
        "config": config,
        "regions": [
            {
                "name": region,
                "sql_dns": dns,
                "ui_dns": f"admin-{dns}" if dedicated else "",
                "internal_dns": f"internal-{dns}" if dedicated else "",
                "private_endpoint_dns": f"private-{dns}" if dedicated else "",
                "node_count": 3 if dedicated else 0,
                "primary": not dedicated,
            }
        ],
        "cidr_range": "172.28.0.0/14" if dedicated else "",
        "labels": {"team": "payments" if dedicated else "web"},
        "is_customer_cloud_account": False,
        "parent_id": "root",
        "delete_protection": "DISABLED",
        "sql_dns": dns,
    }


def _line(description: str, quantity: float, unit: str, unit_cost: float) -> dict[str, Any]:
    return {
        "description": description,
        "quantity": quantity,
        "quantity_unit": unit,
        "unit_cost": unit_cost,
        "total": _usd(quantity * unit_cost),
    }


def _item(cluster: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(line["total"]["amount"] for line in lines)
    return {"cluster": cluster, "line_items": lines, "totals": [_usd(total)]}


def month_start(year: int, month: int) -> datetime:
    """The first instant of a month; ``month`` may leave 1..12 (0 is last December,
    13 next January)."""
    years, index = divmod(month - 1, 12)
    return datetime(year + years, index + 1, 1, tzinfo=timezone.utc)


def seed_invoices(now: datetime, creator: str) -> dict[str, dict[str, Any]]:
    prod = _cluster("payments-prod", "ADVANCED", "AWS", "us-east-1", creator)
    web_cluster = _cluster("web-sessions", "STANDARD", "GCP", "us-central1", creator)
    invoices: dict[str, dict[str, Any]] = {}
    for back in (2, 1, 0):
        start = month_start(now.year, now.month - back)
        end = month_start(now.year, now.month - back + 1)
        billed_until = end if back else now
        hours = float(max(1, int((billed_until - start).total_seconds() // 3600)))
        scale = 1.0 + 0.07 * back
        items = [
            _item(
                prod,
                [
                    _line("Compute (3 x m6i.xlarge)", 3 * hours, "HOURS", 0.5236),
                    _line("Storage (3 x 150 GiB)", round(450 * hours, 1), "GIB_HOURS", 0.000356),
                    _line("Data transfer", round(212.4 * scale, 1), "GIB", 0.09),
                ],
            ),
            _item(
                web_cluster,
                [
                    _line("Provisioned compute", 2 * hours, "VCPU_HOURS", 0.18),
                    _line("Storage", round(38.2 * scale, 1), "GIB", 0.5),
                ],
            ),
        ]
        total = round(sum(i["totals"][0]["amount"] for i in items), 2)
        adjustments = []
        if back == 2:
            adjustments.append({"name": "Startup program credit", "amount": _usd(-250.0)})
            total = round(total - 250.0, 2)
        finalized = back > 0
        invoice_id = f"in_{start:%Y%m}{uuid.uuid5(uuid.NAMESPACE_OID, creator).hex[:10]}"
        invoices[invoice_id] = {
            "invoice_id": invoice_id,
            "status": "FINALIZED" if finalized else "DRAFT",
            "period_start": timestamp(start),
            "period_end": timestamp(end),
            "invoice_items": items,
            "adjustments": adjustments,
            "totals": [_usd(total)],
            "balances": [_usd(0.0 if finalized else total)],
        }
    return invoices


class Billing(OrgArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        # Dated by the clock when the FakeCloud is made.
        self.invoices: dict[str, dict[str, Any]] = seed_invoices(
            self.timeline.current(), self.org.organization["id"]
        )

    @handles("CockroachCloud_ListInvoices")
    async def list_invoices(self, call: Call) -> web.StreamResponse:
        query = call.request.query
        status = v.enum(query["status"], "status", _STATUSES) if query.get("status") else None
        start = parse_time(query["start_time"], "start_time") if query.get("start_time") else None
        end = parse_time(query["end_time"], "end_time") if query.get("end_time") else None
        found = []
        for invoice in sorted(self.invoices.values(), key=lambda i: i["period_start"]):
            if status is not None and invoice["status"] != status:
                continue
            if start is not None and parse_time(invoice["period_end"], "") <= start:
                continue
            if end is not None and parse_time(invoice["period_start"], "") >= end:
                continue
            found.append(invoice)
        return ok({"invoices": found})

    @handles("CockroachCloud_GetInvoice")
    async def get_invoice(self, call: Call) -> web.StreamResponse:
        invoice = self.invoices.get(call.params["invoice_id"])
        if invoice is None:
            raise not_found("invoice")
        return ok(invoice)
