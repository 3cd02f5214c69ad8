"""letters: office letter settings, yearly letter counters, issued letters, masked names for the public
verification page

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letter_counters",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("office_id", "year"),
    )
    op.create_table(
        "office_letter_settings",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("government", sa.String(length=120), nullable=False),
        sa.Column("district", sa.String(length=120), nullable=False),
        sa.Column("office_line", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=80), nullable=False),
        sa.Column("place", sa.String(length=80), nullable=False),
        sa.Column("head_title", sa.String(length=120), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("signer_nip", sa.String(length=40), nullable=False),
        sa.Column("short_code", sa.String(length=20), nullable=False),
        sa.Column("number_format", sa.String(length=120), nullable=False),
        sa.Column("time_zone", sa.String(length=40), nullable=False),
        sa.Column("public_url", sa.String(length=300), nullable=False),
        sa.Column("logo_png", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("office_id"),
    )
    op.create_table(
        "issued_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("service_code", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=120), nullable=False),
        sa.Column("verify_code", sa.String(length=40), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=80), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        sa.Column("office_key_id", sa.Integer(), nullable=False),
        sa.Column("masked_name", sa.String(length=120), nullable=False),
        sa.Column("prints", sa.Integer(), nullable=False),
        sa.Column("last_printed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.ForeignKeyConstraint(["office_key_id"], ["office_keys.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
        sa.UniqueConstraint("office_id", "year", "sequence", name="uq_issued_letters_sequence"),
        sa.UniqueConstraint("verify_code"),
    )
    op.create_index(op.f("ix_issued_letters_office_id"), "issued_letters", ["office_id"], unique=False)
    op.create_table(
        "public_names",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("masked_name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.PrimaryKeyConstraint("application_id"),
    )


def downgrade() -> None:
    op.drop_table("public_names")
    op.drop_index(op.f("ix_issued_letters_office_id"), table_name="issued_letters")
    op.drop_table("issued_letters")
    op.drop_table("office_letter_settings")
    op.drop_table("letter_counters")
