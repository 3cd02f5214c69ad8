"""A reconnect storm: past its bound of terminal requests in progress, or while its requests have waited
too long for a thread and a connection for a whole interval, central answers 429 `busy` with a
spread-out Retry-After at once (no body read, no database touched), and the terminals' queues still
drain, every application stored once."""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from central.devserver import RunningCentral, start_central
from central.settings import ENV_IN_FLIGHT, ENV_IN_FLIGHT_MB, ENV_SHED_AFTER, requests_in_flight, shed_after_s
from central.shedding import LoadShedding, QueueDelay, work_begins
from sync.protocol import PATH_APPLICATIONS
from tests.harness.central import create_test_office, new_enrollment_codes
from tests.harness.fleet import Fleet
from tests.harness.simterminal import SimulatedTerminal
from tests.sync.conftest import CentralView


@pytest.fixture(scope="module")
def busy_central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentral]:
    folder = tmp_path_factory.mktemp("shedding")
    server = start_central(f"sqlite:///{folder / 'central.db'}", log_path=folder / "central.log",
                           environment={ENV_IN_FLIGHT: "3"})
    yield server
    server.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_answers_slower_than_the_target_for_a_whole_interval_shed_the_next_interval():
    clock = Clock()
    delay = QueueDelay(1.0, interval_s=0.5, clock=clock)
    for held in (1.4, 2.0, 1.25):  # every answer of the interval held over a second: a standing queue
        delay.observe(held)
        assert not delay.overloaded()  # judged when the interval ends, not on one answer
    clock.now += 0.5
    assert delay.overloaded() and delay.waited_s == 1.25
    assert delay.shed_share() == pytest.approx(0.2)  # just past the target: a few are shed
    clock.now += 0.5  # an interval with no answer (everything shed, or nobody calling): take requests again
    assert not delay.overloaded() and delay.shed_share() == 0.0


def test_the_further_past_the_target_the_larger_the_share_shed():
    clock = Clock()
    shares = []
    for held in (1.0, 1.5, 2.0, 4.0, 20.0):
        delay = QueueDelay(1.0, interval_s=0.5, clock=clock)
        delay.observe(held)
        clock.now += 0.5
        shares.append(round(delay.shed_share(), 2))
    assert shares == [0.0, 0.33, 0.5, 0.75, 0.95]  # at the target itself nothing is shed


def test_a_slow_interval_that_ended_long_ago_sheds_nothing_now():
    clock = Clock()
    delay = QueueDelay(1.0, interval_s=0.5, clock=clock)
    delay.observe(3.0)  # the last answers of a storm
    clock.now += 1.2  # then quiet: nothing asked, nothing answered, until a terminal calls again
    assert not delay.overloaded()


def test_one_quick_answer_in_the_interval_means_there_is_no_standing_queue():
    clock = Clock()
    delay = QueueDelay(1.0, interval_s=0.5, clock=clock)
    for held in (3.0, 0.2, 5.0):  # a slow request or two is not a queue
        delay.observe(held)
    clock.now += 0.6
    assert not delay.overloaded()


def test_the_retry_after_of_a_slow_interval_spreads_over_about_the_hold_within_one_to_ten_seconds():
    clock, rng = Clock(), random.Random(4)
    for held, most in ((1.1, 2), (4.5, 5), (40.0, 10)):
        delay = QueueDelay(1.0, interval_s=0.5, clock=clock)
        delay.observe(held)
        clock.now += 0.5
        assert delay.overloaded()
        waits = {delay.retry_after_s(rng) for _ in range(300)}
        assert min(waits) == 1 and max(waits) == most, (held, waits)


def test_the_share_shed_is_the_share_of_requests_answered_busy():
    class Busy:
        """An interval of answers held 4 s against a target of 1 s: three quarters to shed."""

        def shed_share(self) -> float:
            return 0.75

        def retry_after_s(self, rng: random.Random) -> int:
            return 4

        def observe(self, waited_s: float) -> None:
            pass

    sent: list[dict] = []

    async def app(scope, receive, send):
        await _answer(send)

    async def record(message):
        sent.append(message)

    async def nothing():
        return {"type": "http.request", "body": b"", "more_body": False}

    shedding = LoadShedding(app, limit=1000, delay=Busy(), rng=random.Random(7))  # type: ignore[arg-type]
    for _ in range(2000):
        asyncio.run(shedding(
            {"type": "http", "path": PATH_APPLICATIONS, "method": "POST", "headers": []}, nothing, record))
    statuses = [m["status"] for m in sent if m["type"] == "http.response.start"]
    assert statuses.count(429) == shedding.shed and 0.72 < shedding.shed / 2000 < 0.78
    assert {dict(m["headers"]).get(b"retry-after") for m in sent if m.get("status") == 429} == {b"4"}


