"""The size an application can reach once sealed, worked out from the catalog alone.

Central refuses sealed data over `MAX_SEALED_BYTES` for good, so a catalog that lets a citizen type
more than fits would have the kiosk print a receipt for an application central then rejects.
`check_sealed_size` refuses such a catalog at validation (on the terminal and at central alike),
naming the service and its largest field. The bound is a worst case: every text at its maximum
length in 4-byte characters, every optional field filled.
"""

from __future__ import annotations

from kiosk.catalog.model import Catalog, Field, Service
from kiosk.errors import CatalogError

DEFAULT_MAX_TEXT = 200  # characters of a text answer whose field sets no max_length
DEFAULT_MAX_LONG_TEXT = 2000
MAX_SEALED_BYTES = 16 * 1024  # central's limit per application (sync.protocol uses this one)
SEAL_OVERHEAD_BYTES = 48  # a sealed box adds an ephemeral public key and a MAC
UTF8_MAX = 4  # bytes per character at worst (answers hold no control or escaped characters but \t\n\r)
_FIXED_CHARS = {"nik": 16, "kk": 16, "phone": 16, "date": 10, "postal_code": 5, "number": 12, "consent": 3}
_FLAG_BYTES = 160  # a region flag staff read, for NIK and KK fields
_ENVELOPE_BYTES = 80  # {"service":…,"catalog_version":…,"answers":{…},"flags":{…}}
_CATALOG_VERSION_CHARS = 40


def answer_max_chars(field: Field) -> int:
    """The most characters a text answer may have: the field's max_length, else the default for its type."""
    return field.max_length or (DEFAULT_MAX_LONG_TEXT if field.type == "long_text" else DEFAULT_MAX_TEXT)


def answer_bytes(field: Field) -> int:
    """The most bytes one field's answer can take in the sealed JSON (with its name and punctuation)."""
    if field.type in ("text", "long_text"):
        chars = answer_max_chars(field)
    elif field.type == "choice":
        chars = max((len(c.value) for c in field.choices), default=0)
    else:
        chars = _FIXED_CHARS.get(field.type, 0)
    flag = _FLAG_BYTES + len(field.name) + 6 if field.type in ("nik", "kk") else 0
    return len(field.name) + 6 + chars * UTF8_MAX + flag


def worst_case_sealed_bytes(service: Service) -> int:
    return (SEAL_OVERHEAD_BYTES + _ENVELOPE_BYTES + len(service.code) * UTF8_MAX
            + _CATALOG_VERSION_CHARS * UTF8_MAX + sum(answer_bytes(f) for f in service.fields))


def check_sealed_size(catalog: Catalog) -> None:
    """Raises `CatalogError` naming the first service whose answers could seal to more than central takes."""
    for service in catalog.services:
        worst = worst_case_sealed_bytes(service)
        if worst > MAX_SEALED_BYTES and service.fields:
            largest = max(service.fields, key=answer_bytes)
            raise CatalogError(
                f"service {service.code!r}, field {largest.name!r}: the answers could take {worst} bytes once "
                f"sealed, more than the {MAX_SEALED_BYTES} central accepts per application; lower max_length "
                f"(field {largest.name!r} alone may take {answer_bytes(largest)} bytes)")
