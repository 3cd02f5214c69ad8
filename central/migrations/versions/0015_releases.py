"""signed release bundles (and their rollout), and each terminal's update state

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("terminals") as batch:
        batch.add_column(sa.Column("update_state", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("update_version", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("update_reason", sa.String(length=500), nullable=True))
    op.create_table(
        "releases",
        sa.Column("version", sa.String(length=64), primary_key=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("manifest_json", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("share", sa.Integer(), nullable=False),
        sa.Column("offices", sa.Text(), nullable=False),
    )
    op.create_table(
        "release_chunks",
        sa.Column("version", sa.String(length=64), sa.ForeignKey("releases.version", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("release_chunks")
    op.drop_table("releases")
    with op.batch_alter_table("terminals") as batch:
        batch.drop_column("update_reason")
        batch.drop_column("update_version")
        batch.drop_column("update_state")
