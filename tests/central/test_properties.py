"""Property tests on bad input over loopback: whatever a terminal (or anyone) sends, central answers
with a 4xx `ErrorBody` or a proper answer, never a 5xx, on SQLite and on PostgreSQL."""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central.db import Database
from central.devserver import start_central
from central.records import revoke_terminal
from central.settings import ENV_ENROLL_REFUSALS
from kiosk.crypto import new_terminal_keys
from sync.protocol import (
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TERMINAL,
    HEADER_TIMESTAMP,
    MAX_COMPRESSED_BYTES,
    PATH_APPLICATIONS,
    PATH_CATALOG,
    PATH_ENROLL,
    PATH_HEARTBEAT,
    PATH_STATUS_CHANGES,
)
from tests.harness.central import create_test_office, new_enrollment_code
from tests.harness.simterminal import SimulatedTerminal

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def sim(request, tmp_path_factory) -> SimulatedTerminal:
    """An enrolled terminal against a central shared by this module's examples."""
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp_path_factory.mktemp('props') / 'central.db'}"
    else:
        db_url = request.getfixturevalue("postgres_cluster").create_database(f"props_{uuid.uuid4().hex[:8]}")
    # hundreds of refused enrollments from one address: the rate limit (tested on its own) would answer them 429
    server = start_central(db_url, log_path=Path(tmp_path_factory.mktemp("log")) / "central.log",
                           environment={ENV_ENROLL_REFUSALS: "1000000/1"})
    office = create_test_office(db_url).code
    terminal = SimulatedTerminal(server.url)
    terminal.enroll(new_enrollment_code(db_url, office))
    terminal.db_url = db_url  # type: ignore[attr-defined]
    yield terminal
    terminal.close()
    server.stop()


def _no_5xx(answer: requests.Response, allowed: set[int]) -> None:
    assert answer.status_code < 500, answer.text
    assert answer.status_code in allowed, (answer.status_code, answer.text)
    if answer.status_code >= 400:
        body = answer.json()
        assert set(body) == {"error", "message"}


header_text = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=80)  # what requests can send
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=25,
)
wild_text = st.text(max_size=60)  # NUL and every other control character included
wild_times = st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()) | wild_text


@st.composite
def hostile_applications(draw):
    return {
        "id": draw(st.sampled_from([str(uuid.uuid4())]) | st.text(min_size=36, max_size=36)),
        "reference": draw(st.text(min_size=10, max_size=32)),
        "service_code": draw(st.sampled_from(["SKD", "SKU"]) | st.text(min_size=1, max_size=20)),
        "catalog_version": draw(st.text(min_size=1, max_size=40)),
        "created_at": draw(wild_times),
        "flags": draw(st.lists(wild_text, max_size=3)),
        "sealed": draw(st.text(min_size=1, max_size=200)),
    }


@st.composite
def hostile_audit(draw):
    return {"id": draw(st.integers()), "at": draw(wild_times), "actor": draw(st.text(max_size=40)),
            "action": draw(st.text(max_size=80)), "detail": draw(wild_text)}


@PROPERTY
@given(body=st.binary(max_size=2000), gzipped=st.booleans(), encoding=st.sampled_from(["gzip", "", "br", "GZIP"]))
def test_any_bytes_as_a_signed_batch_is_never_a_server_error(sim, body, gzipped, encoding):
    payload = gzip.compress(body) if gzipped else body
    answer = sim.signed("POST", PATH_APPLICATIONS, payload, {"Content-Encoding": encoding} if encoding else None)
    _no_5xx(answer, {200, 400, 413, 422})


@PROPERTY
@given(doc=json_values)
def test_any_json_as_a_signed_batch_is_never_a_server_error(sim, doc):
    _no_5xx(sim.upload_raw(gzip.compress(json.dumps(doc).encode())), {200, 400, 422})


@PROPERTY
@given(apps=st.lists(hostile_applications(), max_size=4), audit=st.lists(hostile_audit(), max_size=3))
def test_hostile_field_values_in_a_batch_are_refused_per_item_or_422(sim, apps, audit):
    answer = sim.upload_raw(gzip.compress(json.dumps({"applications": apps, "audit": audit}).encode()))
    _no_5xx(answer, {200, 422})
    if answer.status_code == 200:
        outcomes = [r["outcome"] for r in answer.json()["results"]]
        assert len(outcomes) == len(apps)
        assert "accepted" not in outcomes  # none of these is sealed to the office's key


@PROPERTY
@given(beat=st.fixed_dictionaries({}, optional={
    "queue": st.dictionaries(wild_text, st.integers(), max_size=4),
    "oldest_unsynced_age_s": st.floats() | st.none() | st.text(max_size=5),
    "app_version": wild_text, "catalog_version": wild_text | st.none(), "last_error": wild_text | st.none(),
    "extra": st.integers(),
}))
def test_any_heartbeat_is_never_a_server_error(sim, beat):
    body = json.dumps(beat).encode()
    _no_5xx(sim.signed("POST", PATH_HEARTBEAT, body), {200, 400, 422})


