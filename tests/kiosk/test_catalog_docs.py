"""The documented example in docs/catalog.md is itself a valid catalog."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kiosk.catalog import DEFAULT_CATALOG as DEFAULT
from kiosk.catalog import parse_catalog

DOCS = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"


def test_the_example_in_the_catalog_docs_is_valid() -> None:
    example = re.search(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    catalog = parse_catalog(json.loads(example))
    assert catalog.services[0].code == "SKD"


def test_the_letters_in_the_catalog_docs_are_the_default_catalogs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, re.S)]
    documented = {s["code"]: s["letter"] for s in blocks[0]["services"]}
    documented.update({code: block["letter"] for code, block in zip(
        re.findall(r"^`([A-Z]+)` — .*:$", text, re.M), blocks[1:], strict=True)})
    default = {s.code: s.letter for s in parse_catalog(json.loads(DEFAULT.read_text(encoding="utf-8"))).services}
    assert {"SKD", "SKU", "SKTM", "SKCK", "SKBM"} <= set(documented)
    for code, letter in documented.items():
        one = json.loads(DEFAULT.read_text(encoding="utf-8"))
        service = next(s for s in one["services"] if s["code"] == code)
        assert service["letter"] == letter, f"docs/catalog.md shows another {code} letter than the default"
        assert default[code] is not None
