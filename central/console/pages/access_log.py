"""The access log (`/staff/access-log`, supervisors and admins): who opened which application's personal
data and when, logins and staff actions, and whether the office's hash chain still holds (an entry
edited, deleted or moved in the database is named). Read-only: there is no way to change it here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from central import access_chain
from central.api.common import DB
from central.console.i18n import PURPOSE_WORDS, STATUS_WORDS
from central.console.pages.letters import FIELDS as SETTING_FIELDS
from central.console.web import PREFIX, Supervisor, render
from central.models import AccessLogEntry, Office

router = APIRouter(prefix=PREFIX, include_in_schema=False)
PAGE_SIZE = 100
#: the page checks the chain's newest entries (2 s per 20 000 when measured); `audit verify` checks all
CHAIN_CHECKED = 5000
ACTION_WORDS = {
    "personal_data.opened": "Membuka data pribadi", "login": "Masuk (berhasil)", "login.failed": "Masuk gagal",
    "login.locked": "Dikunci setelah gagal masuk", "login.refused_locked": "Ditolak: sedang dikunci",
    "status.changed": "Mengubah status", "terminal.revoked": "Mencabut kios",
    "terminal.enrollment_code": "Membuat kode pendaftaran", "terminal.provisioning_file": "Mengunduh berkas penyiapan",
    "help.acknowledged": "Menanggapi panggilan bantuan", "staff.disabled": "Menonaktifkan akun petugas",
    "letter.issued": "Menerbitkan surat",
    "letter.reprinted": "Mencetak ulang surat", "letter_settings.changed": "Mengubah pengaturan surat",
    "breach.recorded": "Mencatat insiden data", "breach.linked": "Menautkan permohonan ke insiden",
    "breach.letters": "Membuat surat pemberitahuan insiden", "breach.reported": "Membuat laporan insiden",
    "citizen.record_viewed": "Warga melihat catatan datanya di ponsel",
}
#: a chain fault's kind as staff read it; {entry} is the entry's number, {first}-{last} the missing places
FAULT_WORDS = {
    access_chain.ALTERED: "Entri #{entry} diubah atau dipindah setelah ditulis.",
    access_chain.UNLINKED: "Entri #{entry} tidak menyambung ke entri sebelumnya: entri itu diubah, dihapus atau "
                           "dipindah.",
    access_chain.MISSING: "Entri urutan {first}–{last} hilang (dihapus).",
    access_chain.UNCHAINED: "Entri #{entry} ditambahkan di luar rantai (tanpa hash).",
    access_chain.HEAD: "Entri terakhir tidak cocok dengan kepala rantai: diubah atau diganti.",
}


def detail_words(action: str, detail: str, t) -> str:  # noqa: ANN001 - the page's translator
    """An entry's detail as staff read it: a status's word, why data was opened, the settings' labels."""
    if action == "status.changed":
        return t(STATUS_WORDS.get(detail, detail))
    if action == "personal_data.opened":
        return t(PURPOSE_WORDS.get(detail, detail))
    if action == "letter_settings.changed":
        labels = dict(SETTING_FIELDS)
        return ", ".join(t(labels.get(name.strip(), name.strip())) for name in detail.split(",") if name.strip())
    return detail


@router.get("/access-log")
def access_log(request: Request, db: DB, staff: Supervisor,
               page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(AccessLogEntry)
                               .where(AccessLogEntry.office_id == staff.office_id)) or 0
        entries = list(session.scalars(select(AccessLogEntry).where(AccessLogEntry.office_id == staff.office_id)
                                       .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
                                       .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
        office = session.get(Office, staff.office_id)
        chain = access_chain.verify_office(session, staff.office_id, office.code if office else "?",
                                           newest=CHAIN_CHECKED)
        return render(request, "access_log.html", staff, session=session, active="access_log", entries=entries,
                      action_words=ACTION_WORDS, detail_words=detail_words, page=page,
                      pages=max(1, -(-total // PAGE_SIZE)),
                      page_url=lambda number: f"{PREFIX}/access-log?page={number}", chain=chain,
                      fault_words=FAULT_WORDS, broken_ids={f.entry_id for f in chain.faults})
