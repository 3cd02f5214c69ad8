""""Data saya": an application's processing record, asked of central for the citizen at the kiosk once
they gave the receipt's PIN (the screen checks it first, through `kiosk.status_pin`)."""

from __future__ import annotations

from kiosk.citizen_requests import EVENT_DELETED
from kiosk.errors import LoketError
from kiosk.store.retention import forget_answers
from kiosk.terminal import Terminal
from sync.client import CentralClient
from sync.protocol import ProcessingRecord, RecordEvent


class RecordUnavailable(LoketError):
    """The record cannot be shown now: not provisioned, central unreachable, or it lacks the application."""


def fetch_record(terminal: Terminal, reference: str) -> ProcessingRecord:
    """The processing record of this terminal's application `reference`, from central (a signed request),
    with what only the terminal knows: when its retention deleted the sealed copy here."""
    app = terminal.store.get(reference)
    identity = terminal.identity
    if app is None or identity is None or terminal.sync_problem():
        raise RecordUnavailable(f"no record to ask for {reference}")
    try:
        with CentralClient(terminal.server_url, terminal_id=identity.terminal_id, signing_key=identity.signing_key,
                           ca_bundle=terminal.settings.ca_bundle) as client:
            record = client.processing_record(app.id)
    except LoketError as e:
        raise RecordUnavailable(f"the record of {reference} could not be fetched: {e}") from e
    if app.answers_deleted_at is None and any(event.kind == EVENT_DELETED for event in record.events):
        forget_answers(terminal.store, app.id)  # the office deleted it at the citizen's request: so does the kiosk
        app = terminal.store.get(reference) or app
    if app.answers_deleted_at is None:
        return record
    deleted = RecordEvent(at=app.answers_deleted_at, kind="retention", role="system")
    return record.model_copy(update={"events": sorted([*record.events, deleted], key=lambda e: e.at)})
