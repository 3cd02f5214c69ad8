"""The sync side of updates: report where the last update stands, and download the release central
offers into the spool a piece per round (HTTP Range), so applications never wait behind a bundle and
a link that drops resumes where it stopped. The root applier (loket/updates) takes it from the spool.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.release.bundle import bundle_name
from kiosk.release.manifest import BundleRefused, is_newer, sha256_file
from sync.client import CentralClient
from sync.protocol import UpdateOffer, UpdateReport

#: bytes fetched per sync round: a 75 MiB bundle over a slow link takes several rounds, each short
DEFAULT_BUDGET_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class UpdateLink:
    """What a sync round needs to take part in updates (the runtime makes it on an installed release)."""

    spool: Path
    running: str
    report: Callable[[], UpdateReport | None]
    budget_bytes: int = DEFAULT_BUDGET_BYTES


def wanted(link: UpdateLink, offer: UpdateOffer) -> bool:
    """An offer is fetched unless it is not newer, already failed here, or already waiting in the spool."""
    try:
        if not is_newer(offer.version, link.running):
            return False
    except BundleRefused:
        return False
    report = link.report()
    if report is not None and report.state == "rolled_back" and report.version == offer.version:
        return False
    return not (link.spool / bundle_name(offer.version)).exists()


def fetch_piece(client: CentralClient, link: UpdateLink, offer: UpdateOffer) -> str:
    """Fetches the next piece of the offered bundle; returns what happened, for the round's report."""
    link.spool.mkdir(parents=True, exist_ok=True)
    final = link.spool / bundle_name(offer.version)
    part = final.with_name(final.name + ".part")
    tag = final.with_name(final.name + ".sha256")
    if not tag.exists() or tag.read_text().strip() != offer.sha256:
        part.unlink(missing_ok=True)  # another bundle under that name: start over
        tag.write_text(offer.sha256 + "\n")
    have = part.stat().st_size if part.exists() else 0
    if have > offer.size:
        part.unlink()
        have = 0
    if have < offer.size:
        end = min(offer.size, have + link.budget_bytes) - 1
        with open(part, "ab") as out:
            try:
                have += client.download_range(offer.path, have, end, out)
            finally:
                os.fsync(out.fileno())
    if have < offer.size:
        return f"release {offer.version}: {have * 100 // max(1, offer.size)}% downloaded ({have} of {offer.size} bytes)"
    if sha256_file(part) != offer.sha256:
        part.unlink()
        return f"release {offer.version}: the download does not match central's SHA-256; starting over"
    os.replace(part, final)  # the applier watches for complete bundles only
    tag.unlink(missing_ok=True)
    return f"release {offer.version}: downloaded, waiting to be applied"
