"""The terminal's HTTP client for central: signed, gzip-compressed, with explicit timeouts.

One method per endpoint, taking and returning the models of `sync.protocol`. Failures become the
exceptions of `sync.errors`, each with a message a technician can act on. TLS certificates are
always verified (against `settings.ca_bundle` when set); plain http:// is allowed only to this
machine, so personal data and signatures never cross a network in clear text.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import ipaddress
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import urlencode, urlsplit

import requests
from pydantic import BaseModel, ValidationError

from kiosk import __version__
from sync.errors import (
    AuthRefused,
    BadAnswer,
    EnrollmentFailed,
    InsecureServer,
    RequestRefused,
    ServerBusy,
    ServerUnreachable,
    TerminalRevoked,
)
from sync.protocol import (
    ENROLL_WITH_TIMEZONE,
    HEARTBEAT_CLOCK_OFFSET,
    HEARTBEAT_WITH_PRINTER,
    HEARTBEAT_WITH_PUBLIC_URL,
    HEARTBEAT_WITH_RESEND,
    HEARTBEAT_WITH_SMS,
    HEARTBEAT_WITH_UPDATE,
    MAX_CLOCK_SKEW_S,
    PATH_APPLICATIONS,
    PATH_CATALOG,
    PATH_ENROLL,
    PATH_HEARTBEAT,
    PATH_RECORD,
    PATH_STATUS_CHANGES,
    EnrollRequest,
    EnrollResponse,
    Heartbeat,
    HeartbeatResponse,
    ProcessingRecord,
    StatusChanges,
    UploadBatch,
    UploadResponse,
    sign_request,
)

USER_AGENT = f"loket-kiosk/{__version__}"
GZIP_LEVEL = 1
Reply = TypeVar("Reply", bound=BaseModel)


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection, and then for each read of the answer."""

    connect_s: float = 5.0
    read_s: float = 30.0


DEFAULT_TIMEOUTS = Timeouts()


@dataclass(frozen=True)
class CatalogDocument:
    """A catalog as central serves it: the document's bytes and the ETag to send back next time."""

    body: bytes
    etag: str | None


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_server_url(url: str) -> str:
    """The URL without a trailing slash, or `InsecureServer` saying why it cannot be used."""
    url = (url or "").strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number from 0 to 65535
    except ValueError as e:
        raise InsecureServer(f"server URL {url!r} cannot be read ({e}): write it as https://host[:port]") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureServer(f"server URL {url!r} must look like https://host[:port]")
    if parts.query or parts.fragment:
        raise InsecureServer(f"server URL {url!r} must not have a query or fragment")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InsecureServer(
            f"server URL {url!r} uses plain http to another machine: personal data and signatures must "
            "not cross the network unencrypted. Use https:// (plain http is allowed only to 127.0.0.1/localhost)"
        )
    return url


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or garbled."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _refusal_detail(response: requests.Response) -> tuple[str, str]:
    """(machine code, human message) from an error answer, whatever shape central gave it."""
    try:
        body = response.json()
    except ValueError:
        return "", (response.text or response.reason or "").strip()[:300]
    if isinstance(body, dict):
        if isinstance(body.get("error"), str):
            return body["error"], str(body.get("message", ""))[:300]
        detail = body.get("detail")
        if isinstance(detail, dict) and isinstance(detail.get("error"), str):
            return detail["error"], str(detail.get("message", ""))[:300]
        if detail is not None:
            return "", (detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False))[:300]
    return "", json.dumps(body, ensure_ascii=False)[:300]


