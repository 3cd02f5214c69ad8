"""Minta Bantuan: the kiosk says "Petugas sudah dipanggil" and the call reaches central at once when it
is reachable (the sync worker is woken, not left to its next round); offline it waits in the queue."""

from __future__ import annotations

import time

from sqlalchemy import select

from central.db import Database
from central.models import AuditEntry
from tests.ui.online import online_kiosk


def help_calls_at_central(db_url: str) -> list[AuditEntry]:
    db = Database(db_url, migrate_schema=False)
    try:
        with db.transaction() as session:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "citizen.help_requested")))
    finally:
        db.dispose()


def test_a_help_call_reaches_central_at_once_when_online_and_waits_when_offline(kiosk, central, tmp_path):
    app = kiosk.app
    # a long interval: only the wake-up can explain a prompt arrival
    with online_kiosk(app, central, tmp_path / "online") as (terminal, _runtime, worker):
        assert kiosk.wait_until(lambda: worker.last_report is not None, 10)  # the first round is done
        started = time.monotonic()
        kiosk.tap(app.root.ids.help_button)
        kiosk.tap(app.help_dialog.ids.confirm_button)
        assert "Petugas sudah dipanggil" in app.help_dialog.ids.message.text
        assert kiosk.wait_until(lambda: len(help_calls_at_central(central.db_url)) == 1, 10), \
            "the help call did not reach central"
        assert time.monotonic() - started < 10
        kiosk.tap(app.help_dialog.ids.close_button)

        central.stop()  # offline: the call is kept and goes with the next round that gets through
        kiosk.tap(kiosk.screen.ids.help_button)
        kiosk.tap(app.help_dialog.ids.close_button)
        unsent = [e for e in terminal.store.audit_entries(unsynced_only=True)
                  if e["action"] == "citizen.help_requested"]
        assert kiosk.wait_until(lambda: worker.last_report is not None and worker.last_report.errors, 10)
        assert len(unsent) == 1
        central.start()
        worker.wake()
        assert kiosk.wait_until(lambda: len(help_calls_at_central(central.db_url)) == 2, 20)
