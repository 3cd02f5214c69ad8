"""schemathesis against central's OpenAPI on the real central over loopback, on SQLite and PostgreSQL,
unsigned and signed (each generated request signed by an enrolled terminal, as a stolen kiosk key
could): never a 5xx, and every status answered is declared in the schema (413/429/503 included).

The example count is bounded (`EXAMPLES` per operation) so the four runs take about a minute or two.
The centrals here allow any number of refused enrollments: the generated bodies are refused enrollments
from one address by the dozen, and the limit that answers them 429 (tested in test_limits) would
otherwise refuse the signed run's own terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from central.settings import ENV_ENROLL_REFUSALS
from sync.protocol import sign_request
from tests.fixtures.central import GENEROUS_LOGINS
from tests.harness.simterminal import SimulatedTerminal

EXAMPLES = 25
pytestmark = pytest.mark.slow  # about 20 s each
CHECKS = [not_a_server_error, status_code_conformance]
#: health, enroll, applications, catalog, status changes, heartbeat, record ("Data saya"), releases
OPERATIONS = 8
#: the centrals of this module (tests/central/conftest.py): refused enrollments without limit
CENTRAL_ENVIRONMENT = {**GENEROUS_LOGINS, ENV_ENROLL_REFUSALS: "1000000/1"}


def _each_operation(url: str, call: Callable[[Any], None]) -> int:
    """Runs `call(case)` on `EXAMPLES` generated cases of every operation in central's schema; returns how many
    operations there were."""
    loaded = schemathesis.openapi.from_url(url + "/openapi.json")
    operations = [result.ok() for result in loaded.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            call(case)

        run()
    return len(operations)


def test_unsigned_requests_never_get_a_5xx_or_an_undeclared_status(any_central):
    def call(case: Any) -> None:
        case.call_and_validate(base_url=any_central.url, checks=CHECKS)

    assert _each_operation(any_central.url, call) == OPERATIONS


def test_signed_requests_never_get_a_5xx_or_an_undeclared_status(any_central):
    signer = SimulatedTerminal(any_central.url)
    signer.enroll(any_central.enrollment_code())
    http = requests.Session()

    def call(case: Any) -> None:
        prepared = requests.Request(**case.as_transport_kwargs(base_url=any_central.url)).prepare()
        body = prepared.body or b""
        body = body.encode() if isinstance(body, str) else body
        prepared.headers.update(sign_request(signer.terminal_id, signer.keys.signing_key, prepared.method or "GET",
                                             prepared.path_url, body))
        response = http.send(prepared, timeout=30)
        if response.status_code == 401:  # the hook signs what is sent: central must take the signature
            assert response.json()["error"] not in ("bad_signature", "unauthenticated", "stale"), (
                prepared.method, prepared.path_url, response.text)
        case.validate_response(response, checks=CHECKS)

    try:
        assert _each_operation(any_central.url, call) == OPERATIONS
    finally:
        http.close()
        signer.close()
