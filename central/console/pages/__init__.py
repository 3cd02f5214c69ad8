"""Every console page, in ONE list: `PAGES` names each page's router and, for a page in the menu, its
menu item, in the order the menu shows them. A new page is one module here with a `router` (paths
under `/staff`) and one line in `PAGES`; the console's application (`central.console.console_app`)
mounts the routers and draws the menu from this list alone."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter

from central.console.pages import (
    access_log,
    application,
    breaches,
    help_calls,
    inbox,
    letters,
    login,
    reports,
    requests,
    sms,
    staff_accounts,
    terminals,
)
from central.console.web import PREFIX, NavItem


@dataclass(frozen=True)
class Page:
    router: APIRouter
    #: its item in the menu; None for a page reached from another (login, one application)
    menu: NavItem | None = None


PAGES = (
    Page(login.router),
    Page(inbox.router, NavItem("inbox", PREFIX, "Permohonan")),
    Page(application.router),
    Page(help_calls.router, NavItem("help", f"{PREFIX}/help", "Panggilan bantuan")),
    Page(terminals.router, NavItem("terminals", f"{PREFIX}/terminals", "Kios", supervisor=True)),
    Page(reports.router, NavItem("reports", f"{PREFIX}/reports", "Laporan", supervisor=True)),
    Page(letters.router, NavItem("letters", f"{PREFIX}/letters/settings", "Pengaturan surat", supervisor=True)),
    Page(sms.router, NavItem("sms", f"{PREFIX}/sms", "SMS")),
    Page(requests.router, NavItem("requests", f"{PREFIX}/requests", "Permintaan warga")),
    Page(access_log.router, NavItem("access_log", f"{PREFIX}/access-log", "Log akses", supervisor=True)),
    Page(breaches.router, NavItem("breaches", f"{PREFIX}/breaches", "Insiden data", supervisor=True)),
    Page(staff_accounts.router, NavItem("accounts", f"{PREFIX}/accounts", "Petugas", supervisor=True, admin=True)),
)

__all__ = ["PAGES", "Page"]
