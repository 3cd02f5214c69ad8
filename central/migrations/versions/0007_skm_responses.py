"""the SKM survey's anonymous answers

Revision ID: 0007
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"  # re-chained onto main's head when main was merged in (issues 11, 12, 13)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skm_responses",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service_code", sa.String(length=20), nullable=False),
        sa.Column("overall", sa.Integer(), nullable=True),
        *[sa.Column(f"e{i}", sa.Integer(), nullable=True) for i in range(1, 10)],
    )
    op.create_index("ix_skm_office_day", "skm_responses", ["office_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_skm_office_day", table_name="skm_responses")
    op.drop_table("skm_responses")
