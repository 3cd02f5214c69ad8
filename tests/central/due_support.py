"""Backdating a test's applications as if filed days ago, with the due date ingest would have given
them then (`OfficeProfile.due_on`, the one rule), so the inbox has something overdue."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.models import Application
from central.office_profile import load_profile


def backdate(session: Session, references: list[str], days: int) -> None:
    """Files `references` `days` calendar days ago, each due as it would have been then."""
    filed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    for app in session.scalars(select(Application).where(Application.reference.in_(references))):
        app.filed_at, app.due_on = filed_at, load_profile(session, app.office_id).due_on(app.service_code, filed_at)
