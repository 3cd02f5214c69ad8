"""What one letter says, line by line, worked out once from the template, the answers and the office.

The content is what gets sealed and hashed when the letter is issued: a reprint prints the same
content, and the hash identifies it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from central.letters.office_settings import LetterSettings
from kiosk.catalog.letter import fill, fill_values, identity_lines, long_date_id
from kiosk.catalog.model import Service

#: answers that hold the person's name, in the order they are looked for
NAME_FIELDS = ("full_name", "nama", "deceased_name", "child_name")


@dataclass(frozen=True)
class LetterContent:
    """Every text of a letter, in print order; layouts only place them."""

    letterhead: tuple[str, ...]
    contact: str
    title: str
    number: str
    opening: str
    identity: tuple[tuple[str, str], ...]
    body: tuple[str, ...]
    closing: str
    place_date: str
    signer_title: str
    signer_name: str
    signer_nip: str
    verify_url: str
    reference: str
    service_code: str

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> LetterContent:
        values = dict(raw)
        values["letterhead"] = tuple(values["letterhead"])
        values["identity"] = tuple(tuple(pair) for pair in values["identity"])
        values["body"] = tuple(values["body"])
        return cls(**values)

    def content_hash(self) -> str:
        canonical = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def texts(self) -> list[str]:
        return [*self.letterhead, self.contact, self.title, self.number, self.opening,
                *(t for pair in self.identity for t in pair), *self.body, self.closing, self.place_date,
                self.signer_title, self.signer_name, self.signer_nip]


def person_name(answers: Mapping[str, Any]) -> str:
    for name in NAME_FIELDS:
        value = answers.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def mask_name(name: str) -> str:
    """`Siti Rahmawati` → `S*** R********`: each word's first letter, the rest starred."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def build_content(service: Service, answers: Mapping[str, Any], settings: LetterSettings, *, number: str,
                  issued_on: dt.date, reference: str, verify_url: str) -> LetterContent:
    """The letter for one application; `service.letter` must be set."""
    template = service.letter
    assert template is not None
    date_text = long_date_id(issued_on)
    values = fill_values({f.name: f for f in service.fields}, {k: str(v) for k, v in answers.items()},
                         settings.facts(), {"number": number, "date": date_text, "reference": reference})
    contact = " · ".join(part for part in (settings.address, f"Telp. {settings.phone}" if settings.phone else "")
                         if part)
    nip = f"NIP. {settings.signer_nip}" if settings.signer_nip else ""
    return LetterContent(
        letterhead=tuple(line for line in (settings.government, settings.district, settings.office_line) if line),
        contact=contact,
        title=fill(template.title, values),
        number=number,
        opening=fill(template.opening, values),
        identity=tuple(identity_lines(template, values)),
        body=tuple(fill(paragraph, values) for paragraph in template.body),
        closing=fill(template.closing, values),
        place_date=f"{settings.place or settings.office_name}, {date_text}",
        signer_title=fill(template.signer_title, values),
        signer_name=settings.signer_name,
        signer_nip=nip,
        verify_url=verify_url,
        reference=reference,
        service_code=service.code,
    )
