"""Migrations that move data, each on a database holding rows the way the revision before left them,
on SQLite and PostgreSQL: 0010 gives due dates to applications taken in before ingest set them (on
each office's calendar as it was then), 0016 moves the zone staff set from the letter settings onto
the office (and back on downgrade)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from central.db import MIGRATIONS, Database, make_engine
from central.deadlines import add_working_days
from central.models import Office
from central.office_profile import load_profile
from kiosk.catalog import DEFAULT_CATALOG, parse_catalog_bytes

#: 16.30 UTC on Thursday 26 November 2026: Thursday 23.30 in WIB, Friday 00.30 in WITA, 01.30 in WIT
LATE_EVENING = dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
#: three offices: one in Bandung (WIB by its code), one in Makassar (WITA by its code), one whose code says
#: nothing (WIB) but whose staff set WIT in its letter settings
OFFICES = {1: "3273010001", 2: "7371011001", 3: "OTEST-PAPUA"}


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def migrate_to(engine: sa.Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _table(connection: sa.Connection, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=connection)


def _offices_as_0009_left_them(engine: sa.Engine, applications: int) -> list[str]:
    """The three offices with the default catalog, one terminal each, `applications` applications each
    of service SKU filed late on Thursday and no due date; the third office's zone set to WIT."""
    document = DEFAULT_CATALOG.read_bytes()
    version = parse_catalog_bytes(document).version
    ids = []
    with engine.begin() as connection:
        t = {name: _table(connection, name) for name in ("offices", "office_keys", "office_catalogs", "terminals",
                                                          "applications", "office_letter_settings")}
        for office_id, code in OFFICES.items():
            connection.execute(t["offices"].insert().values(id=office_id, code=code, name=f"Kelurahan {office_id}",
                                                            created_at=NOW))
            connection.execute(t["office_keys"].insert().values(id=office_id, office_id=office_id, public_key="k",
                                                                private_key="", created_at=NOW))
            connection.execute(t["office_catalogs"].insert().values(
                office_id=office_id, version=version, etag=hashlib.sha256(document).hexdigest(),
                document=document.decode(), installed_at=NOW))
            terminal = str(uuid.uuid4())
            connection.execute(t["terminals"].insert().values(id=terminal, code=f"T{office_id}AA", office_id=office_id,
                                                              verify_key="v", enrolled_at=NOW))
            rows = [{"id": str(uuid.uuid4()), "reference": f"R{office_id}-{n}", "terminal_id": terminal,
                     "office_id": office_id, "service_code": "SKU", "catalog_version": version,
                     "filed_at": LATE_EVENING, "received_at": NOW, "flags": "", "sealed": b"x",
                     "office_key_id": office_id, "status": "received", "status_at": NOW, "due_on": None}
                    for n in range(applications)]
            connection.execute(t["applications"].insert(), rows)
            ids += [row["id"] for row in rows]
        text_columns = {c.name: "" for c in t["office_letter_settings"].columns if isinstance(c.type, sa.String)}
        connection.execute(t["office_letter_settings"].insert().values(
            {**text_columns, "office_id": 3, "time_zone": "Asia/Jayapura", "updated_at": NOW}))
    return ids


def _due_dates(engine: sa.Engine) -> dict[int, set[dt.date | None]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT office_id, due_on FROM applications")).all()
    found: dict[int, set] = {}
    for office_id, due_on in rows:
        found.setdefault(office_id, set()).add(dt.date.fromisoformat(due_on) if isinstance(due_on, str) else due_on)
    return found


def test_0010_gives_every_application_without_a_due_date_one_on_its_offices_calendar(engine):
    migrate_to(engine, "0009")
    _offices_as_0009_left_them(engine, applications=2100)  # more than one batch of the step
    assert _due_dates(engine) == {1: {None}, 2: {None}, 3: {None}}

    migrate_to(engine, "0010")

    sku_days = parse_catalog_bytes(DEFAULT_CATALOG.read_bytes()).service("SKU").days
    thursday, friday = dt.date(2026, 11, 26), dt.date(2026, 11, 27)
    assert _due_dates(engine) == {
        1: {add_working_days(thursday, sku_days)},  # Bandung: still Thursday in WIB
        2: {add_working_days(friday, sku_days)},  # Makassar: already Friday in WITA
        3: {add_working_days(friday, sku_days)},  # the zone staff set (WIT), not the code's WIB
    }
    migrate_to(engine, "0010")  # again: nothing left to do, nothing changes
    assert _due_dates(engine)[1] == {add_working_days(thursday, sku_days)}


def test_0016_moves_the_zone_staff_set_onto_the_office_and_back(engine, db_url):
    migrate_to(engine, "0015")
    _offices_as_0009_left_them(engine, applications=1)

    migrate_to(engine, "0016")

    with engine.connect() as connection:
        zones = dict(connection.execute(sa.text("SELECT id, time_zone FROM offices")).all())
        settings_columns = {c["name"] for c in sa.inspect(connection).get_columns("office_letter_settings")}
    assert zones == {1: None, 2: None, 3: "Asia/Jayapura"}
    assert "time_zone" not in settings_columns
    database = Database(db_url, migrate_schema=False)
    try:
        with database.transaction() as session:
            profiles = {office.code: load_profile(session, office) for office in session.scalars(sa.select(Office))}
            session.get(Office, 1).time_zone = "Asia/Makassar"  # set after the move, with no letter settings
    finally:
        database.dispose()
    assert {code: p.zone.key for code, p in profiles.items()} == {
        "3273010001": "Asia/Jakarta", "7371011001": "Asia/Makassar", "OTEST-PAPUA": "Asia/Jayapura"}

    migrate_to(engine, "0015", down=True)

    with engine.connect() as connection:
        kept = dict(connection.execute(sa.text("SELECT office_id, time_zone FROM office_letter_settings")).all())
        office_columns = {c["name"] for c in sa.inspect(connection).get_columns("offices")}
    assert kept == {1: "Asia/Makassar", 3: "Asia/Jayapura"}
    assert "time_zone" not in office_columns