@PROPERTY
@given(terminal=header_text, timestamp=header_text, nonce=header_text, signature=header_text,
       path=st.sampled_from([PATH_CATALOG, f"{PATH_STATUS_CHANGES}?since=0", PATH_HEARTBEAT, PATH_APPLICATIONS]),
       use_real_terminal=st.booleans())
def test_forged_authentication_headers_are_401_never_a_server_error(sim, terminal, timestamp, nonce, signature,
                                                                    path, use_real_terminal):
    headers = {HEADER_TERMINAL: sim.terminal_id if use_real_terminal else terminal, HEADER_TIMESTAMP: timestamp,
               HEADER_NONCE: nonce, HEADER_SIGNATURE: signature}
    method = "GET" if path.startswith((PATH_CATALOG, PATH_STATUS_CHANGES)) else "POST"
    _no_5xx(sim.send(method, path, b"{}", headers), {401})


@PROPERTY
@given(since=header_text)
def test_any_cursor_text_is_never_a_server_error(sim, since):
    path = f"{PATH_STATUS_CHANGES}?since={requests.utils.quote(since)}"
    _no_5xx(sim.signed("GET", path), {200, 422})


@PROPERTY
@given(doc=json_values | st.fixed_dictionaries({"code": wild_text, "verify_key": wild_text},
                                               optional={"app_version": wild_text}))
def test_any_enrollment_body_is_never_a_server_error(sim, doc):
    answer = requests.post(sim.base_url + PATH_ENROLL, data=json.dumps(doc), timeout=10,
                           headers={"Content-Type": "application/json"})
    _no_5xx(answer, {401, 422, 400})


@PROPERTY
@given(body=st.binary(max_size=500))
def test_any_bytes_as_an_enrollment_is_never_a_server_error(sim, body):
    answer = requests.post(sim.base_url + PATH_ENROLL, data=body, timeout=10,
                           headers={"Content-Type": "application/json"})
    _no_5xx(answer, {400, 401, 422})


def test_the_openapi_document_describes_every_terminal_endpoint(sim):
    spec = requests.get(sim.base_url + "/openapi.json", timeout=10).json()
    for path in (PATH_ENROLL, PATH_APPLICATIONS, PATH_CATALOG, PATH_STATUS_CHANGES, PATH_HEARTBEAT):
        assert path in spec["paths"]
    batch = spec["paths"][PATH_APPLICATIONS]["post"]
    assert batch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/UploadBatch")
    assert {"401", "403", "413", "422"} <= set(batch["responses"])
    assert "UploadBatch" in spec["components"]["schemas"]


def test_dates_far_outside_any_plausible_range_do_not_break_listing(sim):
    apps = [{**sim.application().model_dump(mode="json"), "created_at": "9999-12-31T23:59:59-12:00"}]
    answer = sim.upload_raw(gzip.compress(json.dumps({"applications": apps}).encode()))
    assert answer.json()["results"][0]["outcome"] == "rejected"
    assert sim.signed("GET", PATH_CATALOG).status_code == 200


@PROPERTY
@given(extra=st.integers(min_value=1, max_value=200_000))
def test_any_body_over_the_wire_limit_is_413(sim, extra):
    answer = sim.upload_raw(b"\x1f" * (MAX_COMPRESSED_BYTES + extra))
    _no_5xx(answer, {413})


@PROPERTY
@given(path=st.sampled_from([PATH_CATALOG, f"{PATH_STATUS_CHANGES}?since=0", PATH_HEARTBEAT, PATH_APPLICATIONS]),
       body=st.binary(max_size=300))
def test_any_request_signed_with_a_wrong_key_is_401(sim, path, body):
    method = "GET" if path.startswith((PATH_CATALOG, PATH_STATUS_CHANGES)) else "POST"
    _no_5xx(sim.signed(method, path, body, signing_key=new_terminal_keys().signing_key), {401})


@pytest.fixture(scope="module")
def revoked(sim) -> SimulatedTerminal:
    """A second terminal of the same central, revoked by staff."""
    other = SimulatedTerminal(sim.base_url)
    db_url = sim.db_url  # type: ignore[attr-defined]
    other.enroll(new_enrollment_code(db_url, sim.identity.office_code))
    db = Database(db_url, migrate_schema=False)
    with db.transaction() as session:
        revoke_terminal(session, other.terminal_id)
    db.dispose()
    yield other
    other.close()


@PROPERTY
@given(path=st.sampled_from([PATH_CATALOG, f"{PATH_STATUS_CHANGES}?since=0", PATH_HEARTBEAT, PATH_APPLICATIONS]),
       body=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_a_revoked_terminal_gets_403_whatever_it_sends(revoked, path, body):
    method = "GET" if path.startswith((PATH_CATALOG, PATH_STATUS_CHANGES)) else "POST"
    _no_5xx(revoked.signed(method, path, body), {403})
