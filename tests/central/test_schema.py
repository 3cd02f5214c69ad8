"""The schema: migrations build exactly what the models say, on SQLite and PostgreSQL, and run again harmlessly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from central.db import Database, migrate
from central.models import Base


def _check(db_url):
    db = Database(db_url)  # migrates
    migrate(db.engine)  # a second start changes nothing
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        tables = set(inspect(connection).get_table_names())
        assert tables >= {"applications", "terminals", "status_changes", "offices", "office_keys", "seen_nonces",
                          "alembic_version"}
    db.dispose()


def test_migrations_match_the_models_on_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'schema.db'}")


def test_migrations_match_the_models_on_postgres(postgres_url):
    _check(postgres_url)


def test_sqlite_runs_in_wal_mode(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    db.dispose()
