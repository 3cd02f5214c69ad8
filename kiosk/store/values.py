"""The small named values a terminal keeps beside its queue (the `kv` table), each key defined once.

Every package reads and writes them as typed attributes of `store.values` (`store.values.status_cursor
= 42`), never by a bare key string: renaming a key here renames it everywhere, and `loket status`
cannot silently read a key that the sync worker stopped writing. An absent value reads as the
attribute's default; assigning None (or the default) clears it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from kiosk.clock import iso, parse_iso
from kiosk.errors import LoketError

if TYPE_CHECKING:
    from kiosk.store.queue import Store

T = TypeVar("T")


class _Value(Generic[T]):
    """One key of the kv table as a typed attribute."""

    def __init__(self, key: str, default: T) -> None:
        self.key = key
        self.default = default

    def parse(self, raw: str) -> T:
        return raw  # type: ignore[return-value]

    def render(self, value: T) -> str:
        return str(value)

    def __get__(self, values: StoreValues | None, owner: type | None = None) -> Any:
        if values is None:
            return self
        raw = values.store.get_value(self.key)
        return self.default if not raw else self.parse(raw)

    def __set__(self, values: StoreValues, value: T | None) -> None:
        values.store.set_value(self.key, "" if value is None or value == self.default else self.render(value))


class _Text(_Value[str]):
    def __init__(self, key: str) -> None:
        super().__init__(key, "")


class _Count(_Value[int]):
    def __init__(self, key: str) -> None:
        super().__init__(key, 0)

    def parse(self, raw: str) -> int:
        return int(raw)


class _Flag(_Value[bool]):
    def __init__(self, key: str) -> None:
        super().__init__(key, False)

    def parse(self, raw: str) -> bool:
        return raw == "1"

    def render(self, value: bool) -> str:
        return "1" if value else ""


class _Moment(_Value["dt.datetime | None"]):
    def __init__(self, key: str) -> None:
        super().__init__(key, None)

    def parse(self, raw: str) -> dt.datetime:
        return parse_iso(raw)

    def render(self, value: dt.datetime) -> str:
        return iso(value)


class _Seconds(_Value["float | None"]):
    def __init__(self, key: str) -> None:
        super().__init__(key, None)

    def parse(self, raw: str) -> float:
        return float(raw)

    def render(self, value: float) -> str:
        return f"{value:.3f}"


class _KeyList(_Value["dict[str, str]"]):
    """A JSON object {terminal code: public key}; a damaged one is reported, never guessed at."""

    def __init__(self, key: str) -> None:
        super().__init__(key, {})

    def parse(self, raw: str) -> dict[str, str]:
        try:
            return json.loads(raw)
        except json.JSONDecodeError as e:
            raise LoketError(f"the key list from central kept on this terminal is not JSON: {e}") from None

    def render(self, value: dict[str, str]) -> str:
        return json.dumps(value)


class StoreValues:
    """The terminal's named values, typed; reached as `store.values`."""

    # the sync worker's record of its rounds (shown by `loket status` and maintenance)
    last_sync_attempt = _Text("sync.last_attempt")
    last_sync_error = _Text("sync.last_error")
    last_sync_success = _Text("sync.last_success")
    # what the sync rounds carry from one round to the next
    status_cursor = _Count("sync.status_cursor")
    catalog_etag = _Text("sync.catalog_etag")
    catalog_error = _Text("sync.catalog_error")
    #: the Loket version that refused the catalog `catalog_etag` names: another version asks for it again
    catalog_refused_by = _Text("sync.catalog_refused_by")
    #: JSON {"terminal_id", "at", "reason"} once central revoked this terminal
    revoked = _Text("sync.revoked")
    #: set while central says it stores the printer's state (`HeartbeatResponse.printer`): heartbeats carry it
    central_takes_printer = _Flag("sync.central_takes_printer")
    #: set while central says the office sends text messages (`HeartbeatResponse.sms`): the review offers them
    office_sends_sms = _Flag("office.sends_sms")
    #: the `HeartbeatResponse.resend_since` this terminal already resent for (central was restored)
    resent_since = _Text("sync.resent_since")
    #: the office's public address as central last gave it (the receipt's QR opens it; "" while unset)
    office_public_url = _Text("sync.office_public_url")
    #: set while central says it stores the update state and offers releases (`HeartbeatResponse.updates`)
    central_takes_update = _Flag("sync.central_takes_update")
    #: an enrollment code from a provisioning file, still to be redeemed with central
    pending_enrollment_code = _Text("sync.pending_enrollment_code")
    #: set from enrollment until the setup's last step: a restart in between returns to the setup
    setup_unfinished = _Flag("provisioning.unfinished")
    # the maintenance PIN's lockout
    pin_failures = _Count("maintenance.failures")
    pin_lockouts = _Count("maintenance.lockouts")
    pin_locked_until = _Moment("maintenance.locked_until")
    #: terminal public keys a receipt check trusts besides this terminal's own (earlier identities, central's list)
    known_receipt_keys = _KeyList("receipt.known_keys")
    #: applications whose result was already rated ({id: day}); which answers they gave is not kept here
    #: (the survey rows carry no application), only that the result is asked for once
    result_rated = _KeyList("survey.result_rated")
    #: the receipt printer's last known state, written by printing after each receipt (and by the
    #: maintenance check): "ok" or the fault in one line; the heartbeat reports it without printing
    printer_state = _Text("printer.state")
    #: central's clock minus this terminal's at central's last answer, and central's clock then (its
    #: `Date` header): what `TrustedClock` corrects a wrong system clock with (kiosk.clock)
    central_clock_offset_s = _Seconds("clock.central_offset_s")
    central_answered_at = _Moment("clock.central_answered_at")
    #: when retention (kiosk.store.retention) last ran
    retention_last_run = _Moment("retention.last_run")

    def __init__(self, store: Store) -> None:
        self.store = store

    def forget_enrollment(self) -> None:
        """The status cursor, catalog tag, revocation and what central understands belonged to a previous
        enrollment (the next central may be an older one)."""
        self.status_cursor = None
        self.catalog_etag = None
        self.revoked = None
        self.central_takes_printer = None
        self.office_public_url = None
        self.central_takes_update = None


__all__ = ["StoreValues"]
