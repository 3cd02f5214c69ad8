"""Protocol version 2 signs the terminal id; headers of the wrong form are 400/401, never a 500; an
enrolled key cannot be enrolled again; version 1 signatures only for offices that opted in, until their day."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import time
import uuid

import pytest
import requests
from sqlalchemy import insert

from central.db import Database
from central.devserver import start_central
from central.models import Terminal, utcnow
from central.settings import ENV_SIGNATURE_V1
from kiosk.crypto import b64encode, sign
from sync.protocol import (
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_SIGNATURE_VERSION,
    HEADER_TERMINAL,
    HEADER_TIMESTAMP,
    PATH_CATALOG,
    PATH_ENROLL,
    sign_request,
    signing_message,
)
from tests.harness.central import create_test_office, new_enrollment_code
from tests.harness.simterminal import SimulatedTerminal


def _v1_headers(sim: SimulatedTerminal, method: str, path: str, body: bytes = b"") -> dict[str, str]:
    """What a terminal from before version 2 sends: no version header, no terminal id in the signature."""
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
    signature = sign(sim.keys.signing_key, signing_message(method, path, timestamp, nonce, body))
    return {HEADER_TERMINAL: sim.terminal_id, HEADER_TIMESTAMP: timestamp, HEADER_NONCE: nonce,
            HEADER_SIGNATURE: b64encode(signature)}


def _raw_get(url: str, headers: dict[str, bytes]) -> tuple[int, dict]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("GET", PATH_CATALOG)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    answer = connection.getresponse()
    status, body = answer.status, json.loads(answer.read())
    connection.close()
    return status, body


@pytest.mark.parametrize(("header", "value"), [
    (HEADER_TIMESTAMP, "١٧٠٠٠٠٠٠٠٠".encode()),  # Arabic-Indic digits: int() would take them
    (HEADER_TIMESTAMP, "１７００００００００".encode()),  # full-width digits
    (HEADER_TIMESTAMP, b"\xff\xfe"),
    (HEADER_NONCE, "é".encode() * 16),
    (HEADER_NONCE, b"\xc3" * 32),
    (HEADER_SIGNATURE_VERSION, "٢".encode()),
    (HEADER_SIGNATURE, "ñ".encode() * 44),
])
def test_a_malformed_or_non_ascii_header_with_a_real_terminal_id_is_401_not_500(enrolled, header, value):
    sim = enrolled()
    headers = {k: v.encode() for k, v in sign_request(sim.terminal_id, sim.keys.signing_key, "GET", PATH_CATALOG,
                                                        b"").items()}
    headers[header] = value
    status, body = _raw_get(sim.base_url, headers)
    assert status == 401, body
    assert body["error"] in ("stale", "bad_nonce", "bad_signature")


def test_changing_the_terminal_header_breaks_a_version_2_signature(central, enrolled):
    """Two terminal rows sharing one key (possible before enrollment refused it): a request of one
    cannot be passed off as the other's once the id is signed."""
    sim = enrolled()
    twin_id = str(uuid.uuid4())
    with Database(central.db_url).transaction() as session:
        session.execute(insert(Terminal).values(id=twin_id, code="TW1N", office_id=1,
                                                verify_key=sim.keys.verify_key, enrolled_at=utcnow()))
    headers = sign_request(sim.terminal_id, sim.keys.signing_key, "GET", PATH_CATALOG, b"")
    assert sim.send("GET", PATH_CATALOG, b"", headers).status_code == 200
    moved = sign_request(sim.terminal_id, sim.keys.signing_key, "GET", PATH_CATALOG, b"")
    moved[HEADER_TERMINAL] = twin_id
    answer = sim.send("GET", PATH_CATALOG, b"", moved)
    assert answer.status_code == 401 and answer.json()["error"] == "bad_signature"


def test_version_1_is_refused_by_default_and_version_2_works(enrolled):
    sim = enrolled()
    old = sim.send("GET", PATH_CATALOG, b"", _v1_headers(sim, "GET", PATH_CATALOG))
    assert old.status_code == 401 and HEADER_SIGNATURE_VERSION in old.json()["message"]
    assert sim.catalog().status_code == 200


def test_version_1_works_only_for_the_offices_that_opted_in_and_only_until_their_day(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    opted, other = create_test_office(url).code, create_test_office(url).code
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    yesterday = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)).isoformat()
    for setting, expected in ((f"{opted}:{tomorrow}", {opted: 200, other: 401}),
                              (f"*:{tomorrow}", {opted: 200, other: 200}),
                              (f"{opted},{other}:{yesterday}", {opted: 401, other: 401}),
                              ("accept", {opted: 401, other: 401})):
        running = start_central(url, log_path=tmp_path / "central.log", environment={ENV_SIGNATURE_V1: setting})
        try:
            for office, status in expected.items():
                sim = SimulatedTerminal(running.url)
                sim.enroll(new_enrollment_code(url, office))
                body = sim.batch_body([sim.application()])
                answer = sim.send("POST", "/api/v1/applications/batch", body, {
                    **_v1_headers(sim, "POST", "/api/v1/applications/batch", body), "Content-Encoding": "gzip"})
                assert answer.status_code == status, (setting, office, answer.text)
                sim.close()
        finally:
            running.stop()


def test_enrollment_refuses_a_key_enrolled_already_and_leaves_the_code_usable(central, enrolled):
    sim = enrolled()
    code = central.enrollment_code()
    for spelling in (sim.keys.verify_key, sim.keys.verify_key.replace("+", "-").replace("/", "_")):
        answer = requests.post(central.url + PATH_ENROLL, json={"code": code, "verify_key": spelling}, timeout=10)
        assert answer.status_code == 409, answer.text
        assert answer.json()["error"] == "key_in_use"
    assert SimulatedTerminal(central.url).enroll(code).terminal_code
