"""Batch upload: each application accepted once, duplicates recognised, refusals permanent and per application."""

import datetime as dt
import gzip
import json

from sqlalchemy import select

from central.db import Database
from central.ingest import PROFILE_TTL_S, ingest_profile
from central.letters.office_settings import update_settings
from central.models import AuditEntry, Terminal
from central.offices import create_office
from central.records import show_application
from kiosk.crypto import b64encode, new_office_keypair, seal_for_office
from sync.protocol import MAX_BATCH_COUNT, MAX_BODY_BYTES, MAX_COMPRESSED_BYTES, AuditUpload, Heartbeat
from tests.harness.simterminal import SimulatedTerminal


def _outcomes(response):
    return [(r.outcome, r.reason) for r in response.results]


def test_new_applications_are_accepted_then_duplicate_when_sent_again(enrolled_any):
    sim = enrolled_any()
    apps = [sim.application() for _ in range(3)]
    assert [r.outcome for r in sim.upload(apps).results] == ["accepted"] * 3
    assert [r.outcome for r in sim.upload(apps).results] == ["duplicate"] * 3
    assert [r.id for r in sim.upload(apps).results] == [a.id for a in apps]


def test_an_accepted_application_opens_to_what_was_sealed(central, enrolled):
    sim = enrolled()
    app = sim.application(service_code="SKU", answers={"nama": "Budi Santoso", "usaha": "Warung"})
    sim.upload([app])
    with Database(central.db_url).transaction() as session:
        shown = show_application(session, app.reference, actor="test", purpose="test checks what opens")
    assert shown["personal_data"]["answers"] == {"nama": "Budi Santoso", "usaha": "Warung"}
    assert shown["service_code"] == "SKU"
    assert shown["terminal"] == sim.identity.terminal_code
    assert shown["status"] == "received"


def test_one_bad_application_is_rejected_with_a_reason_and_the_others_accepted(enrolled):
    sim = enrolled()
    good, unknown_service, good_too = sim.application(), sim.application(service_code="NOPE"), sim.application()
    outcomes = _outcomes(sim.upload([good, unknown_service, good_too]))
    assert outcomes[0] == ("accepted", None)
    assert outcomes[1][0] == "rejected" and "unknown service code 'NOPE'" in outcomes[1][1]
    assert outcomes[2] == ("accepted", None)


def test_data_sealed_to_another_key_is_rejected(enrolled):
    sim = enrolled()
    outcome, reason = _outcomes(sim.upload([sim.application(office_key=new_office_keypair().public_key)]))[0]
    assert outcome == "rejected"
    assert "does not open" in reason


def test_a_reference_of_another_terminal_is_rejected(enrolled):
    sim, other = enrolled(), enrolled()
    foreign = other.application().model_copy(update={"sealed": sim.application().sealed})
    outcome, reason = _outcomes(sim.upload([foreign]))[0]
    assert outcome == "rejected"
    assert "belongs to another terminal" in reason


def test_an_id_taken_by_another_terminal_is_rejected_not_called_duplicate(enrolled):
    sim, other = enrolled(), enrolled()
    taken = other.application()
    other.upload([taken])
    copy = sim.application().model_copy(update={"id": taken.id})
    outcome, reason = _outcomes(sim.upload([copy]))[0]
    assert outcome == "rejected"
    assert "another terminal" in reason


def test_a_reference_used_twice_by_the_same_terminal_is_rejected(enrolled):
    sim = enrolled()
    first = sim.application(sequence=7)
    second = sim.application(sequence=7)
    assert _outcomes(sim.upload([first, second]))[1] == ("rejected",
                                                        f"reference {first.reference} is used by another application")


def test_a_batch_repeating_one_application_stores_it_once(enrolled_any):
    sim = enrolled_any()
    app = sim.application()
    assert [r.outcome for r in sim.upload([app, app, app]).results] == ["accepted", "duplicate", "duplicate"]


def test_an_implausible_filing_time_is_rejected(enrolled):
    sim = enrolled()
    old = sim.application().model_copy(update={"created_at": dt.datetime(1, 1, 1, tzinfo=dt.UTC)})
    outcome, reason = _outcomes(sim.upload([old]))[0]
    assert outcome == "rejected" and "not a plausible time" in reason


def test_a_non_uuid_id_is_rejected(enrolled):
    sim = enrolled()
    odd = sim.application().model_copy(update={"id": "x" * 36})
    assert _outcomes(sim.upload([odd]))[0][0] == "rejected"


def test_audit_entries_are_stored_once_and_acknowledged(central, enrolled):
    sim = enrolled()
    entries = [AuditUpload(id=i, at=dt.datetime.now(dt.UTC), actor="technician", action="maintenance.open",
                           detail=f"entry {i}") for i in (1, 2)]
    assert sim.upload([], entries).audit_stored == [1, 2]
    assert sim.upload([], entries).audit_stored == [1, 2]
    with Database(central.db_url).transaction() as session:
        stored = session.scalars(select(AuditEntry.detail).where(AuditEntry.terminal_id == sim.terminal_id)).all()
    assert sorted(stored) == ["entry 1", "entry 2"]


def test_a_plain_json_body_is_accepted_too(enrolled):
    sim = enrolled()
    app = sim.application()
    body = json.dumps({"applications": [json.loads(app.model_dump_json())]}).encode()
    answer = sim.signed("POST", "/api/v1/applications/batch", body, {"Content-Type": "application/json"})
    assert answer.status_code == 200
    assert answer.json()["results"][0]["outcome"] == "accepted"


