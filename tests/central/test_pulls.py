"""What terminals pull: the catalog with its ETag, status changes after a cursor, and heartbeat answers."""

import dataclasses
import hashlib
import json
from pathlib import Path

import jsonschema

import kiosk.catalog
from central.db import Database
from central.offices import catalog_in_force, get_office, publish_catalog, rotate_office_key
from central.records import list_terminals
from kiosk.catalog import DEFAULT_CATALOG, parse_catalog_bytes
from sync.protocol import Heartbeat
from tests.central.status_support import move_to


def without_letters(document: dict) -> dict:
    """The catalog as terminals get it: each service without its `letter` part (only central renders letters)."""
    return {**document, "services": [{k: v for k, v in s.items() if k != "letter"} for s in document["services"]]}


def keys_anywhere(node: object) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in keys_anywhere(v)}
    if isinstance(node, list):
        return {k for v in node for k in keys_anywhere(v)}
    return set()


def schema_before_letters() -> dict:
    """The previous release's catalog schema, made from the current one by deleting the service's `letter`
    property (what commit 03e8d9c added; `$defs` it no longer refers to are left, they check nothing). A
    service there has `additionalProperties: false`, so such a terminal refuses any catalog with a letter."""
    schema = json.loads((Path(kiosk.catalog.__file__).parent / "schema.json").read_text(encoding="utf-8"))
    service = schema["$defs"]["service"]
    assert service["additionalProperties"] is False
    del service["properties"]["letter"]
    return schema


def test_the_catalog_is_the_offices_document_with_an_etag_and_304_when_unchanged(enrolled_any):
    sim = enrolled_any()
    first = sim.catalog()
    assert first.status_code == 200
    assert first.json() == without_letters(json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8")))
    etag = first.headers["ETag"]
    again = sim.catalog(etag)
    assert again.status_code == 304
    assert again.content == b""
    assert sim.catalog('"something-else"').status_code == 200


def test_terminals_get_the_catalog_without_letters_which_a_terminal_from_before_letters_accepts(central, enrolled):
    sim = enrolled()
    served = sim.catalog()
    with Database(central.db_url).transaction() as session:
        stored = catalog_in_force(session, get_office(session, sim.identity.office_code).id)
        full = parse_catalog_bytes(stored.document.encode("utf-8"))
    # central keeps the whole document: its letters are rendered from it
    assert "letter" in keys_anywhere(json.loads(stored.document))
    assert full.service("SKD").letter is not None
    # terminals get it without any letter, and nothing else changed
    assert served.status_code == 200 and "letter" not in keys_anywhere(served.json())
    assert served.json() == without_letters(json.loads(stored.document))
    assert parse_catalog_bytes(served.content) == dataclasses.replace(
        full, services=tuple(dataclasses.replace(s, letter=None) for s in full.services))
    older = jsonschema.Draft202012Validator(schema_before_letters())
    assert list(older.iter_errors(served.json())) == []
    assert list(older.iter_errors(json.loads(stored.document)))  # the whole one such a terminal refuses
    # the ETag names the bytes served, is the same on every request, and they get 304 with it
    etag = served.headers["ETag"]
    assert etag == f'"{hashlib.sha256(served.content).hexdigest()}"' != stored.etag
    again = sim.catalog()
    assert (again.headers["ETag"], again.content) == (etag, served.content)
    assert sim.catalog(etag).status_code == 304
    assert sim.catalog(stored.etag).status_code == 200  # the whole document's tag is not what they hold


def test_a_catalog_without_letters_is_served_byte_for_byte(central, enrolled, tmp_path):
    sim = enrolled()
    raw = json.dumps(without_letters(json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))), indent=4).encode()
    path = tmp_path / "catalog.json"
    path.write_bytes(raw)
    with Database(central.db_url).transaction() as session:
        entry = publish_catalog(session, get_office(session, sim.identity.office_code), path)
    served = sim.catalog()
    assert (served.content, served.headers["ETag"]) == (raw, entry.etag)


