"""text messages when a letter is ready or declined: the offices' SMS gateways and the message queue

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_sms_gateways",
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), primary_key=True),
        sa.Column("spool_dir", sa.String(length=500), nullable=False),
        sa.Column("short_name", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "sms_messages",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("application_id", sa.String(length=36), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=160), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
    )
    op.create_index("ix_sms_messages_state_due", "sms_messages", ["state", "next_attempt_at"])
    op.create_index("ix_sms_messages_office_created", "sms_messages", ["office_id", "created_at"])
    op.create_index("ix_sms_messages_application_id", "sms_messages", ["application_id"])


def downgrade() -> None:
    op.drop_table("sms_messages")
    op.drop_table("office_sms_gateways")
