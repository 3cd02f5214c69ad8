"""A catalog is checked in full before use; a bad one is never applied and the error names the place."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.catalog import DEFAULT_CATALOG, apply_catalog_file, catalog_in_force, load_catalog, parse_catalog
from kiosk.errors import CatalogError

DOC = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))


def doc() -> dict:
    return copy.deepcopy(DOC)


def test_the_default_catalog_has_at_least_eight_real_services_with_their_standard() -> None:
    catalog = parse_catalog(doc())
    assert len(catalog.services) >= 8
    assert {"SKD", "SKU", "SKTM", "SKM", "SKL", "PINDAH", "KK", "ADUAN"} <= {s.code for s in catalog.services}
    for service in catalog.services:
        assert service.procedure and service.product and service.complaints and service.days >= 1
        assert service.fields[-1].type == "consent"


def test_a_zero_fee_is_shown_as_gratis_and_a_fee_in_rupiah() -> None:
    d = doc()
    d["services"][1]["fee"] = 25000
    catalog = parse_catalog(d)
    assert catalog.services[0].fee_text().id == "Gratis" and catalog.services[0].fee_text().en == "Free"
    assert catalog.services[1].fee_text().id == "Rp25.000"


def test_a_missing_label_names_the_service_and_field() -> None:
    d = doc()
    del d["services"][0]["fields"][1]["label"]["en"]
    with pytest.raises(CatalogError, match=r"service 'SKD', field 'full_name', label: 'en' is a required"):
        parse_catalog(d)


def test_a_choice_field_without_choices_is_refused() -> None:
    d = doc()
    d["services"][0]["fields"].insert(0, {"name": "kind", "type": "choice", "label": {"id": "a", "en": "b"}})
    with pytest.raises(CatalogError, match=r"service 'SKD', field 'kind': a choice field needs choices"):
        parse_catalog(d)


def test_an_unknown_field_type_is_refused() -> None:
    d = doc()
    d["services"][2]["fields"][0]["type"] = "blood_type"
    with pytest.raises(CatalogError, match=r"service 'SKTM', field 'nik', type"):
        parse_catalog(d)


def test_duplicate_service_codes_and_field_names_are_refused() -> None:
    d = doc()
    d["services"][1]["code"] = "SKD"
    with pytest.raises(CatalogError, match="service 'SKD': the code is used by another service"):
        parse_catalog(d)
    d = doc()
    d["services"][0]["fields"].append(copy.deepcopy(d["services"][0]["fields"][0]))
    with pytest.raises(CatalogError, match="field 'nik': the name is used twice"):
        parse_catalog(d)


def test_a_service_in_an_unknown_category_is_refused() -> None:
    d = doc()
    d["services"][0]["category"] = "nowhere"
    with pytest.raises(CatalogError, match="service 'SKD': category 'nowhere' is not in categories"):
        parse_catalog(d)


def test_a_bad_catalog_file_changes_nothing(tmp_path: Path) -> None:
    installed = tmp_path / "catalog.json"
    good = tmp_path / "good.json"
    d = doc()
    d["version"] = "2026.12.1"
    good.write_text(json.dumps(d), encoding="utf-8")
    apply_catalog_file(good, installed)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1, "version": "x"', encoding="utf-8")
    with pytest.raises(CatalogError, match="not JSON"):
        apply_catalog_file(bad, installed)
    assert catalog_in_force(installed).version == "2026.12.1"


def test_without_an_installed_catalog_the_default_is_in_force(tmp_path: Path) -> None:
    assert catalog_in_force(tmp_path / "none.json").version == DOC["version"]


def test_a_missing_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot be read"):
        load_catalog(tmp_path / "nope.json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_any_json_document_is_a_catalog_or_a_named_error(value) -> None:
    try:
        parse_catalog(value)
    except CatalogError as e:
        assert str(e)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=150)
@given(st.data())
def test_a_default_catalog_with_one_value_replaced_is_valid_or_a_named_error(data) -> None:
    d = doc()
    node = d
    path: list = []
    while isinstance(node, dict | list) and node and data.draw(st.booleans(), label="deeper"):
        key = data.draw(st.sampled_from(list(node) if isinstance(node, dict) else list(range(len(node)))))
        path.append(key)
        if not isinstance(node[key], dict | list):
            break
        node = node[key]
    if not path:
        return
    parent = d
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = data.draw(json_values, label="replacement")
    try:
        parse_catalog(d)
    except CatalogError as e:
        message = str(e)
        assert message
        if path[0] == "services" and len(path) > 2:
            assert "service" in message
