"""Logins from outside cannot stall central or lock the real user out (issue 23, findings 1, 2, 7): the
limits are checked before any hashing, refused attempts write no row each, a lock is per (address,
username), X-Forwarded-For counts only from a configured proxy and only its last hop, sessions end.

Each test runs its own central on loopback with the limits it needs; a second client address is a
real one (127.0.0.2, also loopback), not a header."""

from __future__ import annotations

import datetime as dt
import http.client
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, update

from central.console.accounts import add_staff
from central.db import Database
from central.models import AccessLogEntry, StaffSession
from central.settings import ENV_LOGIN_LIMIT, ENV_TRUSTED_PROXY
from tests.central.console.conftest import PASSWORD, ConsoleClient, csrf_of
from tests.fixtures.central import CentralHarness, central_harness


@pytest.fixture
def own_central(tmp_path: Path) -> Iterator[Callable[..., CentralHarness]]:
    """`own_central(**settings)` -> a central of this test's own with those settings."""
    running: list[Iterator[CentralHarness]] = []

    def start(**environment: str) -> CentralHarness:
        harness = central_harness(f"sqlite:///{tmp_path / 'central.db'}", tmp_path, environment)
        running.append(harness)
        return next(harness)

    yield start
    for harness in running:
        next(harness, None)


def _staff(server: CentralHarness, role: str = "operator") -> tuple[str, str]:
    """(office code, username) of a new account with `PASSWORD`."""
    office = server.create_office()
    username = f"{role[:3]}-{secrets.token_hex(3)}"
    database = Database(server.db_url, migrate_schema=False)
    with database.transaction() as session:
        add_staff(session, office, username, role, PASSWORD)
    database.dispose()
    return office, username


def _access_rows(server: CentralHarness) -> int:
    database = Database(server.db_url, migrate_schema=False)
    with database.transaction() as session:
        count = session.scalar(select(func.count()).select_from(AccessLogEntry))
    database.dispose()
    return count or 0


