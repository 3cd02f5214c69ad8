"""The console's English words for the citizen's-record pages (issue 24: access-log chain, SMS, requests),
kept apart from `central.console.i18n` so each feature's words sit together; that module merges them."""

from __future__ import annotations

EN_PRIVACY: dict[str, str] = {
    # access log chain
    "Rantai log utuh: {n} entri diperiksa, tidak ada yang diubah, dihapus atau dipindah.":
        "The log's chain holds: {n} entries checked, none edited, deleted or moved.",
    "Rantai log RUSAK: log ini diubah di luar Loket di {n} tempat.":
        "The log's chain is BROKEN: this log was changed outside Loket in {n} place(s).",
    "Hanya entri terbaru yang diperiksa di sini; periksa semuanya dengan loket-central audit verify.":
        "Only the newest entries are checked here; check them all with loket-central audit verify.",
    "Entri #{entry} diubah atau dipindah setelah ditulis.": "Entry #{entry} was edited or moved after it was written.",
    "Entri #{entry} tidak menyambung ke entri sebelumnya: entri itu diubah, dihapus atau dipindah.":
        "Entry #{entry} does not follow the one before: that one was edited, deleted or moved.",
    "Entri urutan {first}–{last} hilang (dihapus).": "Entries no. {first}–{last} are missing (deleted).",
    "Entri #{entry} ditambahkan di luar rantai (tanpa hash).": "Entry #{entry} was added outside the chain (no hash).",
    "Entri terakhir tidak cocok dengan kepala rantai: diubah atau diganti.":
        "The last entry does not match the chain's head: edited or replaced.",
    "Laporkan ke admin; periksa dengan loket-central audit verify.":
        "Tell an admin; check with loket-central audit verify.",
    # text messages
    "SMS": "SMS", "SMS ke warga": "Text messages to citizens", "Pesan": "Message", "Keadaan": "State",
    "Warga yang mencentang \"kabari saya lewat SMS\" mendapat pesan saat permohonannya siap diambil atau ditolak. "
    "Pesan hanya menyebut kantor, nomor permohonan dan statusnya.":
        "Citizens who ticked \"text me\" get a message when their application is ready or declined. It names "
        "only the office, the application number and its status.",
    "SMS tidak aktif: kantor ini belum punya modem (loket-central sms gateway).":
        "Text messages are off: this office has no modem yet (loket-central sms gateway).",
    "Antre": "Queued", "Di gateway": "At the gateway", "Terkirim": "Sent", "Gagal": "Failed",
    "{n} kali gagal": "failed {n} time(s)", "Belum ada SMS.": "No text messages yet.",
}
