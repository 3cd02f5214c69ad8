"""Central's PostgreSQL URLs: the multi-host form `pg_autoctl show uri` prints is taken as it is, for
the server and for the backup tools alike, and the password never reaches a command line. And the
guard that cancels a commit waiting too long."""

from __future__ import annotations

import time

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from central.backup import _libpq
from central.db import Database, make_engine
from central.errors import CentralError
from central.pg import guard_commit, sqlalchemy_url

FORMATION = "postgresql://loket:rahasia@db1.kota.example:5432,db2.kota.example:5433/loket?target_session_attrs=read-write"


def test_a_multi_host_url_becomes_hosts_sqlalchemy_can_pass_to_libpq() -> None:
    url = sqlalchemy_url(FORMATION)
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.password, url.database) == ("loket", "rahasia", "loket")
    assert url.query["host"] == ("db1.kota.example:5432", "db2.kota.example:5433")
    assert url.query["target_session_attrs"] == "read-write"


def test_a_single_host_url_is_left_as_it_is() -> None:
    assert str(sqlalchemy_url("postgresql+psycopg://tester@127.0.0.1:5432/x")) == \
        "postgresql+psycopg://tester@127.0.0.1:5432/x"


def test_the_backup_tools_get_every_host_and_port_and_the_password_only_in_their_environment() -> None:
    conninfo, env = _libpq(FORMATION)
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    assert params["host"] == "db1.kota.example,db2.kota.example" and params["port"] == "5432,5433"
    assert params["target_session_attrs"] == "read-write" and "password" not in params
    assert env["PGPASSWORD"] == "rahasia"


def test_an_engine_is_made_for_a_formation_url_without_connecting() -> None:
    engine = make_engine(FORMATION, pool_size=2, statement_timeout_s=5)
    assert engine.dialect.name == "postgresql"
    engine.dispose()


@given(st.text(max_size=40))
def test_anything_else_is_refused_with_a_clear_error_or_taken_as_a_url(text: str) -> None:
    try:
        make_engine(text).dispose()
    except CentralError as e:
        assert str(e)
    except Exception as e:  # noqa: BLE001 - the point: nothing but CentralError may escape
        pytest.fail(f"{text!r} raised {type(e).__name__}: {e}")


def test_a_guarded_commit_that_overruns_is_cancelled_and_one_that_returned_is_left_alone(postgres_url: str) -> None:
    # a slow statement stands in for a commit waiting for its synchronous standby
    db = Database(postgres_url, migrate_schema=False)
    try:
        with pytest.raises(OperationalError, match="canceling statement"), db.transaction() as session:
            guard = guard_commit(session, 0.3)
            began = time.monotonic()
            session.execute(text("SELECT pg_sleep(5)"))
        assert time.monotonic() - began < 3
        guard.cancel()
        with db.transaction() as session:
            guards = [guard_commit(session, 0.2) for _ in range(3)]
            for guard in guards:
                guard.cancel()
            assert session.execute(text("SELECT pg_sleep(0.6), 1")).one()[1] == 1  # no cancel arrived
    finally:
        db.dispose()
