"""status changes and audit entries carry their office and lead their keys with it (sharding by office)

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_changes") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
    op.execute("UPDATE status_changes SET office_id = "
               "(SELECT office_id FROM applications WHERE applications.id = status_changes.application_id)")
    with op.batch_alter_table("status_changes") as batch:
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key("fk_status_changes_office_id_offices", "offices", ["office_id"], ["id"])
        batch.drop_index("ix_status_changes_terminal_cursor")
        batch.create_index("ix_status_changes_office_terminal_cursor", ["office_id", "terminal_id", "id"])

    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
    op.execute("UPDATE audit_entries SET office_id = "
               "(SELECT office_id FROM terminals WHERE terminals.id = audit_entries.terminal_id)")
    with op.batch_alter_table("audit_entries") as batch:
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key("fk_audit_entries_office_id_offices", "offices", ["office_id"], ["id"])
        batch.drop_constraint("uq_audit_terminal_entry", type_="unique")
        batch.create_unique_constraint("uq_audit_office_terminal_entry", ["office_id", "terminal_id", "entry_id"])


def downgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_constraint("uq_audit_office_terminal_entry", type_="unique")
        batch.create_unique_constraint("uq_audit_terminal_entry", ["terminal_id", "entry_id"])
        batch.drop_constraint("fk_audit_entries_office_id_offices", type_="foreignkey")
        batch.drop_column("office_id")
    with op.batch_alter_table("status_changes") as batch:
        batch.drop_index("ix_status_changes_office_terminal_cursor")
        batch.create_index("ix_status_changes_terminal_cursor", ["terminal_id", "id"])
        batch.drop_constraint("fk_status_changes_office_id_offices", type_="foreignkey")
        batch.drop_column("office_id")
