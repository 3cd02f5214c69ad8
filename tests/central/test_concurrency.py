"""Exactly once under concurrency: many copies of the same batch at the same moment store each application once."""

import threading
from collections import Counter

import requests
from sqlalchemy import func, select

from central.db import Database
from central.models import Application, StatusChange
from sync.protocol import PATH_ENROLL
from tests.harness.simterminal import SimulatedTerminal


def _send_concurrently(sim, applications, copies):
    body = sim.batch_body(applications)
    barrier = threading.Barrier(copies)
    answers = []

    def send():
        barrier.wait()
        answers.append(sim.upload_raw(body))  # each copy is signed afresh: a retry, not a replay

    threads = [threading.Thread(target=send) for _ in range(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_concurrent_copies_of_one_batch_accept_each_application_exactly_once(any_central, enrolled_any):
    sim = enrolled_any()
    applications = [sim.application() for _ in range(20)]
    answers = _send_concurrently(sim, applications, copies=8)
    assert [a.status_code for a in answers] == [200] * 8
    accepted = Counter(r["id"] for a in answers for r in a.json()["results"] if r["outcome"] == "accepted")
    duplicates = Counter(r["id"] for a in answers for r in a.json()["results"] if r["outcome"] == "duplicate")
    assert accepted == Counter({app.id: 1 for app in applications})
    assert duplicates == Counter({app.id: 7 for app in applications})
    with Database(any_central.db_url, migrate_schema=False).transaction() as session:
        mine = select(func.count()).select_from(Application).where(Application.terminal_id == sim.terminal_id)
        assert session.scalar(mine) == 20
        changes = select(func.count()).select_from(StatusChange).where(StatusChange.terminal_id == sim.terminal_id)
        assert session.scalar(changes) == 20


def test_overlapping_batches_from_many_terminals_lose_and_duplicate_nothing(any_central, enrolled_any):
    terminals = [enrolled_any() for _ in range(4)]
    batches = {sim: [sim.application() for _ in range(30)] for sim in terminals}
    results: list[dict] = []
    lock = threading.Lock()

    def drain(sim):
        apps = batches[sim]
        for start in range(0, 30, 10):  # each window overlaps the last: a lost ack re-sent with new work
            answer = sim.upload_raw(sim.batch_body(apps[max(0, start - 5):start + 10]))
            with lock:
                results.extend(answer.json()["results"])

    threads = [threading.Thread(target=drain, args=(sim,)) for sim in terminals]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = Counter(r["id"] for r in results if r["outcome"] == "accepted")
    assert set(accepted) == {a.id for apps in batches.values() for a in apps}
    assert set(accepted.values()) == {1}
    assert not [r for r in results if r["outcome"] == "rejected"]


def test_terminals_racing_for_one_enrollment_code_get_one_identity(any_central):
    code = any_central.enrollment_code(any_central.create_office())
    barrier = threading.Barrier(8)
    answers = []

    def enroll():
        sim = SimulatedTerminal(any_central.url)
        barrier.wait()
        answers.append(requests.post(any_central.url + PATH_ENROLL, timeout=30,
                                     json={"code": code, "verify_key": sim.keys.verify_key}))
        sim.close()

    threads = [threading.Thread(target=enroll) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [200] + [401] * 7
    assert {a.json().get("error") for a in answers if a.status_code == 401} == {"code_used"}
