"""The office's time zone (WIB, WITA, WIT) from its region code, so no citizen ever reads the machine's zone.

Indonesia has three zones; a kelurahan's region code starts with its province's two digits, which
decide the zone. Central may name the zone explicitly (it wins over the region); a terminal whose
office code is unknown here falls back to WIB (Asia/Jakarta), the zone of most offices.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
#: the zones an office may be in, with the abbreviation citizens read on clocks and receipts
ZONE_LABELS = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}
DEFAULT_ZONE = WIB

# Province codes (Kemendagri / BPS). Sumatra, Java, West and Central Kalimantan: WIB.
_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}  # Maluku, the Papua provinces
_WIB_PROVINCES = {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
                  "31", "32", "33", "34", "35", "36", "61", "62"}


def zone_for_region(region_code: str) -> str | None:
    """The zone of the province a region code (e.g. `7371011001`, Makassar) starts with, or None."""
    province = region_code.strip()[:2]
    if province in _WITA_PROVINCES:
        return WITA
    if province in _WIT_PROVINCES:
        return WIT
    if province in _WIB_PROVINCES:
        return WIB
    return None


def check_zone(name: str) -> str:
    """`name` if it is one of the office zones (also accepts WIB/WITA/WIT); raises ValueError otherwise."""
    cleaned = name.strip()
    by_label = {label: zone for zone, label in ZONE_LABELS.items()}
    cleaned = by_label.get(cleaned.upper(), cleaned)
    if cleaned not in ZONE_LABELS:
        raise ValueError(f"{name!r} is not an Indonesian office time zone: use one of "
                         f"{', '.join(ZONE_LABELS)} (or WIB, WITA, WIT)")
    return cleaned


def office_zone_name(region_code: str, explicit: str = "") -> str:
    """The explicit zone when it is valid, else the region's, else WIB."""
    if explicit:
        try:
            return check_zone(explicit)
        except ValueError:
            pass
    return zone_for_region(region_code) or DEFAULT_ZONE


def office_zone(region_code: str, explicit: str = "") -> ZoneInfo:
    """The `ZoneInfo` of an office (see `office_zone_name`)."""
    name = office_zone_name(region_code, explicit)
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # no tz database: a fixed offset is right all year (no DST here)
        return ZoneInfo("UTC") if name not in ZONE_LABELS else _fixed(name)


def _fixed(name: str):
    hours = {WIB: 7, WITA: 8, WIT: 9}[name]
    return dt.timezone(dt.timedelta(hours=hours), ZONE_LABELS[name])


def zone_label(zone: dt.tzinfo, moment: dt.datetime | None = None) -> str:
    """`WIB`, `WITA` or `WIT` for an office zone; the zone's own abbreviation for any other."""
    key = getattr(zone, "key", None)
    if key in ZONE_LABELS:
        return ZONE_LABELS[key]
    return (moment or dt.datetime.now(zone)).astimezone(zone).tzname() or ""


def in_zone(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`moment` on the office's clock (a naive moment is taken as UTC, as the store keeps times)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone)


def month_around(moment: dt.datetime, zone: dt.tzinfo) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The office-local month `moment` falls in: its first day, and the moments it begins and ends."""
    first = in_zone(moment, zone).date().replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return (first, dt.datetime(first.year, first.month, 1, tzinfo=zone),
            dt.datetime(following.year, following.month, 1, tzinfo=zone))


def clock_in_zone(moment: dt.datetime, zone: dt.tzinfo, language: str) -> str:
    """The time of day with the zone, as citizens read it: `09.12 WITA` (`09:12 WITA` in English)."""
    local = in_zone(moment, zone)
    time = f"{local:%H:%M}" if language == "en" else f"{local:%H.%M}"
    return f"{time} {zone_label(zone, local)}"


__all__ = ["DEFAULT_ZONE", "WIB", "WIT", "WITA", "ZONE_LABELS", "check_zone", "clock_in_zone", "in_zone",
           "month_around", "office_zone", "office_zone_name", "zone_for_region", "zone_label"]
