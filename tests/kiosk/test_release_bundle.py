"""Release bundles: a real bundle of this tree verifies; every damaged, foreign, old or oversized one is
refused with one line, before anything is written."""

from __future__ import annotations

import datetime as dt
import shutil
import tarfile
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.release.bundle import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    check_applicable,
    read_header,
    unpack_wheels,
    verify_wheels,
    write_body,
    write_bundle,
)
from kiosk.release.manifest import (
    MANIFEST_FORMAT,
    BundleRefused,
    Manifest,
    ReleaseFile,
    check_signature,
    new_release_key,
    read_trusted_keys,
    sha256_file,
)

pytestmark = pytest.mark.slow  # the first test builds the session's bundles (pip wheel of every dependency)


@pytest.fixture(scope="module")
def v1(releases) -> Path:
    return releases.bundle("v1")


def damaged_copy(bundle: Path, into: Path, *, at: int) -> Path:
    copy = into / bundle.name
    shutil.copyfile(bundle, copy)
    with open(copy, "r+b") as f:
        f.seek(at)
        byte = f.read(1)
        f.seek(at)
        f.write(bytes([byte[0] ^ 0x01]))
    return copy


def member_offset(bundle: Path, name_prefix: str) -> int:
    with tarfile.open(bundle) as tar:
        member = next(m for m in tar if m.name.startswith(name_prefix))
        return member.offset_data + member.size // 2


def test_a_bundle_of_this_tree_holds_loket_and_every_dependency(releases, v1):
    header = read_header(v1, [releases.key.public_key])
    verify_wheels(header)
    names = " ".join(header.manifest.files)
    assert header.manifest.version == "1.0.0"
    for needed in ("wheels/loket-1.0.0-", "wheels/kivy-", "wheels/pynacl-", "wheels/sqlite_utils-", "wheels/requests-"):
        assert needed.lower() in names.lower()
    assert header.manifest.queue_schema >= 5 and header.manifest.min_queue_schema == 0
    assert header.manifest.installed_bytes > header.manifest.payload_bytes  # wheels are zips


def test_unpacking_writes_exactly_the_signed_wheels(releases, v1, tmp_path):
    header = read_header(v1, [releases.key.public_key])
    wheels = unpack_wheels(header, tmp_path / "staging")
    assert sorted(f"wheels/{p.name}" for p in wheels.iterdir()) == sorted(header.manifest.files)


def test_one_byte_changed_in_a_wheel_is_refused_and_nothing_is_left(releases, v1, tmp_path):
    bad = damaged_copy(v1, tmp_path, at=member_offset(v1, "wheels/loket-"))
    header = read_header(bad, [releases.key.public_key])  # the manifest itself is intact
    with pytest.raises(BundleRefused, match="does not match its SHA-256"):
        unpack_wheels(header, tmp_path / "staging")
    assert not (tmp_path / "staging").exists()


def padding_offsets(bundle: Path) -> dict[str, int]:
    """Bytes of the tar that carry no content: zero padding after members, the checksum's trailing byte of
    a header (tar ignores it), and the archive's end."""
    with tarfile.open(bundle) as tar:
        members = tar.getmembers()
    padded = next(m for m in members[2:] if m.size % 512)
    return {"padding after a wheel": padded.offset_data + padded.size + 3,
            "padding after the manifest": members[0].offset_data + members[0].size + 1,
            "the checksum's spare byte in the signature's header": members[1].offset + 155,
            "the checksum's spare byte in a wheel's header": members[3].offset + 155,
            "the archive's end": bundle.stat().st_size - 1}


@pytest.mark.parametrize("where", ["padding after a wheel", "padding after the manifest",
                                   "the checksum's spare byte in the signature's header",
                                   "the checksum's spare byte in a wheel's header", "the archive's end"])
def test_one_byte_changed_where_tar_carries_no_content_is_refused(releases, v1, tmp_path, where):
    bad = damaged_copy(v1, tmp_path, at=padding_offsets(v1)[where])
    with tarfile.open(bad) as tar:  # tar itself reads the same members from it
        assert len(tar.getmembers()) == len(read_header(v1, [releases.key.public_key]).manifest.files) + 2
    with pytest.raises(BundleRefused, match="changed"):
        verify_wheels(read_header(bad, [releases.key.public_key]))


def test_bytes_added_after_the_archive_are_refused(releases, v1, tmp_path):
    longer = tmp_path / v1.name
    shutil.copyfile(v1, longer)
    with open(longer, "ab") as f:
        f.write(b"\0" * 512)
    with pytest.raises(BundleRefused, match="bytes were added"):
        read_header(longer, [releases.key.public_key])


