"""One key, one terminal (issue 23, finding 6): a USB bundle that carries an enrolled terminal's key in
another base64 spelling does not enroll a second terminal with it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from central.bundles import import_bundle
from central.db import Database
from central.errors import CentralError
from central.models import Terminal
from central.provisioning import make_provisioning_file
from sync.bundle import BundleContents, pack_bundle


def _respellings(key: str) -> list[str]:
    """The same 32 bytes in other base64 spellings: URL-safe alphabet, no padding, spare bits set."""
    last_char = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    unpadded = key.rstrip("=")
    spare = unpadded[:-1] + last_char[last_char.index(unpadded[-1]) | 1]  # the last char's 2 unused bits
    return [key.replace("+", "-").replace("/", "_").rstrip("="), unpadded, spare + "="]


@pytest.mark.parametrize("spelling", range(3))
def test_a_bundle_with_an_enrolled_key_in_another_spelling_enrolls_no_second_terminal(central, enrolled, spelling):
    sim = enrolled()
    respelled = _respellings(sim.keys.verify_key)[spelling]
    assert respelled != sim.keys.verify_key
    db = Database(central.db_url, migrate_schema=False)
    try:
        with db.transaction() as session:
            document = make_provisioning_file(session, sim.identity.office_code, central.url)
        bundle = pack_bundle("", document.terminal_code, sim.keys.signing_key, BundleContents(applications=[]),
                             verify_key=respelled, pending_enrollment_code=document.enroll_code)
        with pytest.raises(CentralError, match="enrolled already"):
            import_bundle(db, bundle)
        with db.transaction() as session:
            same_key = session.scalar(select(func.count()).select_from(Terminal).where(
                Terminal.verify_key.in_([sim.keys.verify_key, respelled])))
        assert same_key == 1
    finally:
        db.dispose()
