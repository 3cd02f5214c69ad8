"""Checks each answer of a form and turns it into the value we store, or a message a citizen reads.

Identity numbers and phones go through `lokal-id`, which knows the NIK structure, the Kemendagri
region list and Indonesian phone numbering; this module is the small API the kiosk relies on.
A NIK or KK whose region code is not in the current list is accepted but flagged for staff: codes
change when regions split, and a citizen keeps the number they were issued.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import lokal
from lokal.wilayah import wilayah_name

from kiosk.catalog.bounds import DEFAULT_MAX_LONG_TEXT, DEFAULT_MAX_TEXT, answer_max_chars  # noqa: F401
from kiosk.catalog.model import Field, Service
from kiosk.errors import Text

REQUIRED = Text("Bagian ini wajib diisi.", "Please fill this in.")
NIK_LENGTH = Text("NIK harus 16 angka. Lihat KTP Anda.", "The NIK must be 16 digits. Check your ID card (KTP).")
NIK_PROVINCE = Text(
    "Dua angka pertama NIK bukan kode provinsi. Periksa kembali KTP Anda.",
    "The first two digits of the NIK are not a province code. Check your ID card (KTP).",
)
NIK_REGION_ZERO = Text(
    "Kode kabupaten/kecamatan pada NIK tidak boleh 00. Periksa kembali KTP Anda.",
    "The regency/district code in the NIK cannot be 00. Check your ID card (KTP).",
)
NIK_BIRTH_DATE = Text(
    "Angka ke-7 sampai ke-12 NIK bukan tanggal lahir yang benar. Periksa kembali KTP Anda.",
    "Digits 7 to 12 of the NIK are not a real date of birth. Check your ID card (KTP).",
)
NIK_SERIAL = Text(
    "Empat angka terakhir NIK tidak boleh 0000. Periksa kembali KTP Anda.",
    "The last four digits of the NIK cannot be 0000. Check your ID card (KTP).",
)
KK_LENGTH = Text(
    "Nomor KK harus 16 angka. Lihat Kartu Keluarga Anda.",
    "The family card (KK) number must be 16 digits. Check your family card.",
)
KK_REGION = Text(
    "Enam angka pertama nomor KK bukan kode wilayah. Periksa Kartu Keluarga Anda.",
    "The first six digits of the KK number are not a region code. Check your family card.",
)
KK_ISSUE_DATE = Text(
    "Angka ke-7 sampai ke-12 nomor KK bukan tanggal terbit yang benar. Periksa Kartu Keluarga Anda.",
    "Digits 7 to 12 of the KK number are not a real issue date. Check your family card.",
)
KK_SERIAL = Text(
    "Empat angka terakhir nomor KK tidak boleh 0000. Periksa Kartu Keluarga Anda.",
    "The last four digits of the KK number cannot be 0000. Check your family card.",
)
PHONE = Text(
    "Nomor HP harus diawali 08 atau +628, 10–13 angka. Contoh: 0812 3456 7890.",
    "A mobile number starts with 08 or +628 and has 10–13 digits. Example: 0812 3456 7890.",
)
POSTAL_CODE = Text("Kode pos harus 5 angka.", "The postal code must be 5 digits.")
DATE_FORMAT = Text(
    "Tulis tanggal sebagai HH-BB-TTTT, misalnya 17-08-1995.",
    "Write the date as DD-MM-YYYY, for example 17-08-1995.",
)
DATE_IN_FUTURE = Text("Tanggal ini tidak boleh setelah hari ini.", "This date cannot be after today.")
DATE_IN_PAST = Text("Tanggal ini tidak boleh sebelum hari ini.", "This date cannot be before today.")
NUMBER = Text("Isi dengan angka saja.", "Please enter digits only.")
NUMBER_RANGE = Text("Isi angka dari {low} sampai {high}.", "Enter a number from {low} to {high}.")
CHOICE = Text("Pilih salah satu pilihan.", "Please choose one of the options.")
TOO_LONG = Text("Terlalu panjang: paling banyak {n} huruf.", "Too long: at most {n} characters.")
CONSENT = Text("Centang untuk menyatakan setuju.", "Tick to say you agree.")
REGION_UNKNOWN = Text(
    "Kode wilayah tidak ada di daftar Kemendagri terbaru (mungkin kode lama sebelum pemekaran).",
    "The region code is not in the current Kemendagri list (maybe an old code from before a region split).",
)

_DIGITS_ONLY = re.compile(r"[\s.\-]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = frozenset({"Cf", "Cs"})


@dataclass(frozen=True)
class Checked:
    """The outcome of checking one answer: a stored `value`, or an `error`; `flags` are for staff."""

    value: str | None = None
    error: Text | None = None
    flags: tuple[Text, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def _fail(message: Text) -> Checked:
    return Checked(error=message)


def check_nik(raw: str, *, today: dt.date | None = None) -> Checked:
    """A NIK: 16 digits, a real province, region codes not 00, a real birth date, serial not 0000."""
    info = lokal.parse_nik(raw, lookup_wilayah=wilayah_name, reference_date=today)
    codes = {issue.code for issue in info.errors}
    for code, message in (("format", NIK_LENGTH), ("province", NIK_PROVINCE), ("wilayah", NIK_REGION_ZERO),
                          ("birth_date", NIK_BIRTH_DATE), ("serial", NIK_SERIAL)):
        if code in codes:
            return _fail(message)
    if codes:  # a rule lokal-id added that we have no words for yet
        return _fail(NIK_LENGTH)
    flags = (REGION_UNKNOWN,) if any(w.code == "wilayah_unknown" for w in info.warnings) else ()
    return Checked(value=info.nik, flags=flags)


def check_kk(raw: str) -> Checked:
    """A family-card number: the NIK's region structure, then an issue date (DDMMYY) and a serial."""
    digits = _DIGITS_ONLY.sub("", raw)
    if not re.fullmatch(r"[0-9]{16}", digits):
        return _fail(KK_LENGTH)
    province, regency, district = digits[:2], digits[:2] + "." + digits[2:4], ".".join(
        (digits[:2], digits[2:4], digits[4:6]))
    if province not in lokal.PROVINCES or digits[2:4] == "00" or digits[4:6] == "00":
        return _fail(KK_REGION)
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    this_year = dt.date.today().year
    year = 2000 + yy if 2000 + yy <= this_year else 1900 + yy
    try:
        dt.date(year, month, day)
    except ValueError:
        return _fail(KK_ISSUE_DATE)
    if digits[12:] == "0000":
        return _fail(KK_SERIAL)
    known = wilayah_name(regency) and wilayah_name(district)
    return Checked(value=digits, flags=() if known else (REGION_UNKNOWN,))


