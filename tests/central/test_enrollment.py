"""Enrollment: a one-time code trades for a terminal identity once, and expires."""

import datetime as dt

import pytest
import requests

from kiosk.crypto import b64decode
from kiosk.reference import normalize_terminal_code
from sync.protocol import PATH_ENROLL
from tests.harness.central import new_enrollment_code
from tests.harness.simterminal import SimulatedTerminal


def _enroll(url: str, code: str, verify_key: str) -> requests.Response:
    return requests.post(url + PATH_ENROLL, json={"code": code, "verify_key": verify_key}, timeout=10)


def test_enrollment_gives_identity_office_and_its_public_key(any_central):
    office = any_central.create_office(name="Kelurahan Sukajadi")
    sim = SimulatedTerminal(any_central.url)
    identity = sim.enroll(any_central.enrollment_code(office))
    assert identity.office_code == office
    assert identity.office_name == "Kelurahan Sukajadi"
    assert normalize_terminal_code(identity.terminal_code) == identity.terminal_code
    assert len(b64decode(identity.office_key)) == 32
    assert identity.catalog_version == "2026.11.1"


def test_a_code_works_once_for_another_terminal(central):
    code = central.enrollment_code()
    SimulatedTerminal(central.url).enroll(code)
    second = _enroll(central.url, code, SimulatedTerminal(central.url).keys.verify_key)
    assert second.status_code == 401
    assert second.json()["error"] == "code_used"


def test_the_same_terminal_retrying_a_used_code_gets_the_same_identity(central):
    sim = SimulatedTerminal(central.url)
    code = central.enrollment_code()
    first = sim.enroll(code)
    again = sim.enroll(code)  # its first answer was lost on the way back
    assert again == first


def test_an_expired_code_is_refused(central):
    code = new_enrollment_code(central.db_url, central.create_office(), ttl=dt.timedelta(seconds=-1))
    answer = _enroll(central.url, code, SimulatedTerminal(central.url).keys.verify_key)
    assert answer.status_code == 401
    assert answer.json()["error"] == "code_expired"


def test_an_unknown_code_is_refused(central):
    answer = _enroll(central.url, "AAAA-BBBB-CCCC", SimulatedTerminal(central.url).keys.verify_key)
    assert answer.status_code == 401
    assert answer.json()["error"] == "bad_code"


def test_codes_are_read_forgivingly_like_a_person_types_them(central):
    code = central.enrollment_code()
    typed = code.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    assert SimulatedTerminal(central.url).enroll(typed).office_code == "3273010001"


@pytest.mark.parametrize("verify_key", ["A" * 44, "not base64 at all, but long enough to pass the length"])
def test_an_enrollment_with_a_malformed_key_is_refused_and_leaves_the_code_usable(central, verify_key):
    code = central.enrollment_code()
    answer = _enroll(central.url, code, verify_key)
    assert answer.status_code == 422
    assert SimulatedTerminal(central.url).enroll(code).office_code == "3273010001"


def test_each_terminal_gets_its_own_terminal_code(enrolled):
    codes = {enrolled().identity.terminal_code for _ in range(5)}
    assert len(codes) == 5
