"""The catalog as Python values: services, their fields and the service standard they publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiosk.errors import Text, UnknownService

if TYPE_CHECKING:
    from kiosk.catalog.letter import LetterTemplate

FIELD_TYPES = (
    "nik", "kk", "phone", "date", "postal_code", "choice", "number", "text", "long_text", "consent",
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class Field:
    """One question of a service's form."""

    name: str
    type: str
    label: Text
    required: bool = True
    help: Text | None = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    #: for dates: "past" (not after today), "future" (not before today) or "any"
    when: str = "past"

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class Category:
    code: str
    name: Text


@dataclass(frozen=True)
class Service:
    """A service and its published standard (UU 25/2009): requirements, steps, time, fee, product."""

    code: str
    category: str
    name: Text
    description: Text
    documents: tuple[Text, ...]
    procedure: tuple[Text, ...]
    days: int
    fee: int
    product: Text
    complaints: Text
    fields: tuple[Field, ...] = field(default=())
    #: the letter the service ends in (surat keterangan), if it ends in one
    letter: LetterTemplate | None = None

    def fee_text(self) -> Text:
        if self.fee == 0:
            return Text("Gratis", "Free")
        amount = f"Rp{self.fee:,}".replace(",", ".")
        return Text(amount, amount)

    def days_text(self) -> Text:
        return Text("Selesai dalam {n} hari kerja", "Ready in {n} working days").format(n=self.days)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


@dataclass(frozen=True)
class Catalog:
    version: str
    categories: tuple[Category, ...]
    services: tuple[Service, ...]

    def service(self, code: str) -> Service:
        for s in self.services:
            if s.code == code:
                return s
        raise UnknownService(f"no service {code!r} in catalog {self.version}")

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def by_category(self) -> list[tuple[Category, list[Service]]]:
        """Services grouped by category, in the catalog's order."""
        return [
            (cat, [s for s in self.services if s.category == cat.code])
            for cat in self.categories
            if any(s.category == cat.code for s in self.services)
        ]
