"""Cek Status needs the receipt's PIN: guessing a neighbour's number shows nothing, and guessing rests."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.applications import file_application
from kiosk.errors import BadReference
from kiosk.reference import make_reference
from kiosk.samples import sample_answers
from kiosk.status_pin import (
    COOLDOWN,
    LookupCoolingDown,
    LookupGuard,
    look_up_with_pin,
    pin_from_secret,
    status_pin,
)
from kiosk.store import identity_file
from kiosk.terminal import Terminal

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def file_some(terminal: Terminal, count: int) -> list:
    service = terminal.catalog.service("SKU")
    return [file_application(terminal.store, terminal.catalog, "SKU", sample_answers(service)) for _ in range(count)]


@given(st.binary(min_size=32, max_size=32), st.uuids())
def test_a_pin_is_always_four_digits(secret: bytes, app_id: uuid.UUID) -> None:
    pin = pin_from_secret(secret, str(app_id))
    assert len(pin) == 4 and pin.isdigit()


def test_pins_spread_over_all_four_digit_values_and_depend_on_the_secret() -> None:
    secret = bytes(range(32))
    pins = [pin_from_secret(secret, str(uuid.UUID(int=n))) for n in range(5000)]
    assert len(set(pins)) > 3500, "close to uniform: 5000 draws from 10 000 give ~3900 distinct"
    assert sum(p.startswith("0") for p in pins) > 350
    other = [pin_from_secret(bytes(32), str(uuid.UUID(int=n))) for n in range(200)]
    assert sum(a == b for a, b in zip(pins, other, strict=False)) < 10


def test_the_right_number_and_pin_show_the_status(terminal: Terminal) -> None:
    [app] = file_some(terminal, 1)
    pin = status_pin(terminal.store, app.id)
    found = look_up_with_pin(terminal.store, terminal.catalog, app.reference.lower(), pin, LookupGuard(), now=NOW)
    assert found.found and found.status == "queued"


def test_a_neighbours_number_with_my_pin_says_only_not_found(terminal: Terminal) -> None:
    mine, neighbour = file_some(terminal, 2)
    my_pin = status_pin(terminal.store, mine.id)
    assert my_pin != status_pin(terminal.store, neighbour.id)
    guessed = look_up_with_pin(terminal.store, terminal.catalog, neighbour.reference, my_pin, LookupGuard(), now=NOW)
    unknown_ref = make_reference("K7Q2", NOW.date(), 9999)
    unknown = look_up_with_pin(terminal.store, terminal.catalog, unknown_ref, my_pin, LookupGuard(), now=NOW)
    assert not guessed.found and guessed.status is None and guessed.service_name is None and guessed.filed_at is None
    assert guessed == type(guessed)(reference=neighbour.reference, found=False), "nothing beyond 'not found'"
    assert unknown == type(unknown)(reference=unknown_ref, found=False)


def test_five_misses_rest_the_lookup_for_a_minute_even_for_the_right_pin(terminal: Terminal) -> None:
    [app] = file_some(terminal, 1)
    right = status_pin(terminal.store, app.id)
    guard = LookupGuard()
    for n in range(5):
        wrong = f"{(int(right) + 1 + n) % 10000:04d}"
        assert not look_up_with_pin(terminal.store, terminal.catalog, app.reference, wrong, guard, now=NOW).found
    with pytest.raises(LookupCoolingDown) as resting:
        look_up_with_pin(terminal.store, terminal.catalog, app.reference, right, guard, now=NOW + 30 * SECOND)
    assert resting.value.seconds == 30
    assert any(e["action"] == "citizen.status_cooldown" for e in terminal.store.audit_entries())
    after = look_up_with_pin(terminal.store, terminal.catalog, app.reference, right, guard, now=NOW + COOLDOWN)
    assert after.found


def test_a_mistyped_number_is_a_typing_slip_not_a_miss(terminal: Terminal) -> None:
    guard = LookupGuard()
    for _ in range(8):
        with pytest.raises(BadReference):
            look_up_with_pin(terminal.store, terminal.catalog, "K7Q2-2611-0001-0", "1234", guard, now=NOW)
    assert guard.misses == 0 and guard.cooling_until is None


def test_the_pin_is_not_in_the_queue_database_and_outlives_a_queue_moved_aside(terminal: Terminal) -> None:
    [app] = file_some(terminal, 1)
    pin = status_pin(terminal.store, app.id)
    secret = identity_file.secret(terminal.paths.database, "status_pin_key")
    terminal.close()
    raw = terminal.paths.database.read_bytes()
    assert secret not in raw and secret.hex().encode() not in raw
    assert oct(identity_file.identity_path(terminal.paths.database).stat().st_mode & 0o777) == "0o600"
    terminal.paths.database.write_bytes(b"this is not a database" * 1000)  # corrupt: moved aside at next open
    again = Terminal(terminal.paths.home)
    try:
        assert again.identity.terminal_code == "K7Q2"
        assert status_pin(again.store, app.id) == pin, "recovered applications keep the PIN their receipt shows"
    finally:
        again.close()
