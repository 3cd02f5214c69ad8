"""the office's staff console: accounts, sessions, login throttle, access log, help acknowledgements,
due dates and status notes, and the indexes the inbox reads through

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(60), nullable=False, unique=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("disabled_at", WHEN, nullable=True),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_accounts.id"), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
    )
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(60), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", WHEN, nullable=True),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("application_id", sa.String(36), nullable=True),
        sa.Column("reference", sa.String(32), nullable=True),
        sa.Column("detail", sa.String(300), nullable=False),
    )
    op.create_index("ix_access_log_office_at", "access_log", ["office_id", "at"])
    op.create_table(
        "help_acknowledgements",
        sa.Column("audit_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  sa.ForeignKey("audit_entries.id"), primary_key=True),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_index("ix_applications_office_status_due", "applications",
                    ["office_id", "status", "due_on", "service_code"])
    op.create_index("ix_applications_office_filed", "applications", ["office_id", "filed_at"])
    op.create_index("ix_applications_office_reference", "applications", ["office_id", "reference"])
    op.create_index("ix_audit_entries_action", "audit_entries", ["action", "id"])
    op.create_index("ix_status_changes_application", "status_changes", ["application_id", "id"])


def downgrade() -> None:
    for name, table in (("ix_status_changes_application", "status_changes"),
                        ("ix_audit_entries_action", "audit_entries"),
                        ("ix_applications_office_reference", "applications"),
                        ("ix_applications_office_filed", "applications"),
                        ("ix_applications_office_status_due", "applications")):
        op.drop_index(name, table_name=table)
    for table in ("help_acknowledgements", "access_log", "login_throttle", "staff_sessions", "staff_accounts"):
        op.drop_table(table)
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_column("note")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_column("due_on")
