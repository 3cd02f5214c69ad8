"""The breach register (`/staff/breaches`, supervisors and admins): record a personal-data incident, link
the applications it touched (by time range, kiosk or service), and produce the notification letters to
the citizens and the report to the authority, with the 3×24-hour clock (overdue incidents highlighted).
The pages list references, services and dates only; the letters open each citizen's name, logged."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.common import DB
from central.breaches import (
    NOTICE_HOURS,
    BreachProblem,
    affected,
    authority_report,
    breaches_of,
    clock_of,
    link_applications,
    notification_letters,
    record_breach,
)
from central.console.downloads import download
from central.console.sessions import StaffContext
from central.console.web import PREFIX, ConsoleError, PostedSupervisor, Supervisor, render
from central.console.workflow import log_access
from central.models import Breach, Terminal
from central.office_profile import load_profile

router = APIRouter(prefix=f"{PREFIX}/breaches", include_in_schema=False)
TEXT = Annotated[str, Form(max_length=4000)]
MOMENT = Annotated[str, Form(max_length=40)]
CODE = Annotated[str, Form(max_length=20)]


def local_moment(text: str, staff: StaffContext, what: str) -> dt.datetime | None:
    """A `datetime-local` value (`2026-12-04T09:30`) on the office's clock, in UTC; None when empty."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BreachProblem(f"{what}: {text[:40]!r} is not a date and time") from None
    if moment.tzinfo is not None:
        raise BreachProblem(f"{what}: give the office's local time, without a zone")
    return moment.replace(tzinfo=staff.zone).astimezone(dt.UTC)


def _breach(session: Session, staff: StaffContext, breach_id: int) -> Breach:
    breach = session.get(Breach, breach_id)
    if breach is None or (breach.office_id != staff.office_id and not staff.is_admin):
        raise ConsoleError(404, "Insiden itu tidak ada di kantor Anda.", staff=staff)
    return breach


def _list_page(request: Request, session: Session, staff: StaffContext, *, status_code: int = 200,
               problem: str = "", form: dict[str, str] | None = None) -> Response:
    breaches = breaches_of(session, staff.office_id)
    rows = [(b, clock_of(b), len(affected(session, b))) for b in breaches]
    return render(request, "breaches.html", staff, session=session, active="breaches", status_code=status_code,
                  rows=rows, problem=problem, form=form or {}, hours=NOTICE_HOURS)


def _detail_page(request: Request, session: Session, staff: StaffContext, breach: Breach, *,
                 status_code: int = 200, problem: str = "", linked: int | None = None) -> Response:
    profile = load_profile(session, breach.office_id)
    terminals = list(session.scalars(select(Terminal.code).where(Terminal.office_id == breach.office_id)
                                     .order_by(Terminal.code)))
    return render(request, "breach.html", staff, session=session, active="breaches", status_code=status_code,
                  b=breach, clock=clock_of(breach), apps=affected(session, breach), problem=problem, linked=linked,
                  terminals=terminals, services=sorted((s.code, s.name.id) for s in profile.services.values()),
                  service_name=profile.service_name, hours=NOTICE_HOURS)


@router.get("")
def breach_list(request: Request, db: DB, staff: Supervisor) -> Response:
    with db.transaction() as session:
        return _list_page(request, session, staff)


@router.post("")
def new_breach(request: Request, db: DB, staff: PostedSupervisor, found_at: MOMENT = "", what_data: TEXT = "",
               how: TEXT = "", actions: TEXT = "") -> Response:
    with db.transaction() as session:
        try:
            found = local_moment(found_at, staff, "when it was found")
            if found is None:
                raise BreachProblem("when it was found is empty")
            breach = record_breach(session, staff.office_id, staff.username, found_at=found, what_data=what_data,
                                   how=how, actions=actions)
        except BreachProblem as e:
            return _list_page(request, session, staff, status_code=400, problem=str(e),
                              form={"found_at": found_at, "what_data": what_data, "how": how, "actions": actions})
        log_access(session, staff, "breach.recorded", None, f"#{breach.id}")
    return RedirectResponse(f"{PREFIX}/breaches/{breach.id}", status_code=303)


@router.get("/{breach_id}")
def breach_page(request: Request, db: DB, staff: Supervisor, breach_id: int) -> Response:
    with db.transaction() as session:
        linked = request.query_params.get("linked", "")
        return _detail_page(request, session, staff, _breach(session, staff, breach_id),
                            linked=int(linked) if linked.isdigit() and len(linked) < 9 else None)


@router.post("/{breach_id}/link")
def link(request: Request, db: DB, staff: PostedSupervisor, breach_id: int, filed_from: MOMENT = "",
         filed_until: MOMENT = "", terminal: CODE = "", service: CODE = "") -> Response:
    with db.transaction() as session:
        breach = _breach(session, staff, breach_id)
        try:
            added = link_applications(session, breach, filed_from=local_moment(filed_from, staff, "from"),
                                      filed_until=local_moment(filed_until, staff, "until"),
                                      terminal_code=terminal, service_code=service)
        except BreachProblem as e:
            return _detail_page(request, session, staff, breach, status_code=400, problem=str(e))
        log_access(session, staff, "breach.linked", None, f"#{breach.id}: +{added}")
    return RedirectResponse(f"{PREFIX}/breaches/{breach_id}?linked={added}", status_code=303)


@router.post("/{breach_id}/letters")
def letters(request: Request, db: DB, staff: PostedSupervisor, breach_id: int) -> Response:
    """The notification letters, one page per citizen (each name opened and logged)."""
    with db.transaction() as session:
        breach = _breach(session, staff, breach_id)
        try:
            pdf, count = notification_letters(session, breach, staff.username)
        except BreachProblem as e:
            return _detail_page(request, session, staff, breach, status_code=400, problem=str(e))
        log_access(session, staff, "breach.letters", None, f"#{breach.id}: {count}")
    return download(pdf, "application/pdf", f"pemberitahuan-insiden-{breach_id}.pdf")


@router.post("/{breach_id}/report")
def report(request: Request, db: DB, staff: PostedSupervisor, breach_id: int) -> Response:
    """The report to the authority (no personal data)."""
    with db.transaction() as session:
        breach = _breach(session, staff, breach_id)
        pdf = authority_report(session, breach)
        log_access(session, staff, "breach.reported", None, f"#{breach.id}")
    return download(pdf, "application/pdf", f"laporan-insiden-{breach_id}.pdf")
