"""Counting issued letters, per service (for the console's report page and `loket-central letter-counts`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.models import IssuedLetter


def letters_per_service(session: Session, office_id: int, *, year: int | None = None,
                        month: int | None = None) -> dict[str, int]:
    """{service code: letters issued} of one office, by code; optionally in one year, or one month of it."""
    query = (select(IssuedLetter.service_code, func.count()).where(IssuedLetter.office_id == office_id)
             .group_by(IssuedLetter.service_code).order_by(IssuedLetter.service_code))
    if year is not None:
        query = query.where(IssuedLetter.year == year)
        if month is not None:
            first = dt.date(year, month, 1)
            after = dt.date(year + month // 12, month % 12 + 1, 1)
            query = query.where(IssuedLetter.issued_on >= first, IssuedLetter.issued_on < after)
    return {code: count for code, count in session.execute(query).all()}
