"""Signed requests, on SQLite and PostgreSQL: unknown terminal, bad signature, stale or replayed is 401; revoked 403."""

import time

import pytest
from sqlalchemy import func, select

from central.db import Database
from central.models import SeenNonce
from central.records import revoke_terminal
from kiosk.crypto import b64encode, new_terminal_keys, sign
from sync.protocol import (
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TERMINAL,
    HEADER_TIMESTAMP,
    MAX_CLOCK_SKEW_S,
    sign_request,
    signing_message,
)


def _refusal(answer, status, error):
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "message"}
    assert body["error"] == error
    assert body["message"]


def test_an_unsigned_request_is_401(enrolled_any):
    sim = enrolled_any()
    _refusal(sim.send("GET", "/api/v1/catalog", b"", {}), 401, "unauthenticated")


def test_an_unknown_terminal_is_401(enrolled_any):
    sim = enrolled_any()
    headers = sign_request("00000000-0000-0000-0000-000000000000", sim.keys.signing_key, "GET", "/api/v1/catalog", b"")
    _refusal(sim.send("GET", "/api/v1/catalog", b"", headers), 401, "unknown_terminal")


def test_a_request_signed_with_another_key_is_401(enrolled_any):
    sim = enrolled_any()
    _refusal(sim.upload_raw(sim.batch_body([sim.application()]), signing_key=new_terminal_keys().signing_key),
             401, "bad_signature")


def test_a_body_changed_after_signing_is_401(enrolled_any):
    sim = enrolled_any()
    body = sim.batch_body([sim.application()])
    headers = sign_request(sim.terminal_id, sim.keys.signing_key, "POST", "/api/v1/applications/batch", body)
    tampered = sim.batch_body([sim.application()])
    _refusal(sim.send("POST", "/api/v1/applications/batch", tampered, {**headers, "Content-Encoding": "gzip"}),
             401, "bad_signature")


def test_a_signature_for_another_path_is_401(enrolled_any):
    sim = enrolled_any()
    headers = sign_request(sim.terminal_id, sim.keys.signing_key, "GET", "/api/v1/status-changes?since=0", b"")
    _refusal(sim.send("GET", "/api/v1/status-changes?since=999", b"", headers), 401, "bad_signature")


def test_a_garbled_signature_header_is_401(enrolled_any):
    sim = enrolled_any()
    headers = {**sign_request(sim.terminal_id, sim.keys.signing_key, "GET", "/api/v1/catalog", b""),
               HEADER_SIGNATURE: "%%%not-base64%%%"}
    _refusal(sim.send("GET", "/api/v1/catalog", b"", headers), 401, "bad_signature")


@pytest.mark.parametrize("skew", [-(MAX_CLOCK_SKEW_S + 60), MAX_CLOCK_SKEW_S + 60])
def test_a_timestamp_outside_the_clock_window_is_401(enrolled_any, skew):
    sim = enrolled_any()
    _refusal(sim.signed("GET", "/api/v1/catalog", now=time.time() + skew), 401, "stale")


def test_a_timestamp_inside_the_window_is_fine(enrolled_any):
    sim = enrolled_any()
    assert sim.signed("GET", "/api/v1/catalog", now=time.time() - MAX_CLOCK_SKEW_S + 30).status_code == 200


def test_a_replayed_request_is_401_and_has_no_effect(enrolled_any):
    sim = enrolled_any()
    body = sim.batch_body([sim.application()])
    headers = {**sign_request(sim.terminal_id, sim.keys.signing_key, "POST", "/api/v1/applications/batch", body),
               "Content-Encoding": "gzip"}
    assert sim.send("POST", "/api/v1/applications/batch", body, headers).status_code == 200
    _refusal(sim.send("POST", "/api/v1/applications/batch", body, headers), 401, "replay")


def test_a_refused_request_leaves_no_nonce_behind(any_central, enrolled_any):
    sim = enrolled_any()
    body = sim.batch_body([sim.application()])
    headers = {**sign_request(sim.terminal_id, new_terminal_keys().signing_key, "POST",
                              "/api/v1/applications/batch", body), "Content-Encoding": "gzip"}
    _refusal(sim.send("POST", "/api/v1/applications/batch", body, headers), 401, "bad_signature")
    with Database(any_central.db_url).transaction() as session:
        recorded = session.scalar(select(func.count()).select_from(SeenNonce).where(
            SeenNonce.terminal_id == sim.terminal_id, SeenNonce.nonce == headers[HEADER_NONCE].lower()))
    assert recorded == 0


def test_a_correctly_signed_but_malformed_nonce_is_401(enrolled_any):
    sim = enrolled_any()
    timestamp = str(int(time.time()))
    signature = sign(sim.keys.signing_key, signing_message("GET", "/api/v1/catalog", timestamp, "zz", b""))
    headers = {HEADER_TERMINAL: sim.terminal_id, HEADER_TIMESTAMP: timestamp, HEADER_NONCE: "zz",
               HEADER_SIGNATURE: b64encode(signature)}
    _refusal(sim.send("GET", "/api/v1/catalog", b"", headers), 401, "bad_nonce")


def test_a_revoked_terminal_is_403_on_every_endpoint(any_central, enrolled_any):
    sim = enrolled_any()
    with Database(any_central.db_url).transaction() as session:
        revoke_terminal(session, sim.identity.terminal_code)
    _refusal(sim.upload_raw(sim.batch_body([sim.application()])), 403, "revoked")
    _refusal(sim.signed("GET", "/api/v1/catalog"), 403, "revoked")
    _refusal(sim.signed("GET", "/api/v1/status-changes?since=0"), 403, "revoked")
    _refusal(sim.signed("POST", "/api/v1/heartbeat", b"{}"), 403, "revoked")


def test_revoking_one_terminal_leaves_the_others_working(central, enrolled):
    revoked, other = enrolled(), enrolled()
    with Database(central.db_url).transaction() as session:
        revoke_terminal(session, revoked.terminal_id)
    assert other.upload([other.application()]).results[0].outcome == "accepted"


def test_the_terminal_header_alone_does_not_authenticate(enrolled_any):
    sim, victim = enrolled_any(), enrolled_any()
    headers = sign_request(victim.terminal_id, sim.keys.signing_key, "GET", "/api/v1/catalog", b"")
    assert headers[HEADER_TERMINAL] == victim.terminal_id
    _refusal(sim.send("GET", "/api/v1/catalog", b"", headers), 401, "bad_signature")
