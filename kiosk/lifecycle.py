"""One application's lifecycle at the office, defined once for the terminal and central alike: the
statuses, which may follow which, which change needs a reason, the groups the console shows, and the
words a citizen and staff read for each.

`check_change()` is the one rule every writer (the console, `loket-central applications set-status`,
anything later) goes through before a status changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from kiosk.errors import LoketError

#: the office's statuses, in the order an application normally passes them
CentralStatus = Literal["received", "in_process", "ready", "done", "declined"]
CENTRAL_STATUSES: tuple[str, ...] = get_args(CentralStatus)
#: the status an application has when central takes it in
FIRST = "received"

#: the statuses each may move to; done and declined are final
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "received": ("in_process", "ready", "declined"),
    "in_process": ("ready", "declined"),
    "ready": ("done", "in_process"),
    "done": (),
    "declined": (),
}
#: a change to one of these must say why; the reason travels to the kiosk, where the citizen reads it
NEEDS_REASON = frozenset({"declined"})
MAX_NOTE = 500

#: not finished yet: the inbox's default view
OPEN = ("received", "in_process", "ready")
#: still the office's work, so these can be overdue (ready waits for the citizen, not the office)
WORKING = ("received", "in_process")
#: nothing more for the office to do on it
FINISHED = ("ready", "done", "declined")
#: far enough along that its letter may be issued
LETTER_ALLOWED = ("in_process", "ready", "done")

#: each status as people read it: (Bahasa Indonesia, English); the console's keys are the Indonesian
#: words, the kiosk's gettext ids the English ones
WORDS: dict[str, tuple[str, str]] = {
    "received": ("Diterima", "Received"),
    "in_process": ("Diproses", "In process"),
    "ready": ("Siap diambil", "Ready for pickup"),
    "done": ("Selesai", "Done"),
    "declined": ("Ditolak", "Declined"),
}


class RefusedChange(LoketError):
    """A status change the lifecycle does not allow. `message` is the console's i18n key (Indonesian)
    with `values`; `str()` is the English line the CLI prints."""

    def __init__(self, message: str, english: str, **values: Any) -> None:
        super().__init__(english.format(**values))
        self.message, self.values = message, values


def is_overdue(status: str, due_on: dt.date | None, today: dt.date) -> bool:
    """Whether an application is late: still the office's work and its due date is past."""
    return status in WORKING and due_on is not None and due_on < today


def carries_reason(status: str) -> bool:
    """Whether a change to `status` carries the office's reason to the kiosk."""
    return status in NEEDS_REASON


def reason_for(status: str, note: str | None) -> str | None:
    """What of a change's note the citizen is told: the reason of a decline, nothing of other notes."""
    return note if carries_reason(status) and note else None


def check_status(status: str) -> str:
    """`status` when it is one of the office's statuses; raises `RefusedChange` otherwise."""
    if status not in NEXT_STATUSES:
        raise RefusedChange("Pilih status baru.", "status {status!r}: use one of {known}", status=status,
                            known=", ".join(CENTRAL_STATUSES))
    return status


def check_change(current: str, new: str, note: str = "") -> str:
    """The change from `current` to `new` with `note`, checked; returns the note trimmed.

    Raises `RefusedChange` for an unknown status, a step the table does not allow, a note that is too
    long, or a change that needs a reason without one."""
    note = note.strip()
    check_status(new)
    if new not in NEXT_STATUSES.get(current, ()):
        raise RefusedChange("Status {from_} tidak bisa diubah menjadi {to}.",
                            "an application that is {from_} cannot be moved to {to}", from_=current, to=new)
    if len(note) > MAX_NOTE:
        raise RefusedChange("Catatan terlalu panjang: paling banyak {n} karakter.",
                            "the note is too long: at most {n} characters", n=MAX_NOTE)
    if carries_reason(new) and not note:
        raise RefusedChange("Untuk menolak, tulis alasannya (warga membacanya di kios).",
                            "to decline, give the reason (the citizen reads it at the kiosk)")
    return note


__all__ = ["CENTRAL_STATUSES", "FINISHED", "FIRST", "LETTER_ALLOWED", "MAX_NOTE", "NEEDS_REASON", "NEXT_STATUSES",
           "OPEN", "WORDS", "WORKING", "CentralStatus", "RefusedChange", "carries_reason", "check_change",
           "check_status", "is_overdue", "reason_for"]
