"""The documented example in docs/catalog.md is itself a valid catalog."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kiosk.catalog import parse_catalog

DOCS = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"


def test_the_example_in_the_catalog_docs_is_valid() -> None:
    example = re.search(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    catalog = parse_catalog(json.loads(example))
    assert catalog.services[0].code == "SKD"
