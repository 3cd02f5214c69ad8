"""the access log becomes a hash chain per office (tamper-evident): place, previous hash, own hash

Revision ID: 0010
Revises: 0009

Entries already written are chained here in the order they were written (time, then id), one office
at a time, and each office's head row is made; from now on `central.access_chain` chains each new entry.
"""
import sqlalchemy as sa
from alembic import op

from central.access_chain import GENESIS, chain_key, entry_digest

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_log = sa.table("access_log", sa.column("id", sa.BigInteger), sa.column("at", sa.DateTime(timezone=True)),
                sa.column("username", sa.String), sa.column("office_id", sa.Integer),
                sa.column("action", sa.String), sa.column("application_id", sa.String),
                sa.column("reference", sa.String), sa.column("detail", sa.String),
                sa.column("chain_seq", sa.BigInteger), sa.column("prev_hash", sa.String),
                sa.column("entry_hash", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("chain_seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_access_log_chain", ["office_id", "chain_seq"])
    heads = op.create_table(
        "access_log_chains",
        sa.Column("office_key", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
    )
    connection = op.get_bind()
    chains: dict[int, tuple[int, str]] = {}
    rows = connection.execute(sa.select(_log).order_by(_log.c.at, _log.c.id)).all()
    for row in rows:
        key = chain_key(row.office_id)
        seq, prev = chains.get(key, (0, GENESIS))
        seq += 1
        digest = entry_digest(row.office_id, seq, row.at, row.username, row.action, row.application_id,
                              row.reference, row.detail or "", prev)
        connection.execute(_log.update().where(_log.c.id == row.id).values(
            chain_seq=seq, prev_hash=prev, entry_hash=digest, detail=row.detail or ""))
        chains[key] = (seq, digest)
    if chains:
        op.bulk_insert(heads, [{"office_key": k, "last_seq": s, "last_hash": h} for k, (s, h) in chains.items()])


def downgrade() -> None:
    op.drop_table("access_log_chains")
    with op.batch_alter_table("access_log") as batch:
        batch.drop_constraint("uq_access_log_chain", type_="unique")
        batch.drop_column("entry_hash")
        batch.drop_column("prev_hash")
        batch.drop_column("chain_seq")
