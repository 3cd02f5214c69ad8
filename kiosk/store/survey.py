"""The satisfaction survey's answers on the terminal, kept apart from applications until central has them.

A row holds a random id, the day, the service and the scores: no NIK, no application number, no time
of day, no terminal sequence (the table has no rowid and its key is random, so even the order rows
were written in is gone). Rows central has stored are deleted: the terminal keeps no history.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from kiosk.skm import ELEMENT_COUNT, SurveyResponse
from kiosk.store.database import transaction
from kiosk.store.queue import Store

TABLE = "skm_responses"


@dataclass(frozen=True)
class StoredSurvey:
    """A survey waiting to go to central: its random id and the answers."""

    id: str
    response: SurveyResponse


def record_survey(store: Store, response: SurveyResponse) -> str | None:
    """Keeps one citizen's answers; an all-skipped survey is not kept. Returns the row id (or None)."""
    if response.is_empty:
        return None
    row_id = str(uuid.uuid4())
    with transaction(store.db):
        store.db.execute(
            f"INSERT INTO {TABLE} (id, day, service_code, overall, elements) VALUES (?, ?, ?, ?, ?)",
            [row_id, response.day.isoformat(), response.service_code, response.overall,
             json.dumps(list(response.elements))])
    return row_id


def mark_result_rated(store: Store, application_id: str, day: dt.date) -> None:
    """Notes that the citizen of `application_id` was asked to rate its result (asked once per application).
    Marks of applications retention has deleted go at the same time, so the list never outgrows the queue."""
    marks = {**store.values.result_rated, application_id: day.isoformat()}
    kept = {row[0] for row in store.db.execute(
        "SELECT id FROM applications WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(list(marks))])}
    store.values.result_rated = {app_id: when for app_id, when in marks.items() if app_id in kept}


def unsent_surveys(store: Store, limit: int = 200) -> list[StoredSurvey]:
    """Surveys central does not have yet (at most `limit`), in no meaningful order."""
    rows = store.db.execute(f"SELECT id, day, service_code, overall, elements FROM {TABLE} LIMIT ?", [limit])
    found = []
    for row_id, day, service, overall, elements in rows.fetchall():
        scores = tuple(json.loads(elements))
        if len(scores) != ELEMENT_COUNT:
            continue
        found.append(StoredSurvey(row_id, SurveyResponse(dt.date.fromisoformat(day), service, overall, scores)))
    return found


def forget_surveys(store: Store, ids: list[str]) -> None:
    """Deletes surveys central has stored."""
    with transaction(store.db):
        store.db.conn.executemany(f"DELETE FROM {TABLE} WHERE id = ?", [(i,) for i in ids])


def survey_count(store: Store) -> int:
    return store.db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


__all__ = ["StoredSurvey", "forget_surveys", "record_survey", "survey_count", "unsent_surveys"]
