"""Staff pages: plain server-rendered HTML of applications (with status) and terminals.

They show no personal data (that is `loket-central applications show`). They have no login yet, so
serve central on loopback or behind the office's authenticating proxy.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from central.api.common import DB
from central.records import list_applications, list_terminals

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)

_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title} · Loket</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}th{{background:#eee}}</style></head>
<body><nav><a href="/staff">Permohonan / Applications</a> · <a href="/staff/terminals">Terminal</a></nav>
<h1>{title}</h1>{body}</body></html>"""


def _table(headings: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    return f"<p>{len(rows)} shown</p><table><tr>{head}</tr>{body}</table>"


@router.get("", response_class=HTMLResponse)
def applications_page(db: DB) -> str:
    with db.transaction() as session:
        rows = [(a.reference, a.service_code, a.status, a.office, a.terminal, a.filed_at, a.received_at)
                for a in list_applications(session, limit=500)]
    table = _table(("Reference", "Service", "Status", "Office", "Terminal", "Filed", "Received"), rows)
    return _PAGE.format(title="Permohonan / Applications", body=table)


@router.get("/terminals", response_class=HTMLResponse)
def terminals_page(db: DB) -> str:
    with db.transaction() as session:
        rows = [(t["code"], t["office"], t["last_seen_at"], t["queue"], t["oldest_unsynced_age_s"],
                 t["app_version"], t["catalog_version"], t["last_error"], "revoked" if t["revoked_at"] else "active")
                for t in list_terminals(session)]
    table = _table(("Code", "Office", "Last seen", "Queue", "Oldest unsynced (s)", "App", "Catalog",
                    "Last error", "State"), rows)
    return _PAGE.format(title="Terminal", body=table)
