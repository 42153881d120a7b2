"""Monthly usage and cost per cluster, from the organization's invoices.

    python examples/monthly_usage.py --emulator             # embedded emulator
    COCKROACH_API_KEY=... python examples/monthly_usage.py --months 6

The Cloud API reports usage through invoices: one per month (the current one is a
DRAFT that grows until the month ends), each with an item per cluster whose line items
give quantity, unit and cost (compute hours, storage GiB-hours, request units, data
transfer). This prints every month's line items per cluster, then each cluster's total
over the period. The key needs the BILLING_COORDINATOR or CLUSTER_ADMIN role.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone

from ccloud_async import CockroachCloud, run_fleet
from ccloud_async.models import CurrencyAmount, Invoice
from ccloud_async.testing import FakeCloud


@asynccontextmanager
async def connect(emulator: bool) -> AsyncIterator[CockroachCloud]:
    if not emulator:
        async with CockroachCloud() as cloud:  # key from COCKROACH_API_KEY
            yield cloud
        return
    # Every emulator starts with three monthly invoices billing two clusters.
    async with FakeCloud() as fake:
        async with CockroachCloud(api_key="test-key", base_url=fake.url) as cloud:
            yield cloud


def months_back(months: int, now: datetime) -> datetime:
    """The first instant of the month ``months - 1`` before ``now``'s."""
    index = now.year * 12 + now.month - 1 - (months - 1)
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=timezone.utc)


def money(amounts: list[CurrencyAmount] | CurrencyAmount | None) -> str:
    if amounts is None:
        return "-"
    if isinstance(amounts, CurrencyAmount):
        amounts = [amounts]
    return (
        ", ".join(
            # Amount and currency may be UNSET or null on the wire: show what there is.
            f"{a.currency or ''} {a.amount if isinstance(a.amount, float) else 0.0:,.2f}".strip()
            for a in amounts
        )
        or "-"
    )


async def main(emulator: bool, months: int) -> int:
    since = months_back(months, datetime.now(timezone.utc))
    async with connect(emulator) as cloud:
        listed = [i async for i in cloud.invoices.list(start_time=since)]

        # The list may leave line items out; the invoice itself has them all.
        async def full(invoice: Invoice) -> Invoice:
            return await cloud.invoices.get(invoice.invoice_id)

        results = await run_fleet(full, listed, concurrency=5)

    failed = [r for r in results if not r.ok]
    invoices = sorted((r.unwrap() for r in results if r.ok), key=lambda i: str(i.period_start))
    totals: dict[tuple[str, str], float] = defaultdict(float)  # (cluster, currency) -> sum
    print(f"{len(invoices)} invoices since {since:%Y-%m}")
    for invoice in invoices:
        month = f"{invoice.period_start:%Y-%m}" if invoice.period_start else "?"
        print(f"{month} {invoice.status!s:<9} total {money(invoice.totals)}")
        for item in invoice.invoice_items:
            name = item.cluster.name if item.cluster else "(organization)"
            print(f"  {name:<20} {money(item.totals)}")
            for line in item.line_items:
                unit = str(line.quantity_unit or "")
                print(
                    f"    {line.description:<32} {line.quantity:>12,.1f} {unit:<12} "
                    f"{money(line.total)}"
                )
            for total in item.totals:
                if isinstance(total.amount, float):
                    totals[(name, str(total.currency or ""))] += total.amount
        # Credits and other adjustments apply to the invoice, not to one cluster.
        for adjustment in invoice.adjustments or []:
            print(f"  adjustment: {adjustment.name:<20} {money(adjustment.amount)}")

    print(f"per cluster, {since:%Y-%m} to now:")
    for (name, currency), amount in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<20} {currency} {amount:,.2f}")
    for r in failed:
        print(f"FAILED to read invoice {r.item.invoice_id}: {r.error}")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulator", action="store_true", help="run on an embedded emulator")
    parser.add_argument("--months", type=int, default=3, help="how many months (default 3)")
    args = parser.parse_args()
    if args.months < 1:
        parser.error("--months must be at least 1")
    raise SystemExit(asyncio.run(main(args.emulator, args.months)))
