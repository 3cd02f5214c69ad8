"""One office's facts, loaded once and read by ingest, due dates, the console, letters and the
terminals' provisioning alike: its time zone (the zone staff set for it, else its province's), its
services as the core's `Service` objects over every catalog it published (the newest wins), and its
letter settings on request.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from central.deadlines import add_working_days, local_date
from central.errors import NotFound
from central.models import Application, Office, OfficeCatalog, OfficeLetterSettings, utcnow
from kiosk.catalog.loader import parse_catalog
from kiosk.catalog.model import Catalog, Service
from kiosk.errors import CatalogError
from kiosk.timezones import office_zone, office_zone_name

# a published document never changes, so its parse is kept by its ETag (the SHA-256 of its bytes)
_parsed: dict[str, Catalog | None] = {}


def explicit_zone(session: Session, office: Office) -> str | None:
    """The zone staff set for the office (`office settings --time-zone`), if they did."""
    stored = session.get(OfficeLetterSettings, office.id)
    return stored.time_zone if stored is not None and stored.time_zone else None


def office_timezone(session: Session, office: Office) -> str:
    """The office's zone name (Asia/Jakarta, Asia/Makassar or Asia/Jayapura): the one staff set, else
    its province's; what its terminals show citizens and what its due dates count in."""
    return office_zone_name(office.code, explicit_zone(session, office) or "")


def _catalog(session: Session, catalog_id: int, etag: str) -> Catalog | None:
    if etag not in _parsed:
        document = session.scalar(select(OfficeCatalog.document).where(OfficeCatalog.id == catalog_id))
        try:
            _parsed[etag] = parse_catalog(json.loads(document or "{}"))
        except (CatalogError, ValueError):  # checked when published; a later, stricter loader may refuse it
            _parsed[etag] = None
    return _parsed[etag]


def published_catalogs(session: Session, office_id: int) -> list[Catalog]:
    """Every catalog the office published that still parses, oldest first."""
    rows = session.execute(select(OfficeCatalog.id, OfficeCatalog.etag).where(OfficeCatalog.office_id == office_id)
                           .order_by(OfficeCatalog.id)).all()
    return [c for c in (_catalog(session, row.id, row.etag) for row in rows) if c is not None]


@dataclass(frozen=True)
class OfficeProfile:
    """What central knows of one office, read once per request or batch."""

    id: int
    code: str
    name: str
    zone: ZoneInfo
    #: by code, over every catalog the office published: older applications keep their service's name
    services: Mapping[str, Service]

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The office's calendar date now (or at `now`)."""
        return local_date(now or utcnow(), self.zone)

    def service_name(self, code: str, lang: str = "id") -> str:
        service = self.services.get(code)
        return service.name.in_language(lang) if service is not None else code

    def due_on(self, service_code: str, filed_at: dt.datetime) -> dt.date:
        """The due date of an application of `service_code` filed at `filed_at`: the service's working
        days counted from the day it was filed, on the office's calendar."""
        service = self.services.get(service_code)
        return add_working_days(local_date(filed_at, self.zone), service.days if service is not None else 0)


def load_profile(session: Session, office: Office | int) -> OfficeProfile:
    """The office's profile (`office` or its id); raises `NotFound` for an unknown id."""
    if isinstance(office, int):
        found = session.get(Office, office)
        if found is None:
            raise NotFound(f"no office with id {office}")
        office = found
    services: dict[str, Service] = {}
    for catalog in published_catalogs(session, office.id):
        services.update((s.code, s) for s in catalog.services)
    zone = office_zone(office.code, explicit_zone(session, office) or "")
    return OfficeProfile(office.id, office.code, office.name, zone, services)  # type: ignore[arg-type]


_FILL_BATCH = 2000


def backfill_due_dates(session: Session) -> int:
    """Gives every application without a due date its due date; returns how many it set. The migration
    step (0009) for applications taken in before ingest set them (a page never writes)."""
    set_count = 0
    offices = session.scalars(select(Application.office_id).where(Application.due_on.is_(None)).distinct()).all()
    for office_id in offices:
        profile = load_profile(session, office_id)
        while rows := session.execute(
                select(Application.id, Application.service_code, Application.filed_at)
                .where(Application.office_id == office_id, Application.due_on.is_(None)).limit(_FILL_BATCH)).all():
            session.execute(update(Application), [
                {"id": row.id, "due_on": profile.due_on(row.service_code, row.filed_at)} for row in rows])
            set_count += len(rows)
    return set_count


__all__ = ["OfficeProfile", "backfill_due_dates", "explicit_zone", "load_profile", "office_timezone",
           "published_catalogs"]
