"""Staff accounts (`/staff/accounts`, admins): every account with its office and role, and disabling one.
Accounts are made and passwords set with `loket-central staff add|reset-password` (passwords never pass
through a web form here)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from central.api.common import DB
from central.console.accounts import OwnAccount, disable_staff, list_staff
from central.console.sessions import StaffContext
from central.console.web import PREFIX, ConsoleError, Posted, Staff, render
from central.console.workflow import log_access
from central.errors import NotFound

router = APIRouter(prefix=f"{PREFIX}/accounts", include_in_schema=False)


def _admin(staff: StaffContext) -> StaffContext:
    if not staff.is_admin:
        raise ConsoleError(403, "Halaman ini hanya untuk admin.")
    return staff


@router.get("")
def accounts_page(request: Request, db: DB, staff: Staff) -> Response:
    _admin(staff)
    with db.transaction() as session:
        return render(request, "accounts.html", staff, session=session, active="accounts",
                      accounts=list_staff(session))


@router.post("/{username}/disable")
def disable(db: DB, staff: Posted, username: str) -> Response:
    _admin(staff)
    with db.transaction() as session:
        try:
            disable_staff(session, username, by_staff_id=staff.staff_id)
        except OwnAccount:
            raise ConsoleError(400, "Anda tidak bisa menonaktifkan akun Anda sendiri.") from None
        except NotFound:
            raise ConsoleError(404, "Akun itu tidak ada.") from None
        log_access(session, staff, "staff.disabled", detail=username)
    return RedirectResponse(f"{PREFIX}/accounts", status_code=303)
