"""An office's time zone at central, for its terminals: the letter settings' `time_zone` (staff set it with
`office settings --time-zone`), else the zone of the province in its code — one setting for both."""

from __future__ import annotations

from sqlalchemy.orm import Session

from central.models import Office, OfficeLetterSettings
from kiosk.timezones import office_zone_name


def explicit_zone(session: Session, office: Office) -> str | None:
    """The zone staff set for the office, if they did."""
    stored = session.get(OfficeLetterSettings, office.id)
    return stored.time_zone if stored is not None and stored.time_zone else None


def office_timezone(session: Session, office: Office) -> str:
    """The zone terminals of `office` show citizens (Asia/Jakarta, Asia/Makassar or Asia/Jayapura)."""
    return office_zone_name(office.code, explicit_zone(session, office) or "")


__all__ = ["explicit_zone", "office_timezone"]
