"""Letters (surat keterangan) from central: office settings, numbering, issuing, the A4 PDF, counts.

The public verification page that a letter's QR opens is `central.verification`.
"""
