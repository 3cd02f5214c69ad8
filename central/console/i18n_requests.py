"""The console's English words for the citizen's requests (issue 24: correction, deletion, copy), kept
apart so each feature's words sit together; `central.console.i18n` merges them."""

from __future__ import annotations

EN_REQUESTS: dict[str, str] = {
    "Permintaan warga": "Citizens' requests", "Permintaan warga atas datanya": "Citizens' requests about their data",
    "Koreksi, penarikan persetujuan dan penghapusan, atau salinan data, diajukan warga di anjungan (UU 27/2022). "
    "Setiap permintaan dijawab dalam {h} jam sejak diterima — jam, bukan hari kerja.":
        "Corrections, withdrawals of consent with deletion, and copies of data, filed by citizens at the kiosks "
        "(UU 27/2022). Each request is answered within {h} hours of its arrival — hours, not working days.",
    "Keputusan disimpan. Warga melihatnya di anjungan (Cek Status → Data saya).":
        "Decision saved. The citizen sees it at the kiosk (Check status → My data).",
    "Diterima": "Received", "Batas waktu": "Due", "Permintaan": "Request", "Belum ada permintaan.": "No requests yet.",
    "Koreksi data": "Correct data", "Tarik persetujuan & hapus data": "Withdraw consent & delete data",
    "Salinan data": "Copy of data", "Menunggu": "Waiting", "Dijalankan": "Carried out", "Ditolak": "Refused",
    "Data sudah dihapus": "Data already deleted", "Isian yang dikoreksi": "Answer to correct",
    "Diputuskan": "Decided",
    "sudah dihapus; yang tersisa hanya nomor, layanan, tanggal dan status":
        "deleted; only the number, service, dates and status remain",
    "Data yang diperlukan": "Data needed", "Dibuka oleh {who}. Pembukaan ini tercatat di log akses.":
        "Opened by {who}. This opening is in the access log.",
    "Sekarang": "Now", "Diminta": "Asked for",
    "Dibuka oleh {who}. Pembukaan ini tercatat di log akses. Cetak halaman ini dan serahkan di loket setelah "
    "memeriksa KTP warga.":
        "Opened by {who}. This opening is in the access log. Print this page and hand it over at the counter "
        "after checking the citizen's ID card.",
    "Setiap pembukaan dicatat dan tampil di catatan warga.":
        "Each opening is logged and shows in the citizen's record.",
    "Menjalankan permintaan ini menghapus data pribadi permohonan (jawaban tersegel, nomor HP, isi surat). Nomor, "
    "layanan, tanggal dan status tetap untuk statistik dan register surat.":
        "Carrying out this request deletes the application's personal data (sealed answers, phone number, the "
        "letter's content). Its number, service, dates and status stay for statistics and the letter register.",
    "Keputusan": "Decision", "Jalankan": "Carry out", "Tolak": "Refuse",
    "Keterangan untuk warga (wajib bila ditolak)": "Note for the citizen (required when refusing)",
    "Simpan keputusan": "Save decision",
    "Penghapusan data diputuskan oleh supervisor.": "Deleting data is decided by a supervisor.",
    "Permintaan itu tidak ada di kantor Anda.": "That request is not at your office.",
    "Permintaan ini sudah diputuskan.": "This request was already decided.",
    "Pilih: jalankan atau tolak.": "Choose: carry out or refuse.",
    "Tulis alasan penolakan: warga membacanya di anjungan.":
        "Write the reason for refusing: the citizen reads it at the kiosk.",
    "Data pribadi permohonan ini sudah dihapus.": "The personal data of this application was deleted.",
    "Isian yang diminta untuk dikoreksi tidak ada di layanan ini; tolak dengan alasannya.":
        "The answer asked to be corrected is not in this service; refuse it with the reason.",
    "Data pribadi permohonan ini sudah dihapus atas permintaan warga; yang tersisa hanya nomor, layanan, tanggal "
    "dan status.": "The personal data of this application was deleted at the citizen's request; only its number, "
                   "service, dates and status remain.",
    "Menerima permintaan warga": "Received a citizen's request",
    "Memutuskan permintaan warga": "Decided a citizen's request",
    "Mengoreksi data atas permintaan warga": "Corrected data at the citizen's request",
    "Menghapus data pribadi atas permintaan warga": "Deleted personal data at the citizen's request",
}
