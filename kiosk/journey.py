"""One citizen's visit to the kiosk, without any Kivy: language, service, answers, pages, idle timer.

The screens keep a single `Journey` and read and write it; `reset()` forgets everything the citizen
chose or typed, so the next citizen finds nothing of the previous one. `IdleTimer` decides when to
warn ("Masih di sana?") and when to reset, from timestamps the caller passes in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from kiosk.applications import file_application
from kiosk.catalog.model import Catalog, Field, Service
from kiosk.errors import FormInvalid, Text
from kiosk.lifecycle import WORDS
from kiosk.reference import parse_reference
from kiosk.settings import LANGUAGES
from kiosk.store import Application, Store
from kiosk.validation import check_answer

#: questions per form page: few enough that the one being typed stays above the docked keyboard
PAGE_SIZE = 2
#: the steps after the form pages, in order
AFTER_FORM = ("documents", "review", "consent")

#: what a citizen reads for each state of an application (English gettext ids)
STATUS_WORDS = {
    "queued": "Waiting to send",
    "sending": "Waiting to send",
    "synced": "Sent",
    **{status: english for status, (_indonesian, english) in WORDS.items()},
    "rejected": "Please ask a staff member",
}

IdlePhase = Literal["active", "warning", "expired"]


def paginate(fields: list[Field], per_page: int = PAGE_SIZE) -> list[list[Field]]:
    """Splits the form's questions into pages of at most `per_page`."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    return [fields[i:i + per_page] for i in range(0, len(fields), per_page)]


@dataclass
class Journey:
    """What the current citizen has chosen and typed, and where they are in the form."""

    language: str = "id"
    service: Service | None = None
    answers: dict[str, str] = field(default_factory=dict)
    errors: dict[str, Text] = field(default_factory=dict)
    page: int = 0
    consent_given: bool = False
    filed: Application | None = None
    per_page: int = PAGE_SIZE

    # -- language and service ------------------------------------------------------------

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.language = language

    def choose_service(self, service: Service) -> None:
        """Starts the form of `service`; choosing the same service again keeps what was typed."""
        if self.service is not None and self.service.code == service.code and self.filed is None:
            self.page = 0
            return
        self.service = service
        self.answers.clear()
        self.errors.clear()
        self.page = 0
        self.consent_given = False
        self.filed = None

    def text(self, text: Text) -> str:
        return text.in_language(self.language)

    # -- the form ------------------------------------------------------------------------

    @property
    def form_fields(self) -> list[Field]:
        """The questions shown on the form pages (consent has its own screen)."""
        return [f for f in self._service().fields if f.type != "consent"]

    @property
    def consent_field(self) -> Field | None:
        return next((f for f in self._service().fields if f.type == "consent"), None)

    @property
    def pages(self) -> list[list[Field]]:
        return paginate(self.form_fields, self.per_page)

    @property
    def page_fields(self) -> list[Field]:
        pages = self.pages
        return pages[self.page] if pages else []

    @property
    def is_last_page(self) -> bool:
        return self.page >= len(self.pages) - 1

    def page_of(self, field_name: str) -> int:
        for number, fields in enumerate(self.pages):
            if any(f.name == field_name for f in fields):
                return number
        raise KeyError(field_name)

    def set_answer(self, name: str, raw: str) -> None:
        """Keeps what was typed (even if wrong, so Back never loses it); clears its old error."""
        self._service().field(name)
        if raw:
            self.answers[name] = raw
        else:
            self.answers.pop(name, None)
        self.errors.pop(name, None)

    def check_field(self, name: str) -> Text | None:
        """Checks one answer now; the message (or None) is also kept in `errors`."""
        checked = check_answer(self._service().field(name), self.answers.get(name))
        if checked.error:
            self.errors[name] = checked.error
        else:
            self.errors.pop(name, None)
        return checked.error

    def check_page(self) -> dict[str, Text]:
        """Checks every question on the current page; an empty result means Next may go on."""
        found = {}
        for f in self.page_fields:
            error = self.check_field(f.name)
            if error:
                found[f.name] = error
        return found

    def next_page(self) -> bool:
        """Moves to the next page when this one is valid; False when it has errors or is the last."""
        if self.check_page() or self.is_last_page:
            return False
        self.page += 1
        return True

    def previous_page(self) -> bool:
        if self.page == 0:
            return False
        self.page -= 1
        return True

    def go_to_field(self, name: str) -> None:
        """For "Ubah" on the review: the page holding that question."""
        self.page = self.page_of(name)

    def review_rows(self) -> list[tuple[Field, str]]:
        """Every question with the answer as the citizen reads it (a choice's label, not its code)."""
        rows = []
        for f in self.form_fields:
            raw = self.answers.get(f.name, "")
            choice = f.choice(raw) if f.type == "choice" else None
            rows.append((f, self.text(choice.label) if choice else raw))
        return rows

    # -- progress ------------------------------------------------------------------------

    @property
    def step_count(self) -> int:
        return len(self.pages) + len(AFTER_FORM)

    def step_number(self, stage: str) -> int:
        """1-based step for "Langkah i dari n": `form` (the current page), `documents`, `review`, `consent`."""
        if stage == "form":
            return self.page + 1
        return len(self.pages) + AFTER_FORM.index(stage) + 1

    # -- submitting ----------------------------------------------------------------------

    def submit(self, store: Store, catalog: Catalog, *, now: dt.datetime | None = None) -> Application:
        """Files the application (consent included) and remembers it for the receipt.

        Raises `FormInvalid` (its errors are kept here too, so the form can show them),
        `NotProvisioned` or `StoreFull`.
        """
        service = self._service()
        answers = dict(self.answers)
        consent = self.consent_field
        if consent is not None:
            answers[consent.name] = "yes" if self.consent_given else ""
        try:
            self.filed = file_application(store, catalog, service.code, answers, now=now)
        except FormInvalid as e:
            self.errors.update(e.errors)
            raise
        return self.filed

    def first_page_with_error(self) -> int | None:
        pages = [self.page_of(name) for name in self.errors if self._has_form_field(name)]
        return min(pages) if pages else None

    # -- forgetting ------------------------------------------------------------------------

    def reset(self, language: str = "id") -> None:
        """Forgets everything about this citizen; the next one starts in `language`."""
        self.answers.clear()
        self.errors.clear()
        self.service = None
        self.page = 0
        self.consent_given = False
        self.filed = None
        self.set_language(language)

    @property
    def is_blank(self) -> bool:
        return self.service is None and not self.answers and not self.errors and not self.consent_given \
            and self.filed is None

    def _service(self) -> Service:
        if self.service is None:
            raise RuntimeError("no service chosen yet")
        return self.service

    def _has_form_field(self, name: str) -> bool:
        return any(f.name == name for f in self.form_fields)


