"""The pure rules under the breach register and the record page: the 3×24-hour clock (hours, not working
days), the masked phone number, the PIN verifier (one per PIN, keyed by the pepper), and the PIN read
from the sealed content only when it is four digits. Hypothesis for each."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from central.breaches import NOTICE_HOURS, clock_of
from central.db import Database
from central.keyring import Keyring, office_private_key
from central.models import Breach, OfficeKey
from central.offices import create_office
from central.record_pin import mask_phone, pepper_of, pin_verifier, verifier_row
from tests.central.test_keys_at_rest import _cli

FOUND = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
moments = st.integers(min_value=0, max_value=400 * 3600).map(lambda s: FOUND + dt.timedelta(seconds=s))


def breach(**done: dt.datetime) -> Breach:
    return Breach(found_at=FOUND, notified_at=done.get("notified"), reported_at=done.get("reported"))


@given(moments)
def test_the_clock_runs_in_hours_from_when_it_was_found(now):
    clock = clock_of(breach(), now)
    assert clock.due_at == FOUND + dt.timedelta(hours=NOTICE_HOURS)
    assert clock.hours_since == int((now - FOUND).total_seconds() // 3600)
    assert clock.overdue == (now > clock.due_at)
    assert abs(clock.hours_since + clock.hours_left - NOTICE_HOURS) <= 1
    assert clock.done_at is None


@given(moments, moments, moments)
def test_the_clock_stops_when_both_notices_were_made(notified, reported, now):
    clock = clock_of(breach(notified=notified, reported=reported), max(now, notified, reported))
    assert clock.done_at == max(notified, reported)
    assert clock.overdue == (clock.done_at > clock.due_at)
    only_one = clock_of(breach(notified=notified), now)
    assert only_one.done_at is None and only_one.overdue == (now > only_one.due_at)


def test_overdue_by_whole_hours():
    clock = clock_of(breach(), FOUND + dt.timedelta(hours=80, minutes=59))
    assert clock.overdue and clock.hours_left == -8 and clock.hours_since == 80


@given(st.text(alphabet="0123456789", min_size=8, max_size=11))
def test_a_masked_phone_keeps_the_operator_prefix_and_three_last_digits_only(rest):
    number = "+628" + rest
    masked = mask_phone(number)
    national = "08" + rest
    assert masked.startswith(national[:4]) and masked.endswith(national[-3:])
    assert sum(c.isdigit() for c in masked) == 7 and len(masked) == len(national)


@given(st.text(alphabet="+0123456789 -", max_size=10).filter(lambda t: sum(c.isdigit() for c in t) < 9))
def test_a_number_too_short_to_mask_is_not_shown_at_all(text):
    assert mask_phone(text) == ""


def test_every_pin_has_its_own_verifier_and_the_pepper_matters():
    app_id = "0190f3a4-1111-7aaa-8bbb-0123456789ab"
    verifiers = {pin_verifier(b"p" * 32, app_id, f"{n:04d}") for n in range(10_000)}
    assert len(verifiers) == 10_000
    assert pin_verifier(b"p" * 32, app_id, "1234") != pin_verifier(b"q" * 32, app_id, "1234")
    assert pin_verifier(b"p" * 32, app_id, "1234") != pin_verifier(b"p" * 32, app_id[:-1] + "c", "1234")


@given(st.one_of(st.none(), st.integers(), st.text(max_size=6), st.lists(st.text(max_size=2), max_size=2)))
def test_only_a_four_digit_pin_in_the_sealed_content_makes_a_verifier(pin):
    row = verifier_row(b"p" * 32, "id", {"status_pin": pin})
    is_pin = isinstance(pin, str) and len(pin) == 4 and pin.isascii() and pin.isdigit()
    assert (row is not None) == is_pin
    assert verifier_row(None, "id", {"status_pin": "1234"}) is None  # without the key file: no verifier


def test_the_pepper_is_behind_the_key_file_and_survives_a_rewrap(tmp_path):
    """A dump of the database holds no pepper; with the key file central derives it; after `keys rewrap`
    under a new key file the same pepper comes out, so every verifier stays good."""
    url, old_key, new_key = f"sqlite:///{tmp_path / 'central.db'}", tmp_path / "old-kek", tmp_path / "new" / "kek"
    db = Database(url, keyring=Keyring(old_key))
    with db.transaction() as session:
        create_office(session, "A1", "Kelurahan A")
        [key] = session.scalars(select(OfficeKey)).all()
        pepper = pepper_of(office_private_key(session, key))
    db.dispose()
    dump = b"".join(p.read_bytes() for p in tmp_path.glob("central.db*"))
    assert pepper not in dump and pepper.hex().encode() not in dump
    done = _cli(url, old_key, "keys", "rewrap", "--new-key-file", str(new_key))
    assert done.returncode == 0, done.stderr
    with Database(url, keyring=Keyring(new_key)).transaction() as session:
        assert pepper_of(office_private_key(session, session.scalars(select(OfficeKey)).one())) == pepper
