"""The processing record's words: what a record says the application's status is now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.record_words import latest_status


@dataclass
class E:
    kind: str
    detail: str = ""
    at: dt.datetime = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
    office: str = "Kelurahan Braga"
    role: str = "operator"


def test_the_last_status_change_in_the_record_is_the_status_now():
    events = [E("filed"), E("received"), E("status", "in_process"), E("opened", "pemrosesan permohonan"),
              E("status", "ready")]
    assert latest_status(events, known="received") == "ready"


def test_without_a_status_change_the_terminals_own_word_stands_then_received():
    assert latest_status([E("filed"), E("received")], known="in_process") == "in_process"
    assert latest_status([E("filed")], known=None) == "received"


def test_a_status_the_lifecycle_does_not_know_is_not_taken():
    assert latest_status([E("status", "in_process"), E("status", "no-such-status")], known=None) == "in_process"
