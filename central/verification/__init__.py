"""Central's public verification page (`/v/...`): what a letter's or a receipt's QR code proves, without login.

It shows the office, the kind of document, its number, date and status and the masked name — never
a NIK, never a full name — and is rate-limited per client.
"""
