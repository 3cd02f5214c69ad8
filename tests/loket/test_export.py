"""A USB export carries every unsynced application, signed by the terminal, and loses nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kiosk.applications import file_application
from kiosk.crypto import OfficeKeypair, b64decode, new_terminal_keys, open_sealed
from kiosk.errors import LoketError
from kiosk.samples import sample_answers
from kiosk.store import SCHEMA_VERSION, Store, TerminalIdentity
from kiosk.store.exports import unsynced_not_exported
from kiosk.terminal import Terminal
from loket.export import export_unsynced
from sync.bundle import BundleError, open_bundle


def file_some(terminal: Terminal, n: int) -> list[str]:
    service = terminal.catalog.service("SKU")
    return [file_application(terminal.store, terminal.catalog, "SKU", sample_answers(service)).reference
            for _ in range(n)]


def test_export_writes_a_signed_bundle_of_every_unsynced_application(terminal: Terminal, tmp_path: Path,
                                                                      office: OfficeKeypair) -> None:
    refs = file_some(terminal, 3)
    synced = terminal.store.claim(1)[0]
    terminal.store.mark_synced([synced.id])
    export = export_unsynced(terminal, tmp_path / "usb")
    assert export.applications == 2 and export.path.exists()
    header, contents = open_bundle(export.path.read_bytes(), terminal.identity.verify_key)
    assert header.terminal_code == "K7Q2"
    assert sorted(a.reference for a in contents.applications) == sorted(set(refs) - {synced.reference})
    opened = open_sealed(office.private_key, b64decode(contents.applications[0].sealed))
    assert opened["service"] == "SKU"
    assert "terminal.provisioned" in {a.action for a in contents.audit}


def test_exported_applications_stay_queued_until_central_confirms(terminal: Terminal, tmp_path: Path) -> None:
    file_some(terminal, 2)
    assert unsynced_not_exported(terminal.store) == 2
    export_unsynced(terminal, tmp_path / "usb")
    assert terminal.store.counts()["queued"] == 2
    assert unsynced_not_exported(terminal.store) == 0
    file_some(terminal, 1)
    assert unsynced_not_exported(terminal.store) == 1


def test_a_bundle_changed_after_signing_or_checked_with_another_key_is_refused(terminal: Terminal,
                                                                            tmp_path: Path) -> None:
    file_some(terminal, 1)
    data = export_unsynced(terminal, tmp_path / "usb").path.read_bytes()
    with pytest.raises(BundleError, match="signature does not match"):
        open_bundle(data, new_terminal_keys().verify_key)
    document = json.loads(data)
    document["header"]["applications"] = 5
    with pytest.raises(BundleError, match="signature"):
        open_bundle(json.dumps(document).encode(), terminal.identity.verify_key)
    document = json.loads(data)
    document["payload"] = document["payload"][:-8] + "AAAAAAA="
    with pytest.raises(BundleError, match="changed after it was signed"):
        open_bundle(json.dumps(document).encode(), terminal.identity.verify_key)
    with pytest.raises(BundleError, match="not a Loket bundle"):
        open_bundle(b"{}", terminal.identity.verify_key)


def test_export_to_a_folder_that_cannot_be_written_is_a_clear_error(terminal: Terminal, tmp_path: Path) -> None:
    file_some(terminal, 1)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(LoketError, match="cannot write the bundle"):
        export_unsynced(terminal, blocker / "usb")
    assert unsynced_not_exported(terminal.store) == 1


def test_a_version_1_queue_is_migrated_forward_keeping_its_applications(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    with Store.open(path) as store:
        keys = new_terminal_keys()
        store.save_identity(TerminalIdentity("K7Q2", "O", "Office", "k", keys.signing_key, keys.verify_key))
        ref = store.submit("SKD", "1", b"sealed").reference
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE applications DROP COLUMN exported_at")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert "exported_at" in store.db["applications"].columns_dict
        assert store.get(ref).state == "queued"
