"""Keys at rest: a copy of central's database opens nothing without the key-encryption key outside it;
without that key central still serves terminals and refuses only to open personal data."""

from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from central.db import MIGRATIONS, Database, make_engine
from central.devserver import REPO, start_central
from central.errors import CentralError
from central.ingest import SEAL_UNCHECKED
from central.keyring import Keyring, KeysUnavailable, office_private_key
from central.models import OfficeKey
from central.offices import create_office, get_office, make_enrollment_code, rotate_office_key
from central.records import show_application
from central.settings import ENV_KEY_FILE
from kiosk.crypto import new_office_keypair
from tests.harness.simterminal import SAMPLE_ANSWERS, SimulatedTerminal


def _db(url: str, key_file: Path) -> Database:
    return Database(url, keyring=Keyring(key_file))


def _private_keys(db: Database) -> list[str]:
    with db.transaction() as session:
        return [office_private_key(session, k) for k in session.scalars(select(OfficeKey))]


def _forms_of(private_key: str) -> list[bytes]:
    raw = base64.b64decode(private_key)
    return [raw, private_key.encode(), base64.urlsafe_b64encode(raw), raw.hex().encode()]


def _assert_holds_no_key(dump: bytes, private_keys: list[str], key_file: Path) -> None:
    assert private_keys, "the test needs keys to look for"
    for key in private_keys:
        for form in _forms_of(key):
            assert form not in dump
    kek = base64.b64decode(key_file.read_text())
    assert kek not in dump and key_file.read_text().strip().encode() not in dump