def _timed_waits(app) -> list[float]:
    """The waits `LoadShedding` tells its `QueueDelay` of, for one upload answered by `app`."""
    waits: list[float] = []

    class Recording(QueueDelay):
        def observe(self, waited_s: float) -> None:
            waits.append(waited_s)

    async def body():
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def ignore(message):
        pass

    shedding = LoadShedding(app, limit=10, delay=Recording(2.0))
    asyncio.run(shedding({"type": "http", "path": PATH_APPLICATIONS, "method": "POST", "headers": []}, body, ignore))
    return waits


async def _answer(send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def test_the_wait_timed_is_the_queue_before_the_work_takes_a_connection_not_the_work_itself():
    async def queued_then_quick(scope, receive, send):
        await receive()
        await asyncio.sleep(0.3)  # waiting for a worker thread
        await asyncio.to_thread(work_begins)  # the work takes its connection, in a worker thread
        await _answer(send)

    async def at_once_then_slow(scope, receive, send):
        await receive()
        work_begins()
        await asyncio.sleep(0.3)  # a commit waiting for a lost standby: an outage, not a queue
        await _answer(send)

    async def never_began(scope, receive, send):
        await receive()
        await asyncio.sleep(0.3)  # no connection to be had: it waited all along
        await _answer(send)

    assert [round(w, 1) for w in _timed_waits(queued_then_quick)] == [0.3]
    assert [round(w, 1) for w in _timed_waits(at_once_then_slow)] == [0.0]
    assert [round(w, 1) for w in _timed_waits(never_began)] == [0.3]
    work_begins()  # outside a timed request: nothing to mark, nothing raised


def test_past_the_bytes_bound_a_large_upload_is_shed_while_a_small_one_and_a_lookup_are_taken():
    async def scenario() -> list[int]:
        release, statuses = asyncio.Event(), []

        async def held(scope, receive, send):
            await release.wait()
            await _answer(send)

        async def record(message):
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        async def body():
            return {"type": "http.request", "body": b"", "more_body": False}

        shedding = LoadShedding(held, limit=100, byte_limit=2 * 2**20)

        def upload(size: int | None, method: str = "POST"):
            headers = [] if size is None else [(b"content-length", str(size).encode())]
            return asyncio.create_task(shedding({"type": "http", "path": PATH_APPLICATIONS, "method": method,
                                                 "headers": headers}, body, record))

        waiting = [upload(900_000), upload(900_000)]  # 1.8 MB in progress
        await asyncio.sleep(0.05)
        await upload(300_000)  # would pass 2 MiB: told at once
        await upload(None)  # a body of unknown length counts as the most a body may be
        waiting += [upload(100_000), upload(None, "GET")]  # fits; a lookup holds no body
        await asyncio.sleep(0.05)
        assert shedding.in_flight == 4 and shedding.in_flight_bytes == 1_900_000
        release.set()
        await asyncio.gather(*waiting)
        assert shedding.in_flight == shedding.in_flight_bytes == 0
        return statuses

    assert sorted(asyncio.run(scenario())) == [200, 200, 200, 200, 429, 429]


def test_the_memory_bounds_are_1024_requests_and_256_mib_by_default():
    assert requests_in_flight({}) == (1024, 256 * 2**20)
    assert requests_in_flight({ENV_IN_FLIGHT: "3", ENV_IN_FLIGHT_MB: "8"}) == (3, 8 * 2**20)
    assert requests_in_flight({ENV_IN_FLIGHT: "many", ENV_IN_FLIGHT_MB: "-1"}) == (1024, 256 * 2**20)


def test_the_time_bound_is_two_seconds_by_default_and_zero_turns_it_off():
    assert shed_after_s({}) == 2.0
    assert shed_after_s({ENV_SHED_AFTER: "250"}) == 0.25
    assert shed_after_s({ENV_SHED_AFTER: "0"}) is None
    assert shed_after_s({ENV_SHED_AFTER: "soon"}) == 2.0


def _stalled_upload(port: int) -> socket.socket:
    """An upload that announced 4 kB and sent 10 bytes: it stays in progress until the socket closes."""
    conn = socket.create_connection(("127.0.0.1", port))
    conn.sendall(f"POST {PATH_APPLICATIONS} HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n0123456789".encode())
    return conn


def test_past_the_bound_uploads_are_told_to_come_back_later_and_then_taken(busy_central):
    office = create_test_office(busy_central.db_url).code
    sim = SimulatedTerminal(busy_central.url)
    sim.enroll(new_enrollment_codes(busy_central.db_url, office, 1)[0])
    stalled = [_stalled_upload(busy_central.port) for _ in range(3)]
    try:
        time.sleep(0.3)
        t0 = time.monotonic()
        answer = sim.upload_raw(sim.batch_body([app := sim.application()]))
        assert time.monotonic() - t0 < 1.0  # told at once, not after waiting its turn
        assert answer.status_code == 429 and answer.json()["error"] == "busy"
        assert 2 <= int(answer.headers["Retry-After"]) <= 10
        assert sim.signed("GET", "/api/v1/health").status_code == 200  # health is never shed
    finally:
        for conn in stalled:
            conn.close()
    time.sleep(0.3)
    assert sim.upload([app]).results[0].outcome == "accepted"


@pytest.mark.slow
def test_a_storm_of_terminals_drains_with_some_told_to_wait_and_nothing_twice(busy_central):
    office = create_test_office(busy_central.db_url).code
    fleet = Fleet.enroll(busy_central.url, new_enrollment_codes(busy_central.db_url, office, 60), per_terminal=4,
                         batch=2)
    try:
        assert fleet.run(timeout=90), f"{fleet.queued()} still queued"
    finally:
        fleet.close()
    statuses = fleet.statuses()
    assert set(statuses) <= {200, 429} and statuses[429] > 0, statuses
    view = CentralView(busy_central.db_url)
    try:
        stored = view.count_by_id()
    finally:
        view.close()
    assert {i: stored.get(i) for i in fleet.filed} == dict.fromkeys(fleet.filed, 1)


def test_while_uploads_queue_past_the_target_new_ones_are_shed_and_taken_again_once_the_queue_is_gone(tmp_path):
    # SQLite takes one writer at a time: 24 terminals sending batches of 100 without pause queue for it
    # for about a third of a second each, against a target of 50 ms
    server = start_central(f"sqlite:///{tmp_path / 'central.db'}", log_path=tmp_path / "central.log",
                           environment={ENV_SHED_AFTER: "50"})
    storming = threading.Event()
    try:
        office = create_test_office(server.db_url).code
        sims = [SimulatedTerminal(server.url) for _ in range(25)]
        for sim, code in zip(sims, new_enrollment_codes(server.db_url, office, len(sims)), strict=True):
            sim.enroll(code)
        late, storm = sims[0], sims[1:]
        storming.set()

        def send_until_calm(sim: SimulatedTerminal) -> set[int]:
            body, statuses = sim.batch_body([sim.application() for _ in range(100)]), set()
            while storming.is_set():
                statuses.add(sim.upload_raw(body).status_code)  # signed afresh each time: a retry
            return statuses

        with ThreadPoolExecutor(len(storm)) as pool:
            storm_statuses = pool.map(send_until_calm, storm)
            time.sleep(2.0)
            t0 = time.monotonic()
            answers = [late.upload_raw(late.batch_body([late.application()])) for _ in range(10)]
            took = time.monotonic() - t0
            storming.clear()
            assert set().union(*storm_statuses) <= {200, 429}
        busy = [a for a in answers if a.status_code == 429]
        assert busy and {a.status_code for a in answers} <= {200, 429}, [a.status_code for a in answers]
        assert took < 2.0  # told at once, not after waiting their turn
        assert {a.json()["error"] for a in busy} == {"busy"}
        assert all(1 <= int(a.headers["Retry-After"]) <= 10 for a in busy)  # about the wait seen
        assert late.signed("GET", "/api/v1/health").status_code == 200  # health is never shed
        time.sleep(1.2)  # a whole interval with quick answers or none: no queue any more
        assert late.upload([late.application()]).results[0].outcome == "accepted"
    finally:
        storming.clear()
        for sim in sims:
            sim.close()
        server.stop()