class CentralClient:
    """Talks to one central server. Not thread-safe: each thread makes its own."""

    def __init__(
        self,
        server_url: str,
        *,
        terminal_id: str = "",
        signing_key: str = "",
        ca_bundle: str = "",
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        clock_offset_s: float = 0.0,
    ) -> None:
        """`clock_offset_s`: central's clock minus this machine's, as last learned; requests are signed
        with the corrected time, so a terminal whose clock is wrong (a flat CMOS battery) is not refused."""
        self.base_url = check_server_url(server_url)
        self.clock_offset_s = clock_offset_s
        #: central's clock at its last answer (its `Date` header) and its offset from ours then
        self.central_time: dt.datetime | None = None
        self.central_offset_s: float | None = None
        self.terminal_id = terminal_id
        self.signing_key = signing_key
        self.timeouts = timeouts
        if ca_bundle and not Path(ca_bundle).exists():
            raise InsecureServer(f"ca_bundle {ca_bundle!r} does not exist: fix the setting or clear it")
        self.verify: str | bool = ca_bundle or True
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the endpoints -----------------------------------------------------------------------

    def enroll(self, request: EnrollRequest) -> EnrollResponse:
        try:
            # plain JSON: enrollment is one small unsigned request, parsed by central's framework
            response = self._send("POST", f"{PATH_ENROLL}?{ENROLL_WITH_TIMEZONE}",
                                  request.model_dump_json().encode("utf-8"), signed=False, compressed=False)
        except RequestRefused as e:
            raise EnrollmentFailed(
                f"central refused the enrollment code ({e}); a code works once and expires: ask staff for a new one"
            ) from None
        return self._parse(response, EnrollResponse, "enrollment answer")

    def upload(self, batch: UploadBatch) -> UploadResponse:
        # without surveys the key is left out: an older central refuses keys it does not know
        response = self._send("POST", PATH_APPLICATIONS, self._json(batch, None if batch.survey else {"survey"}))
        return self._parse(response, UploadResponse, "upload answer")

    def fetch_catalog(self, etag: str | None = None) -> CatalogDocument | None:
        """The catalog central serves, or None when it is still `etag` (or central has none)."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._send("GET", PATH_CATALOG, b"", headers=headers, allow=(304, 404))
        if response.status_code in (304, 404):
            return None
        return CatalogDocument(response.content, response.headers.get("ETag"))

    def status_changes(self, since: int) -> StatusChanges:
        path = f"{PATH_STATUS_CHANGES}?{urlencode({'since': since, 'reasons': 1})}"
        return self._parse(self._send("GET", path, b""), StatusChanges, "status changes")

    def processing_record(self, application_id: str) -> ProcessingRecord:
        """The application's processing record ("Data saya"); `RequestRefused` (404) when central lacks it."""
        path = f"{PATH_RECORD}?{urlencode({'id': application_id})}"
        return self._parse(self._send("GET", path, b""), ProcessingRecord, "processing record")

    def heartbeat(self, beat: Heartbeat, *, clock_offset_s: float | None = None,
                  with_update: bool = False) -> HeartbeatResponse:
        """`clock_offset_s`: central's clock minus ours as last measured, reported unless this client has
        measured it itself by now. `with_update`: this terminal takes release offers (`update_offer`)."""
        # `with=printer,sms,resend,public_url[,update]`: this terminal understands those answer fields (older
        # centrals ignore the query)
        # `printer` and `update` go only when set: an older central refuses the keys, even as null
        leave_out = {name for name in ("printer", "update") if getattr(beat, name) is None}
        body = self._json(beat, leave_out=leave_out or None)
        asked = (f"{HEARTBEAT_WITH_PRINTER},{HEARTBEAT_WITH_SMS},{HEARTBEAT_WITH_RESEND},{HEARTBEAT_WITH_PUBLIC_URL}"
                 + (f",{HEARTBEAT_WITH_UPDATE}" if with_update else ""))

        def path() -> str:  # the clock's error rides in the (signed) query, which an older central ignores
            offset = self.central_offset_s if self.central_offset_s is not None else clock_offset_s
            clock = f"&{urlencode({HEARTBEAT_CLOCK_OFFSET: f'{offset:.0f}'})}" if offset is not None else ""
            return f"{PATH_HEARTBEAT}?{asked}{clock}"

        signed_with = self.clock_offset_s
        response = self._send("POST", path(), body)
        if self.clock_offset_s != signed_with:  # refused as stale, then sent corrected: with the offset it had
            response = self._send("POST", path(), body)
        return self._parse(response, HeartbeatResponse, "heartbeat answer")

    def download_range(self, path: str, start: int, end: int, out: BinaryIO) -> int:
        """Appends bytes `start`..`end` (inclusive) of the file at `path` to `out` as they arrive; returns
        how many arrived. A connection that drops mid-way raises `ServerUnreachable` after keeping (and
        flushing) what did arrive, so the next call resumes there."""
        response = self._send("GET", path, b"", headers={"Range": f"bytes={start}-{end}"}, stream=True)
        if response.status_code != 206 or not response.headers.get("Content-Range", "").startswith(f"bytes {start}-"):
            response.close()
            raise BadAnswer(f"central did not answer the range {start}- of {path} (HTTP {response.status_code})")
        written = 0
        try:
            for chunk in response.iter_content(64 * 1024):
                out.write(chunk)
                written += len(chunk)
        except requests.exceptions.RequestException as e:
            cut = f"the download was cut after {written} bytes ({_short(e)}): it resumes there"
            raise ServerUnreachable(cut) from None
        finally:
            out.flush()
            response.close()
        return written

    # -- the plumbing ------------------------------------------------------------------------

    @staticmethod
    def _json(model: BaseModel, leave_out: set[str] | None = None) -> bytes:
        return gzip.compress(model.model_dump_json(exclude=leave_out or None).encode("utf-8"),
                             compresslevel=GZIP_LEVEL, mtime=0)

    def _send(
        self, method: str, path: str, body: bytes, *, signed: bool = True, compressed: bool = True,
        headers: dict[str, str] | None = None, allow: tuple[int, ...] = (), stream: bool = False,
    ) -> requests.Response:
        url = self.base_url + path
        all_headers = dict(headers or {})
        if body:
            all_headers["Content-Type"] = "application/json"
            if compressed:
                all_headers["Content-Encoding"] = "gzip"
        if signed and not (self.terminal_id and self.signing_key):
            raise AuthRefused("this terminal has no key for central: enroll it first", status=0)
        response = self._request(method, url, body, all_headers, signed, stream)
        if response.status_code == 401 and signed and self._learned_a_new_offset():
            # refused as stale: the answer's Date says how wrong our clock is, so once more corrected
            response = self._request(method, url, body, all_headers, signed, stream)
        if 200 <= response.status_code < 300 or response.status_code in allow:
            return response
        raise self._failure(method, path, response)

    def _learned_a_new_offset(self) -> bool:
        if self.central_offset_s is None or abs(self.central_offset_s - self.clock_offset_s) < MAX_CLOCK_SKEW_S / 2:
            return False
        self.clock_offset_s = self.central_offset_s
        return True

    def _request(self, method: str, url: str, body: bytes, headers: dict[str, str], signed: bool,
                 stream: bool = False) -> requests.Response:
        all_headers = dict(headers)
        if signed:
            parts = urlsplit(url)
            signed_path = parts.path + (f"?{parts.query}" if parts.query else "")
            all_headers.update(sign_request(self.terminal_id, self.signing_key, method, signed_path, body,
                                            now=time.time() + self.clock_offset_s))
        host = urlsplit(self.base_url).netloc
        try:
            response = self.session.request(
                method, url, data=body or None, headers=all_headers, verify=self.verify,
                timeout=(self.timeouts.connect_s, self.timeouts.read_s), allow_redirects=False, stream=stream,
            )
        except requests.exceptions.SSLError as e:
            raise ServerUnreachable(
                f"TLS verification of {host} failed ({_short(e)}): check the server certificate or the "
                "ca_bundle setting"
            ) from None
        except requests.exceptions.ConnectTimeout:
            raise ServerUnreachable(f"no connection to {host} within {self.timeouts.connect_s:g} s") from None
        except requests.exceptions.ReadTimeout:
            raise ServerUnreachable(f"{host} did not answer within {self.timeouts.read_s:g} s") from None
        except requests.exceptions.ConnectionError as e:
            raise ServerUnreachable(f"cannot reach {host}: {_short(e)}") from None
        except requests.exceptions.RequestException as e:
            raise ServerUnreachable(f"request to {host} failed: {_short(e)}") from None
        self._note_central_time(response.headers.get("Date"))
        return response

    def _note_central_time(self, date: str | None) -> None:
        """Central's `Date` (whole seconds) against our clock now: how far apart the two clocks are."""
        try:
            central = email.utils.parsedate_to_datetime(date) if date else None
        except (TypeError, ValueError):
            return
        if central is None or central.tzinfo is None:
            return
        self.central_time = central
        # +0.5: Date drops the fraction of its second; on average central was half a second further
        self.central_offset_s = central.timestamp() + 0.5 - time.time()

    def _failure(self, method: str, path: str, response: requests.Response) -> Exception:
        status = response.status_code
        code, message = _refusal_detail(response)
        what = f"{method} {path.split('?')[0]}"
        said = f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            hint = f" (retry after {retry_after:g} s)" if retry_after is not None else ""
            return ServerBusy(f"central could not take {what} now: {said}{hint}", retry_after=retry_after)
        if status == 403 and (code == "revoked" or "revoked" in message.lower()):
            return TerminalRevoked(f"central revoked this terminal ({said}): enroll it again", status=status, code=code)
        if status in (401, 403):
            return AuthRefused(f"central did not accept this terminal's signature on {what}: {said}"
                               + (" — check the terminal's clock" if code == "stale" else ""), status=status, code=code)
        if 300 <= status < 400:
            return RequestRefused(f"central redirected {what} to {response.headers.get('Location')!r}: set server_url "
                                  "to the final address", status=status, code=code)
        return RequestRefused(f"central refused {what}: {said}", status=status, code=code)

    @staticmethod
    def _parse(response: requests.Response, model: type[Reply], what: str) -> Reply:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "body"
            raise BadAnswer(f"central's {what} does not follow the protocol ({where}: {first['msg']})") from None


_REASONS = (
    re.compile(r"certificate verify failed: ([^('\"]+)"),
    re.compile(r"\[SSL: [A-Z_]+\] ([^('\"]+)"),
    re.compile(r"\[Errno -?\d+\] ([^'\")]+)"),
    re.compile(r"(Remote end closed connection without response|Connection aborted|Read timed out)"),
)

_DROPPED = "the connection was dropped before central answered"
_PLAIN = {"Connection aborted": _DROPPED, "Remote end closed connection without response": _DROPPED,
          "Connection reset by peer": _DROPPED, "Connection refused": "connection refused (is central running there?)"}


def _short(error: Exception) -> str:
    """The reason inside a requests/urllib3 error ("Connection refused"), not its whole repr chain."""
    text = str(error)
    for pattern in _REASONS:
        if found := pattern.search(text):
            reason = found.group(1).strip().rstrip(".")
            return _PLAIN.get(reason, reason)
    return text[:200] or type(error).__name__