def test_a_new_catalog_changes_the_etag(central, enrolled, tmp_path):
    sim = enrolled()
    etag = sim.catalog().headers["ETag"]
    doc = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    doc["version"] = "2026.12.1"
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with Database(central.db_url).transaction() as session:
        publish_catalog(session, get_office(session, sim.identity.office_code), path)
    changed = sim.catalog(etag)
    assert changed.status_code == 200
    assert changed.json()["version"] == "2026.12.1"
    assert sim.heartbeat().catalog_version == "2026.12.1"


def test_status_changes_are_this_terminals_only_and_follow_the_cursor(any_central, enrolled_any):
    sim, other = enrolled_any(), enrolled_any()
    mine = [sim.application() for _ in range(3)]
    sim.upload(mine)
    other.upload([other.application()])
    first = sim.status_changes(0)
    assert {c.application_id for c in first.changes} == {a.id for a in mine}
    with Database(any_central.db_url).transaction() as session:
        move_to(session, mine[1].reference, "in_process")
        move_to(session, mine[1].reference, "ready")
    later = sim.status_changes(first.cursor)
    assert [(c.reference, c.status) for c in later.changes] == [(mine[1].reference, "in_process"),
                                                                (mine[1].reference, "ready")]
    assert later.cursor > first.cursor
    assert sim.status_changes(later.cursor).changes == []


def test_a_negative_or_non_numeric_cursor_is_422(enrolled):
    sim = enrolled()
    assert sim.signed("GET", "/api/v1/status-changes?since=-1").status_code == 422
    assert sim.signed("GET", "/api/v1/status-changes?since=abc").status_code == 422


def test_a_heartbeat_is_recorded_for_staff(central, enrolled):
    sim = enrolled()
    answer = sim.heartbeat(Heartbeat(queue={"queued": 4, "synced": 10}, oldest_unsynced_age_s=125.5,
                                     app_version="0.1.0", catalog_version="2026.11.1", last_error="timeout"))
    assert answer.office_key == sim.identity.office_key
    with Database(central.db_url).transaction() as session:
        (row,) = [t for t in list_terminals(session) if t["code"] == sim.identity.terminal_code]
    assert row["queue"] == {"queued": 4, "synced": 10}
    assert row["oldest_unsynced_age_s"] == 125.5
    assert (row["app_version"], row["catalog_version"], row["last_error"]) == ("0.1.0", "2026.11.1", "timeout")
    assert row["last_seen_at"] is not None


def test_after_key_rotation_the_heartbeat_hands_out_the_new_key_and_old_sealed_data_still_opens(central, enrolled):
    sim = enrolled()
    old_key = sim.identity.office_key
    sim.upload([sim.application()])  # central now holds the office's keys in memory
    with Database(central.db_url).transaction() as session:
        new_key = rotate_office_key(session, get_office(session, sim.identity.office_code)).public_key
    assert sim.heartbeat().office_key == new_key != old_key
    sealed_to_old = sim.application(office_key=old_key)
    sealed_to_new = sim.application(office_key=new_key)
    assert [r.outcome for r in sim.upload([sealed_to_old, sealed_to_new]).results] == ["accepted", "accepted"]


def test_a_decline_reason_goes_only_to_terminals_that_ask_for_it(central, enrolled):
    from pydantic import ConfigDict

    from sync.protocol import PATH_STATUS_CHANGES, StatusChanges
    from sync.protocol import StatusChange as NewStatusChange

    class OldStatusChange(NewStatusChange):  # what a terminal from before `reason` accepts
        model_config = ConfigDict(extra="forbid", frozen=True)
        reason: None = None

    sim = enrolled()
    app = sim.application()
    sim.upload([app])
    with Database(central.db_url).transaction() as session:
        move_to(session, app.reference, "in_process", note="staff-only note")
        move_to(session, app.reference, "declined", note="Fotokopi KK tidak terbaca")
    asked = sim.status_changes(reasons=True).changes
    assert [(c.status, c.reason) for c in asked] == [("received", None), ("in_process", None),
                                                     ("declined", "Fotokopi KK tidak terbaca")]
    old_style = sim.signed("GET", f"{PATH_STATUS_CHANGES}?since=0").json()
    assert all("reason" not in change for change in old_style["changes"])
    assert [OldStatusChange.model_validate(c).status for c in old_style["changes"]] == [
        "received", "in_process", "declined"]
    assert StatusChanges.model_validate(old_style).changes[2].reason is None
