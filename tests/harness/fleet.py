"""Many simulated terminals at once, each with a queue it sends until empty the way a kiosk does: one
batch at a time, an application leaves the queue only when central acknowledged it (`accepted` or
`duplicate`), and any other answer (503, 429, a broken connection) means wait — full jitter, never
sooner than Retry-After — and send the same batch again.

    fleet = Fleet.enroll(central.url, codes, per_terminal=20)
    fleet.run(timeout=120)            # or fleet.start() ... fleet.join()
    fleet.acknowledged                # application id -> "accepted" | "duplicate"

Used by the failover and restore tests and by the HA and storm benchmarks; every answer is recorded
with its time, so a benchmark can read failover and drain times off the timeline.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from sync.backoff import Backoff
from sync.client import parse_retry_after
from sync.protocol import ApplicationUpload
from tests.harness.simterminal import SimulatedTerminal


@dataclass(frozen=True)
class Answer:
    at: float  # seconds since the fleet started
    status: int  # HTTP status; 0 for no answer (refused, reset, timed out)
    acknowledged: int  # applications this answer acknowledged
    took: float  # seconds from sending to the answer


@dataclass
class Fleet:
    terminals: list[SimulatedTerminal]
    queues: list[list[ApplicationUpload]]
    batch: int = 10
    pace_s: float = 0.0  # mean pause between a terminal's batches (uniform jitter); 0 = back to back
    backoff: Backoff = field(default_factory=lambda: Backoff(base_s=0.25, cap_s=4.0))
    acknowledged: dict[str, str] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)
    started: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    filed: set[str] = field(init=False)  # every application queued at the start

    def __post_init__(self) -> None:
        self.filed = {a.id for queue in self.queues for a in queue}

    @classmethod
    def enroll(cls, base_url: str, codes: list[str], per_terminal: int, **options) -> Fleet:
        """One terminal per enrollment code, each with `per_terminal` sealed applications queued."""

        def one(code: str) -> tuple[SimulatedTerminal, list[ApplicationUpload]]:
            sim = SimulatedTerminal(base_url, timeout=30.0)
            sim.enroll(code)
            return sim, [sim.application() for _ in range(per_terminal)]

        with ThreadPoolExecutor(16) as pool:
            made = list(pool.map(one, codes))
        return cls([sim for sim, _ in made], [queue for _, queue in made], **options)

    def queued(self) -> int:
        return sum(len(q) for q in self.queues)

    def statuses(self) -> Counter:
        return Counter(a.status for a in self.answers)

    def start(self) -> None:
        self.started = time.monotonic()
        self._threads = [threading.Thread(target=self._drain, args=(n,), daemon=True)
                         for n in range(len(self.terminals))]
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float) -> bool:
        """Waits until every queue is empty or `timeout` passed (then stops sending); True when empty."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._stop.set()
        for thread in self._threads:
            thread.join(35.0)
        return self.queued() == 0

    def run(self, timeout: float) -> bool:
        self.start()
        return self.join(timeout)

    def close(self) -> None:
        self._stop.set()
        for sim in self.terminals:
            sim.close()

    def _record(self, status: int, acknowledged: dict[str, str], sent_at: float) -> None:
        now = time.monotonic()
        with self._lock:
            self.answers.append(Answer(now - self.started, status, len(acknowledged), now - sent_at))
            self.acknowledged.update(acknowledged)

    def _drain(self, n: int) -> None:
        sim, queue, rng = self.terminals[n], self.queues[n], random.Random(n)
        failures = 0
        while queue and not self._stop.is_set():
            if self.pace_s > 0:
                self._stop.wait(rng.uniform(0, 2 * self.pace_s))
            batch = queue[:self.batch]
            retry_after, sent_at = None, time.monotonic()
            try:
                answer = sim.upload_raw(sim.batch_body(batch))
                status = answer.status_code
                retry_after = parse_retry_after(answer.headers.get("Retry-After"))
            except requests.RequestException:
                status = 0
            if status == 200:
                results = {r["id"]: r["outcome"] for r in answer.json()["results"]}
                done = {i: o for i, o in results.items() if o in ("accepted", "duplicate")}
                self._record(status, done, sent_at)
                queue[:] = [a for a in queue if a.id not in done]
                failures = 0
                continue
            self._record(status, {}, sent_at)
            failures += 1
            self._stop.wait(self.backoff.delay(failures, retry_after))
