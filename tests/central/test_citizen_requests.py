"""The citizen's requests with the real parts: a real kiosk terminal files them into its queue and its
sync worker uploads them to the real central over HTTP; staff decide them through the console's real
login and forms (requests over loopback). A correction is applied with its old and new value sealed in
the access log, a deletion leaves the skeleton, a request about deleted data says so, and every bad
input gets a clear answer (never a 5xx)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central.citizen_requests import requests_of_office
from central.cli import main as central_cli
from central.console.accounts import add_staff
from central.db import Database
from central.models import AccessLogEntry, AccessLogSealed, Application, CitizenRequest, Office
from central.records import PersonalDataDeleted, open_personal_data
from central.request_decisions import CORRECTED, corrected_values
from kiosk.citizen_requests import REQUEST_SERVICE, RequestRefused, file_request
from kiosk.crypto import seal_for_office
from kiosk.errors import FormInvalid
from loket.export import export_unsynced
from loket.my_data import fetch_record
from tests.central.console.conftest import PASSWORD, ConsoleClient
from tests.central.console.test_browser import enrolled_kiosk

OFFICE, NAME = "3273010002", "Kelurahan Citarum"
OPERATOR, SUPERVISOR = "ayu", "lurah.citarum"


@pytest.fixture(scope="module")
def setup(central, tmp_path_factory):  # noqa: ANN201
    central.create_office(OFFICE, NAME)
    db = Database(central.db_url, migrate_schema=False)
    with db.transaction() as session:
        add_staff(session, OFFICE, OPERATOR, "operator", PASSWORD)
        add_staff(session, OFFICE, SUPERVISOR, "supervisor", PASSWORD)
    kiosk = enrolled_kiosk(central, OFFICE, tmp_path_factory.mktemp("kiosk"))
    yield kiosk, db
    kiosk.terminal.close()
    db.dispose()


def console(central, who: str) -> ConsoleClient:  # noqa: ANN001
    client = ConsoleClient(central.url)
    assert client.log_in(who).status_code == 200
    return client


def request_row(db: Database, request_id: str) -> CitizenRequest:
    with db.transaction() as session:
        row = session.get(CitizenRequest, request_id)
        session.expunge(row)
        return row


def test_a_correction_is_synced_once_decided_in_the_console_and_kept_sealed_in_the_access_log(setup, central):
    kiosk, db = setup
    reference = kiosk.file("SKD", "Siti Aminah")
    kiosk.sync()
    asked = file_request(kiosk.terminal.store, kiosk.terminal.catalog, reference, "correction",
                         field="address", value="Jl. Asia Afrika No. 8, Bandung")
    assert asked.service_code == REQUEST_SERVICE and asked.reference != reference
    kiosk.sync()
    row = request_row(db, asked.id)
    assert (row.kind, row.field, row.state) == ("correction", "address", "received")
    assert row.due_at - row.received_at == dt.timedelta(hours=72)
    # an acknowledgement lost (or central restored from a backup): the terminal sends it again
    assert kiosk.terminal.store.requeue_synced_since(row.received_at - dt.timedelta(minutes=5)) >= 1
    kiosk.sync()
    assert kiosk.terminal.store.get(asked.reference).state == "synced"
    with db.transaction() as session:
        assert len(session.scalars(select(CitizenRequest).where(CitizenRequest.application_id == row.application_id))
                   .all()) == 1  # exactly once in effect

    staff = console(central, OPERATOR)
    queue = staff.get("/staff/requests")
    assert queue.status_code == 200 and asked.reference in queue.text and reference in queue.text
    page = staff.get(f"/staff/requests/{asked.id}")
    assert page.status_code == 200 and "Jl. Asia Afrika" not in page.text  # nothing personal until opened
    opened = staff.post(f"/staff/requests/{asked.id}/open")
    assert opened.status_code == 200
    assert "Jl. Braga No. 12, Bandung" in opened.text and "Jl. Asia Afrika No. 8, Bandung" in opened.text
    decided = staff.post(f"/staff/requests/{asked.id}/decide", {"action": "apply"})
    assert decided.status_code == 200 and "Keputusan disimpan" in decided.text

    with db.transaction() as session:
        app = session.scalar(select(Application).where(Application.reference == reference))
        assert open_personal_data(session, app)["answers"]["address"] == "Jl. Asia Afrika No. 8, Bandung"
        entry = session.scalar(select(AccessLogEntry).where(AccessLogEntry.action == CORRECTED,
                                                            AccessLogEntry.application_id == app.id))
        assert entry is not None and entry.username == OPERATOR and "address" in entry.detail
        assert corrected_values(session, entry.id) == {"field": "address", "old": "Jl. Braga No. 12, Bandung",
                                                       "new": "Jl. Asia Afrika No. 8, Bandung"}
        kept = session.get(AccessLogSealed, entry.id)
        assert b"Asia Afrika" not in kept.sealed and b"Braga No. 12" not in kept.sealed
    dump = Path(central.db_url.removeprefix("sqlite:///")).read_bytes()
    for path in Path(central.db_url.removeprefix("sqlite:///")).parent.glob("central.db-wal"):
        dump += path.read_bytes()
    assert b"Asia Afrika" not in dump and b"Siti Aminah" not in dump  # a dump alone opens nothing

    record = fetch_record(kiosk.terminal, reference)
    requests = [e.detail for e in record.events if e.kind == "request"]
    assert requests == [f"correction:received:{asked.reference}", "correction:applied"]
    assert any(e.kind == "opened" and e.detail == "koreksi data atas permintaan Anda" for e in record.events)


def test_a_deletion_leaves_the_skeleton_and_a_later_request_says_the_data_is_gone(setup, central):
    kiosk, db = setup
    reference = kiosk.file("SKD", "Budi Santoso", notify_sms=False)
    kiosk.sync()
    asked = file_request(kiosk.terminal.store, kiosk.terminal.catalog, reference, "deletion")
    kiosk.sync()
    operator = console(central, OPERATOR)
    refused = operator.post(f"/staff/requests/{asked.id}/decide", {"action": "apply"})
    assert refused.status_code == 403 and "supervisor" in refused.text
    supervisor = console(central, SUPERVISOR)
    assert supervisor.post(f"/staff/requests/{asked.id}/decide", {"action": "apply"}).status_code == 200
    with db.transaction() as session:
        app = session.scalar(select(Application).where(Application.reference == reference))
        assert app.sealed == b"" and app.personal_data_deleted_at is not None
        assert (app.reference, app.service_code, app.status) == (reference, "SKD", "declined")  # the lifecycle ends it
        assert app.filed_at is not None and app.received_at is not None
        with pytest.raises(PersonalDataDeleted):
            open_personal_data(session, app)
    kiosk.worker.run_once()  # Cek Status at the kiosk: declined, with the reason
    status = kiosk.status(reference)
    assert status.status == "declined" and "menarik persetujuan" in (status.decline_reason or "")
    page = supervisor.post(f"/staff/applications/{reference}/personal-data")
    assert 400 <= page.status_code < 500 and "dihapus" in page.text

    again = file_request(kiosk.terminal.store, kiosk.terminal.catalog, reference, "copy")
    kiosk.sync()
    assert request_row(db, again.id).state == "already_deleted"
    kinds = [(e.kind, e.detail) for e in fetch_record(kiosk.terminal, reference).events]
    assert ("deleted", "") in kinds and ("request", "copy:already_deleted") in kinds
    assert kiosk.terminal.store.get(reference).answers_deleted_at is not None  # the kiosk's sealed copy went too
    assert ("retention", "") in [(e.kind, e.detail) for e in fetch_record(kiosk.terminal, reference).events]


def test_bad_requests_are_refused_with_clear_words(setup, central):
    kiosk, db = setup
    store, catalog = kiosk.terminal.store, kiosk.terminal.catalog
    reference = kiosk.file("SKD", "Dewi Lestari")
    before = store.counts()
    with pytest.raises(FormInvalid) as wrong:
        file_request(store, catalog, reference, "correction", field="nik", value="12345")
    assert "16" in wrong.value.errors["nik"].id
    with pytest.raises(FormInvalid) as no_field:
        file_request(store, catalog, reference, "correction", field="shoe_size", value="42")
    assert "pilih salah satu" in no_field.value.errors["shoe_size"].id
    with pytest.raises(FormInvalid) as consent:
        file_request(store, catalog, reference, "correction", field="consent", value="no")
    assert "penarikan persetujuan" in consent.value.errors["consent"].id
    with pytest.raises(RequestRefused) as kind:
        file_request(store, catalog, reference, "erase-everything")
    assert kind.value.text.en == "Unknown kind of request."
    with pytest.raises(RequestRefused):
        file_request(store, catalog, "ZZZZ-0101-0001-X", "copy")
    assert store.counts() == before  # nothing was queued by any of them

    kiosk.sync()
    asked = file_request(store, catalog, reference, "copy")
    kiosk.sync()
    staff = console(central, OPERATOR)
    no_reason = staff.post(f"/staff/requests/{asked.id}/decide", {"action": "refuse"})
    assert no_reason.status_code == 409 and "alasan" in no_reason.text
    nonsense = staff.post(f"/staff/requests/{asked.id}/decide", {"action": "maybe"})
    assert nonsense.status_code == 409
    assert staff.get("/staff/requests/not-a-request").status_code == 404
    refused = staff.post(f"/staff/requests/{asked.id}/decide", {"action": "refuse", "note": "Datang ke loket."})
    assert refused.status_code == 200
    twice = staff.post(f"/staff/requests/{asked.id}/decide", {"action": "apply"})
    assert twice.status_code == 409 and "sudah diputuskan" in twice.text
    assert request_row(db, asked.id).note == "Datang ke loket."

    # a correction the kiosk would have refused (made by hand here): the console refuses to apply it, in words
    forged_value = seal_for_office(store.identity().office_key, {"service": REQUEST_SERVICE, "request": {
        "kind": "correction", "about": reference, "field": "nik", "value": "12345"}})
    bad = store.submit(REQUEST_SERVICE, catalog.version, forged_value, flags=["request:correction",
                                                                                      f"about:{reference}"])
    kiosk.sync()
    refused_value = staff.post(f"/staff/requests/{bad.id}/decide", {"action": "apply"})
    assert refused_value.status_code == 409 and "Nilai baru tidak sah" in refused_value.text
    assert request_row(db, bad.id).state == "received"  # nothing changed

    sealed = seal_for_office(store.identity().office_key, {"service": REQUEST_SERVICE, "request": {"kind": "copy"}})
    forged = store.submit(REQUEST_SERVICE, catalog.version, sealed, flags=["request:copy"])  # no "about:"
    kiosk.worker.run_once()
    assert store.get(forged.reference).state == "rejected"
    assert "reference it is about" in store.get(forged.reference).reason


def test_the_queue_puts_the_open_request_due_first_and_marks_overdue(setup, central):
    kiosk, db = setup
    for name in ("Agus Salim", "Rina Marlina"):
        file_request(kiosk.terminal.store, kiosk.terminal.catalog, kiosk.file("SKD", name), "copy")
    kiosk.sync()
    with db.transaction() as session:
        office = session.scalar(select(Office).where(Office.code == OFFICE))
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=80)
        rows = requests_of_office(session, office.id, later)
    waiting = [r for r in rows if r.state == "received"]
    assert len(waiting) >= 2 and all(r.overdue for r in waiting)
    assert [r.due_at for r in waiting] == sorted(r.due_at for r in waiting)
    assert not any(r.overdue for r in rows if r.state != "received")


def test_on_postgresql_too_requests_are_taken_once_and_decided(central_pg, tmp_path):
    central_pg.create_office(OFFICE, NAME)
    db = Database(central_pg.db_url, migrate_schema=False)
    with db.transaction() as session:
        add_staff(session, OFFICE, SUPERVISOR, "supervisor", PASSWORD)
    kiosk = enrolled_kiosk(central_pg, OFFICE, tmp_path)
    try:
        kept, gone = kiosk.file("SKD", "Joko Susilo"), kiosk.file("SKD", "Rina Marlina")
        kiosk.sync()
        store, catalog = kiosk.terminal.store, kiosk.terminal.catalog
        correction = file_request(store, catalog, kept, "correction", field="rt_rw", value="004/006")
        deletion = file_request(store, catalog, gone, "deletion")
        kiosk.sync()
        assert store.requeue_synced_since(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)) >= 2
        kiosk.sync()  # sent again: duplicates, nothing doubled
        staff = console(central_pg, SUPERVISOR)
        for asked in (correction, deletion):
            assert staff.post(f"/staff/requests/{asked.id}/decide", {"action": "apply"}).status_code == 200
        with db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(CitizenRequest)) == 2
            by_reference = {a.reference: a for a in session.scalars(select(Application))}
            assert open_personal_data(session, by_reference[kept])["answers"]["rt_rw"] == "004/006"
            assert by_reference[gone].sealed == b"" and by_reference[gone].personal_data_deleted_at is not None
            states = {r.id: r.state for r in session.scalars(select(CitizenRequest))}
        assert states == {correction.id: "applied", deletion.id: "applied"}
    finally:
        kiosk.terminal.close()
        db.dispose()


def test_a_copy_is_opened_for_the_counter_and_the_citizen_told_where_to_collect_it(setup, central):
    kiosk, db = setup
    reference = kiosk.file("SKD", "Agus Salim")
    kiosk.sync()
    asked = file_request(kiosk.terminal.store, kiosk.terminal.catalog, reference, "copy")
    kiosk.sync()
    staff = console(central, OPERATOR)
    opened = staff.post(f"/staff/requests/{asked.id}/open")
    assert opened.status_code == 200 and "Agus Salim" in opened.text and "Nama lengkap" in opened.text
    assert staff.post(f"/staff/requests/{asked.id}/decide", {"action": "apply"}).status_code == 200
    record = fetch_record(kiosk.terminal, reference)
    assert "copy:applied:Salinan data Anda siap diambil di loket kantor. Bawa KTP asli." in [
        e.detail for e in record.events if e.kind == "request"]
    assert any(e.kind == "opened" and e.detail == "salinan data atas permintaan Anda" for e in record.events)


def test_a_request_carried_on_a_usb_stick_is_taken_in_by_import_once_like_an_application(setup, central, tmp_path,
                                                                                        capsys):
    kiosk, db = setup
    reference = kiosk.file("SKD", "Joko Susilo")
    kiosk.sync()
    asked = file_request(kiosk.terminal.store, kiosk.terminal.catalog, reference, "copy")
    bundle = export_unsynced(kiosk.terminal, tmp_path).path  # no network: the technician's USB export
    for expected in ("accepted 1, duplicate 0", "accepted 0, duplicate 1"):
        assert central_cli(["import", str(bundle), "--db", central.db_url]) == 0
        assert expected in capsys.readouterr().out
    assert request_row(db, asked.id).state == "received"
    kiosk.sync()  # the online upload afterwards is a duplicate: still one request
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(CitizenRequest)
                              .where(CitizenRequest.id == asked.id)) == 1


def test_the_command_line_lists_and_decides_with_the_consoles_rules_in_one_line_each(setup, central, capsys):
    kiosk, db = setup
    reference = kiosk.file("SKD", "Siti Aminah")
    kiosk.sync()
    asked = file_request(kiosk.terminal.store, kiosk.terminal.catalog, reference, "correction",
                         field="rt_rw", value="007/008")
    kiosk.sync()
    assert central_cli(["requests", "list", "--office", OFFICE, "--db", central.db_url]) == 0
    listed = capsys.readouterr().out
    assert asked.id in listed and "correction" in listed and "007/008" not in listed  # nothing personal
    assert central_cli(["requests", "decide", asked.id, "refuse", "--db", central.db_url]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0  # one line: the reason is missing
    assert central_cli(["requests", "decide", "no-such-request", "apply", "--db", central.db_url]) == 2
    assert "no request" in capsys.readouterr().err
    assert central_cli(["requests", "decide", asked.id, "apply", "--db", central.db_url]) == 0
    assert capsys.readouterr().out.strip() == f"request {asked.reference}: applied"
    with db.transaction() as session:
        app = session.scalar(select(Application).where(Application.reference == reference))
        assert open_personal_data(session, app)["answers"]["rt_rw"] == "007/008"
        actors = {e.username for e in session.scalars(select(AccessLogEntry).where(
            AccessLogEntry.application_id == app.id, AccessLogEntry.action == CORRECTED))}
    assert len(actors) == 1 and actors.pop().startswith("cli:")
