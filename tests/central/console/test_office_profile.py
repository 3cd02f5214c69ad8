"""The office's profile: one time zone for its due dates, overdue counts, console clocks and terminals;
its catalog as the core's services; due dates set when an application arrives, never by a page."""

import datetime as dt

from sqlalchemy import select

from central.db import Database
from central.deadlines import add_working_days
from central.inbox import Filters, inbox
from central.letters.office_settings import update_settings
from central.models import Application, Office
from central.office_profile import load_profile, office_timezone, set_time_zone
from kiosk.lifecycle import is_overdue
from tests.central.console.conftest import ConsoleClient
from tests.harness.simterminal import SimulatedTerminal

#: 16.30 UTC on Thursday 26 November: 23.30 WIB that Thursday, 01.30 WIT on Friday the 27th
LATE_EVENING = dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.UTC)


def _in_papua(central, db: Database) -> str:
    """An office whose code says WIB (no province) but whose staff set WIT."""
    code = central.create_office()
    with db.transaction() as session:
        update_settings(session, session.scalar(select(Office).where(Office.code == code)), {"time_zone": "WIT"})
    return code


def test_due_dates_and_overdue_count_on_the_zone_staff_set_for_the_office(central):
    db = Database(central.db_url, migrate_schema=False)
    try:
        code = _in_papua(central, db)
        sim = SimulatedTerminal(central.url)
        sim.enroll(central.enrollment_code(code))
        upload = sim.application(service_code="SKU", filed_on=LATE_EVENING.date()).model_copy(
            update={"created_at": LATE_EVENING})
        assert sim.upload([upload]).results[0].outcome == "accepted"
        with db.transaction() as session:
            due_on = session.scalar(select(Application.due_on).where(Application.id == upload.id))
            profile = load_profile(session, session.scalar(select(Office).where(Office.code == code)))
            zone_name = office_timezone(session.get(Office, profile.id))
    finally:
        db.dispose()
    # set on arrival (no page was read), counted from Friday the 27th, the office's date when it was filed
    assert due_on == add_working_days(dt.date(2026, 11, 27), 3) == dt.date(2026, 12, 2)
    assert zone_name == "Asia/Jayapura" and profile.zone.key == "Asia/Jayapura"
    assert profile.today(LATE_EVENING) == dt.date(2026, 11, 27)
    # due on the Thursday: in Papua it is already Friday, so it is late there (it would not be in WIB)
    assert is_overdue("received", dt.date(2026, 11, 26), profile.today(LATE_EVENING))
    assert not is_overdue("ready", dt.date(2026, 11, 26), profile.today(LATE_EVENING))
    assert profile.services["SKU"].days == 3 and profile.service_name("SKU", "en") != "SKU"


def test_the_console_shows_the_office_clock_in_the_zone_staff_set(central, office, console_db):
    with console_db.transaction() as session:
        update_settings(session, session.scalar(select(Office).where(Office.code == office.code)),
                        {"time_zone": "WITA"})
    staff = ConsoleClient(central.url)
    staff.log_in(office.operator)
    sim = SimulatedTerminal(central.url)
    sim.enroll(central.enrollment_code(office.code))
    upload = sim.application()
    sim.upload([upload])
    page = staff.get(f"/staff/applications/{upload.reference}")
    assert page.status_code == 200 and " WITA" in page.text and " WIB<" not in page.text


def test_reading_the_inbox_writes_nothing(central, office, console_db):
    sim = SimulatedTerminal(central.url)
    sim.enroll(central.enrollment_code(office.code))
    sim.upload([sim.application()])
    mine = select(Office.id).where(Office.code == office.code).scalar_subquery()
    with console_db.transaction() as session:  # as if it arrived before ingest set due dates
        session.execute(Application.__table__.update().where(Application.office_id == mine).values(due_on=None))
    staff = ConsoleClient(central.url)
    staff.log_in(office.operator)
    assert staff.get("/staff").status_code == 200 and staff.get("/staff/reports").status_code in (200, 403)
    with console_db.transaction() as session:
        still_empty = session.scalars(select(Application.due_on).join(Office, Office.id == Application.office_id)
                                      .where(Office.code == office.code)).all()
    assert still_empty == [None]  # (migration 0010 fills such rows, once: tests/central/test_migrations.py)


def test_an_office_with_an_explicit_zone_counts_overdue_in_that_zone(central, console_db):
    """The zone lives on the office (`offices.time_zone`, migration 0016): two offices whose codes both
    say WIB, one set to WIT, each with an application due on Thursday the 26th. At 16.30 UTC it is still
    Thursday in WIB and already Friday in WIT: only the WIT office's inbox counts it overdue."""
    sim_wib, sim_wit = SimulatedTerminal(central.url), SimulatedTerminal(central.url)
    wib, wit = central.create_office(), central.create_office()
    with console_db.transaction() as session:
        set_time_zone(session.scalar(select(Office).where(Office.code == wit)), "WIT")
    counted = {}
    for code, sim in ((wib, sim_wib), (wit, sim_wit)):
        sim.enroll(central.enrollment_code(code))
        upload = sim.application(service_code="SKU")
        assert sim.upload([upload]).results[0].outcome == "accepted"
        with console_db.transaction() as session:
            session.execute(Application.__table__.update().where(Application.id == upload.id)
                            .values(due_on=dt.date(2026, 11, 26)))
            office = session.scalar(select(Office).where(Office.code == code))
            found = inbox(session, load_profile(session, office), Filters(), now=LATE_EVENING)
            counted[code] = (office.time_zone, found.overdue_count, [row.overdue for row in found.rows])
    assert counted[wib] == (None, 0, [False])
    assert counted[wit] == ("Asia/Jayapura", 1, [True])
