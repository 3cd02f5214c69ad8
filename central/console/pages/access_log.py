"""The access log (`/staff/access-log`, supervisors and admins): who opened which application's personal
data and when, logins and staff actions, and whether the office's hash chain still holds (an entry
edited, deleted or moved in the database is named). Read-only: there is no way to change it here.
The page asks `central.access_log` and puts the entries in the staff's words."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from central import access_chain
from central.access_log import access_log_page
from central.api.common import DB
from central.console.i18n import PURPOSE_WORDS, STATUS_WORDS
from central.console.pages.letters import FIELDS as SETTING_FIELDS
from central.console.pages.requests import REQUEST_ACTION_WORDS
from central.console.web import PREFIX, Supervisor, render

router = APIRouter(prefix=PREFIX, include_in_schema=False)
ACTION_WORDS = {
    "personal_data.opened": "Membuka data pribadi", "login": "Masuk (berhasil)", "login.failed": "Masuk gagal",
    "login.locked": "Dikunci setelah gagal masuk", "login.refused_locked": "Ditolak: sedang dikunci",
    "status.changed": "Mengubah status", "terminal.revoked": "Mencabut kios",
    "terminal.enrollment_code": "Membuat kode pendaftaran", "terminal.provisioning_file": "Mengunduh berkas penyiapan",
    "help.acknowledged": "Menanggapi panggilan bantuan", "staff.disabled": "Menonaktifkan akun petugas",
    "letter.issued": "Menerbitkan surat",
    "letter.reprinted": "Mencetak ulang surat", "letter_settings.changed": "Mengubah pengaturan surat",
    **REQUEST_ACTION_WORDS,
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
        found = access_log_page(session, staff.office_id, page)
        return render(request, "access_log.html", staff, session=session, active="access_log",
                      entries=found.entries, action_words=ACTION_WORDS, detail_words=detail_words, page=page,
                      pages=found.pages, page_url=lambda number: f"{PREFIX}/access-log?page={number}",
                      chain=found.chain, fault_words=FAULT_WORDS, broken_ids=found.broken_ids)
