"""USB bundles of a terminal provisioned from a file: central accepts them before the terminal ever
reached it and after it enrolled; a bundle cannot inflate past its bound while central reads it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from central.bundles import import_bundle
from central.db import Database
from central.errors import CentralError
from central.models import Terminal as CentralTerminal
from kiosk.crypto import b64encode, new_terminal_keys, sign
from kiosk.store import identity_file
from kiosk.terminal import Terminal
from loket.export import export_unsynced
from loket.provisioning_file import pending_enrollment_code, provision_from_file
from sync.bundle import BUNDLE_FORMAT, BundleContents, BundleHeader, _message, pack_bundle
from sync.enrollment import complete_pending_enrollment
from sync.worker import SyncWorker
from tests.sync.conftest import FAST_BACKOFF, FAST_TIMEOUTS, CentralView, file_many

ROOT = Path(__file__).resolve().parents[2]


def _provisioned_from_file(central, tmp_path: Path) -> Terminal:
    office = central.create_office()
    done = subprocess.run([sys.executable, "-m", "central", "--db", central.db_url, "provisioning-file", "--office",
                           office, "--server", central.url, "--out", str(tmp_path / "usb")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    terminal = Terminal(tmp_path / "kiosk")
    provision_from_file(terminal, Path(done.stdout.strip()))
    return terminal


def _import(db_url: str, bundle: Path):
    db = Database(db_url, migrate_schema=False)
    try:
        return import_bundle(db, bundle.read_bytes())
    finally:
        db.dispose()


def _central_terminals(db_url: str, code: str) -> list[str]:
    db = Database(db_url, migrate_schema=False)
    try:
        with db.transaction() as session:
            return [t.id for t in session.query(CentralTerminal).filter(CentralTerminal.code == code)]
    finally:
        db.dispose()


def _assert_each_at_central_once(db_url: str, terminal_id: str, filed: dict) -> None:
    """Nothing lost, nothing twice."""
    view = CentralView(db_url, terminal_id)
    try:
        assert view.count_by_id() == {app_id: 1 for app_id in filed}
    finally:
        view.close()


def test_a_bundle_of_a_terminal_that_never_reached_central_is_accepted_and_the_terminal_enrolls_later(
        central, tmp_path):
    terminal = _provisioned_from_file(central, tmp_path)
    try:
        filed = file_many(terminal, 12)
        bundle = export_unsynced(terminal, tmp_path / "usb").path
        report = _import(central.db_url, bundle)
        assert report.outcomes["accepted"] == 12 and not report.rejected
        [central_id] = _central_terminals(central.db_url, terminal.identity.terminal_code)
        # the network appears: the terminal redeems its code with the same key and becomes that terminal
        code = pending_enrollment_code(terminal)
        identity = complete_pending_enrollment(terminal, central.url, timeouts=FAST_TIMEOUTS)
        assert identity.terminal_id == central_id and pending_enrollment_code(terminal) is None
        # the used code is gone from identity.json too (issue 23): nothing left for a thief to try
        assert code and code.encode() not in identity_file.identity_path(terminal.paths.database).read_bytes()
        sync = SyncWorker(terminal.paths.home, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS).run_once()
        assert sync.ok, sync.errors
        assert sync.duplicate == 12 and terminal.store.counts()["synced"] == 12
        _assert_each_at_central_once(central.db_url, central_id, filed)
    finally:
        terminal.close()


def test_a_bundle_exported_before_enrolling_is_accepted_after_the_terminal_enrolled(central, tmp_path):
    terminal = _provisioned_from_file(central, tmp_path)
    try:
        filed = file_many(terminal, 5)
        bundle = export_unsynced(terminal, tmp_path / "usb").path
        identity = complete_pending_enrollment(terminal, central.url, timeouts=FAST_TIMEOUTS)
        report = _import(central.db_url, bundle)
        assert report.outcomes["accepted"] == 5, report.rejected
        _assert_each_at_central_once(central.db_url, identity.terminal_id, filed)
    finally:
        terminal.close()


def test_a_bundle_signed_by_another_key_cannot_enroll_the_reserved_terminal(central, tmp_path):
    terminal = _provisioned_from_file(central, tmp_path)
    try:
        file_many(terminal, 2)
        identity = terminal.identity
        impostor = new_terminal_keys()  # knows the terminal code and the proof, but not the terminal's key
        genuine = json.loads(export_unsynced(terminal, tmp_path / "usb").path.read_bytes())
        forged = pack_bundle("", identity.terminal_code, impostor.signing_key, BundleContents(applications=[]),
                             verify_key=impostor.verify_key)
        forged_doc = json.loads(forged)
        forged_doc["header"]["enrollment_proof"] = genuine["header"]["enrollment_proof"]
        path = tmp_path / "forged.bundle.json"
        path.write_text(json.dumps(forged_doc))
        with pytest.raises(CentralError):
            _import(central.db_url, path)
        assert _central_terminals(central.db_url, identity.terminal_code) == []
    finally:
        terminal.close()


def _gzip_of_spaces(count: int) -> bytes:
    """gzip of `{"applications": []` + `count` spaces + `}`, made in pieces (never `count` bytes at once)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [packer.compress(b'{"applications": []')]
    piece = b" " * (16 * 1024 * 1024)
    for _ in range(count // len(piece)):
        out.append(packer.compress(piece))
    out.append(packer.compress(b"}"))
    out.append(packer.flush())
    return b"".join(out)


def _bomb(terminal: Terminal, inflated_bytes: int) -> bytes:
    """A correctly signed bundle whose gzip payload inflates to `inflated_bytes` of whitespace."""
    identity = terminal.identity
    payload = _gzip_of_spaces(inflated_bytes)
    header = BundleHeader(format=BUNDLE_FORMAT, terminal_id=identity.terminal_id, terminal_code=identity.terminal_code,
                          created_at=dt.datetime.now(dt.UTC).replace(microsecond=0), applications=0,
                          payload_sha256=hashlib.sha256(payload).hexdigest(), verify_key=identity.verify_key)
    # the signing a terminal does, over a payload no terminal makes
    return json.dumps({"header": json.loads(header.model_dump_json()), "payload": b64encode(payload),
                       "signature": b64encode(sign(identity.signing_key, _message(header)))}).encode()


_IMPORT_MEASURED = """
import resource, sys
from central.cli import main
code = main(sys.argv[1:])
print(f"peak_kib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
sys.exit(code)
"""


def test_a_signed_bundle_that_inflates_without_bound_is_refused_while_reading(enrolled, central, tmp_path):
    path = tmp_path / "bomb.bundle.json"
    path.write_bytes(_bomb(enrolled, 1300 * 1024 * 1024))
    assert path.stat().st_size < 3 * 1024 * 1024
    done = subprocess.run([sys.executable, "-c", _IMPORT_MEASURED, "--db", central.db_url, "import", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "inflates past" in done.stderr and "Traceback" not in done.stderr
    peak_kib = int(done.stderr.rsplit("peak_kib=", 1)[1])
    # central's CLI alone is ~160 MiB and reading the bounded payload ~150 MiB more; inflating the
    # whole payload would add 1 300 MiB on top
    assert peak_kib < 640 * 1024, f"the import reached {peak_kib // 1024} MiB"
