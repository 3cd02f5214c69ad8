"""A service's letter template (surat keterangan) and its placeholders: checked with the catalog, filled at central.

Texts hold placeholders in braces: `{living_since}` is the citizen's answer to that field of the
service, `{nik.birth_date}` / `{nik.sex}` are read from a NIK answer (day + 40 for women),
`{office.head}` and the other `office.*` names are the office's settings, `{letter.*}` the letter's
own facts. A template naming anything else is refused with the catalog, naming the service.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.catalog.model import Field
from kiosk.errors import CatalogError

#: office facts a template may name, filled from the office's settings at central
OFFICE_FACTS = ("name", "government", "district", "office", "address", "phone", "place", "head")
#: the letter's own facts
LETTER_FACTS = ("number", "date", "reference")
#: what a NIK answer tells besides itself
NIK_FACTS = ("birth_date", "sex")

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
             "Oktober", "November", "Desember")


@dataclass(frozen=True)
class IdentityLine:
    """One `label : value` line of the identity block; left out when its answers are empty."""

    label: str
    value: str


@dataclass(frozen=True)
class LetterTemplate:
    """What a service's letter says, in Bahasa Indonesia (the letter's only language)."""

    title: str
    classification: str
    opening: str
    identity: tuple[IdentityLine, ...]
    body: tuple[str, ...]
    closing: str
    signer_title: str

    def texts(self) -> list[tuple[str, str]]:
        """(where, text) of every text that may hold placeholders."""
        found = [("title", self.title), ("opening", self.opening)]
        found += [(f"identity #{i + 1}", line.value) for i, line in enumerate(self.identity)]
        found += [(f"body #{i + 1}", text) for i, text in enumerate(self.body)]
        return found + [("closing", self.closing), ("signer_title", self.signer_title)]


def placeholders(text: str) -> list[str]:
    """The placeholder names in `text`; raises `ValueError` for a stray brace or a format spec."""
    names = []
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"{{{name}}} may not carry a format (':' or '!')")
        if not name:
            raise ValueError("an empty placeholder {}")
        names.append(name)
    return names


def _known(name: str, fields: Mapping[str, Field]) -> bool:
    head, _, fact = name.partition(".")
    if head == "office":
        return fact in OFFICE_FACTS
    if head == "letter":
        return fact in LETTER_FACTS
    if head not in fields:
        return False
    return not fact or (fields[head].type == "nik" and fact in NIK_FACTS)


def check_template(template: LetterTemplate, fields: Mapping[str, Field], where: str) -> None:
    """Raises `CatalogError` naming the service and the part when a placeholder is not known."""
    for part, text in template.texts():
        try:
            names = placeholders(text)
        except ValueError as e:
            raise CatalogError(f"{where}, letter, {part}: {e}") from None
        for name in names:
            if not _known(name, fields):
                raise CatalogError(f"{where}, letter, {part}: unknown placeholder {{{name}}} (use a field of the "
                                   "service, office.*, letter.* or NIK.birth_date/sex)")


def long_date_id(day: dt.date) -> str:
    """`27 November 2026`."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def nik_facts(nik: str) -> dict[str, str]:
    """Birth date and sex as a NIK encodes them (day + 40 for women); empty when it cannot be read."""
    if len(nik) != 16 or not nik.isdigit():
        return {}
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "Perempuan" if day > 40 else "Laki-laki"
    day -= 40 if day > 40 else 0
    # two-digit years: a birth year in the future is the previous century
    century = 2000 if 2000 + year <= dt.date.today().year else 1900
    try:
        born = dt.date(century + year, month, day)
    except ValueError:
        return {"sex": sex}
    return {"birth_date": long_date_id(born), "sex": sex}


def answer_text(f: Field, value: str) -> str:
    """An answer as the letter prints it: a choice's Indonesian label, a date in full, else as entered."""
    if f.type == "choice":
        chosen = f.choice(value)
        return chosen.label.id if chosen else value
    if f.type == "date":
        try:
            return long_date_id(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def fill_values(fields: Mapping[str, Field], answers: Mapping[str, str], office: Mapping[str, str],
                letter: Mapping[str, str]) -> dict[str, str]:
    """Every placeholder's value for one application: answers (as printed), NIK facts, office and letter facts."""
    values: dict[str, str] = {}
    for name, f in fields.items():
        raw = str(answers.get(name, "") or "").strip()
        values[name] = answer_text(f, raw) if raw else ""
        if f.type == "nik":
            facts = nik_facts(raw)
            for fact in NIK_FACTS:
                values[f"{name}.{fact}"] = facts.get(fact, "")
    values.update({f"office.{k}": office.get(k, "") for k in OFFICE_FACTS})
    values.update({f"letter.{k}": letter.get(k, "") for k in LETTER_FACTS})
    return values


def fill(text: str, values: Mapping[str, str], *, empty: str = "-") -> str:
    """`text` with its placeholders replaced; an empty value prints as `empty`."""
    out = []
    for literal, name, _, _ in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(values.get(name) or empty)
    return "".join(out)


def identity_lines(template: LetterTemplate, values: Mapping[str, str]) -> list[tuple[str, str]]:
    """The identity block: lines whose placeholders are all empty are left out, not printed blank."""
    lines = []
    for line in template.identity:
        names = placeholders(line.value)
        if names and not any(values.get(n) for n in names):
            continue
        lines.append((line.label, fill(line.value, values)))
    return lines
