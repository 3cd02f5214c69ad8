"""enrollment codes may reserve the terminal code a provisioning file names

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrollment_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reserved_terminal_code", sa.String(length=4), nullable=True))
        batch_op.create_unique_constraint("uq_enrollment_codes_reserved_terminal_code", ["reserved_terminal_code"])


def downgrade() -> None:
    with op.batch_alter_table("enrollment_codes", schema=None) as batch_op:
        batch_op.drop_constraint("uq_enrollment_codes_reserved_terminal_code", type_="unique")
        batch_op.drop_column("reserved_terminal_code")
