"""Files the console hands out: the `Content-Disposition` header built only from a safe file name, and
CSV whose every cell is neutralised against formula injection."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence

from fastapi.responses import Response

from central.values import neutralise_cell

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def attachment(name: str) -> dict[str, str]:
    """Headers for a download named `name`: anything but letters, digits, '.', '_' and '-' becomes '_', so no
    quote, CR or LF from a request can reach the header."""
    safe = _UNSAFE.sub("_", name)[:120].lstrip(".") or "download"
    return {"Content-Disposition": f'attachment; filename="{safe}"'}


def download(body: bytes | str, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type, headers=attachment(name))


def csv_download(fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]], name: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fieldnames), quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: neutralise_cell(value) for key, value in row.items()})
    return download(out.getvalue(), "text/csv; charset=utf-8", name)
