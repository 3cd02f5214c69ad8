"""One router per console page; `ROUTERS` is the order the console mounts them in."""

from central.console.pages import (
    access_log,
    application,
    breaches,
    help_calls,
    inbox,
    letters,
    login,
    reports,
    sms,
    staff_accounts,
    terminals,
)

ROUTERS = (login.router, inbox.router, application.router, terminals.router, help_calls.router, reports.router,
           access_log.router, letters.router, staff_accounts.router, sms.router,
           breaches.router)
