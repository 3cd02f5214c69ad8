"""The receipt QR payload: compact, versioned, signed; every failure says exactly what is wrong."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.crypto import new_terminal_keys
from kiosk.reference import make_reference
from kiosk.store import Application, TerminalIdentity
from printing import BadSignature, MalformedPayload, UnknownTerminal, make_qr_payload, verify_qr_payload
from printing.errors import ReceiptInvalid
from printing.qr import qr_matrix

KEYS = new_terminal_keys()
IDENTITY = TerminalIdentity("K7Q2", "3273010001", "Kelurahan Braga", "", KEYS.signing_key, KEYS.verify_key)
FILED = dt.datetime(2026, 11, 24, 9, 12, 5, 432000, tzinfo=dt.UTC)


def application(reference: str = "", service: str = "SKD", filed: dt.datetime = FILED) -> Application:
    reference = reference or make_reference("K7Q2", filed.date(), 42)
    return Application("id-1", reference, service, "2026.11.1", filed, "queued")


def test_payload_carries_version_reference_service_and_time_to_the_second() -> None:
    payload = make_qr_payload(IDENTITY, application())
    assert payload.startswith("LK1:K7Q2-2611-0042-")
    assert ":SKD:20261124091205:" in payload
    receipt = verify_qr_payload(payload, {"K7Q2": KEYS.verify_key})
    assert (receipt.reference, receipt.terminal_code, receipt.service_code) == ("K7Q2-2611-0042-" + payload[19],
                                                                               "K7Q2", "SKD")
    assert receipt.filed_at == FILED.replace(microsecond=0)


def test_payload_fits_qr_alphanumeric_mode_at_version_6() -> None:
    payload = make_qr_payload(IDENTITY, application())
    assert re.fullmatch(r"[0-9A-Z $%*+\-./:]+", payload)
    assert len(payload) <= 154  # alphanumeric capacity of version 6 at level M
    assert len(qr_matrix(payload)) == 41


def test_signature_from_another_terminal_key_is_a_bad_signature() -> None:
    other = new_terminal_keys()
    payload = make_qr_payload(IDENTITY, application())
    with pytest.raises(BadSignature, match="bad signature: receipt K7Q2-2611-0042-. was not signed by terminal K7Q2"):
        verify_qr_payload(payload, {"K7Q2": other.verify_key})


@pytest.mark.parametrize("field,replacement", [(2, "SKU"), (3, "20261124091206")])
def test_altered_service_or_time_fails_the_signature(field: int, replacement: str) -> None:
    parts = make_qr_payload(IDENTITY, application()).split(":")
    parts[field] = replacement
    with pytest.raises(BadSignature):
        verify_qr_payload(":".join(parts), {"K7Q2": KEYS.verify_key})


def test_altered_reference_with_a_valid_check_character_fails_the_signature() -> None:
    parts = make_qr_payload(IDENTITY, application()).split(":")
    parts[1] = make_reference("K7Q2", FILED.date(), 43)
    with pytest.raises(BadSignature):
        verify_qr_payload(":".join(parts), {"K7Q2": KEYS.verify_key})


def test_terminal_without_a_known_key_is_unknown() -> None:
    payload = make_qr_payload(IDENTITY, application())
    with pytest.raises(UnknownTerminal, match="unknown terminal: no public key for terminal K7Q2"):
        verify_qr_payload(payload, {"ABCD": KEYS.verify_key})


@pytest.mark.parametrize("payload,message", [
    ("", "not a Loket receipt code"),
    ("https://example.org/x", "not a Loket receipt code"),
    ("LK2:K7Q2-2611-0042-X:SKD:20261124091205:" + "A" * 103, "not a Loket receipt code"),
    ("LK1:K7Q2-2611-0042-X:SKD:20261124091205", "has 5 parts separated by ':', this one has 4"),
    ("LK1:K7Q2_2611_0042_X:SKD:20261124091205:" + "A" * 103, "is not an application number"),
    ("LK1:K7Q2-2611-0042-A:SKD:20261124091205:" + "A" * 103, "check character"),
    ("LK1:{ref}:S-K:20261124091205:" + "A" * 103, "is not a service code"),
    ("LK1:{ref}:SKD:20261324091205:" + "A" * 103, "is not a filing time"),
    ("LK1:{ref}:SKD:20261124091205:" + "A" * 102, "103 base32 characters"),
    ("LK1:{ref}:SKD:20261124091205:" + "a" * 103, "103 base32 characters"),
])
def test_malformed_payloads_say_what_is_wrong(payload: str, message: str) -> None:
    payload = payload.format(ref=make_reference("K7Q2", FILED.date(), 42))
    with pytest.raises(MalformedPayload, match=re.escape(message)) as raised:
        verify_qr_payload(payload, {"K7Q2": KEYS.verify_key})
    assert str(raised.value).startswith("malformed: ")


@given(st.text(max_size=300))
def test_arbitrary_text_is_only_ever_refused_as_an_invalid_receipt(text: str) -> None:
    with pytest.raises(ReceiptInvalid):
        verify_qr_payload(text, {"K7Q2": KEYS.verify_key})


@given(st.data())
def test_any_single_character_change_is_caught(data: st.DataObject) -> None:
    payload = make_qr_payload(IDENTITY, application())
    position = data.draw(st.integers(0, len(payload) - 1))
    replacement = data.draw(st.sampled_from("0123456789ABCDEFGHJKMNPQRSTVWXYZ:-").filter(
        lambda c: c != payload[position]))
    tampered = payload[:position] + replacement + payload[position + 1:]
    with pytest.raises(ReceiptInvalid):
        verify_qr_payload(tampered, {"K7Q2": KEYS.verify_key})


@given(sequence=st.integers(1, 99999), service=st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,19}", fullmatch=True),
       filed=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31),
                          timezones=st.just(dt.UTC)))
def test_every_well_formed_application_round_trips(sequence: int, service: str, filed: dt.datetime) -> None:
    app = application(make_reference("K7Q2", filed.date(), sequence), service, filed)
    receipt = verify_qr_payload(make_qr_payload(IDENTITY, app), {"K7Q2": KEYS.verify_key})
    assert (receipt.reference, receipt.service_code) == (app.reference, service)
    assert receipt.filed_at == filed.replace(microsecond=0)
