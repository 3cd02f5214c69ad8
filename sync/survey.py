"""Sending the satisfaction survey's answers to central, in batches of their own, then forgetting them.

A survey batch carries nothing else, so an older central that does not know surveys refuses only
it (the applications and audit entries of the round already went); the answers then wait on the
terminal for a central that takes them.
"""

from __future__ import annotations

from kiosk.store import Store
from kiosk.store.survey import StoredSurvey, forget_surveys, unsent_surveys
from sync.client import CentralClient
from sync.errors import SyncError
from sync.protocol import MAX_BATCH_COUNT, SurveyUpload, UploadBatch
from sync.report import SyncReport

WHOLE_BATCH_REFUSALS = (400, 413, 422)


def survey_upload(stored: StoredSurvey) -> SurveyUpload:
    """A stored answer set as central takes it, online or in a USB bundle."""
    response = stored.response
    return SurveyUpload(id=stored.id, day=response.day, service_code=response.service_code,
                        overall=response.overall, elements=list(response.elements))


def send_surveys(store: Store, client: CentralClient, report: SyncReport, *, batch_size: int = MAX_BATCH_COUNT) -> None:
    """Uploads every waiting survey; stops at the first refusal (kept for later) or network error."""
    while True:
        waiting = unsent_surveys(store, min(batch_size, MAX_BATCH_COUNT))
        if not waiting:
            return
        batch = UploadBatch(survey=[survey_upload(s) for s in waiting])
        try:
            answer = client.upload(batch)
        except SyncError as e:
            if getattr(e, "status", None) in WHOLE_BATCH_REFUSALS:
                report.errors.append(f"central did not take the survey answers (kept here): {e}")
                return
            raise
        sent = {s.id for s in waiting}
        stored = [i for i in answer.survey_stored if i in sent]
        forget_surveys(store, stored)
        report.surveys_sent += len(stored)
        if len(stored) < len(waiting):
            report.errors.append(f"central stored {len(stored)} of {len(waiting)} survey answers; the rest wait")
            return
