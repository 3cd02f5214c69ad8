"""A simulated terminal for central's tests and benchmarks: enrolls with a one-time code, then sends
signed requests over HTTP exactly as the protocol says (the real kiosk client is sync/client.py,
which central must not import). It can also misbehave on purpose: wrong key, old timestamp, replay.
"""

from __future__ import annotations

import datetime as dt
import gzip
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import requests

from kiosk.crypto import TerminalKeys, b64encode, new_terminal_keys, seal_for_office
from kiosk.reference import make_reference
from sync import protocol as wire

SAMPLE_ANSWERS = {"nik": "3273015708900003", "nama": "Siti Aminah", "alamat": "Jl. Braga No. 12, Bandung"}


class SimulatedTerminal:
    """One terminal talking to central at `base_url` (no trailing slash)."""

    def __init__(self, base_url: str, *, keys: TerminalKeys | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url
        self.keys = keys or new_terminal_keys()
        self.http = requests.Session()
        self.timeout = timeout
        self.identity: wire.EnrollResponse | None = None
        self._sequence = 0

    def close(self) -> None:
        self.http.close()

    @property
    def terminal_id(self) -> str:
        assert self.identity is not None, "enroll first"
        return self.identity.terminal_id

    def enroll(self, code: str) -> wire.EnrollResponse:
        request = {"code": code, "verify_key": self.keys.verify_key, "app_version": "sim-1"}
        answer = self.http.post(self.base_url + wire.PATH_ENROLL, json=request, timeout=self.timeout)
        answer.raise_for_status()
        self.identity = wire.EnrollResponse.model_validate_json(answer.content)
        return self.identity

    def signed(self, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None, *,
               signing_key: str | None = None, now: float | None = None) -> requests.Response:
        """Sends one request signed with this terminal's key (or `signing_key`), at `now` if given."""
        auth = wire.sign_request(self.terminal_id, signing_key or self.keys.signing_key, method, path, body, now=now)
        return self.send(method, path, body, {**auth, **(headers or {})})

    def send(self, method: str, path: str, body: bytes, headers: Mapping[str, str]) -> requests.Response:
        return self.http.request(method, self.base_url + path, data=body, headers=dict(headers), timeout=self.timeout)

    def application(self, *, service_code: str = "SKD", answers: Mapping[str, Any] | None = None,
                    sequence: int | None = None, office_key: str | None = None,
                    filed_on: dt.date | None = None, status_pin: str | None = None) -> wire.ApplicationUpload:
        """A new application as the kiosk would queue it, sealed to the office's key (with the receipt's
        `status_pin` sealed in, as kiosks do, when given)."""
        assert self.identity is not None, "enroll first"
        if sequence is None:
            self._sequence += 1
            sequence = self._sequence
        content = {"service": service_code, "catalog_version": "2026.11.1",
                   "answers": dict(answers or SAMPLE_ANSWERS), "flags": {}}
        if status_pin is not None:
            content["status_pin"] = status_pin
        sealed = seal_for_office(office_key or self.identity.office_key, content)
        return wire.ApplicationUpload(
            id=str(uuid.uuid4()), reference=make_reference(self.identity.terminal_code, filed_on or dt.date.today(),
                                                           sequence),
            service_code=service_code, catalog_version="2026.11.1", created_at=dt.datetime.now(dt.UTC),
            sealed=b64encode(sealed),
        )

    @staticmethod
    def batch_body(applications: Sequence[wire.ApplicationUpload], audit: Sequence[wire.AuditUpload] = ()) -> bytes:
        return gzip.compress(wire.UploadBatch(applications=list(applications), audit=list(audit))
                             .model_dump_json().encode("utf-8"), compresslevel=5)

    def upload_raw(self, body: bytes, **kwargs: Any) -> requests.Response:
        return self.signed("POST", wire.PATH_APPLICATIONS, body, {"Content-Encoding": "gzip",
                                                                  "Content-Type": "application/json"}, **kwargs)

    def upload(self, applications: Sequence[wire.ApplicationUpload],
               audit: Sequence[wire.AuditUpload] = ()) -> wire.UploadResponse:
        answer = self.upload_raw(self.batch_body(applications, audit))
        answer.raise_for_status()
        return wire.UploadResponse.model_validate_json(answer.content)

    def status_changes(self, since: int = 0, *, reasons: bool = False) -> wire.StatusChanges:
        answer = self.signed("GET", f"{wire.PATH_STATUS_CHANGES}?since={since}" + ("&reasons=1" if reasons else ""))
        answer.raise_for_status()
        return wire.StatusChanges.model_validate_json(answer.content)

    def heartbeat(self, beat: wire.Heartbeat | None = None) -> wire.HeartbeatResponse:
        body = (beat or wire.Heartbeat()).model_dump_json().encode("utf-8")
        answer = self.signed("POST", wire.PATH_HEARTBEAT, body, {"Content-Type": "application/json"})
        answer.raise_for_status()
        return wire.HeartbeatResponse.model_validate_json(answer.content)

    def catalog(self, etag: str | None = None) -> requests.Response:
        return self.signed("GET", wire.PATH_CATALOG, headers={"If-None-Match": etag} if etag else None)