def tiny_bundle(into: Path, key) -> Path:  # type: ignore[no-untyped-def]
    """A bundle of one small made-up wheel, written as `loket release build` writes one."""
    wheel = into / "loket-1.0.0-py3-none-any.whl"
    wheel.write_bytes(b"PK not really a zip, but hashed all the same" * 30)
    wheels = {f"wheels/{wheel.name}": wheel}
    body_sha256, body_bytes = write_body(into / "body.tar", wheels)
    manifest = Manifest(format=MANIFEST_FORMAT, version="1.0.0", min_queue_schema=0, queue_schema=5,
                        built_at=dt.datetime(2026, 12, 4, tzinfo=dt.UTC), installed_bytes=1,
                        files={name: ReleaseFile(sha256=sha256_file(p), bytes=p.stat().st_size)
                               for name, p in wheels.items()},
                        body_sha256=body_sha256, body_bytes=body_bytes, key=key.public_key)
    out = into / "loket-1.0.0.loket-release"
    write_bundle(out, manifest, key.sign(manifest.to_bytes()), into / "body.tar")
    return out


TINY_KEY = new_release_key()
with tempfile.TemporaryDirectory() as _work:
    TINY = tiny_bundle(Path(_work), TINY_KEY).read_bytes()


def test_the_tiny_bundle_is_whole_and_verifies(tmp_path):
    (tmp_path / "b").write_bytes(TINY)
    header = read_header(tmp_path / "b", [TINY_KEY.public_key])
    verify_wheels(header)
    with tarfile.open(tmp_path / "b") as tar:
        assert [m.name for m in tar][:2] == [MANIFEST_NAME, SIGNATURE_NAME]


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0, max_value=len(TINY) - 1), flip=st.integers(min_value=1, max_value=255))
def test_any_one_byte_changed_anywhere_in_a_bundle_is_refused(position, flip):
    with tempfile.TemporaryDirectory() as work:
        bad = Path(work) / "b"
        bad.write_bytes(TINY[:position] + bytes([TINY[position] ^ flip]) + TINY[position + 1:])
        with pytest.raises(BundleRefused):
            verify_wheels(read_header(bad, [TINY_KEY.public_key]))


def test_one_byte_changed_in_the_manifest_breaks_the_signature(releases, v1, tmp_path):
    bad = damaged_copy(v1, tmp_path, at=member_offset(v1, MANIFEST_NAME))
    with pytest.raises(BundleRefused, match="not signed by a release key this terminal trusts"):
        read_header(bad, [releases.key.public_key])


def test_a_bundle_signed_by_another_key_is_refused(v1):
    with pytest.raises(BundleRefused, match="not signed by a release key this terminal trusts"):
        read_header(v1, [new_release_key().public_key])


def test_a_terminal_without_a_pinned_key_refuses_everything(v1, tmp_path):
    with pytest.raises(BundleRefused, match="no release key is pinned"):
        read_header(v1, read_trusted_keys(tmp_path / "missing"))


@pytest.mark.parametrize("keep", [0.001, 0.5, 0.999])
def test_a_truncated_bundle_is_refused(releases, v1, tmp_path, keep):
    cut = tmp_path / v1.name
    with open(v1, "rb") as src, open(cut, "wb") as out:
        out.write(src.read(int(v1.stat().st_size * keep)))
    with pytest.raises(BundleRefused, match="cut short|not a Loket release bundle"):
        verify_wheels(read_header(cut, [releases.key.public_key]))


def test_an_older_or_same_version_is_refused_unless_a_signed_downgrade(releases, v1):
    manifest = read_header(v1, [releases.key.public_key]).manifest
    with pytest.raises(BundleRefused, match="not newer than the running 2.0.0"):
        check_applicable(manifest, running="2.0.0", free_bytes=10**12)
    with pytest.raises(BundleRefused, match="not newer than the running 1.0.0"):
        check_applicable(manifest, running="1.0.0", free_bytes=10**12)
    check_applicable(manifest.model_copy(update={"downgrade": True}), running="2.0.0", free_bytes=10**12)
    check_applicable(manifest, running="0.9.9", free_bytes=10**12)


def test_a_release_bigger_than_the_free_disk_is_refused(releases, v1):
    manifest = read_header(v1, [releases.key.public_key]).manifest
    with pytest.raises(BundleRefused, match=r"needs \d+ MiB of disk, only 100 MiB is free"):
        check_applicable(manifest, running="0.9", free_bytes=100 * 2**20)


def test_a_queue_newer_than_the_release_opens_is_refused(releases, v1):
    manifest = read_header(v1, [releases.key.public_key]).manifest
    with pytest.raises(BundleRefused, match="this terminal's queue is at 99"):
        check_applicable(manifest, running="0.9", free_bytes=10**12, queue_schema=99)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_any_manifest_bytes_are_parsed_or_refused_in_one_line(raw):
    try:
        Manifest.from_bytes(raw)
    except BundleRefused as e:
        assert "\n" not in str(e)


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=0, max_size=80))
def test_any_signature_bytes_are_refused_unless_made_by_the_key(signature):
    key = new_release_key()
    with pytest.raises(BundleRefused):
        check_signature(b"{}", signature, [key.public_key])
