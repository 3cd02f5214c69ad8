"""Release bundles: a real bundle of this tree verifies; every damaged, foreign, old or oversized one is
refused with one line, before anything is written."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.release.bundle import (
    MANIFEST_NAME,
    check_applicable,
    read_header,
    unpack_wheels,
    verify_wheels,
)
from kiosk.release.manifest import BundleRefused, Manifest, check_signature, new_release_key, read_trusted_keys

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
