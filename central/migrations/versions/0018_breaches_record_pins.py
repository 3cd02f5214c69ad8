"""the breach register (incidents and the applications they touched) and the record page's PIN verifiers

Revision ID: 0018
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breaches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what_data", sa.Text(), nullable=False),
        sa.Column("how", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("terminal_code", sa.String(length=8), nullable=True),
        sa.Column("service_code", sa.String(length=20), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_breaches_office_id", "breaches", ["office_id"])
    op.create_table(
        "breach_applications",
        sa.Column("breach_id", sa.Integer(), sa.ForeignKey("breaches.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("application_id", sa.String(length=36), sa.ForeignKey("applications.id"), primary_key=True),
    )
    op.create_index("ix_breach_applications_application_id", "breach_applications", ["application_id"])
    op.create_table(
        "record_pins",
        sa.Column("application_id", sa.String(length=36), sa.ForeignKey("applications.id"), primary_key=True),
        sa.Column("verifier", sa.LargeBinary(length=32), nullable=False),
        sa.Column("masked_phone", sa.String(length=20), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("cooling_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("record_pins")
    op.drop_table("breach_applications")
    op.drop_index("ix_breaches_office_id", "breaches")
    op.drop_table("breaches")