@dataclass
class IdleTimer:
    """After `timeout_s` without a touch, warn; `warning_s` later, reset. Times are monotonic seconds."""

    timeout_s: float = 60
    warning_s: float = 10
    last_activity: float = 0.0

    def touch(self, now: float) -> None:
        self.last_activity = now

    def phase(self, now: float) -> IdlePhase:
        idle = now - self.last_activity
        if idle >= self.timeout_s + self.warning_s:
            return "expired"
        if idle >= self.timeout_s:
            return "warning"
        return "active"

    def seconds_left(self, now: float) -> int:
        """Whole seconds until the reset, counting down during the warning (never below 0)."""
        remaining = self.timeout_s + self.warning_s - (now - self.last_activity)
        return max(0, int(remaining + 0.999))


@dataclass(frozen=True)
class StatusLookup:
    """What the status screen shows for one typed application number."""

    reference: str
    found: bool
    status: str | None = None
    status_words: str | None = None
    service_name: Text | None = None
    filed_at: dt.datetime | None = None
    central_status_at: dt.datetime | None = None
    #: the office's reason for a decline, as staff wrote it
    decline_reason: str | None = None


def look_up_status(store: Store, catalog: Catalog | None, typed: str) -> StatusLookup:
    """Reads what this terminal knows of an application; raises `BadReference` for a mistyped number."""
    reference = parse_reference(typed)
    app = store.get(reference)
    if app is None:
        return StatusLookup(reference=reference, found=False)
    name = None
    if catalog is not None:
        name = next((s.name for s in catalog.services if s.code == app.service_code), None)
    return StatusLookup(
        reference=reference, found=True, status=app.status, status_words=STATUS_WORDS.get(app.status, app.status),
        service_name=name, filed_at=app.created_at, central_status_at=app.central_status_at,
        decline_reason=app.decline_reason,
    )


def call_staff(store: Store, screen: str = "") -> None:
    """Records that a citizen asked for help (staff see it in the audit log and maintenance)."""
    store.record_audit("citizen.help_requested", screen, actor="citizen")

