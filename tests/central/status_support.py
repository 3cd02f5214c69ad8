"""Moving a test's application to a status the way staff would: step by step through the lifecycle,
each step through `central.status.change_status` (a decline with its reason)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from central.records import find_application
from central.status import change_status
from kiosk.lifecycle import NEXT_STATUSES

TEST_ACTOR = "test"


def steps_to(current: str, target: str) -> list[str]:
    """The shortest walk of allowed changes from `current` to `target` (empty when already there)."""
    paths: dict[str, list[str]] = {current: []}
    frontier = [current]
    while frontier and target not in paths:
        status = frontier.pop(0)
        for after in NEXT_STATUSES[status]:
            if after not in paths:
                paths[after] = [*paths[status], after]
                frontier.append(after)
    if target not in paths:
        raise ValueError(f"{target} cannot be reached from {current}")
    return paths[target]


def move_to(session: Session, reference: str, status: str, note: str = "") -> None:
    """`reference` walked to `status`; `note` goes with the last step (a decline gets a reason if none)."""
    app = find_application(session, reference)
    for step in steps_to(app.status, status):
        last = step == status
        change_status(session, TEST_ACTOR, app, step, (note or ("alasan uji" if step == "declined" else ""))
                      if last else "")
