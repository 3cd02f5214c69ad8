"""status changes and audit entries carry their office and lead their keys with it (sharding by office)

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: table -> (where its office comes from, the key that now leads with the office: (kind, name, columns),
#: the key it replaces)
KEYS = {
    "status_changes": ("SELECT office_id FROM applications WHERE applications.id = status_changes.application_id",
                       ("index", "ix_status_changes_office_terminal_cursor", ["office_id", "terminal_id", "id"]),
                       ("index", "ix_status_changes_terminal_cursor", ["terminal_id", "id"])),
    "audit_entries": ("SELECT office_id FROM terminals WHERE terminals.id = audit_entries.terminal_id",
                      ("unique", "uq_audit_office_terminal_entry", ["office_id", "terminal_id", "entry_id"]),
                      ("unique", "uq_audit_terminal_entry", ["terminal_id", "entry_id"])),
}


def _create(batch, kind: str, name: str, columns: list[str]) -> None:
    if kind == "index":
        batch.create_index(name, columns)
    else:
        batch.create_unique_constraint(name, columns)


def _drop(batch, kind: str, name: str) -> None:
    if kind == "index":
        batch.drop_index(name)
    else:
        batch.drop_constraint(name, type_="unique")


def upgrade() -> None:
    for table, (office_of, new, old) in KEYS.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET office_id = ({office_of})")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(f"fk_{table}_office_id_offices", "offices", ["office_id"], ["id"])
            _drop(batch, old[0], old[1])
            _create(batch, *new)


def downgrade() -> None:
    for table, (_, new, old) in KEYS.items():
        with op.batch_alter_table(table) as batch:
            _drop(batch, new[0], new[1])
            _create(batch, *old)
            batch.drop_constraint(f"fk_{table}_office_id_offices", type_="foreignkey")
            batch.drop_column("office_id")
