"""The launcher starts a real central that answers over loopback and enrolls a terminal."""

import httpx

from kiosk.crypto import new_terminal_keys


def test_central_fixture_answers_health_and_enrolls_a_terminal(central):
    assert httpx.get(f"{central.url}/api/v1/health").json()["ok"] is True
    answer = httpx.post(f"{central.url}/api/v1/enroll",
                        json={"code": central.enrollment_code(), "verify_key": new_terminal_keys().verify_key})
    assert answer.status_code == 200
    assert answer.json()["office_code"] == "3273010001"
