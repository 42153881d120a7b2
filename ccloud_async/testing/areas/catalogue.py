"""What the API offers every cluster: available regions and CockroachDB major versions.

Fixed lists, no state. Support ends are relative to the emulator's start (read from
its clock when the FakeCloud is made), so that on any date two majors are supported
and two are not; the support status is read off the clock when asked.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import ok, timestamp
from ..paging import page
from ._base import Area, handles
from .cluster_specs import COCKROACH_VERSIONS

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["MAJOR_VERSIONS", "REGIONS", "Catalogue"]

# name, location, provider, serverless, distance (miles from a fixed point)
REGIONS: tuple[tuple[str, str, str, bool, float], ...] = (
    ("us-east-1", "N. Virginia", "AWS", True, 230.5),
    ("us-west-2", "Oregon", "AWS", True, 2380.0),
    ("eu-west-1", "Ireland", "AWS", True, 3300.2),
    ("ap-southeast-1", "Singapore", "AWS", False, 9530.8),
    ("us-central1", "Iowa", "GCP", True, 890.1),
    ("us-east1", "South Carolina", "GCP", True, 510.4),
    ("europe-west1", "Belgium", "GCP", True, 3710.9),
    ("asia-southeast1", "Singapore", "GCP", True, 9528.3),
    ("eastus", "Virginia", "AZURE", True, 240.7),
    ("westeurope", "Netherlands", "AZURE", False, 3650.0),
)

# major version -> (days from the emulator's start to its support end, release type).
MAJOR_VERSIONS = {
    "v23.2": (-300, "REGULAR"),
    "v24.1": (120, "REGULAR"),
    "v24.2": (-200, "INNOVATION"),
    "v24.3": (365, "REGULAR"),
}


class Catalogue(Area):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        started = self.timeline.current()
        self.support_ends: dict[str, datetime] = {
            major: started + timedelta(days=days) for major, (days, _) in MAJOR_VERSIONS.items()
        }
        majors = sorted(MAJOR_VERSIONS)
        # The next two majors the emulator offers (COCKROACH_VERSIONS), per major.
        self.allowed_upgrades: dict[str, tuple[str, ...]] = {
            major: tuple([m for m in majors if m > major and m in COCKROACH_VERSIONS][:2])
            for major in MAJOR_VERSIONS
        }

    @handles("CockroachCloud_ListAvailableRegions")
    async def available_regions(self, call: Call) -> web.StreamResponse:
        query = call.request.query
        provider = query.get("provider")
        if provider is not None:
            v.enum(provider, "provider", ("GCP", "AWS", "AZURE"))
        serverless = v.parse_bool(query.get("serverless"), "serverless")
        regions = [
            {"name": n, "location": loc, "provider": p, "serverless": s, "distance": d}
            for n, loc, p, s, d in REGIONS
            if provider in (None, p) and (s or not serverless)
        ]
        items, pagination = page(call, regions, lambda r: f"{r['provider']}/{r['name']}", "NAME")
        return ok({"regions": items, "pagination": pagination})

    @handles("CockroachCloud_ListMajorClusterVersions")
    async def major_versions(self, call: Call) -> web.StreamResponse:
        now = self.timeline.current()
        versions = [
            {
                "version": major,
                "support_end": timestamp(self.support_ends[major]),
                "release_type": kind,
                "support_status": (
                    "SUPPORTED" if self.support_ends[major] > now else "UNSUPPORTED"
                ),
                "allowed_upgrades": list(self.allowed_upgrades[major]),
            }
            for major, (_, kind) in MAJOR_VERSIONS.items()
        ]
        items, pagination = page(call, versions, lambda m: m["version"], "VERSION")
        return ok({"versions": items, "pagination": pagination})