def _login_from(server: CentralHarness, source: str, username: str, password: str,
                headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """One login (form, then post) from client address `source`, as a browser there would send it."""
    port = int(server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
    connection.request("GET", "/staff/login", headers=headers or {})
    form = connection.getresponse()
    page = form.read().decode()
    cookie = next(v for k, v in form.getheaders() if k.lower() == "set-cookie" and v.startswith("loket_login="))
    body = urlencode({"username": username, "password": password, "csrf": csrf_of(page), "next": "/staff"})
    connection.request("POST", "/staff/login", body=body, headers={
        **(headers or {}), "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie.split(";")[0]})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


def test_logins_past_the_address_limit_are_answered_429_before_the_form_is_read(own_central):
    server = own_central(**{ENV_LOGIN_LIMIT: "3/600"})
    _, username = _staff(server)
    for _ in range(3):
        assert _login_from(server, "127.0.0.1", username, "salah-sekali-ini").status == 401
    refused = _login_from(server, "127.0.0.1", username, PASSWORD)
    assert refused.status == 429 and int(refused.getheader("Retry-After")) > 0
    # the refusal does not wait for the body: no form parsed, no password hashed
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(b"POST /staff/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
                    b"\r\nContent-Length: 60\r\n\r\n")
        started = time.perf_counter()
        head = raw.recv(200)
    assert head.startswith(b"HTTP/1.1 429") and time.perf_counter() - started < 3
    assert _login_from(server, "127.0.0.2", username, PASSWORD).status == 303  # another address is not limited


def test_a_locked_pair_does_not_lock_the_real_user_out_and_writes_one_row_not_one_per_attempt(own_central):
    server = own_central(**{ENV_LOGIN_LIMIT: "100/60"})
    _, victim = _staff(server)
    before = _access_rows(server)
    answers = [_login_from(server, "127.0.0.2", victim, f"tebakan-{i}").status for i in range(30)]
    assert answers[:4] == [401] * 4 and set(answers[4:]) == {429}  # the fifth wrong one locks
    assert _login_from(server, "127.0.0.2", victim, PASSWORD).status == 429  # locked even when right, there
    made_up = [_login_from(server, "127.0.0.2", f"ngarang-{i}", "apa-saja-123").status for i in range(10)]
    assert set(made_up) == {401}
    assert _access_rows(server) - before == 1  # the lock, once; no row per refusal, none for made-up names
    assert _login_from(server, "127.0.0.1", victim, PASSWORD).status == 303  # the real user, at her desk


def test_x_forwarded_for_is_ignored_unless_a_proxy_is_configured(own_central):
    server = own_central(**{ENV_LOGIN_LIMIT: "2/600"})
    _, username = _staff(server)
    statuses = [_login_from(server, "127.0.0.1", username, "salah-sekali-ini",
                            {"X-Forwarded-For": f"10.0.0.{i}"}).status for i in range(4)]
    assert statuses == [401, 401, 429, 429]


def test_behind_a_configured_proxy_only_the_last_hop_of_x_forwarded_for_counts(own_central):
    server = own_central(**{ENV_LOGIN_LIMIT: "2/600", ENV_TRUSTED_PROXY: "127.0.0.1"})
    _, username = _staff(server)
    # a client forging the left part of the header is still the address the proxy appended last
    statuses = [_login_from(server, "127.0.0.1", username, "salah-sekali-ini",
                            {"X-Forwarded-For": f"10.0.0.{i}, 203.0.113.7"}).status for i in range(3)]
    assert statuses == [401, 401, 429]
    other = _login_from(server, "127.0.0.1", username, PASSWORD, {"X-Forwarded-For": "203.0.113.8"})
    assert other.status == 303
    # and the proxy's X-Forwarded-Proto makes the session cookie Secure
    secure = _login_from(server, "127.0.0.1", username, PASSWORD,
                         {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    cookie = next(v for k, v in secure.getheaders() if k.lower() == "set-cookie" and v.startswith("loket_staff="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_x_forwarded_proto_from_an_unconfigured_client_does_not_count_as_tls(own_central):
    server = own_central()
    _, username = _staff(server)
    answer = _login_from(server, "127.0.0.1", username, PASSWORD, {"X-Forwarded-Proto": "https"})
    cookie = next(v for k, v in answer.getheaders() if k.lower() == "set-cookie" and v.startswith("loket_staff="))
    assert answer.status == 303 and "Secure" not in cookie


@pytest.mark.parametrize("token", ["é-bukan-ascii", "\u202etoken"])
def test_a_non_ascii_csrf_token_is_refused_with_403_not_a_500(own_central, token):
    server = own_central()
    _, username = _staff(server)
    browser = ConsoleClient(server.url)
    browser.get("/staff/login")
    login = browser.http.post(server.url + "/staff/login", data={"username": username, "password": PASSWORD,
                                                                 "csrf": token})
    assert login.status_code == 403
    assert browser.log_in(username).status_code == 200
    assert browser.post("/staff/logout", csrf=token).status_code == 403


def test_a_new_login_ends_the_accounts_other_session(own_central):
    server = own_central()
    _, username = _staff(server)
    first, second = ConsoleClient(server.url), ConsoleClient(server.url)
    first.log_in(username)
    assert first.get("/staff", allow_redirects=False).status_code == 200
    second.log_in(username)
    assert second.get("/staff", allow_redirects=False).status_code == 200
    assert first.get("/staff", allow_redirects=False).status_code == 303


def test_a_session_ends_after_its_absolute_lifetime_however_busy(own_central):
    server = own_central()
    _, username = _staff(server)
    browser = ConsoleClient(server.url)
    browser.log_in(username)
    database = Database(server.db_url, migrate_schema=False)
    with database.transaction() as session:
        now = dt.datetime.now(dt.UTC)
        too_old = now - dt.timedelta(hours=10, minutes=1)
        session.execute(update(StaffSession).values(created_at=too_old, last_seen_at=now))
    database.dispose()
    assert browser.get("/staff", allow_redirects=False).status_code == 303


def test_an_admin_cannot_disable_her_own_account_by_another_spelling(own_central):
    server = own_central()
    _, admin = _staff(server, "admin")
    browser = ConsoleClient(server.url)
    browser.log_in(admin)
    for spelling in (admin.upper(), f" {admin}"):
        answer = browser.post(f"/staff/accounts/{spelling}/disable")
        assert answer.status_code == 400, spelling
    assert browser.get("/staff", allow_redirects=False).status_code == 200
