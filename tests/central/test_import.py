"""`loket-central import BUNDLE`: a terminal's USB export goes in with the online rules, exactly once."""

import datetime as dt
import gzip

from central.cli import main
from central.db import Database
from central.records import revoke_terminal
from kiosk.crypto import new_terminal_keys
from sync.bundle import BundleContents, pack_bundle, read_bundle
from sync.protocol import AuditUpload


def _bundle(sim, apps, audit=(), signing_key=None):
    contents = BundleContents(applications=list(apps), audit=list(audit))
    return pack_bundle(sim.terminal_id, sim.identity.terminal_code, signing_key or sim.keys.signing_key, contents)


def _import(capsys, central, path, *extra):
    code = main(["import", str(path), "--db", central.db_url, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_imported_bundle_is_accepted_once_and_a_later_online_sync_is_duplicate(capsys, central, enrolled, tmp_path):
    sim = enrolled()
    apps = [sim.application() for _ in range(450)]  # more than one online batch
    audit = [AuditUpload(id=1, at=dt.datetime.now(dt.UTC), actor="technician", action="export", detail="usb")]
    path = tmp_path / "bundle.json"
    path.write_bytes(_bundle(sim, apps, audit))

    code, out, _ = _import(capsys, central, path)
    assert code == 0
    assert out.splitlines()[0] == (f"terminal {sim.identity.terminal_code}: accepted 450, duplicate 0, rejected 0, "
                                   "audit entries 1, survey answers 0")
    assert _import(capsys, central, path)[1].startswith(f"terminal {sim.identity.terminal_code}: accepted 0, "
                                                        "duplicate 450")
    assert {r.outcome for r in sim.upload(apps[:200]).results} == {"duplicate"}


def test_a_bundle_without_survey_answers_carries_no_survey_key_so_an_older_central_reads_it(enrolled):
    sim = enrolled()
    _, payload, _ = read_bundle(_bundle(sim, [sim.application()]))
    assert b'"survey"' not in gzip.decompress(payload) and b'"applications"' in gzip.decompress(payload)


def test_a_bundle_with_a_bad_application_imports_the_rest_and_names_the_refusal(capsys, central, enrolled, tmp_path):
    sim = enrolled()
    bad = sim.application(service_code="NOPE")
    path = tmp_path / "bundle.json"
    path.write_bytes(_bundle(sim, [sim.application(), bad]))
    code, out, _ = _import(capsys, central, path)
    assert code == 0
    assert "accepted 1, duplicate 0, rejected 1" in out
    assert f"rejected {bad.id}: unknown service code 'NOPE'" in out


def test_a_bundle_signed_with_another_key_is_refused_in_one_line(capsys, central, enrolled, tmp_path):
    sim = enrolled()
    path = tmp_path / "forged.json"
    path.write_bytes(_bundle(sim, [sim.application()], signing_key=new_terminal_keys().signing_key))
    code, out, err = _import(capsys, central, path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "signature does not match" in err


def test_a_changed_bundle_is_refused(capsys, central, enrolled, tmp_path):
    sim = enrolled()
    data = bytearray(_bundle(sim, [sim.application()]))
    start = data.index(b'"payload": "') + 20
    data[start] = ord("A") if data[start] != ord("A") else ord("B")
    path = tmp_path / "changed.json"
    path.write_bytes(bytes(data))
    assert _import(capsys, central, path)[0] == 2


def test_a_revoked_terminals_bundle_needs_allow_revoked(capsys, central, enrolled, tmp_path):
    sim = enrolled()
    path = tmp_path / "bundle.json"
    path.write_bytes(_bundle(sim, [sim.application()]))
    with Database(central.db_url).transaction() as session:
        revoke_terminal(session, sim.terminal_id)
    code, _, err = _import(capsys, central, path)
    assert code == 2 and "revoked" in err
    assert "accepted 1" in _import(capsys, central, path, "--allow-revoked")[1]


def test_a_file_that_is_not_a_bundle_is_one_line_and_exit_2(capsys, central, tmp_path):
    path = tmp_path / "junk.json"
    path.write_text("{}")
    code, _, err = _import(capsys, central, path)
    assert code == 2 and err.startswith("loket-central: not a Loket bundle")
    assert _import(capsys, central, tmp_path / "missing.json")[0] == 2
