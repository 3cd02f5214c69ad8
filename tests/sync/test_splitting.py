"""Property: whatever mix of good, refused and batch-poisoning applications is queued, in whatever
order, every good one ends synced once, every refused one is rejected alone, and nothing blocks."""

from __future__ import annotations

import base64
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.crypto import seal_for_office
from kiosk.terminal import Terminal
from sync.worker import SyncWorker
from tests.sync.conftest import FAST_BACKOFF, FAST_TIMEOUTS, CentralView, file_many

GOOD, UNKNOWN_SERVICE, POISON = "good", "unknown service", "poison"


def queue(terminal: Terminal, kind: str, n: int) -> str:
    if kind == GOOD:
        return next(iter(file_many(terminal, 1, start=n)))
    key = terminal.identity.office_key
    if kind == UNKNOWN_SERVICE:
        return terminal.store.submit("NOPE", "2026.11.1", seal_for_office(key, {"service": "NOPE"})).id
    # a flag too big for any request: central refuses every batch that carries it (413)
    flag = base64.b64encode(os.urandom(1_200_000)).decode()
    return terminal.store.submit("SKD", "2026.11.1", seal_for_office(key, {"service": "SKD"}), flags=[flag]).id


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([GOOD] * 8 + [UNKNOWN_SERVICE, POISON]), min_size=1, max_size=40)
       .filter(lambda kinds: kinds.count(POISON) <= 2))
def test_each_application_gets_its_own_outcome_whatever_the_mix(
        enrolled: Terminal, central_view: CentralView, kinds: list[str]) -> None:
    ids = {queue(enrolled, kind, n): kind for n, kind in enumerate(kinds)}
    report = SyncWorker(enrolled.paths.home, batch_size=16, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS).run_once()
    assert report.remaining == 0
    held = central_view.count_by_id()
    for app_id, kind in ids.items():
        app = enrolled.store.get_by_id(app_id)
        if kind == GOOD:
            assert app.state == "synced" and held.get(app_id) == 1
        else:
            assert app.state == "rejected" and app_id not in held
            assert ("413" in app.reason) if kind == POISON else ("unknown service" in app.reason)
    assert report.accepted == kinds.count(GOOD)
