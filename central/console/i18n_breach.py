"""The console's English words for the breach register (issue 24), kept apart from `central.console.i18n`
so the feature's words sit together; that module merges them."""

from __future__ import annotations

EN_BREACH: dict[str, str] = {
    "Insiden data": "Data incidents", "Register insiden data pribadi": "Personal-data incident register",
    "Kegagalan pelindungan data pribadi wajib diberitahukan kepada warga yang terdampak dan kepada lembaga paling "
    "lambat 3×24 jam sejak diketahui (UU 27/2022 Pasal 46). Jam dihitung sejak insiden diketahui, bukan hari kerja.":
        "A failure to protect personal data must be told to the citizens it touched and to the authority within "
        "3×24 hours of finding it (UU 27/2022 Article 46). The clock counts hours since it was found, not working "
        "days.",
    "No.": "No.", "Diketahui": "Found", "Data terdampak": "Data affected", "Batas {h} jam": "{h}-hour limit",
    "Jam 3×24": "3×24-hour clock", "Surat warga": "Citizens' letters",
    "selesai dalam {n} jam": "done within {n} hours", "terlambat": "late", "lewat {n} jam": "{n} hours overdue",
    "lewat batas": "past the limit",
    "{n} jam berjalan, sisa {left} jam": "{n} hours running, {left} hours left", "belum": "not yet",
    "Belum ada insiden tercatat.": "No incident recorded yet.", "Catat insiden baru": "Record a new incident",
    "Insiden tidak dicatat: {why}": "The incident was not recorded: {why}",
    "Kapan diketahui (waktu kantor)": "When it was found (office time)",
    "Data apa yang terdampak": "What data is affected", "Bagaimana terjadinya": "How it happened",
    "Apa yang sedang dilakukan": "What is being done", "Catat insiden": "Record the incident",
    "Surat warga dan laporan dibuat dalam {n} jam.": "The citizens' letters and the report were made within {n} hours.",
    "Terlambat: batasnya {due}.": "Late: the limit was {due}.",
    "Lewat batas {h} jam: {n} jam sejak diketahui, batasnya {due}.":
        "Past the {h}-hour limit: {n} hours since it was found, the limit was {due}.",
    "{n} jam sejak diketahui; sisa {left} jam (batas {due}).": "{n} hours since it was found; {left} hours left "
                                                               "(limit {due}).",
    "Dicatat oleh": "Recorded by", "Tidak bisa: {why}": "Not possible: {why}",
    "{n} permohonan ditambahkan.": "{n} application(s) added.",
    "Tautkan permohonan yang terdampak": "Link the affected applications", "Diajukan sejak": "Filed from",
    "sampai sebelum": "until before", "semua": "all", "Tautkan": "Link",
    "Permohonan terdampak": "Affected applications",
    "Belum ada permohonan yang ditautkan.": "No application linked yet.", "Pemberitahuan": "Notices",
    "Surat untuk tiap warga memuat nama dan nomor permohonannya saja; membuat surat membuka nama tiap warga dan "
    "tercatat di log akses. Laporan ke lembaga tidak memuat data pribadi.":
        "Each citizen's letter carries only their name and application number; making the letters opens each "
        "citizen's name, and each opening is in the access log. The report to the authority holds no personal "
        "data.",
    "Buat surat pemberitahuan ({n})": "Make the notification letters ({n})",
    "Buat laporan ke lembaga": "Make the report to the authority",
    "Insiden itu tidak ada di kantor Anda.": "There is no such incident in your office.",
    "Mencatat insiden data": "Recorded a data incident", "Menautkan permohonan ke insiden": "Linked applications "
                                                                                             "to an incident",
    "Membuat surat pemberitahuan insiden": "Made the incident notification letters",
    "Membuat laporan insiden": "Made the incident report",
    "Warga melihat catatan datanya di ponsel": "The citizen saw their data record on a phone",
    "pemberitahuan insiden data pribadi": "notifying a personal-data incident",
}
