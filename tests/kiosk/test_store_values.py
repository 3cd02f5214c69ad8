"""The store's named values: typed, each key defined once, absent values read as their default."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.errors import LoketError
from kiosk.store import Store
from kiosk.store.values import StoreValues, _Value


def declared() -> dict[str, _Value]:
    return {name: value for name, value in vars(StoreValues).items() if isinstance(value, _Value)}


def test_every_value_keeps_the_key_terminals_already_stored_it_under() -> None:
    keys = {name: value.key for name, value in declared().items()}
    assert len(set(keys.values())) == len(keys)
    assert keys == {
        "last_sync_attempt": "sync.last_attempt", "last_sync_error": "sync.last_error",
        "last_sync_success": "sync.last_success", "status_cursor": "sync.status_cursor",
        "catalog_etag": "sync.catalog_etag", "catalog_error": "sync.catalog_error", "revoked": "sync.revoked",
        "catalog_refused_by": "sync.catalog_refused_by",
        "pending_enrollment_code": "sync.pending_enrollment_code", "setup_unfinished": "provisioning.unfinished",
        "pin_failures": "maintenance.failures", "pin_lockouts": "maintenance.lockouts",
        "pin_locked_until": "maintenance.locked_until", "known_receipt_keys": "receipt.known_keys",
        "retention_last_run": "retention.last_run", "central_takes_printer": "sync.central_takes_printer",
        "printer_state": "printer.state", "central_clock_offset_s": "clock.central_offset_s",
        "central_answered_at": "clock.central_answered_at",
        "resent_since": "sync.resent_since", "office_sends_sms": "office.sends_sms",
        "office_public_url": "sync.office_public_url", "result_rated": "survey.result_rated",
        "central_takes_update": "sync.central_takes_update",
    }


def test_absent_values_read_as_their_defaults(tmp_path) -> None:
    with Store.open(tmp_path / "q.db") as store:
        values = store.values
        assert (values.status_cursor, values.catalog_etag, values.setup_unfinished) == (0, "", False)
        assert values.pin_locked_until is None and values.known_receipt_keys == {}


def test_values_keep_their_type_across_connections(tmp_path) -> None:
    until = dt.datetime(2026, 11, 24, 2, 12, 5, 123000, tzinfo=dt.UTC)
    with Store.open(tmp_path / "q.db") as store:
        store.values.status_cursor = 42
        store.values.setup_unfinished = True
        store.values.pin_locked_until = until
        store.values.known_receipt_keys = {"K7Q2": "a2V5"}
    with Store.open(tmp_path / "q.db") as again:
        values = again.values
        assert values.status_cursor == 42 and values.setup_unfinished is True
        assert values.pin_locked_until == until and values.known_receipt_keys == {"K7Q2": "a2V5"}
        values.status_cursor = None
        values.setup_unfinished = False
        assert values.status_cursor == 0 and values.setup_unfinished is False


def test_forgetting_an_enrollment_clears_what_belonged_to_it(tmp_path) -> None:
    with Store.open(tmp_path / "q.db") as store:
        values = store.values
        values.status_cursor, values.catalog_etag, values.revoked = 7, '"v1"', '{"reason": "x"}'
        values.last_sync_error = "kept"
        values.forget_enrollment()
        assert (values.status_cursor, values.catalog_etag, values.revoked) == (0, "", "")
        assert values.last_sync_error == "kept"


def test_a_damaged_key_list_is_reported_not_guessed(tmp_path) -> None:
    with Store.open(tmp_path / "q.db") as store:
        store.set_value(StoreValues.known_receipt_keys.key, "{not json")
        with pytest.raises(LoketError, match="not JSON"):
            _ = store.values.known_receipt_keys


@settings(deadline=None, max_examples=40)  # each example opens a store on disk
@given(st.text(min_size=1))
def test_any_text_reads_back_as_written(tmp_path_factory, text: str) -> None:
    with Store.open(tmp_path_factory.mktemp("v") / "q.db", full_check=False) as store:
        store.values.last_sync_error = text
        assert store.values.last_sync_error == text
