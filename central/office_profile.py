"""One office's facts, loaded once and read by ingest, due dates, the console, letters and the
terminals' provisioning alike: its time zone (the zone staff set on the office, `Office.time_zone`,
else its province's), its services as the core's `Service` objects over every catalog it published
(the newest wins), and its letter settings on request (`central.letters.office_settings`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.deadlines import due_date, local_date
from central.errors import CentralError, NotFound
from central.models import Office, OfficeCatalog, utcnow
from kiosk.catalog.loader import parse_catalog
from kiosk.catalog.model import Catalog, Service
from kiosk.errors import CatalogError
from kiosk.timezones import check_zone, office_zone, office_zone_name

# a published document never changes, so its parse is kept by its ETag (the SHA-256 of its bytes)
_parsed: dict[str, Catalog | None] = {}


def explicit_zone(office: Office) -> str | None:
    """The zone staff set for the office (`office settings --time-zone`), if they did."""
    return office.time_zone or None


def office_timezone(office: Office) -> str:
    """The office's zone name (Asia/Jakarta, Asia/Makassar or Asia/Jayapura): the one staff set, else
    its province's; what its terminals show citizens and what its due dates count in."""
    return office_zone_name(office.code, explicit_zone(office) or "")


def set_time_zone(office: Office, zone: str) -> None:
    """Sets the office's zone (WIB/WITA/WIT or its IANA name); "" goes back to the province's.
    Raises `CentralError` for any other zone, changing nothing."""
    if not zone.strip():
        office.time_zone = None
        return
    try:
        office.time_zone = check_zone(zone)
    except ValueError:
        raise CentralError(f"office settings: time zone {zone[:40]!r}: use WIB, WITA or WIT "
                           "(Asia/Jakarta, Asia/Makassar, Asia/Jayapura)") from None


def parsed_catalog(etag: str, document: Callable[[], str | None]) -> Catalog | None:
    """The catalog published under `etag` (its `document()` read only the first time), or None when it no
    longer parses (checked when published; a later, stricter loader may refuse it)."""
    if etag not in _parsed:
        try:
            _parsed[etag] = parse_catalog(json.loads(document() or "{}"))
        except (CatalogError, ValueError):
            _parsed[etag] = None
    return _parsed[etag]


def services_of(catalogs: Iterable[Catalog]) -> dict[str, Service]:
    """The services by code over `catalogs` (oldest first): a newer catalog's service wins, an older
    catalog's service stays known, so older applications keep their service's name and days."""
    return {service.code: service for catalog in catalogs for service in catalog.services}


def _catalog(session: Session, catalog_id: int, etag: str) -> Catalog | None:
    return parsed_catalog(etag, lambda: session.scalar(select(OfficeCatalog.document)
                                                       .where(OfficeCatalog.id == catalog_id)))


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
        return due_date(filed_at, self.zone, service.days if service is not None else 0)


def load_profile(session: Session, office: Office | int) -> OfficeProfile:
    """The office's profile (`office` or its id); raises `NotFound` for an unknown id."""
    if isinstance(office, int):
        found = session.get(Office, office)
        if found is None:
            raise NotFound(f"no office with id {office}")
        office = found
    services = services_of(published_catalogs(session, office.id))
    zone = office_zone(office.code, explicit_zone(office) or "")
    return OfficeProfile(office.id, office.code, office.name, zone, services)  # type: ignore[arg-type]


__all__ = ["OfficeProfile", "explicit_zone", "load_profile", "office_timezone", "parsed_catalog",
           "published_catalogs", "services_of", "set_time_zone"]
