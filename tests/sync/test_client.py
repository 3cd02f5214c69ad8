"""The HTTP client: where it may connect, what it sends, and how each failure reads."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import http.server
import json
import socket
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.crypto import new_terminal_keys
from kiosk.terminal import Terminal
from sync.client import CentralClient, Timeouts, check_server_url, parse_retry_after
from sync.errors import AuthRefused, InsecureServer, RequestRefused, ServerBusy, ServerUnreachable
from sync.protocol import Heartbeat, UploadBatch, verify_request
from tests.sync.faultproxy import Fault, FaultProxy, Scripted


def client_for(terminal: Terminal, url: str | None = None, **kw) -> CentralClient:
    identity = terminal.identity
    return CentralClient(url or terminal.settings.server_url, terminal_id=identity.terminal_id,
                         signing_key=identity.signing_key, **kw)


# -- where the client may connect --------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:8000/", "http://[::1]:9",
                                 "http://127.8.9.10", "https://central.example.go.id", "https://10.0.0.5:8443"])
def test_https_anywhere_and_plain_http_to_this_machine_are_allowed(url: str) -> None:
    assert check_server_url(url) == url.rstrip("/")


@given(st.one_of(
    st.ip_addresses().filter(lambda ip: not ip.is_loopback).map(lambda ip: f"[{ip}]" if ip.version == 6 else str(ip)),
    st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6}){1,2}", fullmatch=True).filter(lambda h: "localhost" not in h),
))
def test_plain_http_to_any_other_host_is_refused_with_the_reason(host: str) -> None:
    with pytest.raises(InsecureServer, match="plain http"):
        check_server_url(f"http://{host}:8000")


@pytest.mark.parametrize("url", ["ftp://central", "central.example", "", "https://", "https://x/?a=1"])
def test_a_url_that_is_not_a_server_address_is_refused(url: str) -> None:
    with pytest.raises(InsecureServer):
        check_server_url(url)


@given(st.text(max_size=60) | st.builds(lambda scheme, rest: scheme + rest, st.sampled_from(["http://", "https://"]),
                                        st.text(max_size=40)))
def test_any_typed_text_is_either_a_usable_url_or_a_clear_refusal(typed: str) -> None:
    try:
        url = check_server_url(typed)
    except InsecureServer as e:
        assert "server URL" in str(e)
    else:
        assert url.startswith(("https://", "http://")) and not url.endswith("/")
        assert check_server_url(url) == url


def test_a_missing_ca_bundle_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(InsecureServer, match="ca_bundle"):
        CentralClient("https://central.example", ca_bundle=str(tmp_path / "nope.pem"))


# -- Retry-After ---------------------------------------------------------------------------------

@given(st.integers(min_value=0, max_value=10**6))
def test_retry_after_in_seconds_is_read_as_seconds(seconds: int) -> None:
    assert parse_retry_after(str(seconds)) == seconds


def test_retry_after_as_an_http_date_is_the_time_until_then() -> None:
    now = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    header = email.utils.format_datetime(now + dt.timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(header, now=now) == 90
    assert parse_retry_after(email.utils.format_datetime(now - dt.timedelta(hours=1), usegmt=True), now=now) == 0


@pytest.mark.parametrize("garbled", [None, "", "soon", "-5", "1.5e3"])
def test_a_garbled_retry_after_is_ignored(garbled: str | None) -> None:
    assert parse_retry_after(garbled) is None


# -- against the real central ------------------------------------------------------------------

def test_requests_are_gzip_compressed_and_signed_over_exactly_the_bytes_sent(enrolled: Terminal, central) -> None:
    seen: list[bytes] = []
    with FaultProxy(central.server.port, lambda m, p: Fault.PASS, on_request=seen.append) as proxy, \
            client_for(enrolled, proxy.url) as client:
        answer = client.heartbeat(Heartbeat(queue={"queued": 3}))
    assert answer.office_key == enrolled.identity.office_key
    head, _, body = seen[0].partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower["content-encoding"] == "gzip"
    sent = json.loads(gzip.decompress(body))
    assert sent["queue"] == {"queued": 3} and "printer" not in sent  # an older central refuses the key
    assert seen[0].startswith(b"POST /api/v1/heartbeat?with=printer,sms,resend,public_url ")
    verify_request(enrolled.identity.verify_key, "POST", "/api/v1/heartbeat?with=printer,sms,resend,public_url", body,
                   headers)


def test_a_server_that_is_not_there_is_reported_with_its_address() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with CentralClient(f"http://127.0.0.1:{port}", terminal_id="t", signing_key="k" * 43 + "=") as client, \
            pytest.raises(ServerUnreachable, match=f"127.0.0.1:{port}"):
        client.heartbeat(Heartbeat())


def test_a_stalled_answer_ends_at_the_read_timeout(enrolled: Terminal, central) -> None:
    with FaultProxy(central.server.port, Scripted([Fault.STALL]), stall_s=5) as proxy, \
            client_for(enrolled, proxy.url, timeouts=Timeouts(connect_s=1, read_s=0.5)) as client, \
            pytest.raises(ServerUnreachable, match="did not answer within 0.5 s"):
        client.heartbeat(Heartbeat())


@pytest.mark.parametrize("fault, retry_after", [(Fault.HTTP_503, 1.0), (Fault.HTTP_429, 1.0), (Fault.HTTP_500, None)])
def test_a_busy_server_is_transient_and_carries_its_retry_after(
        enrolled: Terminal, central, fault: Fault, retry_after: float | None) -> None:
    with FaultProxy(central.server.port, Scripted([fault])) as proxy, client_for(enrolled, proxy.url) as client:
        with pytest.raises(ServerBusy) as refused:
            client.upload(UploadBatch())
        assert refused.value.transient and refused.value.retry_after == retry_after
        assert fault.value.split("_")[1] in str(refused.value)
        assert client.upload(UploadBatch()).results == []  # the next request passes


def test_a_signature_central_does_not_know_is_refused_with_its_code(enrolled: Terminal, central) -> None:
    with CentralClient(central.url, terminal_id=enrolled.identity.terminal_id,
                       signing_key=new_terminal_keys().signing_key) as client, \
            pytest.raises(AuthRefused, match="bad_signature"):
        client.heartbeat(Heartbeat())


def test_catalog_comes_with_an_etag_and_is_not_sent_again_while_it_matches(enrolled: Terminal) -> None:
    with client_for(enrolled) as client:
        first = client.fetch_catalog()
        assert first is not None and first.etag
        assert json.loads(first.body)["version"]
        assert client.fetch_catalog(first.etag) is None


def test_a_redirect_is_not_followed_and_names_where_it_pointed(tmp_path: Path) -> None:
    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(301)
            self.send_header("Location", "https://central.example.go.id/api/v1/heartbeat")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with CentralClient(f"http://127.0.0.1:{server.server_port}", terminal_id="t",
                           signing_key=new_terminal_keys().signing_key) as client, \
                pytest.raises(RequestRefused, match="redirected .* to 'https://central.example.go.id"):
            client.heartbeat(Heartbeat())
    finally:
        server.shutdown()
        server.server_close()
