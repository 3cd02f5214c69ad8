"""Personal data is sealed at submit: the terminal keeps only what receipts and status need."""

from __future__ import annotations

import pytest

from kiosk.applications import file_application
from kiosk.crypto import CryptoFailure, OfficeKeypair, new_office_keypair, open_sealed, seal_for_office
from kiosk.errors import FormInvalid
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal

NIK = "3273015708900003"
NAME = "Dewi Kartikasari Wulandari"


def test_the_database_file_holds_no_trace_of_a_submitted_nik_or_name(terminal: Terminal) -> None:
    service = terminal.catalog.service("SKD")
    answers = {**sample_answers(service), "nik": NIK, "full_name": NAME}
    file_application(terminal.store, terminal.catalog, "SKD", answers)
    terminal.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = b"".join(p.read_bytes() for p in terminal.paths.home.glob("queue.db*"))
    assert data  # really read something
    for secret in (NIK, NAME, NAME.upper(), "Kartikasari"):
        assert secret.encode() not in data and secret.encode("utf-16-le") not in data


def test_only_the_office_key_opens_what_was_filed(terminal: Terminal, office: OfficeKeypair) -> None:
    service = terminal.catalog.service("SKTM")
    app = file_application(terminal.store, terminal.catalog, "SKTM", sample_answers(service))
    sealed = terminal.store.claim(1)[0].sealed
    opened = open_sealed(office.private_key, sealed)
    assert opened["service"] == "SKTM" and opened["answers"]["nik"] == "3273015708900003"
    assert opened["answers"]["phone"] == "+6281234567890"  # stored normalised
    assert app.catalog_version == terminal.catalog.version
    with pytest.raises(CryptoFailure):
        open_sealed(new_office_keypair().private_key, sealed)


def test_an_invalid_form_queues_nothing(terminal: Terminal) -> None:
    with pytest.raises(FormInvalid) as caught:
        file_application(terminal.store, terminal.catalog, "SKD", {"nik": "1"})
    assert "nik" in caught.value.errors and "consent" in caught.value.errors
    assert terminal.store.counts()["queued"] == 0


def test_a_region_code_missing_from_the_list_is_queued_with_a_flag_for_staff(terminal: Terminal) -> None:
    service = terminal.catalog.service("SKD")
    app = file_application(terminal.store, terminal.catalog, "SKD", {**sample_answers(service),
                                                                     "nik": "3299991708900003"})
    assert app.flags == ("nik:region_unknown",)


def test_sealing_refuses_a_malformed_office_key() -> None:
    with pytest.raises(CryptoFailure, match="32 bytes"):
        seal_for_office("c2hvcnQ=", {"a": 1})
