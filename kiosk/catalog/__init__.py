"""The service catalog: which services the kiosk offers and what each asks of the citizen.

A catalog is a versioned JSON document (format: docs/catalog.md, schema: `schema.json`). It is
validated in full before it is used; one that fails is never applied.
"""

from kiosk.catalog.loader import (
    DEFAULT_CATALOG,
    apply_catalog_file,
    catalog_in_force,
    load_catalog,
    parse_catalog,
    parse_catalog_bytes,
)
from kiosk.catalog.model import FIELD_TYPES, Catalog, Category, Choice, Field, Service

__all__ = [
    "DEFAULT_CATALOG",
    "FIELD_TYPES",
    "Catalog",
    "Category",
    "Choice",
    "Field",
    "Service",
    "apply_catalog_file",
    "catalog_in_force",
    "load_catalog",
    "parse_catalog",
    "parse_catalog_bytes",
]
