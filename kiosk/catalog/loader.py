"""Reading, validating and installing catalogs.

`parse_catalog` checks a document against `schema.json`, then the rules a schema cannot say (codes
unique, a choice field has choices, categories exist, every answer fits central's size limit once
sealed), and names the service and field of the first problem. Documents nested deeper than any
catalog is are refused before they are parsed. `apply_catalog_file` installs a catalog only after
it passed, by an atomic rename.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from kiosk.catalog.bounds import check_sealed_size
from kiosk.catalog.letter import IdentityLine, LetterTemplate, check_template
from kiosk.catalog.model import Catalog, Category, Choice, Field, Service
from kiosk.errors import CatalogError, Text
from kiosk.files import write_atomically
from kiosk.jsondepth import TooDeep, loads_bounded

MAX_CATALOG_DEPTH = 32
DEFAULT_CATALOG = Path(str(resources.files("assets") / "catalog" / "default.json"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((Path(__file__).parent / "schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


_NAMED_BY = {"services": ("service", "code"), "fields": ("field", "name"),
             "choices": ("choice", "value"), "categories": ("category", "code")}


def _where(doc: Any, path: list[str | int]) -> str:
    """Names a place in the document the way staff think of it: "service 'SKD', field 'nik', label"."""
    parts: list[str] = []
    node, parent_key = doc, None
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(step, int) and parent_key in _NAMED_BY:
            kind, key = _NAMED_BY[parent_key]
            name = node.get(key) if isinstance(node, dict) else None
            parts.append(f"{kind} {name!r}" if isinstance(name, str) else f"{kind} #{step + 1}")
        elif isinstance(step, str) and step not in _NAMED_BY:
            parts.append(step)
        elif isinstance(step, int):
            parts.append(f"item #{step + 1}")
        parent_key = step if isinstance(step, str) else None
    return ", ".join(parts) or "the document"


def _text(raw: dict[str, str]) -> Text:
    return Text(raw["id"], raw["en"])


def _field(raw: dict[str, Any]) -> Field:
    return Field(
        name=raw["name"],
        type=raw["type"],
        label=_text(raw["label"]),
        required=raw.get("required", True),
        help=_text(raw["help"]) if "help" in raw else None,
        choices=tuple(Choice(c["value"], _text(c["label"])) for c in raw.get("choices", ())),
        minimum=raw.get("min"),
        maximum=raw.get("max"),
        max_length=raw.get("max_length"),
        when=raw.get("when", "past"),
    )


def _letter(raw: dict[str, Any] | None) -> LetterTemplate | None:
    if raw is None:
        return None
    return LetterTemplate(
        title=raw["title"], classification=raw["classification"], opening=raw["opening"],
        identity=tuple(IdentityLine(line["label"], line["value"]) for line in raw["identity"]),
        body=tuple(raw["body"]), closing=raw["closing"], signer_title=raw["signer_title"],
    )


def _check_rules(doc: dict[str, Any]) -> None:
    categories = [c["code"] for c in doc["categories"]]
    if len(set(categories)) != len(categories):
        raise CatalogError("categories: a category code is used twice")
    seen: set[str] = set()
    for service in doc["services"]:
        where = f"service {service['code']!r}"
        if service["code"] in seen:
            raise CatalogError(f"{where}: the code is used by another service too")
        seen.add(service["code"])
        if service["category"] not in categories:
            raise CatalogError(f"{where}: category {service['category']!r} is not in categories")
        names: set[str] = set()
        for f in service["fields"]:
            at = f"{where}, field {f['name']!r}"
            if f["name"] in names:
                raise CatalogError(f"{at}: the name is used twice in this service")
            names.add(f["name"])
            values = [c["value"] for c in f.get("choices", ())]
            if f["type"] == "choice" and not values:
                raise CatalogError(f"{at}: a choice field needs choices")
            if f["type"] != "choice" and values:
                raise CatalogError(f"{at}: only a choice field has choices")
            if len(set(values)) != len(values):
                raise CatalogError(f"{at}: a choice value is used twice")
            if "min" in f and "max" in f and f["min"] > f["max"]:
                raise CatalogError(f"{at}: min is larger than max")
        if "letter" in service:
            check_template(_letter(service["letter"]), {f["name"]: _field(f) for f in service["fields"]}, where)


def parse_catalog(doc: Any) -> Catalog:
    """Validates a decoded JSON document and returns the catalog, or raises `CatalogError`."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: (len(e.path), list(map(str, e.path))))
    if errors:
        first = errors[0]
        raise CatalogError(f"{_where(doc, list(first.path))}: {first.message}")
    _check_rules(doc)
    catalog = Catalog(
        version=doc["version"],
        categories=tuple(Category(c["code"], _text(c["name"])) for c in doc["categories"]),
        services=tuple(
            Service(
                code=s["code"],
                category=s["category"],
                name=_text(s["name"]),
                description=_text(s["description"]),
                documents=tuple(map(_text, s["documents"])),
                procedure=tuple(map(_text, s["procedure"])),
                days=s["days"],
                fee=s["fee"],
                product=_text(s["product"]),
                complaints=_text(s["complaints"]),
                fields=tuple(map(_field, s["fields"])),
                letter=_letter(s.get("letter")),
            )
            for s in doc["services"]
        ),
    )
    check_sealed_size(catalog)
    return catalog


def parse_catalog_bytes(document: bytes, *, name: str = "catalog") -> Catalog:
    """Decodes (nesting bounded) and validates a catalog document's bytes, or raises `CatalogError`."""
    try:
        doc = loads_bounded(document, max_depth=MAX_CATALOG_DEPTH, what=name)
    except TooDeep as e:
        raise CatalogError(f"{e}: a catalog is never nested that deep") from None
    except ValueError as e:
        raise CatalogError(f"{name}: not JSON ({e})") from None
    return parse_catalog(doc)


def load_catalog(path: Path) -> Catalog:
    """Reads and validates a catalog file."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CatalogError(f"{path}: cannot be read ({e.strerror or e})") from None
    return parse_catalog_bytes(raw, name=path.name)


def catalog_in_force(installed: Path) -> Catalog:
    """The installed catalog, or the bundled default when none was installed."""
    return load_catalog(installed if installed.exists() else DEFAULT_CATALOG)


def apply_catalog_file(source: Path, installed: Path) -> Catalog:
    """Validates `source` and, only if it passes, installs it as the catalog in force."""
    catalog = load_catalog(source)
    install_catalog_bytes(source.read_bytes(), installed)
    return catalog


def install_catalog_bytes(document: bytes, installed: Path) -> Catalog:
    """Validates a catalog document (e.g. one pulled from central) and installs it atomically."""
    catalog = parse_catalog_bytes(document)
    write_atomically(installed, document)
    return catalog
