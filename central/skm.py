"""The satisfaction survey (SKM) at central: storing terminals' anonymous answers and the IKM report.

Answers are kept per office, day and service only. The report gives, per service and for the whole
office over a period, the respondents, each element's NRR, the IKM (25-100) and the quality band
(kiosk.skm computes them, so the terminal and central count the same way).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.db import insert_ignoring_conflicts
from central.errors import CentralError
from central.models import SkmResponse, utcnow
from central.offices import get_office, known_service_codes
from kiosk.skm import ELEMENT_COUNT, ELEMENT_NAMES, IkmReport, SurveyResponse, band_of, ikm_report
from sync.protocol import SurveyUpload

ALL_SERVICES = "*"
log = logging.getLogger("central")
_SCORES = [f"e{i}" for i in range(1, ELEMENT_COUNT + 1)]


#: how far back a terminal may date an answer (a kiosk offline for months, a USB bundle brought late)
MAX_AGE_DAYS = 400
#: answers one office counts for one day: far above a kelurahan's visitors, so a stolen kiosk key can add
#: at most this many a day to the index, not any number
MAX_PER_OFFICE_DAY = 2000


def survey_problem(entry: SurveyUpload, services: frozenset[str], today: dt.date) -> str | None:
    """Why an answer set cannot count towards the office's IKM, or None: a service the office's catalogs
    never offered, or a day after central's tomorrow or before `MAX_AGE_DAYS` ago. (Form, text and the
    scores' range are `SurveyUpload`'s to check.)"""
    if entry.service_code not in services:
        return f"unknown service {entry.service_code!r}"
    if not today - dt.timedelta(days=MAX_AGE_DAYS) <= entry.day <= today + dt.timedelta(days=1):
        return f"day {entry.day} is not within {MAX_AGE_DAYS} days before central's today ({today})"
    return None


def store_surveys(session: Session, office_id: int, entries: Sequence[SurveyUpload], *,
                  today: dt.date | None = None, per_day: int = MAX_PER_OFFICE_DAY) -> list[str]:
    """Stores each answer set once (its random id is the idempotency key); answers every id central is done
    with: stored now or before, or refused for good (`survey_problem`, or past `per_day` answers of the
    office that day; logged), so the terminal forgets it."""
    today = today or utcnow().date()
    services = known_service_codes(session, office_id) if entries else frozenset()
    days = {entry.day for entry in entries}
    held: dict[dt.date, int] = {}
    if days:
        for day, count in session.execute(select(SkmResponse.day, func.count()).where(
                SkmResponse.office_id == office_id, SkmResponse.day.in_(days)).group_by(SkmResponse.day)):
            held[day] = count
    good = []
    for entry in entries:
        problem = survey_problem(entry, services, today)
        if problem is None and held.get(entry.day, 0) >= per_day:
            problem = f"the office has {per_day} answers for {entry.day} already"
        if problem:
            log.warning("survey answer %s of office %d refused: %s", entry.id, office_id, problem)
        else:
            good.append(entry)
            held[entry.day] = held.get(entry.day, 0) + 1
    if good:
        session.execute(insert_ignoring_conflicts(session, SkmResponse.__table__), [{
            "id": entry.id, "office_id": office_id, "day": entry.day, "service_code": entry.service_code,
            "overall": entry.overall, **dict(zip(_SCORES, entry.elements, strict=True))} for entry in good])
    return [entry.id for entry in entries]


def responses(session: Session, office_code: str, start: dt.date | None = None, end: dt.date | None = None
              ) -> list[SurveyResponse]:
    """The office's answers from `start` to `end` (both included)."""
    if start and end and start > end:
        raise CentralError(f"--from {start} is after --to {end}")
    office = get_office(session, office_code)
    query = select(SkmResponse).where(SkmResponse.office_id == office.id)
    if start:
        query = query.where(SkmResponse.day >= start)
    if end:
        query = query.where(SkmResponse.day <= end)
    return [SurveyResponse(row.day, row.service_code, row.overall, tuple(getattr(row, c) for c in _SCORES))
            for row in session.scalars(query)]


def report(session: Session, office_code: str, start: dt.date | None = None, end: dt.date | None = None
           ) -> dict[str, Any]:
    """Per service (and `*` for the whole office): respondents, NRR per element, IKM and band."""
    found = responses(session, office_code, start, end)
    by_service: dict[str, list[SurveyResponse]] = {}
    for response in found:
        by_service.setdefault(response.service_code, []).append(response)
    rows = {code: _as_dict(ikm_report(items)) for code, items in sorted(by_service.items())}
    rows[ALL_SERVICES] = _as_dict(ikm_report(found))
    return {"office": office_code, "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None, "services": rows}


def _as_dict(result: IkmReport) -> dict[str, Any]:
    return {
        "respondents": result.respondents,
        "nrr": {name: (round(v, 2) if v is not None else None) for name, v in zip(ELEMENT_NAMES, result.nrr,
                                                                                  strict=True)},
        "answers": dict(zip(ELEMENT_NAMES, result.answers_per_element, strict=True)),
        "ikm": result.ikm,
        "band": result.band,
        "band_words": band_of(result.ikm)[1].id if result.ikm is not None else None,
        "overall_mean": round(result.overall_mean, 2) if result.overall_mean is not None else None,
    }


__all__ = ["ALL_SERVICES", "report", "responses", "store_surveys"]
