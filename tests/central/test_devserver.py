"""The launcher: central in a subprocess on loopback, stopped, killed and restarted on the same port."""

import socket

import httpx
import pytest

from central.devserver import free_port, start_central
from central.errors import CentralError
from kiosk.crypto import new_terminal_keys


def _answers(url):
    try:
        return httpx.get(f"{url}/api/v1/health", timeout=2).json()["ok"] is True
    except httpx.HTTPError:
        return False


def test_central_fixture_answers_health_and_enrolls_a_terminal(central):
    assert _answers(central.url)
    answer = httpx.post(f"{central.url}/api/v1/enroll",
                        json={"code": central.enrollment_code(), "verify_key": new_terminal_keys().verify_key})
    assert answer.status_code == 200
    assert answer.json()["office_code"] == "3273010001"


def test_start_on_a_given_port_stop_frees_it_and_restart_comes_back_there(tmp_path):
    port = free_port()
    server = start_central(f"sqlite:///{tmp_path / 'c.db'}", port)
    try:
        assert server.url == f"http://127.0.0.1:{port}" and _answers(server.url)
        server.stop()
        assert not _answers(server.url)
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT may linger
            s.bind(("127.0.0.1", port))  # nobody listens there any more
        server.start()
        assert _answers(server.url)
        server.kill()
        assert not _answers(server.url)
        server.restart()
        assert _answers(server.url)
    finally:
        server.stop()


def test_a_central_that_cannot_start_says_so_instead_of_hanging(tmp_path):
    with pytest.raises(CentralError, match="exited"):
        start_central("mysql://nobody@127.0.0.1/none", log_path=tmp_path / "central.log")
    assert "unsupported database" in (tmp_path / "central.log").read_text()
