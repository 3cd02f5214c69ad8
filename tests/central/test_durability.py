"""Central killed or restarted in the middle of uploads: after resending, every application is held exactly once."""

import threading

import requests
from sqlalchemy import func, select

from central.db import Database
from central.models import Application


def _count(db_url, terminals):
    db = Database(db_url, migrate_schema=False)
    try:
        with db.transaction() as session:
            return session.scalar(select(func.count()).select_from(Application)
                                  .where(Application.terminal_id.in_([t.terminal_id for t in terminals])))
    finally:
        db.dispose()


def test_a_restart_keeps_everything_accepted(any_central, enrolled_any):
    sim = enrolled_any()
    apps = [sim.application() for _ in range(5)]
    sim.upload(apps)
    any_central.restart()
    assert [r.outcome for r in sim.upload(apps).results] == ["duplicate"] * 5
    assert sim.status_changes(0).changes[-1].reference == apps[-1].reference


def test_central_killed_mid_upload_then_resent_holds_each_application_once(any_central, enrolled_any):
    terminals = [enrolled_any() for _ in range(4)]
    work = {sim: [[sim.application() for _ in range(10)] for _ in range(8)] for sim in terminals}
    outcomes: dict[str, list[str]] = {}
    lock = threading.Lock()
    halfway, killed = threading.Event(), threading.Event()
    lost = []

    def drain(sim):
        for n, batch in enumerate(work[sim]):
            if n == 4:  # the first to get here has the kill pulled; the others may be mid-request
                halfway.set()
                killed.wait(30)
            try:
                answer = sim.upload(batch)
            except (requests.ConnectionError, requests.HTTPError):
                lost.append(n)
                continue  # the answer is lost: the kiosk would resend later
            with lock:
                for r in answer.results:
                    outcomes.setdefault(r.id, []).append(r.outcome)

    threads = [threading.Thread(target=drain, args=(sim,)) for sim in terminals]
    for t in threads:
        t.start()
    halfway.wait(30)
    any_central.kill()  # SIGKILL: whatever was in flight is cut
    killed.set()
    for t in threads:
        t.join()
    assert len(lost) >= 4 * 4  # every batch after the kill at least
    any_central.start()
    for sim in terminals:  # the resend of everything, as a kiosk that never got its answers would
        for batch in work[sim]:
            for r in sim.upload(batch).results:
                outcomes.setdefault(r.id, []).append(r.outcome)
    all_ids = {a.id for batches in work.values() for batch in batches for a in batch}
    assert set(outcomes) == all_ids
    assert all(runs.count("accepted") <= 1 and set(runs) <= {"accepted", "duplicate"} for runs in outcomes.values())
    assert _count(any_central.db_url, terminals) == len(all_ids) == 320
