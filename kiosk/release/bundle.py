"""The release bundle file: an uncompressed tar of the manifest, its signature, then the wheels.

The manifest and its signature come first, so a bundle signed by another key, changed, or not a
bundle at all is refused after reading a few hundred kilobytes; the wheels are then hashed as they
stream past (and written out only when unpacking), so nothing unverified is ever installed.

Every byte of the file is checked, not only the wheels' contents: the first two members (headers,
manifest, signature, padding) must be exactly the bytes the writer makes of the signed manifest, and
the signed manifest holds the SHA-256 and size of the rest (the body: the wheels' tar headers,
contents, zero padding and the archive's end). A byte changed in a tar header or in padding that
carries no content is refused like any other.
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


def write_body(out: Path, wheels: dict[str, Path]) -> tuple[str, int]:
    """Writes the wheels as a tar (members in name order, closed with the archive's end) to `out`, the
    bytes that follow the signature in a bundle; returns their SHA-256 and size, for the manifest."""
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(wheels):
            info = tar.gettarinfo(str(wheels[name]), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o644
            with open(wheels[name], "rb") as f:
                tar.addfile(info, f)
    return _sha256_of(out, 0), out.stat().st_size


def head_bytes(manifest_bytes: bytes, signature: bytes, mtime: int) -> bytes:
    """The bundle's first two tar members exactly as written: the manifest and its signature."""
    buffer = io.BytesIO()
    tar = tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT)  # noqa: SIM115 - never closed:
    for name, data in ((MANIFEST_NAME, manifest_bytes), (SIGNATURE_NAME, signature)):  # no archive end here
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), 0o644, mtime
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def write_bundle(out: Path, manifest: Manifest, signature: bytes, body: Path) -> None:
    """Writes the bundle to `out`: the signed head, then `body` (from `write_body`), via a temporary file
    renamed into place."""
    partial = out.with_name(out.name + ".partial")
    with open(partial, "wb") as f, open(body, "rb") as rest:
        f.write(head_bytes(manifest.to_bytes(), signature, _mtime(manifest)))
        shutil.copyfileobj(rest, f, 1 << 20)
    partial.replace(out)


def _mtime(manifest: Manifest) -> int:
    return int(manifest.built_at.timestamp())


def _sha256_of(path: Path, offset: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        f.seek(offset)
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class BundleHeader:
    """A bundle whose manifest is signed by a trusted key (its wheels not yet checked)."""

    path: Path
    manifest: Manifest
    signed_by: str
    size: int
    #: where the body (covered by the manifest's `body_sha256`) begins
    body_offset: int


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
    head = head_bytes(raw, signature, _mtime(manifest))
    with open(path, "rb") as f:
        if f.read(len(head)) != head:
            raise BundleRefused(f"{path.name}: a byte around the signed manifest was changed (tar header or padding)")
    if len(head) + manifest.body_bytes != size:
        raise BundleRefused(f"{path.name}: {size} bytes, the manifest says {len(head) + manifest.body_bytes}: "
                            + ("cut short" if size < len(head) + manifest.body_bytes else "bytes were added"))
    return BundleHeader(path, manifest, signer, size, len(head))


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
    """Checks every byte after the signature (the body's SHA-256), then every wheel's size and SHA-256
    against the signed manifest, writing nothing."""
    if _sha256_of(header.path, header.body_offset) != header.manifest.body_sha256:
        raise BundleRefused(f"{header.path.name}: the bytes after its manifest do not match its SHA-256 in the "
                            "manifest (the file was changed or damaged)")
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
