"""The citizen's requests about their own data (UU 27/2022): correct it, withdraw consent and delete it,
or get a copy. Filed at the kiosk like an application — sealed to the office, queued in the same local
queue and synced by the same worker, exactly once — under a service code no catalog can use.

This module holds the rules both sides share: the kinds, the flags a request travels with (its kind
and the application it is about, readable metadata; the field and the new value are sealed), the
outcome states and their clock (3×24 hours, not working days), and how an outcome is written into
the citizen's processing record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kiosk.catalog.model import Catalog, Service
from kiosk.crypto import seal_for_office
from kiosk.errors import FormInvalid, LoketError, NotProvisioned, Text
from kiosk.reference import parse_reference
from kiosk.store import Application, Store
from kiosk.validation import check_answer

#: the queue's service code for a request: a catalog code must start with a letter, so none can take it
REQUEST_SERVICE = "_permintaan_data"
#: correct my data; withdraw my consent and delete my data; a copy of my data
KINDS = ("correction", "deletion", "copy")
#: field types a citizen cannot "correct": consent is withdrawn through a deletion request
NOT_CORRECTABLE = ("consent",)
#: hours the office has to answer (Pasal 32/40/42: 3×24 hours, counted in hours, not working days)
ANSWER_WITHIN_HOURS = 72

#: states of a request at central: waiting for staff, then one outcome
OPEN = "received"
OUTCOMES = ("applied", "refused", "already_deleted")
STATES = (OPEN, *OUTCOMES)
#: the record event kinds a request adds to the application's processing record
EVENT_REQUEST = "request"
EVENT_DELETED = "deleted"

KIND_FLAG = "request:"
ABOUT_FLAG = "about:"


class RequestRefused(LoketError):
    """The kiosk cannot take this request; `text` says why, in both languages."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


UNKNOWN_KIND = Text("Jenis permintaan tidak dikenal.", "Unknown kind of request.")
NOT_HERE = Text("Permohonan itu tidak diajukan di anjungan ini.", "That application was not filed at this kiosk.")
NOT_A_FIELD = Text("Isian itu tidak ada di permohonan ini; pilih salah satu dari daftar.",
                   "This application has no such answer; pick one from the list.")
CANNOT_CORRECT = Text("Persetujuan tidak dikoreksi: ajukan penarikan persetujuan dan penghapusan data.",
                      "Consent is not corrected: ask to withdraw consent and delete the data instead.")
NOT_FOR_A_REQUEST = Text("Permintaan hanya bisa diajukan untuk permohonan layanan.",
                         "A request can only be about an application for a service.")
ALREADY_DELETED = Text("Data pribadi permohonan ini sudah dihapus atas permintaan Anda; tidak ada lagi yang bisa "
                       "dikoreksi, dihapus atau disalin.",
                       "The personal data of this application was already deleted at your request; there is "
                       "nothing left to correct, delete or copy.")


@dataclass(frozen=True)
class RequestFlags:
    """What a request's readable flags say: its kind and the reference of the application it is about."""

    kind: str
    about: str


def request_flags(kind: str, about: str) -> list[str]:
    return [f"{KIND_FLAG}{kind}", f"{ABOUT_FLAG}{about}"]


def parse_request_flags(flags: Iterable[str]) -> RequestFlags | None:
    """The kind and the application a request is about, or None when its flags do not say both rightly."""
    kind = about = None
    for flag in flags:
        if flag.startswith(KIND_FLAG) and kind is None:
            kind = flag[len(KIND_FLAG):]
        elif flag.startswith(ABOUT_FLAG) and about is None:
            about = flag[len(ABOUT_FLAG):]
    if kind not in KINDS or not about:
        return None
    try:
        canonical = parse_reference(about)
    except LoketError:
        return None
    return RequestFlags(kind, canonical) if canonical == about else None


def correctable_fields(service: Service) -> list[str]:
    """The names of the answers a citizen may ask to correct, in the form's order."""
    return [f.name for f in service.fields if f.type not in NOT_CORRECTABLE]


def due_at(received_at: dt.datetime) -> dt.datetime:
    """When the office's answer is due: received + 72 hours, by the clock (nights and holidays count)."""
    return received_at + dt.timedelta(hours=ANSWER_WITHIN_HOURS)


def is_overdue(received_at: dt.datetime, state: str, now: dt.datetime) -> bool:
    return state == OPEN and now > due_at(received_at)


def outcome_detail(kind: str, state: str, note: str = "") -> str:
    """A request's outcome as the record carries it (`kind:state[:note]`, at most 300 characters)."""
    return (f"{kind}:{state}" + (f":{note}" if note else ""))[:300]


def parse_outcome_detail(detail: str) -> tuple[str, str, str]:
    """(kind, state, note) from `outcome_detail`'s text; unknown parts come back as given."""
    kind, _, rest = detail.partition(":")
    state, _, note = rest.partition(":")
    return kind, state, note


def file_request(
    store: Store,
    catalog: Catalog,
    about_reference: str,
    kind: str,
    *,
    field: str = "",
    value: str = "",
    now: dt.datetime | None = None,
) -> Application:
    """Checks the request, seals it to the office and queues it like an application; returns the queued
    request (its own reference). A correction names one of the application's answers and its new value,
    checked as the form checks it.

    Raises `RequestRefused` (unknown kind, an application not filed here or itself a request),
    `FormInvalid` (`{field: message}`: no such answer, consent, the new value wrong), `NotProvisioned`
    or `StoreFull`; on any of them nothing was queued."""
    identity = store.identity()
    if identity is None:
        raise NotProvisioned()
    if kind not in KINDS:
        raise RequestRefused(UNKNOWN_KIND)
    about = store.get(about_reference)
    if about is None:
        raise RequestRefused(NOT_HERE)
    if about.service_code == REQUEST_SERVICE:
        raise RequestRefused(NOT_FOR_A_REQUEST)
    request: dict[str, str] = {"kind": kind, "about": about.reference, "application_id": about.id}
    if kind == "correction":
        request |= _checked_correction(catalog, about.service_code, field, value, now)
    content = {"service": REQUEST_SERVICE, "catalog_version": catalog.version, "request": request}
    sealed = seal_for_office(identity.office_key, content)
    return store.submit(REQUEST_SERVICE, catalog.version, sealed, flags=request_flags(kind, about.reference), now=now)


def _checked_correction(catalog: Catalog, service_code: str, field: str, value: str,
                        now: dt.datetime | None) -> Mapping[str, str]:
    try:
        service = catalog.service(service_code)
        target = service.field(field)
    except (LoketError, KeyError):
        raise FormInvalid({field or "field": NOT_A_FIELD}) from None
    if target.type in NOT_CORRECTABLE:
        raise FormInvalid({field: CANNOT_CORRECT})
    checked = check_answer(target, value, today=now.date() if now else None)
    if checked.error is not None:
        raise FormInvalid({field: checked.error})
    return {"field": field, "value": checked.value or ""}


def requests_about(store: Store, reference: str) -> list[Application]:
    """This terminal's queued requests about the application `reference`, oldest first."""
    return store.flagged(REQUEST_SERVICE, f"{ABOUT_FLAG}{reference}")
