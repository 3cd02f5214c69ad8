"""the citizen's requests (correction, deletion, copy), sealed values kept with the access log, and when
an application's personal data was deleted

Revision ID: 0017
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("applications", sa.Column("personal_data_deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "citizen_requests",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("reference", sa.String(length=32), nullable=False, unique=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("terminal_id", sa.String(length=36), sa.ForeignKey("terminals.id"), nullable=False),
        sa.Column("application_id", sa.String(length=36), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("office_key_id", sa.Integer(), sa.ForeignKey("office_keys.id"), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=60), nullable=True),
        sa.Column("note", sa.String(length=280), nullable=True),
    )
    op.create_index("ix_citizen_requests_office_state", "citizen_requests", ["office_id", "state", "received_at"])
    op.create_index("ix_citizen_requests_application_id", "citizen_requests", ["application_id"])
    op.create_table(
        "access_log_sealed",
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.ForeignKey("access_log.id"),
                  primary_key=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("office_key_id", sa.Integer(), sa.ForeignKey("office_keys.id"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("access_log_sealed")
    op.drop_table("citizen_requests")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("personal_data_deleted_at")
