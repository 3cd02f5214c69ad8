"""The release bundle file: an uncompressed tar of the manifest, its signature, then the wheels.

The manifest and its signature come first, so a bundle signed by another key, changed, or not a
bundle at all is refused after reading a few hundred kilobytes; the wheels are then hashed as they
stream past (and written out only when unpacking), so nothing unverified is ever installed.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kiosk.release.manifest import (
    MAX_MANIFEST_BYTES,
    BundleRefused,
    Manifest,
    check_signature,
    is_newer,
)

MANIFEST_NAME = "loket-release.json"
SIGNATURE_NAME = "loket-release.sig"
SUFFIX = ".loket-release"
#: room kept free beyond what the release needs, so an update never fills the queue's disk
DISK_MARGIN_BYTES = 64 * 1024 * 1024
MAX_BUNDLE_BYTES = 2 * 1024 * 1024 * 1024


def bundle_name(version: str) -> str:
    return f"loket-{version}{SUFFIX}"


def write_bundle(out: Path, manifest: Manifest, signature: bytes, wheels: dict[str, Path]) -> None:
    """Writes the bundle to `out` (via a temporary file renamed into place)."""
    partial = out.with_name(out.name + ".partial")
    raw = manifest.to_bytes()
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in ((MANIFEST_NAME, raw), (SIGNATURE_NAME, signature)):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, int(manifest.built_at.timestamp())
            tar.addfile(info, io.BytesIO(data))
        for name in sorted(manifest.files):
            info = tar.gettarinfo(str(wheels[name]), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o644
            with open(wheels[name], "rb") as f:
                tar.addfile(info, f)
    partial.replace(out)


@dataclass(frozen=True)
class BundleHeader:
    """A bundle whose manifest is signed by a trusted key (its wheels not yet checked)."""

    path: Path
    manifest: Manifest
    signed_by: str
    size: int


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:")
    except FileNotFoundError:
        raise BundleRefused(f"{path}: no such file") from None
    except (tarfile.TarError, EOFError, OSError) as e:
        raise BundleRefused(f"{path.name}: not a Loket release bundle, or cut short ({e})") from None


def _small_member(tar: tarfile.TarFile, expected: str, path: Path) -> bytes:
    try:
        member = tar.next()
    except (tarfile.TarError, EOFError, OSError) as e:
        raise BundleRefused(f"{path.name}: cut short or damaged ({e})") from None
    if member is None or member.name != expected or not member.isfile() or member.size > MAX_MANIFEST_BYTES:
        raise BundleRefused(f"{path.name}: not a Loket release bundle (no {expected} at its start)")
    try:
        data = tar.extractfile(member).read()  # type: ignore[union-attr]
    except (tarfile.TarError, EOFError, OSError) as e:
        raise BundleRefused(f"{path.name}: cut short or damaged ({e})") from None
    if len(data) != member.size:
        raise BundleRefused(f"{path.name}: cut short (its {expected} is incomplete)")
    return data


def read_header(path: Path, trusted_keys: list[str]) -> BundleHeader:
    """Reads and checks the signed manifest at the start of the bundle at `path`."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise BundleRefused(f"{path}: {e.strerror or e}") from None
    if size > MAX_BUNDLE_BYTES:
        raise BundleRefused(f"{path.name}: {size} bytes is more than a release bundle may be ({MAX_BUNDLE_BYTES})")
    with _open(path) as tar:
        raw = _small_member(tar, MANIFEST_NAME, path)
        signature = _small_member(tar, SIGNATURE_NAME, path)
    signer = check_signature(raw, signature, trusted_keys)
    manifest = Manifest.from_bytes(raw)
    if manifest.key != signer:
        raise BundleRefused(f"{path.name}: the manifest names a different key from the one that signed it")
    if manifest.payload_bytes > size:
        raise BundleRefused(f"{path.name}: cut short ({size} bytes, the manifest lists {manifest.payload_bytes})")
    return BundleHeader(path, manifest, signer, size)


def check_applicable(manifest: Manifest, *, running: str | None, free_bytes: int,
                     queue_schema: int | None = None) -> None:
    """Refuses a release older than (or the same as) `running` unless it is a signed downgrade, one
    whose installation would not fit in `free_bytes`, or one that cannot open the queue as it is."""
    if running is not None and not is_newer(manifest.version, running):
        if not manifest.downgrade:
            raise BundleRefused(f"release {manifest.version} is not newer than the running {running}: refused "
                                "(a downgrade needs a bundle built with --downgrade)")
        if manifest.version == running:
            raise BundleRefused(f"release {manifest.version} is already running")
    needed = manifest.payload_bytes + manifest.installed_bytes + DISK_MARGIN_BYTES
    if needed > free_bytes:
        raise BundleRefused(f"release {manifest.version} needs {needed // 2**20} MiB of disk, "
                            f"only {free_bytes // 2**20} MiB is free: make room first")
    if queue_schema is not None and not manifest.min_queue_schema <= queue_schema <= manifest.queue_schema:
        raise BundleRefused(f"release {manifest.version} opens queue schemas {manifest.min_queue_schema}.."
                            f"{manifest.queue_schema}; this terminal's queue is at {queue_schema}")


Sink = Callable[[str], BinaryIO | None]


def _stream_wheels(header: BundleHeader, sink: Sink) -> None:
    """Hashes every wheel as it streams past, writing it to `sink(name)` when that gives a file."""
    expected = dict(header.manifest.files)
    with _open(header.path) as tar:
        try:
            for index, member in enumerate(tar):
                if index < 2:
                    continue  # the manifest and signature, checked by read_header
                spec = expected.pop(member.name, None)
                if spec is None or not member.isfile():
                    raise BundleRefused(f"{header.path.name}: {member.name[:80]!r} is not in the signed manifest")
                if member.size != spec.bytes:
                    raise BundleRefused(f"{header.path.name}: {member.name} has {member.size} bytes, "
                                        f"the manifest says {spec.bytes}")
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                out = sink(member.name)
                try:
                    while chunk := source.read(1 << 20):  # type: ignore[union-attr]
                        digest.update(chunk)
                        if out is not None:
                            out.write(chunk)
                finally:
                    if out is not None:
                        out.close()
                if digest.hexdigest() != spec.sha256:
                    raise BundleRefused(f"{header.path.name}: {member.name} does not match its SHA-256 "
                                        "in the manifest (the file was changed or damaged)")
        except (tarfile.TarError, EOFError) as e:
            raise BundleRefused(f"{header.path.name}: cut short or damaged ({e})") from None
    if expected:
        raise BundleRefused(f"{header.path.name}: cut short: {len(expected)} file(s) of the manifest are missing "
                            f"(first {sorted(expected)[0]})")


def verify_wheels(header: BundleHeader) -> None:
    """Checks every wheel's size and SHA-256 against the signed manifest, writing nothing."""
    _stream_wheels(header, lambda name: None)


def unpack_wheels(header: BundleHeader, dest: Path) -> Path:
    """Writes the verified wheels into `dest/wheels` (made anew); removes `dest` again on any refusal."""
    dest = Path(dest)
    shutil.rmtree(dest, ignore_errors=True)
    (dest / "wheels").mkdir(parents=True)
    try:
        _stream_wheels(header, lambda name: open(dest / name, "wb"))  # noqa: SIM115 - closed as it is written
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return dest / "wheels"
