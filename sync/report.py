"""What one sync round did, for `loket sync --once`, the maintenance screen and the logs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class SyncReport:
    """Counts and reasons from one round. `reachable`: central took part in the round (it answered the
    heartbeat); `answered`: something answered at all, if only to refuse or to say it was busy."""

    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    reachable: bool = False
    answered: bool = False
    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (reference, reason)
    retried: int = 0
    status_changes: int = 0
    catalog_updated: str | None = None
    office_key_rotated: bool = False
    #: how the download of a release central offers went this round (sync/updates.py)
    update: str | None = None
    audit_sent: int = 0
    surveys_sent: int = 0
    remaining: int = 0
    revoked: bool = False
    retry_after: float | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reachable and not self.errors

    @property
    def duration_s(self) -> float:
        end = self.finished_at or dt.datetime.now(dt.UTC)
        return (end - self.started_at).total_seconds()

    def lines(self) -> list[str]:
        """The round in a few lines a technician reads top to bottom."""
        out = [
            f"central:        {self._contact()}",
            f"sent:           {self.sent} (accepted {self.accepted}, duplicate {self.duplicate}, "
            f"rejected {len(self.rejected)}, to retry {self.retried})",
            f"still queued:   {self.remaining}",
            f"status changes: {self.status_changes}",
            f"catalog:        {f'updated to {self.catalog_updated}' if self.catalog_updated else 'unchanged'}",
        ]
        if self.office_key_rotated:
            out.append("office key:     rotated (new applications are sealed to the new key)")
        if self.update:
            out.append(f"update:         {self.update}")
        if self.audit_sent:
            out.append(f"audit entries:  {self.audit_sent} sent")
        if self.surveys_sent:
            out.append(f"surveys (SKM):  {self.surveys_sent} sent")
        out += [f"rejected:       {reference}: {reason}" for reference, reason in self.rejected]
        if self.revoked:
            out.append("REVOKED:        central revoked this terminal; it no longer syncs")
        out += [f"error:          {error}" for error in self.errors]
        out.append(f"took:           {self.duration_s:.2f} s")
        return out

    def _contact(self) -> str:
        if self.reachable:
            return "reached"
        return "answered, but the round could not go on (see the error)" if self.answered else "NOT reached"

    def summary(self) -> str:
        """One line for `sync.last_error` and logs."""
        return "; ".join(self.errors) if self.errors else (
            f"sent {self.sent}: {self.accepted} accepted, {self.duplicate} duplicate, {len(self.rejected)} rejected"
        )
