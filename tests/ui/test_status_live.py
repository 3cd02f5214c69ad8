"""Cek Status asks the terminal's one sync worker for the office's latest and shows it as soon as that
round ends (no fixed wait): staff set "Siap diambil" at central, the citizen reads it at the kiosk."""

from __future__ import annotations

import threading
import time

from central.db import Database
from tests.central.status_support import move_to
from tests.sync.conftest import file_many
from tests.ui.online import online_kiosk
from tests.ui.test_status_and_faults import look_up_from_welcome


def test_the_status_staff_set_at_central_shows_when_the_pull_round_ends(kiosk, central, tmp_path):
    with online_kiosk(kiosk.app, central, tmp_path / "online") as (terminal, runtime, worker):
        file_many(terminal, 1)
        assert runtime.sync_now().result(20).remaining == 0  # sent (by this round or the first one)
        reference = terminal.store.applications()[0].reference
        db = Database(central.db_url, migrate_schema=False)
        try:
            with db.transaction() as session:
                move_to(session, reference, "ready")
        finally:
            db.dispose()
        rounds_before = worker.last_report
        started = time.monotonic()
        status = look_up_from_welcome(kiosk, terminal, reference)
        assert status.result is not None and status.result.reference == reference
        assert kiosk.wait_until(lambda: status.ids.status_words.text == "Siap diambil", 15), \
            f"still {status.ids.status_words.text!r}"
        assert status.refreshing == "" and worker.last_report is not rounds_before  # the pull round ran
        assert time.monotonic() - started < 15
        assert [t.name for t in threading.enumerate()].count("loket-sync") == 1
        kiosk.screenshot("status-live-ready")
