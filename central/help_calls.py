"""Citizens' "Minta Bantuan" at the office's kiosks as values: the calls, newest first, who answered
each, how many wait; and answering one. Queries and the one write, no HTTP: the console's help page and
every page's red banner render these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from central.errors import NotFound
from central.models import AuditEntry, HelpAcknowledgement, Terminal, utcnow

#: the kiosk's audit action for a citizen's "Minta Bantuan"
HELP_ACTION = "citizen.help_requested"
SHOWN = 200


@dataclass(frozen=True)
class HelpCall:
    id: int
    at: dt.datetime
    terminal: str
    screen: str
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None


def help_calls(session: Session, office_id: int) -> list[HelpCall]:
    """The office's latest `SHOWN` calls, newest first; reads only."""
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.at, Terminal.code, AuditEntry.detail, HelpAcknowledgement.username,
               HelpAcknowledgement.at.label("acknowledged_at"))
        .join(Terminal, Terminal.id == AuditEntry.terminal_id)
        .outerjoin(HelpAcknowledgement, HelpAcknowledgement.audit_entry_id == AuditEntry.id)
        .where(AuditEntry.action == HELP_ACTION, Terminal.office_id == office_id)
        .order_by(AuditEntry.id.desc()).limit(SHOWN)).all()
    return [HelpCall(r.id, r.at, r.code, r.detail, r.username, r.acknowledged_at) for r in rows]


def calls_waiting(session: Session, office_id: int) -> int:
    """Calls at this office's kiosks nobody has acknowledged yet."""
    return session.scalar(
        select(func.count()).select_from(AuditEntry).join(Terminal, Terminal.id == AuditEntry.terminal_id)
        .where(AuditEntry.action == HELP_ACTION, Terminal.office_id == office_id,
               ~exists().where(HelpAcknowledgement.audit_entry_id == AuditEntry.id))) or 0


def acknowledge_call(session: Session, office_id: int, call_id: int, username: str) -> bool:
    """Marks the office's call `call_id` answered by `username`; False when someone already had.
    Raises `NotFound` for a call that is not one at this office's kiosks."""
    found = session.execute(select(AuditEntry.id).join(Terminal, Terminal.id == AuditEntry.terminal_id)
                            .where(AuditEntry.id == call_id, AuditEntry.action == HELP_ACTION,
                                   Terminal.office_id == office_id)).first()
    if found is None:
        raise NotFound(f"no help call {call_id} at this office")
    if session.get(HelpAcknowledgement, call_id) is not None:
        return False
    session.add(HelpAcknowledgement(audit_entry_id=call_id, username=username, at=utcnow()))
    return True


__all__ = ["HELP_ACTION", "SHOWN", "HelpCall", "acknowledge_call", "calls_waiting", "help_calls"]
