"""The maintenance PIN: stored slow and salted, five wrong tries lock it, each lockout twice as long."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.errors import LoketError
from kiosk.maintenance import MaintenanceGate, PinError, check_new_pin, hash_pin, pin_matches
from kiosk.terminal import Terminal

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
PIN = "482916"


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN)


def test_the_pin_is_stored_salted_and_slow(pin_hash: str) -> None:
    assert PIN not in pin_hash and pin_hash.startswith("scrypt$16384$8$1$")
    assert hash_pin(PIN) != pin_hash  # a fresh salt each time
    assert pin_matches(PIN, pin_hash) and not pin_matches("482917", pin_hash)
    assert not pin_matches(PIN, "garbage") and not pin_matches(PIN, "")


@pytest.mark.parametrize("pin", ["12345", "abcdef", "111111", "123456", "987654", "1234567890123"])
def test_weak_or_malformed_pins_are_refused(pin: str) -> None:
    with pytest.raises(PinError):
        check_new_pin(pin)


def test_the_right_pin_opens_and_is_audited(terminal: Terminal, pin_hash: str) -> None:
    gate = MaintenanceGate(terminal.store, pin_hash)
    assert gate.try_pin(PIN, now=T0).accepted
    assert terminal.store.audit_entries()[-1]["action"] == "maintenance.entered"


def test_five_wrong_pins_lock_for_five_minutes_even_against_the_right_pin(terminal: Terminal, pin_hash: str) -> None:
    gate = MaintenanceGate(terminal.store, pin_hash)
    left = [gate.try_pin("000001", now=T0).attempts_left for _ in range(4)]
    assert left == [4, 3, 2, 1]
    fifth = gate.try_pin("000001", now=T0)
    assert not fifth.accepted and fifth.locked_until == T0 + dt.timedelta(minutes=5)
    assert not gate.try_pin(PIN, now=T0 + dt.timedelta(minutes=4)).accepted
    assert gate.try_pin(PIN, now=T0 + dt.timedelta(minutes=5, seconds=1)).accepted
    actions = [e["action"] for e in terminal.store.audit_entries()]
    assert actions.count("maintenance.pin_failed") == 5 and "maintenance.locked" in actions


def test_each_further_lockout_doubles_until_a_right_pin(terminal: Terminal, pin_hash: str) -> None:
    gate = MaintenanceGate(terminal.store, pin_hash)
    now = T0
    waits = []
    for _ in range(3):
        for _ in range(5):
            attempt = gate.try_pin("999990", now=now)
        waits.append(attempt.locked_until - now)
        now = attempt.locked_until + dt.timedelta(seconds=1)
    assert waits == [dt.timedelta(minutes=5), dt.timedelta(minutes=10), dt.timedelta(minutes=20)]
    assert gate.try_pin(PIN, now=now).accepted
    for _ in range(5):
        attempt = gate.try_pin("999990", now=now)
    assert attempt.locked_until - now == dt.timedelta(minutes=5)


def test_the_lockout_survives_a_restart(terminal: Terminal, pin_hash: str) -> None:
    gate = MaintenanceGate(terminal.store, pin_hash)
    for _ in range(5):
        gate.try_pin("999990", now=T0)
    home = terminal.paths.home
    terminal.close()
    again = Terminal(home)
    try:
        assert MaintenanceGate(again.store, pin_hash).locked_until(T0 + dt.timedelta(minutes=1))
    finally:
        again.close()


def test_without_a_pin_set_maintenance_says_how_to_set_one(terminal: Terminal) -> None:
    with pytest.raises(LoketError, match="set-pin"):
        MaintenanceGate(terminal.store, "").try_pin(PIN)
