"""Alembic environment: runs on the connection `central.db.migrate` hands over, or on the URL given."""

from alembic import context

from central.db import make_engine
from central.models import Base

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if config.attributes.get("connection") is not None:
    _run(config.attributes["connection"])
else:
    with make_engine(config.get_main_option("sqlalchemy.url")).begin() as connection:
        _run(connection)
