"""Believable example answers for any catalog service: for demos, benchmarks and tests.

The identity numbers are structurally valid (real region codes, real dates) but made up.
"""

from __future__ import annotations

from kiosk.catalog.model import Field, Service

SAMPLE_BY_TYPE = {
    "nik": "3273015708900003",     # Kota Bandung, Sumur Bandung; woman born 17-08-1990
    "kk": "3273012001150007",      # issued 20-01-2015
    "phone": "0812 3456 7890",
    "date": "17-08-2015",
    "postal_code": "40111",
    "number": "3",
    "text": "Siti Aminah",
    "long_text": "Jl. Braga No. 12, Bandung",
    "consent": "yes",
}


def sample_answer(f: Field) -> str:
    if f.type == "choice":
        return f.choices[0].value
    if f.type == "number" and f.minimum is not None and f.minimum > 3:
        return str(int(f.minimum) + 10)
    if f.type == "date" and f.when == "future":
        return "17-08-2099"
    if f.type == "text" and f.max_length and f.max_length < len(SAMPLE_BY_TYPE["text"]):
        return "003/005"[: f.max_length]
    return SAMPLE_BY_TYPE[f.type]


def sample_answers(service: Service) -> dict[str, str]:
    """One valid answer for every field of `service`, optional ones included."""
    return {f.name: sample_answer(f) for f in service.fields}
