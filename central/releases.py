"""Signed release bundles on central: verified on upload, kept in the database in 1 MiB pieces (so
every worker serves every byte range), offered to the terminals a rollout names (an office list and
a share of terminals), and each terminal's update state as it reports it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import CentralError, NotFound
from central.models import Office, Release, ReleaseChunk, Terminal, utcnow
from kiosk.release.bundle import read_header, verify_wheels
from kiosk.release.manifest import BundleRefused, is_newer, parse_version
from sync.protocol import PATH_RELEASES, UpdateOffer

CHUNK_BYTES = 1024 * 1024


class ReleaseError(CentralError):
    """A bundle central will not store or offer (the message says why)."""


def upload_release(session: Session, bundle: Path, trusted_keys: list[str], *, share: int = 0,
                   offices: list[str] = ()) -> Release:
    """Checks the bundle's signature and every hash, then stores it; an existing version is refused."""
    try:
        header = read_header(bundle, trusted_keys)
        verify_wheels(header)
    except BundleRefused as e:
        raise ReleaseError(f"not stored: {e}") from None
    version = header.manifest.version
    if session.get(Release, version) is not None:
        raise ReleaseError(f"release {version} is already stored")
    digest = hashlib.sha256()
    release = Release(version=version, sha256="", size=header.size, uploaded_at=utcnow(),
                      manifest_json=header.manifest.to_bytes().decode("utf-8"), share=0, offices="")
    session.add(release)
    session.flush()
    with open(bundle, "rb") as f:
        for number, chunk in enumerate(iter(lambda: f.read(CHUNK_BYTES), b"")):
            digest.update(chunk)
            session.add(ReleaseChunk(version=version, number=number, data=chunk))
            session.flush()
    release.sha256 = digest.hexdigest()
    set_rollout(session, version, share=share, offices=offices)
    return release


def set_rollout(session: Session, version: str, *, share: int, offices: list[str] = ()) -> Release:
    release = session.get(Release, version)
    if release is None:
        raise NotFound(f"no release {version} is stored")
    if not 0 <= share <= 100:
        raise ReleaseError("the share is a percentage of terminals: 0 to 100")
    for code in offices:
        if session.scalar(select(Office.id).where(Office.code == code)) is None:
            raise NotFound(f"no office {code}")
    release.share, release.offices = share, ",".join(offices)
    return release


def list_releases(session: Session) -> list[Release]:
    releases = list(session.scalars(select(Release)))
    return sorted(releases, key=lambda r: parse_version(r.version), reverse=True)


def in_rollout(release: Release, terminal_id: str, office_code: str) -> bool:
    """Whether the rollout reaches this terminal: its office is named (or none is) and its stable
    place among 100 buckets (a hash of terminal and release) falls within the share."""
    offices = [c for c in release.offices.split(",") if c]
    if offices and office_code not in offices:
        return False
    bucket = int(hashlib.sha256(f"{terminal_id}:{release.version}".encode()).hexdigest()[:8], 16) % 100
    return bucket < release.share


def offer_for(session: Session, terminal: Terminal, office_code: str) -> UpdateOffer | None:
    """The newest release in rollout for the terminal that is newer than what it runs and has not
    already failed there."""
    running = terminal.app_version or "0"
    for release in list_releases(session):
        manifest = json.loads(release.manifest_json)
        failed_here = terminal.update_state == "rolled_back" and terminal.update_version == release.version
        try:
            newer = is_newer(release.version, running) or bool(manifest.get("downgrade"))
        except BundleRefused:
            newer = True  # a terminal reporting no usable version takes the newest
        if newer and not failed_here and release.version != running and in_rollout(release, terminal.id,
                                                                                     office_code):
            return UpdateOffer(version=release.version, sha256=release.sha256, size=release.size,
                               path=f"{PATH_RELEASES}/{release.version}")
    return None


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """`bytes=N-`, `bytes=N-M` or `bytes=-N` within `size`; None for no header; ReleaseError for one
    that cannot be served (416)."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    first, dash, last = spec.strip().partition("-")
    if unit.strip() != "bytes" or not dash or "," in spec:
        raise ReleaseError("only one range in bytes is served: Range: bytes=START-")
    try:
        if first == "":
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), (int(last) if last else size - 1)
    except ValueError:
        raise ReleaseError("the range is not numbers: Range: bytes=START-") from None
    if start < 0 or start >= size or end < start:
        raise ReleaseError(f"the range starts past the end of the bundle ({size} bytes)")
    return ByteRange(start, min(end, size - 1))


def read_bytes(session_factory, version: str, span: ByteRange) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
    """The bytes of `span`, a chunk at a time, each read in a short transaction of its own."""
    number = span.start // CHUNK_BYTES
    offset = span.start - number * CHUNK_BYTES
    left = span.length
    while left > 0:
        with session_factory() as session:
            data = session.scalar(select(ReleaseChunk.data).where(ReleaseChunk.version == version,
                                                                 ReleaseChunk.number == number))
        if data is None:
            return
        piece = bytes(data[offset: offset + left])
        yield piece
        left -= len(piece)
        number, offset = number + 1, 0
