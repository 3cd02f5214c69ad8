"""An office's time zone at central: set by staff, else from the office's region code (kiosk.timezones)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from central.errors import CentralError
from central.models import Office, OfficeZone
from kiosk.timezones import check_zone, office_zone_name


def explicit_zone(session: Session, office: Office) -> str | None:
    row = session.get(OfficeZone, office.id)
    return row.timezone if row else None


def office_timezone(session: Session, office: Office) -> str:
    """The zone terminals of `office` show citizens (Asia/Jakarta, Asia/Makassar or Asia/Jayapura)."""
    return office_zone_name(office.code, explicit_zone(session, office) or "")


def set_office_timezone(session: Session, office: Office, zone: str) -> str:
    """Sets (or with "" clears) the office's zone; returns the zone now in force."""
    row = session.get(OfficeZone, office.id)
    if zone:
        try:
            zone = check_zone(zone)
        except ValueError as e:
            raise CentralError(f"--zone: {e}") from None
        if row is None:
            session.add(OfficeZone(office_id=office.id, timezone=zone))
        else:
            row.timezone = zone
    elif row is not None:
        session.delete(row)
    session.flush()
    return office_timezone(session, office)


__all__ = ["explicit_zone", "office_timezone", "set_office_timezone"]
