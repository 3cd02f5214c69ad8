"""Catalog bounds: a catalog whose answers could seal to more than central accepts is refused, naming the
service and field; a catalog nested deeper than any catalog is is refused with a clear error."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.applications import file_application
from kiosk.catalog import DEFAULT_CATALOG, parse_catalog, parse_catalog_bytes
from kiosk.catalog.bounds import MAX_SEALED_BYTES, worst_case_sealed_bytes
from kiosk.errors import CatalogError
from kiosk.samples import sample_answers
from kiosk.store.exports import unsynced_applications

DOC = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
REPO = Path(__file__).resolve().parents[2]
LOKET = str(Path(sys.executable).with_name("loket"))  # the console script, wherever `loket` lives
WIDEST = "𝕏"  # four bytes in UTF-8: the most a character the kiosk keeps can take


def _with_max_length(service: str, field: str, max_length: int) -> dict:
    doc = copy.deepcopy(DOC)
    target = next(s for s in doc["services"] if s["code"] == service)
    next(f for f in target["fields"] if f["name"] == field)["max_length"] = max_length
    return doc


def test_a_long_text_of_5000_characters_is_refused_naming_the_service_and_field():
    with pytest.raises(CatalogError, match=r"service 'ADUAN', field 'description'.*16384"):
        parse_catalog(_with_max_length("ADUAN", "description", 5000))


def worst_answers(service) -> dict[str, str]:
    answers = sample_answers(service)
    for f in service.fields:
        if f.type in ("text", "long_text"):
            answers[f.name] = WIDEST * f.max_length
        elif f.type == "choice":
            answers[f.name] = max((c.value for c in f.choices), key=len)
    return answers


def _largest_accepted_length() -> int:
    low, high = 1, 5000
    while low < high:
        middle = (low + high + 1) // 2
        try:
            parse_catalog(_with_max_length("ADUAN", "description", middle))
            low = middle
        except CatalogError:
            high = middle - 1
    return low


LARGEST = _largest_accepted_length()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(max_length=st.integers(min_value=1, max_value=5000))
def test_whatever_a_valid_catalog_lets_a_citizen_type_fits_central_once_sealed(terminal, max_length):
    """Any max_length the validator accepts: the worst answers it allows, filed for real, seal within the limit."""
    try:
        catalog = parse_catalog(_with_max_length("ADUAN", "description", max_length))
    except CatalogError:
        assert max_length > LARGEST
        return
    service = catalog.service("ADUAN")
    app = file_application(terminal.store, catalog, "ADUAN", worst_answers(service))
    sealed = next(o.sealed for o in unsynced_applications(terminal.store) if o.id == app.id)
    assert len(sealed) <= worst_case_sealed_bytes(service) <= MAX_SEALED_BYTES


def test_the_bound_is_tight_enough_to_keep_useful_lengths():
    assert 3000 <= LARGEST < 4100  # 4 bytes a character at worst, in 16 KiB with the other fields


def _deep(levels: int) -> bytes:
    return b'{"version": ' + b"[" * levels + b"]" * levels + b"}"


@pytest.mark.parametrize("levels", [40, 200_000])
def test_a_deeply_nested_catalog_is_refused_with_a_clear_error(levels):
    with pytest.raises(CatalogError, match=f"nests {levels + 1} levels deep"):
        parse_catalog_bytes(_deep(levels), name="deep.json")


def test_brackets_inside_strings_do_not_count_as_nesting():
    doc = copy.deepcopy(DOC)
    doc["services"][0]["description"]["en"] = "[[[[" * 100 + '\\"{{{{' * 100
    assert parse_catalog_bytes(json.dumps(doc).encode()).services[0].description.en.startswith("[[[[")


def _loket(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([LOKET, "--home", str(home), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "KIVY_NO_ARGS": "1"})


def test_loket_catalog_validate_apply_and_status_survive_a_catalog_nested_200000_levels(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_bytes(_deep(200_000))
    for command in (["catalog", "validate", str(deep)], ["catalog", "apply", str(deep)]):
        done = _loket(tmp_path / "home", *command)
        assert done.returncode == 2, done.stderr
        assert "nests 200001 levels deep" in done.stderr and "Traceback" not in done.stderr
    (tmp_path / "home" / "catalog.json").write_bytes(_deep(200_000))  # as if a bad file got installed
    status = _loket(tmp_path / "home", "status")
    assert "Traceback" not in status.stderr and "RecursionError" not in status.stderr
    assert status.returncode in (0, 1, 2)