def _sqlite_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def _cli(db_url: str, key_file: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, ENV_KEY_FILE: str(key_file)}
    return subprocess.run([sys.executable, "-m", "central", "--db", db_url, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_sqlite_file_holds_no_office_private_key(tmp_path):
    path, key_file = tmp_path / "central.db", tmp_path / "secrets" / "kek"
    db = _db(f"sqlite:///{path}", key_file)
    with db.transaction() as session:
        rotate_office_key(session, create_office(session, "3273010001", "Kelurahan Braga"))
    keys = _private_keys(db)
    db.dispose()
    assert len(keys) == 2
    _assert_holds_no_key(_sqlite_bytes(path), keys, key_file)


def test_a_pg_dump_holds_no_office_private_key(postgres_url, postgres_cluster, tmp_path):
    pg_dump = postgres_cluster.bin / "pg_dump"
    if not pg_dump.exists():
        pytest.skip("pg_dump is not installed")
    key_file = tmp_path / "kek"
    db = _db(postgres_url, key_file)
    with db.transaction() as session:
        create_office(session, "3273010001", "Kelurahan Braga")
    keys = _private_keys(db)
    db.dispose()
    name = postgres_url.rsplit("/", 1)[1]
    dump = subprocess.run([str(pg_dump), "-h", "127.0.0.1", "-p", str(postgres_cluster.port), "-U", "tester",
                           "--data-only", name], capture_output=True, check=True).stdout
    assert b"office_keys" in dump and b"kek1:" in dump  # the dump is real and holds the wrapped keys
    _assert_holds_no_key(dump, keys, key_file)


def test_the_key_file_is_created_on_first_use_readable_by_its_owner_only(tmp_path):
    key_file = tmp_path / "config" / "kek"
    db = _db(f"sqlite:///{tmp_path / 'c.db'}", key_file)
    assert not key_file.exists()  # migrating an empty database needs no key yet
    with db.transaction() as session:
        create_office(session, "A1", "Kelurahan A")
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(base64.b64decode(key_file.read_text())) == 32


def test_a_key_file_other_users_can_read_is_refused(tmp_path):
    key_file = tmp_path / "kek"
    db = _db(f"sqlite:///{tmp_path / 'c.db'}", key_file)
    with db.transaction() as session:
        create_office(session, "A1", "Kelurahan A")
    key_file.chmod(0o644)
    with pytest.raises(KeysUnavailable, match="readable by other users: chmod 600"):
        Keyring(key_file).kek()


def test_a_wrapped_key_moved_to_another_row_does_not_open(tmp_path):
    db = _db(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "kek")
    with db.transaction() as session:
        create_office(session, "A1", "Kelurahan A")
        create_office(session, "B2", "Kelurahan B")
    with db.transaction() as session:
        a, b = session.scalars(select(OfficeKey).order_by(OfficeKey.id)).all()
        b.wrapped_private_key = a.wrapped_private_key
    with db.transaction() as session, pytest.raises(KeysUnavailable, match="altered"):
        office_private_key(session, session.scalars(select(OfficeKey).order_by(OfficeKey.id.desc())).first())


def _database_at_0002_with_a_plain_key(url: str) -> str:
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        keypair = new_office_keypair()
        now = dt.datetime.now(dt.UTC)
        connection.execute(text("INSERT INTO offices (code, name, created_at) VALUES (:code, :name, :now)"),
                           {"code": "3273010001", "name": "Kelurahan Braga", "now": now})
        connection.execute(text("INSERT INTO office_keys (office_id, public_key, private_key, created_at) "
                                "VALUES (1, :public, :private, :now)"),
                           {"public": keypair.public_key, "private": keypair.private_key, "now": now})
    engine.dispose()
    return keypair.private_key


def test_migration_wraps_the_plain_keys_an_older_version_stored(tmp_path):
    path, key_file = tmp_path / "old.db", tmp_path / "kek"
    plain = _database_at_0002_with_a_plain_key(f"sqlite:///{path}")
    assert plain.encode() in _sqlite_bytes(path)
    db = _db(f"sqlite:///{path}", key_file)
    assert _private_keys(db) == [plain]
    db.dispose()
    _assert_holds_no_key(_sqlite_bytes(path), [plain], key_file)


def test_migration_wraps_plain_keys_on_postgresql_and_the_dump_holds_none(postgres_url, postgres_cluster, tmp_path):
    plain = _database_at_0002_with_a_plain_key(postgres_url)
    key_file = tmp_path / "kek"
    db = _db(postgres_url, key_file)
    assert _private_keys(db) == [plain]
    db.dispose()
    pg_dump = postgres_cluster.bin / "pg_dump"
    if pg_dump.exists():
        dump = subprocess.run([str(pg_dump), "-h", "127.0.0.1", "-p", str(postgres_cluster.port), "-U", "tester",
                               "--data-only", postgres_url.rsplit("/", 1)[1]], capture_output=True, check=True).stdout
        _assert_holds_no_key(dump, [plain], key_file)


def test_migration_refuses_plain_keys_without_a_usable_kek_and_changes_nothing(tmp_path):
    path = tmp_path / "old.db"
    plain = _database_at_0002_with_a_plain_key(f"sqlite:///{path}")
    with pytest.raises(CentralError, match="LOKET_CENTRAL_KEK"):
        Database(f"sqlite:///{path}", keyring=Keyring(tmp_path / "kek", from_environment="not-a-key"))
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0002"
        assert connection.exec_driver_sql("SELECT private_key FROM office_keys").scalar() == plain
    engine.dispose()


def test_without_its_kek_central_serves_terminals_and_refuses_only_personal_data(tmp_path):
    url, key_file = f"sqlite:///{tmp_path / 'central.db'}", tmp_path / "kek"
    db = _db(url, key_file)
    with db.transaction() as session:
        code = make_enrollment_code(session, create_office(session, "3273010001", "Kelurahan Braga"))
    db.dispose()
    server = start_central(url, key_file=tmp_path / "missing-kek", log_path=tmp_path / "central.log")
    sim = SimulatedTerminal(server.url)
    try:
        assert requests.get(f"{server.url}/api/v1/health", timeout=5).json()["personal_data"] is False
        sim.enroll(code)
        app = sim.application()
        assert [r.outcome for r in sim.upload([app]).results] == ["accepted"]
        assert sim.status_changes().changes[0].reference == app.reference
        assert sim.heartbeat().office_key == sim.identity.office_key
        assert sim.catalog().status_code == 200
    finally:
        sim.close()
        server.stop()
    assert "cannot open personal data" in (tmp_path / "central.log").read_text()
    refused = _cli(url, tmp_path / "missing-kek", "applications", "show", app.reference)
    assert refused.returncode == 2
    assert "cannot open personal data" in refused.stderr and "does not exist" in refused.stderr
    assert "Traceback" not in refused.stderr
    # nothing lost: with the key back, the application taken in meanwhile opens
    with _db(url, key_file).transaction() as session:
        shown = show_application(session, app.reference, actor="test", purpose="test checks what opens")
    assert shown["personal_data"]["answers"] == SAMPLE_ANSWERS
    assert SEAL_UNCHECKED in shown["flags"]


def test_rewrap_moves_every_office_key_to_a_new_key_file(tmp_path):
    url, old_key, new_key = f"sqlite:///{tmp_path / 'central.db'}", tmp_path / "old-kek", tmp_path / "new" / "kek"
    db = _db(url, old_key)
    with db.transaction() as session:
        create_office(session, "A1", "Kelurahan A")
        create_office(session, "B2", "Kelurahan B")
    keys = _private_keys(db)
    db.dispose()
    done = _cli(url, old_key, "keys", "rewrap", "--new-key-file", str(new_key))
    assert done.returncode == 0, done.stderr
    assert "2 office key(s) now wrapped" in done.stdout
    assert new_key.stat().st_mode & 0o777 == 0o600
    assert _private_keys(_db(url, new_key)) == keys
    with pytest.raises(KeysUnavailable, match="wrapped under key-encryption key"):
        _private_keys(_db(url, old_key))
    status = _cli(url, new_key, "keys", "status")
    assert status.returncode == 0 and "opens 2 office key(s)" in status.stdout
    with _db(url, new_key).transaction() as session:
        assert get_office(session, "B2").code == "B2"


def test_loket_central_makes_its_sqlite_files_and_key_file_readable_by_its_user_only(tmp_path):
    url, key_file = f"sqlite:///{tmp_path / 'central.db'}", tmp_path / "conf" / "kek"
    done = _cli(url, key_file, "office", "create", "--code", "A1", "--name", "Kelurahan A")
    assert done.returncode == 0, done.stderr
    for path in (tmp_path / "central.db", key_file):
        assert path.stat().st_mode & 0o777 == 0o600, path