def check_phone(raw: str) -> Checked:
    """An Indonesian mobile number (08… or +628…), stored in E.164 (+628…)."""
    info = lokal.parse_phone(raw)
    if not info.valid or info.type != "mobile":
        return _fail(PHONE)
    return Checked(value=info.e164)


def check_postal_code(raw: str) -> Checked:
    code = raw.strip()
    return Checked(value=code) if re.fullmatch(r"[0-9]{5}", code) else _fail(POSTAL_CODE)


def parse_date(raw: str) -> dt.date | None:
    """Reads DD-MM-YYYY (also with / or .) or ISO YYYY-MM-DD; None when it is no real date."""
    text = raw.strip()
    for pattern, order in ((r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", "dmy"), (r"(\d{4})-(\d{2})-(\d{2})", "ymd")):
        m = re.fullmatch(pattern, text)
        if m:
            a, b, c = map(int, m.groups())
            day, month, year = (a, b, c) if order == "dmy" else (c, b, a)
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def check_date(raw: str, *, when: str = "past", today: dt.date | None = None) -> Checked:
    """A calendar date, stored as ISO; `when` says whether it may lie in the future or the past."""
    date = parse_date(raw)
    if date is None or date.year < 1900:
        return _fail(DATE_FORMAT)
    today = today or dt.date.today()
    if when == "past" and date > today:
        return _fail(DATE_IN_FUTURE)
    if when == "future" and date < today:
        return _fail(DATE_IN_PAST)
    return Checked(value=date.isoformat())


def check_number(raw: str, *, minimum: float | None = None, maximum: float | None = None) -> Checked:
    text = raw.strip()
    if not re.fullmatch(r"[0-9]{1,12}", text):
        return _fail(NUMBER)
    number = int(text)
    low = minimum if minimum is not None else 0
    high = maximum if maximum is not None else 999_999_999_999
    if not low <= number <= high:
        return _fail(NUMBER_RANGE.format(low=f"{low:g}", high=f"{high:g}"))
    return Checked(value=str(number))


def strip_invisible(raw: str) -> str:
    """`raw` without control characters (tab and line breaks aside), Unicode format characters (bidi
    overrides, zero-width characters: category Cf) and lone surrogates; letters of every script stay."""
    return "".join(ch for ch in _CONTROL.sub("", raw) if unicodedata.category(ch) not in _INVISIBLE)


def check_text(raw: str, *, max_length: int) -> Checked:
    text = strip_invisible(raw).strip()
    if len(text) > max_length:
        return _fail(TOO_LONG.format(n=max_length))
    return Checked(value=text)


def check_answer(f: Field, raw: str | None, *, today: dt.date | None = None) -> Checked:
    """Checks one answer against its field; an empty optional answer is fine and stores nothing."""
    raw = "" if raw is None else str(raw)
    if not strip_invisible(raw).strip():
        if f.type == "consent" and f.required:
            return _fail(CONSENT)
        return _fail(REQUIRED) if f.required else Checked(value=None)
    match f.type:
        case "nik":
            return check_nik(raw, today=today)
        case "kk":
            return check_kk(raw)
        case "phone":
            return check_phone(raw)
        case "postal_code":
            return check_postal_code(raw)
        case "date":
            return check_date(raw, when=f.when, today=today)
        case "number":
            return check_number(raw, minimum=f.minimum, maximum=f.maximum)
        case "choice":
            return Checked(value=raw) if f.choice(raw) else _fail(CHOICE)
        case "consent":
            yes = raw.strip().lower() in ("yes", "ya", "true", "1")
            return Checked(value="yes") if yes else (_fail(CONSENT) if f.required else Checked(value=None))
        case _:
            return check_text(raw, max_length=answer_max_chars(f))


@dataclass(frozen=True)
class CheckedForm:
    """A whole form checked: the values to seal, the errors per field, the flags for staff."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, Text] = field(default_factory=dict)
    flags: dict[str, tuple[Text, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_form(service: Service, answers: Mapping[str, str], *, today: dt.date | None = None) -> CheckedForm:
    """Checks every field of `service`; answers for fields the service does not have are an error."""
    result = CheckedForm()
    for f in service.fields:
        checked = check_answer(f, answers.get(f.name), today=today)
        if checked.error:
            result.errors[f.name] = checked.error
        elif checked.value is not None:
            result.values[f.name] = checked.value
        if checked.flags:
            result.flags[f.name] = checked.flags
    for name in answers:
        if not any(f.name == name for f in service.fields):
            result.errors[name] = Text(
                f"Layanan ini tidak punya isian {name!r}.", f"This service has no field {name!r}."
            )
    return result
