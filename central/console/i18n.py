"""The console's words: Bahasa Indonesia first (the keys are the Indonesian text), English on request.

The language is a cookie set by `/staff/lang/{id|en}`; a key without an English entry shows in Indonesian.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from central.console.i18n_breach import EN_BREACH
from central.console.i18n_privacy import EN_PRIVACY
from central.console.i18n_requests import EN_REQUESTS
from kiosk.catalog.model import Field
from kiosk.lifecycle import WORDS

LANG_COOKIE = "loket_lang"
LANGUAGES = ("id", "en")
STATUS_WORDS = {status: indonesian for status, (indonesian, _english) in WORDS.items()}

EN: dict[str, str] = {
    # navigation and frame
    "Menu": "Menu", "Permohonan": "Applications", "Panggilan bantuan": "Help calls", "Kios": "Kiosks",
    "Dari kios": "From kiosk",
    "Laporan": "Reports", "Log akses": "Access log", "Keluar": "Log out", "Kantor": "Office",
    "Ganti kantor": "Switch office", "operator": "operator", "supervisor": "supervisor", "admin": "admin",
    "Warga meminta bantuan di kios.": "A citizen asked for help at a kiosk.",
    "{n} panggilan belum ditanggapi.": "{n} call(s) not yet answered.",
    "Lihat dan tanggapi": "See and answer",
    # statuses
    "Diterima": "Received", "Diproses": "In process", "Siap diambil": "Ready for pickup", "Selesai": "Done",
    "Ditolak": "Declined",
    # the kiosk's screens, why data was opened, consent
    "Layar awal": "Welcome screen", "Memilih layanan": "Choosing a service", "Mengisi formulir": "Filling in the form",
    "Dokumen yang perlu dibawa": "Documents to bring", "Memeriksa data": "Checking the details",
    "Persetujuan data pribadi": "Consent to personal data", "Tanda terima": "Receipt", "Cek status": "Status check",
    "Survei kepuasan": "Satisfaction survey", "untuk menerbitkan surat": "to issue the letter",
    "untuk mencetak ulang surat": "to reprint the letter", "Ya, setuju": "Yes, agreed", "Tidak setuju": "Not agreed",
    # login
    "Masuk": "Log in", "Masuk ke konsol kantor": "Log in to the office console",
    "Untuk petugas kelurahan. Setiap pembukaan data pribadi dicatat.":
        "For kelurahan staff. Every look at personal data is recorded.",
    "Sesi Anda berakhir (30 menit tanpa kegiatan, atau 10 jam setelah masuk). Silakan masuk lagi.":
        "Your session has ended (30 minutes without activity, or 10 hours after logging in). Please log in again.",
    "Nama pengguna": "Username", "Kata sandi": "Password",
    "Nama pengguna atau kata sandi salah.": "Wrong username or password.",
    "Terlalu banyak percobaan. Coba lagi setelah {seconds} detik.":
        "Too many attempts. Try again after {seconds} seconds.",
    # errors
    "Tidak bisa": "Not possible", "Tidak bisa dilanjutkan": "This cannot go on",
    "Kembali ke daftar permohonan": "Back to the applications",
    "Halaman ini tidak ada.": "This page does not exist.",
    "Permohonan itu tidak ada di kantor Anda.": "There is no such application in your office.",
    "Kios itu tidak ada di kantor Anda.": "There is no such kiosk in your office.",
    "Halaman ini hanya untuk supervisor.": "This page is for supervisors only.",
    "Hanya admin yang bisa berganti kantor.": "Only an admin can switch offices.",
    "Kantor itu tidak ada.": "There is no such office.",
    "Formulir ini kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.":
        "This form has expired or is not valid. Reload the page and try again.",
    "Isian formulir tidak lengkap atau tidak sah: {what}.": "The form is incomplete or not valid: {what}.",
    "Server sedang sibuk. Coba lagi sebentar lagi.": "The server is busy. Try again in a moment.",
    "Terjadi kesalahan di server; sudah dicatat.": "The server failed on this request; it was logged.",
    "Permintaan ini tidak bisa dijalankan.": "This request cannot be carried out.",
    "Kunci kantor tidak tersedia, jadi data pribadi tidak bisa dibuka sekarang. Hubungi admin server.":
        "The office key is not available, so personal data cannot be opened now. Contact the server's admin.",
    # inbox
    "Jumlah per status": "Counts per status", "Terlambat": "Overdue", "Cari nomor": "Find number",
    "Status": "Status", "Belum selesai": "Not finished", "Semua": "All", "Layanan": "Service",
    "Hanya yang terlambat": "Overdue only", "Tampilkan": "Show", "{n} permohonan": "{n} application(s)",
    "halaman {p} dari {of}": "page {p} of {of}", "jatuh tempo terdekat di atas": "soonest due first",
    "Nomor": "Number", "Diajukan": "Filed", "Jatuh tempo": "Due", "Sisa": "Left",
    "terlambat {n} hari kerja": "{n} working day(s) late", "hari ini": "today",
    "{n} hari kerja": "{n} working day(s)", "Tidak ada permohonan yang cocok.": "No application matches.",
    "Halaman": "Pages", "Sebelumnya": "Previous", "Berikutnya": "Next",
    "Status {s} tidak dikenal; ditampilkan yang belum selesai.": "Unknown status {s}; showing unfinished ones.",
    # application
    "Daftar permohonan": "Applications",
    "Status disimpan. Kios akan menampilkannya saat sinkron berikutnya.":
        "Status saved. The kiosk shows it after its next sync.",
    "Ringkasan": "Summary", "Diterima pusat": "Received by central", "terlambat": "overdue",
    "Catatan validasi": "Validation flags", "tidak ada": "none", "Ubah status": "Change status",
    "Status baru": "New status",
    "Catatan (wajib untuk Ditolak: alasan ini dibaca warga di kios)":
        "Note (required for Declined: the citizen reads this reason at the kiosk)",
    "Simpan status": "Save status",
    "Permohonan ini sudah selesai; statusnya tidak bisa diubah lagi.":
        "This application is finished; its status cannot change any more.",
    "Data pribadi": "Personal data",
    "Dibuka oleh {who} pada {at}. Pembukaan ini tercatat di log akses.":
        "Opened by {who} at {at}. This look is recorded in the access log.",
    "Data pribadi warga tersegel. Buka hanya bila perlu untuk memproses permohonan ini; setiap pembukaan dicatat.":
        "The citizen's personal data is sealed. Open it only when you need it to work on this application; "
        "every opening is recorded.",
    "Buka data pribadi": "Open personal data", "Riwayat": "History", "Waktu": "Time", "Oleh": "By",
    "Catatan": "Note",
    "Pilih status baru.": "Choose a new status.",
    "Status {from_} tidak bisa diubah menjadi {to}.": "Status {from_} cannot change to {to}.",
    "Untuk menolak, tulis alasannya (warga membacanya di kios).":
        "To decline, write the reason (the citizen reads it at the kiosk).",
    "Catatan terlalu panjang: paling banyak {n} karakter.": "The note is too long: at most {n} characters.",
    "Kode wilayah tidak dikenal": "Unknown region code",
    # terminals
    "Kode pendaftaran baru": "New enrollment code",
    "Ketik kode ini di kios baru. Kode hanya berlaku sekali dan sampai {until}; kode tidak ditampilkan lagi.":
        "Type this code on the new kiosk. It works once and until {until}; it is not shown again.",
    "Kios yang diam lebih dari 2 jam pada jam kerja ditandai merah.":
        "Kiosks silent for more than 2 hours during office hours are marked red.",
    "Terakhir terlihat": "Last seen", "Antrean": "Queue", "Belum terkirim tertua": "Oldest unsent",
    "Printer": "Printer", "baik": "ok", "tidak diketahui": "not known",
    "Versi": "Version", "Kesalahan terakhir": "Last error", "Keadaan": "State", "belum pernah": "never",
    "diam": "silent", "{q} menunggu kirim": "{q} waiting to send", "{r} ditolak": "{r} rejected",
    "{s} terkirim": "{s} sent", "katalog": "catalog", "dicabut": "revoked", "aktif": "active", "yakin": "sure",
    "Cabut": "Revoke", "Belum ada kios terdaftar.": "No kiosk enrolled yet.",
    "pembaruan": "update", "berjalan": "running", "dipasang": "installing",
    "menunggu layar bebas": "waiting for a free screen",
    "dicoba": "on trial", "dikembalikan": "rolled back", "ditolak": "refused",
    "Daftarkan kios baru": "Enroll a new kiosk",
    "Buat kode sekali pakai untuk kios yang bisa terhubung ke server ini.":
        "Make a one-time code for a kiosk that can reach this server.",
    "Buat kode pendaftaran": "Make an enrollment code", "Berkas penyiapan (USB)": "Provisioning file (USB)",
    "Untuk kios tanpa jaringan: simpan berkas ini di USB dan muat di kios.":
        "For a kiosk without a network: save this file on a USB stick and load it on the kiosk.",
    "Alamat server yang dijangkau kios": "Server address the kiosk reaches",
    "Unduh berkas penyiapan": "Download provisioning file",
    "Kios {code} dicabut; permintaannya ditolak mulai sekarang.":
        "Kiosk {code} revoked; its requests are refused from now on.",
    "Centang \"yakin\" untuk mencabut kios.": "Tick \"sure\" to revoke the kiosk.",
    "{m} jam {s} menit": "{m} h {s} min", "kurang dari 1 menit": "under a minute",
    "Alamat server harus diawali http:// atau https://.": "The server address must start with http:// or https://.",
    # help calls
    "Warga menekan \"Minta Bantuan\" di kios. Datangi kios, lalu tandai sudah ditanggapi.":
        "A citizen pressed \"Minta Bantuan\" (help) at a kiosk. Go to the kiosk, then mark it answered.",
    "Layar": "Screen", "Ditanggapi": "Answered", "belum": "not yet", "Sudah ditanggapi": "Answered",
    "Belum ada panggilan bantuan.": "No help calls yet.",
    "Panggilan itu tidak ada di kantor Anda.": "There is no such help call in your office.",
    # reports
    "Laporan bulanan": "Monthly report", "Bulan": "Month", "Unduh CSV": "Download CSV",
    "Per layanan, permohonan yang diajukan pada bulan ini. \"Selesai\" berarti mencapai Siap diambil atau "
    "Selesai; tepat waktu berarti paling lambat pada tanggal jatuh tempo.":
        "Per service, the applications filed in this month. \"Done\" means it reached Ready for pickup or Done; "
        "on time means no later than its due date.",
    "Median hari kerja sampai selesai": "Median working days to done", "% tepat waktu": "% on time",
    "Terlambat sekarang": "Overdue now", "Tidak ada permohonan pada bulan ini.": "No applications in this month.",
    "Bulan {m} tidak sah: tulis seperti 2026-11.": "Month {m} is not valid: write it like 2026-11.",
    # access log
    "Siapa membuka data pribadi dan kapan, serta masuk dan tindakan petugas. Hanya bisa dibaca.":
        "Who opened personal data and when, and staff logins and actions. Read-only.",
    "Petugas": "Staff", "Tindakan": "Action", "Keterangan": "Detail", "Log akses masih kosong.": "The log is empty.",
    "Membuka data pribadi": "Opened personal data", "Masuk (berhasil)": "Logged in",
    "Masuk gagal": "Failed login", "Dikunci setelah gagal masuk": "Locked after failed logins",
    "Ditolak: sedang dikunci": "Refused: locked", "Mengubah status": "Changed status",
    "Mencabut kios": "Revoked a kiosk", "Membuat kode pendaftaran": "Made an enrollment code",
    "Mengunduh berkas penyiapan": "Downloaded a provisioning file",
    "Menanggapi panggilan bantuan": "Answered a help call",
    # staff accounts
    "Akun petugas": "Staff accounts", "Peran": "Role", "Sejak": "Since", "nonaktif": "disabled",
    "Nonaktifkan": "Disable", "Menonaktifkan akun petugas": "Disabled a staff account",
    "Halaman ini hanya untuk admin.": "This page is for admins only.",
    "Akun itu tidak ada.": "There is no such account.",
    "Anda tidak bisa menonaktifkan akun Anda sendiri.": "You cannot disable your own account.",
    "Akun dibuat dan kata sandi diatur dengan perintah loket-central staff add / reset-password.":
        "Accounts are made and passwords set with loket-central staff add / reset-password.",
    # letters
    "Pengaturan surat": "Letter settings", "Surat": "Letter", "Cetak surat": "Print letter",
    "Surat diterbitkan": "Letter issued", "diterbitkan oleh {who}": "issued by {who}",
    "dicetak {n} kali": "printed {n} time(s)",
    "Surat dicetak: PDF-nya sedang diunduh.": "Letter printed: its PDF is downloading.",
    "Unduh bila belum mulai": "Download it if it has not started",
    "Mengunduh surat (PDF A4) untuk dicetak dan ditandatangani. Nomor diberikan sekali; cetak ulang memakai "
    "nomor yang sama.": "Downloads the letter (A4 PDF) to print and sign. The number is given once; a reprint "
    "keeps it.",
    "Surat bisa dicetak setelah permohonan diproses.": "The letter can be printed once the application is in process.",
    "Permohonan ini ditolak: tidak ada surat untuk dicetak.":
        "This application was declined: there is no letter to print.",
    "Surat baru bisa dicetak bila permohonan sedang diproses, siap diambil, atau selesai.":
        "A letter can only be printed for an application in process, ready for pickup or done.",
    "Layanan ini tidak punya templat surat di katalog kantor.":
        "This service has no letter template in the office's catalog.",
    "Kantor belum mengisi alamat publik untuk kode QR surat: supervisor mengisinya di Pengaturan surat.":
        "The office has no public address for the letters' QR code yet: a supervisor sets it in Letter settings.",
    "Yang tercetak pada surat keterangan kantor ini. Kosongkan isian untuk memakai bawaan (tampil samar).":
        "What this office's letters print. Leave a field empty for the default (shown faint).",
    "Pengaturan surat disimpan.": "Letter settings saved.", "Pengaturan tidak disimpan: {why}": "Not saved: {why}",
    "Kop: pemerintah": "Letterhead: government", "Kop: kecamatan": "Letterhead: district",
    "Kop: kantor": "Letterhead: office", "Alamat kantor": "Office address", "Telepon": "Phone",
    "Tempat pada tanggal surat": "Place on the date line", "Jabatan kepala kantor": "Title of the head of office",
    "Nama penanda tangan": "Signer's name", "NIP penanda tangan": "Signer's NIP",
    "Kode kantor pada nomor": "Office code in the number", "Format nomor": "Number format",
    "Zona waktu": "Time zone", "Alamat publik (untuk kode QR)": "Public address (for the QR code)",
    "Logo (PNG, paling besar {n} KiB)": "Logo (PNG, at most {n} KiB)", "Sekarang": "Now",
    "Kembali ke lambang bawaan": "Back to the default emblem", "lambang bawaan": "the default emblem",
    "logo PNG, {n} byte": "PNG logo, {n} bytes", "Simpan pengaturan": "Save settings",
    "Contoh nomor surat": "Example letter number",
    "Nomor urut dimulai dari 1 setiap tahun. Zona waktu: {zone}.":
        "The sequence starts at 1 each year. Time zone: {zone}.",
    "Surat diterbitkan per layanan": "Letters issued per service",
    "Surat bernomor yang diterbitkan pada bulan ini (cetak ulang tidak dihitung lagi).":
        "Numbered letters issued in this month (reprints are not counted again).",
    "Belum ada surat pada bulan ini.": "No letters in this month yet.",
    "Survei Kepuasan Masyarakat (SKM)": "Public Satisfaction Survey (SKM)",
    "Jawaban survei dari kios pada bulan ini. IKM 25–100 dari sembilan unsur (PermenPANRB 14/2017); mutu pelayanan "
    "A–D dan kinerja unit pelayanan menurut IKM.":
        "Survey answers from the kiosks in this month. IKM 25–100 from the nine elements (PermenPANRB 14/2017); "
        "service quality A–D and the unit's performance by the IKM.",
    "Unduh CSV SKM": "Download SKM CSV", "Responden": "Respondents", "IKM": "IKM",
    "Mutu pelayanan": "Service quality", "Kinerja unit pelayanan": "Unit performance",
    "Belum semua unsur dijawab": "Not every element answered yet",
    "Belum ada survei pada bulan ini.": "No surveys in this month yet.",
    "Menerbitkan surat": "Issued a letter", "Mencetak ulang surat": "Reprinted a letter",
    "Mengubah pengaturan surat": "Changed the letter settings",
}
EN.update(EN_PRIVACY)
EN.update(EN_REQUESTS)
EN.update(EN_BREACH)


#: the kiosk's screens by name, as staff read them (a help call says where the citizen was)
SCREEN_WORDS = {
    "welcome": "Layar awal", "services": "Memilih layanan", "form": "Mengisi formulir",
    "documents": "Dokumen yang perlu dibawa", "review": "Memeriksa data", "consent": "Persetujuan data pribadi",
    "receipt": "Tanda terima", "status": "Cek status", "survey": "Survei kepuasan",
}
#: why personal data was opened (the access log's detail), as words
PURPOSE_WORDS = {"letter": "untuk menerbitkan surat", "letter reprint": "untuk mencetak ulang surat",
                 "pemberitahuan insiden data pribadi": "pemberitahuan insiden data pribadi"}
#: a consent answer as staff read it
CONSENT_WORDS = {"yes": "Ya, setuju", "no": "Tidak setuju"}


def answer_words(field: Field | None, value: object, lang: str) -> str:
    """A citizen's stored answer as staff read it: a choice's label, a date as dd-mm-yyyy, consent in words."""
    text = "" if value is None else str(value)
    if field is None:
        return text
    if field.type == "choice":
        choice = next((c for c in field.choices if c.value == text), None)
        return choice.label.in_language(lang) if choice is not None else text
    if field.type == "date" and len(text) == 10 and text[4] == "-" and text[7] == "-":  # stored yyyy-mm-dd
        return f"{text[8:10]}-{text[5:7]}-{text[0:4]}"
    if field.type == "consent":
        return translator(lang)(CONSENT_WORDS.get(text.lower(), text))
    return text


def language_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "id")
    return lang if lang in LANGUAGES else "id"


def translator(lang: str | Request) -> Callable[..., str]:
    """`t(key, **values)`: the words in `lang` (or the request's language), with values filled in."""
    english = (language_of(lang) if isinstance(lang, Request) else lang) == "en"

    def t(key: str, **values: Any) -> str:
        text = EN.get(key, key) if english else key
        if english and "(s)" in text and isinstance(values.get("n"), int):  # "1 working day", "2 working days"
            text = text.replace("(s)", "" if values["n"] == 1 else "s")
        return text.format(**values) if values else text

    return t


def number_words(value: float | int | None, decimals: int, lang: str) -> str:
    """A number as the language writes it: `97,22` in Indonesian, `97.22` in English ("—" for none)."""
    if value is None:
        return "\u2014"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".") if lang == "id" else text
