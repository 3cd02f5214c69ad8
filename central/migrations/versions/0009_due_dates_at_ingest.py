"""due dates are set when an application is taken in: give the ones taken in before a due date

Until now a console page filled missing due dates as it was read; ingest sets them now, and this
step fills the older ones once, on the office's own calendar (`central.office_profile`).

Revision ID: 0009
Revises: 0008
"""
from alembic import op
from sqlalchemy.orm import Session

from central.office_profile import backfill_due_dates

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with Session(bind=op.get_bind()) as session:
        backfill_due_dates(session)
        session.flush()


def downgrade() -> None:
    pass  # the due dates stay: the older code reads them as its own
