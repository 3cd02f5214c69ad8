"""The primary's disk full: while PostgreSQL cannot grow its tables, central answers 503 with Retry-After
(the terminal keeps its applications and retries), accepts nothing it has not stored, and takes the
same batches as soon as there is space again — without a restart of central or PostgreSQL.

The cluster's data directory lives on a small tmpfs of its own (mounted by the test, so it runs as
root only); its WAL on the ordinary disk, as an operator who keeps WAL on its own volume has it (a
full WAL volume makes PostgreSQL stop itself: docs/operations.md)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from central.db import Database
from central.devserver import start_central
from central.models import Application
from tests.harness.central import RunningPostgres, create_test_office, new_enrollment_code, start_postgres_in
from tests.harness.simterminal import SimulatedTerminal

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small filesystem needs root")]

SMALL_FS = "80m"


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A tmpfs of `SMALL_FS`, reachable by the postgres user; unmounted afterwards."""
    mount = Path(tempfile.mkdtemp(prefix="loket-small-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SMALL_FS},mode=0755", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


@pytest.fixture
def cluster_on_small_disk(small_disk: Path) -> Iterator[RunningPostgres]:
    wal_parent = Path(tempfile.mkdtemp(prefix="loket-wal-"))
    (small_disk / "pg").mkdir()
    pg = start_postgres_in(small_disk / "pg", waldir=wal_parent / "wal")
    try:
        yield pg
    finally:
        pg.pause()
        subprocess.run(["rm", "-rf", str(wal_parent)], check=False)


def _fill(folder: Path) -> Path:
    """Writes a file until the filesystem is full; returns it (delete it to give the space back)."""
    filler = folder / "filler"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(b"\0" * (1 << 20))
                f.flush()
        except OSError:
            pass
    return filler


def _stored(db_url: str) -> list[str]:
    db = Database(db_url, migrate_schema=False)
    try:
        with db.transaction() as session:
            return sorted(session.scalars(select(Application.id)))
    finally:
        db.dispose()


def test_a_full_primary_disk_is_a_503_to_retry_nothing_accepted_is_lost_and_uploads_resume_with_space(
        cluster_on_small_disk, small_disk, tmp_path):
    db_url = cluster_on_small_disk.create_database("full")
    server = start_central(db_url, log_path=tmp_path / "central.log")
    try:
        office = create_test_office(db_url).code
        sim = SimulatedTerminal(server.url)
        sim.enroll(new_enrollment_code(db_url, office))
        before = [sim.application() for _ in range(20)]
        assert {r.outcome for r in sim.upload(before).results} == {"accepted"}

        filler = _fill(small_disk)
        answers, refused = [], []
        for _ in range(8):  # ~30 kB a batch: new table pages the full disk cannot give
            batch = [sim.application() for _ in range(25)]
            answer = sim.upload_raw(sim.batch_body(batch))
            answers.append(answer)
            if answer.status_code == 200:
                assert {r["outcome"] for r in answer.json()["results"]} == {"accepted"}
                before += batch
            else:
                refused.append(batch)
        assert {a.status_code for a in answers} <= {200, 503}, [a.text for a in answers]
        assert refused, "the full disk refused nothing: the test's filesystem was not full"
        shed = next(a for a in answers if a.status_code == 503)
        assert shed.json()["error"] == "unavailable" and int(shed.headers["retry-after"]) > 0
        assert _stored(db_url) == sorted(a.id for a in before)  # every accepted one, nothing refused

        filler.unlink()  # the operator frees space: no restart of anything
        for batch in refused:  # the terminal's retry of what it still holds
            assert {r.outcome for r in sim.upload(batch).results} == {"accepted"}
        assert {r.outcome for r in sim.upload(before).results} == {"duplicate"}
        assert _stored(db_url) == sorted(a.id for a in before + [a for b in refused for a in b])
        sim.close()
    finally:
        server.stop()
    assert "database unavailable" in (tmp_path / "central.log").read_text()
    postgres_log = (cluster_on_small_disk.directory / "log").read_text()
    # PostgreSQL refused to grow a table (an error for that transaction alone) and never crashed
    assert "No space left on device" in postgres_log, postgres_log[-2000:]
    assert "PANIC" not in postgres_log and "terminated by signal" not in postgres_log
