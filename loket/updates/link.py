"""The sync worker's part in updates, when this program runs from an installed release
(`<prefix>/releases/<version>`): report the applier's state to central and download offers into
the spool. A developer's checkout (no `release.json` beside its interpreter) takes no updates."""

from __future__ import annotations

import sys
from pathlib import Path

from loket.release import RELEASE_FILE, read_release
from loket.updates.state import UpdatePaths, read_state
from sync.protocol import UpdateReport
from sync.updates import UpdateLink


def running_release(interpreter_prefix: str | Path = sys.prefix) -> tuple[Path, str] | None:
    """(the releases' prefix, this release's version) when running from an installed release."""
    here = Path(interpreter_prefix)
    if not (here / RELEASE_FILE).is_file() or here.parent.name != "releases":
        return None
    return here.parent.parent, str(read_release(here)["version"])


def update_link(data: Path, interpreter_prefix: str | Path = sys.prefix) -> UpdateLink | None:
    found = running_release(interpreter_prefix)
    if found is None:
        return None
    prefix, version = found
    paths = UpdatePaths(prefix=prefix, data=Path(data))

    def report() -> UpdateReport | None:
        state = read_state(paths)
        if state.state == "idle":
            return None
        return UpdateReport(state=state.state[:20], version=state.version, reason=(state.reason or None) and
                            state.reason[:500])

    return UpdateLink(spool=paths.spool, running=version, report=report)
