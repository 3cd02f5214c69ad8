"""Releases on a real central: upload verifies before storing; the offer reaches only the terminals the
rollout names; the bundle downloads with Range, resuming after the link is cut, byte-exact."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from central.db import Database
from central.models import Terminal as TerminalRow
from kiosk.terminal import Terminal
from sync.client import CentralClient
from sync.enrollment import enroll_terminal
from sync.errors import ServerUnreachable
from sync.protocol import Heartbeat
from sync.updates import UpdateLink, fetch_piece
from tests.sync.cutproxy import CuttingProxy

pytestmark = pytest.mark.slow  # the session's bundles are built on first use


def central_cli(db_url: str, keys: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "central.cli", "--db", db_url, *args], capture_output=True,
                          text=True, env={**os.environ, "LOKET_CENTRAL_RELEASE_KEYS": str(keys)}, timeout=300)


@pytest.fixture
def keys(releases, tmp_path) -> Path:
    return releases.trusted_keys_file(tmp_path / "central-config")


def store_v2(central, releases, keys: Path) -> Path:
    """v2 stored on the module's central (once), offered to no one yet."""
    bundle = releases.bundle("v2")
    done = central_cli(central.db_url, keys, "release", "upload", str(bundle))
    assert done.returncode == 0 or "already stored" in done.stderr, done.stderr
    central_cli(central.db_url, keys, "release", "rollout", "2.0.0", "--share", "0")
    return bundle


def client_of(terminal: Terminal, url: str) -> CentralClient:
    identity = terminal.identity
    return CentralClient(url, terminal_id=identity.terminal_id, signing_key=identity.signing_key)


def test_a_damaged_bundle_is_not_stored_and_a_good_one_is_once(central, releases, keys, tmp_path):
    good = releases.bundle("v2")
    bad = tmp_path / good.name
    shutil.copyfile(good, bad)
    with open(bad, "r+b") as f:  # one byte of a wheel changed (the middle of the file is inside a wheel)
        f.seek(bad.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    done = central_cli(central.db_url, keys, "release", "upload", str(bad))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "match its SHA-256 in the manifest" in done.stderr
    assert "0 release(s)" in central_cli(central.db_url, keys, "release", "list").stdout
    done = central_cli(central.db_url, keys, "release", "upload", str(good), "--share", "100")
    assert done.returncode == 0, done.stderr
    assert "release 2.0.0 stored" in done.stdout
    again = central_cli(central.db_url, keys, "release", "upload", str(good))
    assert again.returncode == 2 and "already stored" in again.stderr


def test_a_bundle_signed_by_a_key_central_does_not_trust_is_refused(central, releases, tmp_path):
    other = releases.trusted_keys_file(tmp_path / "other", "pjpKIYXZhXPOAdMiPMtn4AO72fiAI0bTG2BHhjidCRE=")
    done = central_cli(central.db_url, other, "release", "upload", str(releases.bundle("v2")))
    assert done.returncode == 2 and "not signed by a release key" in done.stderr


def test_the_offer_follows_the_rollout_and_the_download_resumes_after_a_cut(central, releases, keys, tmp_path):
    bundle = store_v2(central, releases, keys)
    office = central.create_office()
    terminal = Terminal(tmp_path / "kiosk")
    enroll_terminal(terminal, central.url, central.enrollment_code(office))
    beat = Heartbeat(app_version="1.0.0")
    with client_of(terminal, central.url) as client:
        assert client.heartbeat(beat, with_update=True).update_offer is None  # not rolled out yet
        assert client.heartbeat(beat).updates is None  # an older terminal's answer has no new fields
    central_cli(central.db_url, keys, "release", "rollout", "2.0.0", "--share", "100", "--office", "9999999999")
    assert "no office 9999999999" in central_cli(central.db_url, keys, "release", "rollout", "2.0.0", "--share",
                                                 "100", "--office", "9999999999").stderr
    central_cli(central.db_url, keys, "release", "rollout", "2.0.0", "--share", "100", "--office", office)
    with client_of(terminal, central.url) as client:
        offer = client.heartbeat(beat, with_update=True).update_offer
    assert offer is not None and offer.version == "2.0.0" and offer.size == bundle.stat().st_size

    link = UpdateLink(spool=tmp_path / "spool", running="1.0.0", report=lambda: None, budget_bytes=8 * 2**20)
    cut_at = 3 * 2**20 + 12345
    with CuttingProxy(central.server.port, cut_after=cut_at) as proxy, client_of(terminal, proxy.url) as client, \
            pytest.raises(ServerUnreachable, match="the download was cut after"):
        fetch_piece(client, link, offer)
    part = link.spool / f"{bundle.name}.part"
    kept = part.stat().st_size
    assert 2 * 2**20 < kept < cut_at  # what arrived before the cut stays (less the answer's headers)
    with CuttingProxy(central.server.port) as proxy, client_of(terminal, proxy.url) as client:
        while not (link.spool / bundle.name).exists():
            fetch_piece(client, link, offer)
        moved = proxy.bytes_down
    assert moved < bundle.stat().st_size - kept + 64 * 1024  # the resume did not fetch the first part again
    assert hashlib.sha256((link.spool / bundle.name).read_bytes()).hexdigest() == hashlib.sha256(
        bundle.read_bytes()).hexdigest()
    terminal.close()


def test_a_range_past_the_end_is_a_416_not_a_5xx(central, releases, keys, tmp_path):
    store_v2(central, releases, keys)
    terminal = Terminal(tmp_path / "kiosk")
    enroll_terminal(terminal, central.url, central.enrollment_code())
    size = releases.bundle("v2").stat().st_size
    with client_of(terminal, central.url) as client:
        response = client._send("GET", "/api/v1/releases/2.0.0", b"", headers={"Range": f"bytes={size}-"},
                                allow=(416,))
        assert response.status_code == 416
        missing = client._send("GET", "/api/v1/releases/9.9.9", b"", allow=(404,))
        assert missing.status_code == 404
    terminal.close()


def test_the_terminal_reports_its_update_state_and_central_keeps_it(central, tmp_path):
    from sync.protocol import UpdateReport

    terminal = Terminal(tmp_path / "kiosk")
    enroll_terminal(terminal, central.url, central.enrollment_code())
    report = UpdateReport(state="rolled_back", version="1.5.0", reason="did not reach Welcome within 25 s")
    with client_of(terminal, central.url) as client:
        client.heartbeat(Heartbeat(app_version="1.0.0", update=report), with_update=True)
    db = Database(central.db_url)
    with db.transaction() as session:
        row = session.get(TerminalRow, terminal.identity.terminal_id)
        assert (row.update_state, row.update_version, row.app_version) == ("rolled_back", "1.5.0", "1.0.0")
        assert "Welcome" in row.update_reason
    db.dispose()
    terminal.close()