def test_a_body_over_the_wire_limit_is_413(enrolled):
    sim = enrolled()
    answer = sim.upload_raw(b"\0" * (MAX_COMPRESSED_BYTES + 1))
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"


def test_a_body_that_inflates_past_the_limit_is_413(enrolled):
    sim = enrolled()
    bomb = gzip.compress(b" " * (MAX_BODY_BYTES + 10))
    assert len(bomb) < MAX_COMPRESSED_BYTES
    answer = sim.upload_raw(bomb)
    assert answer.status_code == 413


def test_more_applications_than_a_batch_may_hold_is_422(enrolled):
    sim = enrolled()
    app = sim.application()
    too_many = {"applications": [json.loads(app.model_dump_json())] * (MAX_BATCH_COUNT + 1)}
    answer = sim.upload_raw(gzip.compress(json.dumps(too_many).encode()))
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid"


def test_a_body_that_is_not_gzip_is_400(enrolled):
    answer = enrolled().upload_raw(b"this is not gzip")
    assert answer.status_code == 400
    assert answer.json()["error"] == "malformed"


def test_gzip_of_something_not_json_is_400(enrolled):
    answer = enrolled().upload_raw(gzip.compress(b"{not json"))
    assert answer.status_code == 400


def test_json_of_the_wrong_shape_is_422_naming_the_field(enrolled):
    answer = enrolled().upload_raw(gzip.compress(b'{"applications": [{"id": 5}]}'))
    assert answer.status_code == 422
    assert "applications.0" in answer.json()["message"]


def test_an_accepted_application_shows_up_as_received_in_status_changes(enrolled_any):
    sim = enrolled_any()
    app = sim.application()
    sim.upload([app])
    changes = sim.status_changes(0)
    assert [(c.application_id, c.reference, c.status) for c in changes.changes] == [(app.id, app.reference,
                                                                                      "received")]
    assert sim.status_changes(changes.cursor).changes == []


def test_sealed_content_that_is_not_a_json_object_is_rejected(enrolled):
    sim = enrolled()
    app = sim.application()
    not_an_object = b64encode(seal_for_office(sim.identity.office_key, ["just", "a", "list"]))  # type: ignore[arg-type]
    outcome, reason = _outcomes(sim.upload([app.model_copy(update={"sealed": not_an_object})]))[0]
    assert (outcome, reason) == ("rejected", "sealed data is not a JSON object")


def test_an_audit_id_past_64_bits_refuses_the_whole_batch_with_422_and_stores_nothing(central, enrolled):
    sim = enrolled()
    app = sim.application()
    entry = AuditUpload(id=2**63, at=dt.datetime.now(dt.UTC), actor="technician", action="export", detail="usb")
    answer = sim.upload_raw(sim.batch_body([app], [entry]))
    assert answer.status_code == 422 and answer.json()["error"] == "invalid" and "audit.0.id" in answer.text
    assert sim.upload([app]).results[0].outcome == "accepted"  # the first try left nothing behind


def _reported_queue(db_url, terminal_id):
    db = Database(db_url, migrate_schema=False)
    try:
        with db.transaction() as session:
            return json.loads(session.get(Terminal, terminal_id).queue_json)
    finally:
        db.dispose()


def test_the_queue_a_terminal_reported_moves_on_with_each_batch_even_when_one_is_refused(any_central):
    # on PostgreSQL the move is written by the insert statement itself, and corrected after it when the
    # database refused what the checks let through (here: a reference another application holds)
    sim = SimulatedTerminal(any_central.url)
    sim.enroll(any_central.enrollment_code(any_central.create_office()))
    sim.heartbeat(Heartbeat(queue={"queued": 6, "sending": 0, "synced": 2, "rejected": 0}))
    first = [sim.application() for _ in range(3)]
    assert [r.outcome for r in sim.upload(first).results] == ["accepted"] * 3
    assert _reported_queue(any_central.db_url, sim.terminal_id) == {"queued": 3, "sending": 0, "synced": 5,
                                                                    "rejected": 0}
    taken = sim.application().model_copy(update={"reference": first[0].reference})
    second = [sim.application(), taken, sim.application(service_code="NOPE")]
    assert [r.outcome for r in sim.upload(second).results] == ["accepted", "rejected", "rejected"]
    assert _reported_queue(any_central.db_url, sim.terminal_id) == {"queued": 0, "sending": 0, "synced": 6,
                                                                    "rejected": 2}


def test_ingest_reuses_an_office_profile_for_due_dates_at_most_its_ttl(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'ttl.db'}")
    try:
        with db.transaction() as session:
            office = create_office(session, "3273010001", "Kelurahan Braga")
            before = ingest_profile(session, office.id, now=1000.0)
            update_settings(session, office, {"time_zone": "WIT"})
            within = ingest_profile(session, office.id, now=1000.0 + PROFILE_TTL_S)
            after = ingest_profile(session, office.id, now=1000.0 + PROFILE_TTL_S + 0.1)
    finally:
        db.dispose()
    assert before.zone.key == within.zone.key == "Asia/Jakarta"  # the office code says West Java
    assert after.zone.key == "Asia/Jayapura"  # staff's change reaches due dates once the TTL ran out
