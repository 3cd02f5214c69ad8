"""Staff deciding a citizen's request (`central.citizen_requests`), the one way for the console and the CLI:

- a **correction** opens the application (logged), checks the new value as the kiosk's form does, seals the
  corrected answers again to the office's current key, and writes the access log an entry whose sealed
  part keeps the old and the new value (readable only with the office key; its hash is in the entry's
  detail, so the chain covers it);
- a **deletion** (the citizen withdraws consent) removes the personal data — the sealed answers, the
  phone number inside them and the SMS flag, the letter's sealed content and masked name — and leaves
  the skeleton: reference, service, dates, status, the letter's number; an application still open is
  declined through the lifecycle (`central.status.change_status`) with the reason the citizen reads;
- a **copy** is handed over at the office's counter (the citizen shows their KTP): staff open the data
  (logged) and print it there; applying it tells the citizen it is ready.
A request about data already deleted is answered so, whatever was asked."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from central.errors import CentralError
from central.keyring import office_private_key
from central.models import (
    AccessLogEntry,
    AccessLogSealed,
    Application,
    CitizenRequest,
    IssuedLetter,
    PublicName,
    SmsMessage,
    utcnow,
)
from central.office_profile import load_profile
from central.offices import current_key, office_keys
from central.records import log_access, open_application
from central.status import change_status
from central.values import clean_text
from kiosk.citizen_requests import NOT_CORRECTABLE, OPEN
from kiosk.crypto import CryptoFailure, open_sealed, seal_for_office
from kiosk.lifecycle import NEXT_STATUSES
from kiosk.notify import NOTIFY_SMS_FLAG
from kiosk.validation import check_answer

APPLIED, REFUSED, ALREADY_DELETED = "applied", "refused", "already_deleted"
CORRECTED = "request.correction_applied"
DELETED = "request.data_deleted"
DECIDED = "request.decided"
MAX_NOTE = 280
#: what the citizen reads when a copy is ready, unless staff write their own words
COPY_READY = "Salinan data Anda siap diambil di loket kantor. Bawa KTP asli."
#: why an application still open stops when its data is deleted (the citizen reads it in Cek Status)
WITHDRAWN = "Dihentikan: Anda menarik persetujuan dan data pribadi Anda sudah dihapus atas permintaan Anda."
#: purposes written to the access log when staff open data for a request (the citizen reads them)
PURPOSE = {"correction": "koreksi data atas permintaan Anda", "copy": "salinan data atas permintaan Anda",
           "deletion": "penghapusan data atas permintaan Anda"}


class DecisionRefused(CentralError):
    """The decision cannot be made as asked; the message says why (Indonesian, for staff)."""


def open_request(session: Session, req: CitizenRequest, app: Application, actor: str) -> dict[str, Any]:
    """What staff need to decide: for a correction the field's current and asked value, for a copy the
    whole answers. Each look is written to the access log first (`open_application`)."""
    if app.personal_data_deleted_at is not None:
        raise DecisionRefused("Data pribadi permohonan ini sudah dihapus.")
    answers = open_application(session, app, actor, PURPOSE[req.kind]).get("answers", {})
    if req.kind == "correction":
        asked = _asked(session, req)
        return {"field": asked["field"], "old": answers.get(asked["field"], ""), "new": asked["value"]}
    if req.kind == "copy":
        return {"answers": answers}
    return {}


def decide(session: Session, actor: str, req: CitizenRequest, app: Application, action: str, note: str = "",
           *, now: dt.datetime | None = None) -> CitizenRequest:
    """Applies (`apply`) or refuses (`refuse`, with the reason the citizen reads) an open request.

    Raises `DecisionRefused` (nothing changed): a request already decided, an unknown action, a refusal
    without a reason or a note too long, a correction whose new value the form would refuse."""
    note = clean_text(note or "") or ""
    if req.state != OPEN:
        raise DecisionRefused("Permintaan ini sudah diputuskan.")
    if action not in ("apply", "refuse"):
        raise DecisionRefused("Pilih: jalankan atau tolak.")
    if len(note) > MAX_NOTE:
        raise DecisionRefused(f"Keterangan paling panjang {MAX_NOTE} huruf.")
    now = now or utcnow()
    if app.personal_data_deleted_at is not None:
        state = ALREADY_DELETED
    elif action == "refuse":
        if not note:
            raise DecisionRefused("Tulis alasan penolakan: warga membacanya di anjungan.")
        state = REFUSED
    else:
        if req.kind == "correction":
            _apply_correction(session, actor, req, app)
        elif req.kind == "deletion":
            delete_personal_data(session, actor, app, now=now)
            if "declined" in NEXT_STATUSES.get(app.status, ()):  # nothing left to process: the lifecycle ends it
                change_status(session, actor, app, "declined", WITHDRAWN, now=now)
        else:
            note = note or COPY_READY
        state = APPLIED
    # dated after the openings the action logged, so the citizen's record reads in the order it happened
    decided = max(now, utcnow())
    req.state, req.decided_at, req.decided_by, req.note = state, decided, actor[:60], note or None
    log_access(session, actor, DECIDED, app, f"{req.kind} {req.reference}: {state}")
    return req


def _asked(session: Session, req: CitizenRequest) -> dict[str, str]:
    """The request's sealed field and new value, opened with the key it arrived under (or any of the office's)."""
    keys = sorted(office_keys(session, req.office_id), key=lambda k: k.id != req.office_key_id)
    for key in keys:
        try:
            content = open_sealed(office_private_key(session, key), req.sealed)
        except CryptoFailure:
            continue
        request = content.get("request") if isinstance(content, dict) else None
        if isinstance(request, dict):
            return {"field": str(request.get("field", "")), "value": str(request.get("value", ""))}
    raise CentralError(f"the sealed request {req.reference} does not open with any key of its office")


def _apply_correction(session: Session, actor: str, req: CitizenRequest, app: Application) -> None:
    content = open_application(session, app, actor, PURPOSE["correction"])
    asked = _asked(session, req)
    service = load_profile(session, app.office_id).services.get(app.service_code)
    try:
        field = service.field(asked["field"]) if service else None
    except KeyError:
        field = None
    if field is None or field.type in NOT_CORRECTABLE:
        raise DecisionRefused("Isian yang diminta untuk dikoreksi tidak ada di layanan ini; tolak dengan alasannya.")
    checked = check_answer(field, asked["value"])
    if checked.error is not None:
        raise DecisionRefused(f"Nilai baru tidak sah ({checked.error.id}); tolak dengan alasannya.")
    answers = dict(content.get("answers") or {})
    old = answers.get(field.name, "")
    answers[field.name] = checked.value or ""
    key = current_key(session, app.office_id)
    app.sealed, app.office_key_id = seal_for_office(key.public_key, {**content, "answers": answers}), key.id
    values = seal_for_office(key.public_key, {"field": field.name, "old": old, "new": answers[field.name]})
    digest = hashlib.sha256(values).hexdigest()
    entry = log_access(session, actor, CORRECTED, app,
                       f"{field.name} ({req.reference}); lama+baru tersegel sha256={digest}")
    session.flush()
    session.add(AccessLogSealed(entry_id=entry.id, sealed=values, office_key_id=key.id))


def corrected_values(session: Session, entry_id: int) -> dict[str, str]:
    """The old and new value a correction's access-log entry keeps (the office key opens them); raises
    `CentralError` when the sealed part was changed (its hash no longer matches the entry's detail)."""
    kept = session.get(AccessLogSealed, entry_id)
    if kept is None:
        raise CentralError(f"access-log entry {entry_id} keeps no sealed values")
    entry = session.get(AccessLogEntry, entry_id)
    if entry is None or hashlib.sha256(kept.sealed).hexdigest() not in entry.detail:
        raise CentralError(f"the sealed values of access-log entry {entry_id} do not match the entry")
    key = next(k for k in office_keys(session, entry.office_id or 0) if k.id == kept.office_key_id)
    return open_sealed(office_private_key(session, key), kept.sealed)


def delete_personal_data(session: Session, actor: str, app: Application, *, now: dt.datetime | None = None) -> None:
    """Removes the application's personal data and keeps its skeleton (reference, service, dates, status,
    the letter's number and date): the sealed answers (with the phone number), the SMS flag and any
    message not yet sent, the letter's sealed content and masked name, the verification page's name."""
    now = now or utcnow()
    app.sealed = b""
    app.flags = ",".join(f for f in app.flags.split(",") if f and f != NOTIFY_SMS_FLAG)
    app.personal_data_deleted_at = now
    session.execute(update(SmsMessage).where(SmsMessage.application_id == app.id,
                                             SmsMessage.state.in_(("queued", "handed")))
                    .values(state="failed", last_error="data pribadi dihapus atas permintaan warga"))
    session.execute(update(IssuedLetter).where(IssuedLetter.application_id == app.id)
                    .values(sealed_content=b"", masked_name=""))
    public = session.get(PublicName, app.id)
    if public is None:
        session.add(PublicName(application_id=app.id, masked_name=""))
    else:
        public.masked_name = ""
    log_access(session, actor, DELETED, app, "data pribadi dihapus; kerangka disimpan")

