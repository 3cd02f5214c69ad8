"""`loket sync --once`: one round now, said plainly; exit 0 when it went, 1 when central was not reached."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys

from central.devserver import REPO
from kiosk.crypto import new_terminal_keys
from kiosk.terminal import Terminal
from loket.cli import main
from sync.protocol import PATH_APPLICATIONS
from tests.sync.conftest import file_many
from tests.sync.faultproxy import Fault, FaultProxy


def test_sync_once_sends_the_queue_and_says_what_happened(enrolled: Terminal, capsys) -> None:
    file_many(enrolled, 3)
    assert main(["--home", str(enrolled.paths.home), "sync", "--once"]) == 0
    out = capsys.readouterr().out
    assert "central:        reached" in out
    assert "sent:           3 (accepted 3, duplicate 0, rejected 0, to retry 0)" in out
    assert "still queued:   0" in out
    assert enrolled.store.counts()["synced"] == 3


def test_sync_once_as_json_carries_the_counts(enrolled: Terminal, capsys) -> None:
    file_many(enrolled, 2)
    assert main(["--home", str(enrolled.paths.home), "sync", "--once", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["accepted"] == 2 and report["errors"] == []


def test_sync_once_exits_non_zero_with_the_reason_when_central_is_not_there(enrolled: Terminal, capsys) -> None:
    file_many(enrolled, 1)
    enrolled.update_settings(server_url="http://127.0.0.1:9")
    assert main(["--home", str(enrolled.paths.home), "sync", "--once"]) == 1
    out = capsys.readouterr().out
    assert "central:        NOT reached" in out
    assert "error:          cannot reach 127.0.0.1:9: connection refused" in out
    assert "still queued:   1" in out


def test_sync_once_on_an_unprovisioned_terminal_says_how_to_enroll(tmp_path, capsys) -> None:
    assert main(["--home", str(tmp_path / "blank"), "sync", "--once"]) == 1
    assert "loket provision --server URL --code CODE" in capsys.readouterr().out


def test_status_shows_the_last_sync_error(enrolled: Terminal, capsys) -> None:
    enrolled.update_settings(server_url="http://127.0.0.1:9")
    main(["--home", str(enrolled.paths.home), "sync", "--once"])
    capsys.readouterr()
    assert main(["--home", str(enrolled.paths.home), "status"]) == 0
    assert "last sync error: cannot reach 127.0.0.1:9" in capsys.readouterr().out


def test_sync_watch_keeps_syncing_in_the_foreground_until_interrupted(enrolled: Terminal) -> None:
    file_many(enrolled, 2)
    process = subprocess.Popen([sys.executable, "-m", "loket.cli", "--home", str(enrolled.paths.home), "sync",
                                "--watch"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout.readline().startswith(f"syncing {enrolled.paths.home}")  # it holds the sync lock
        first = process.stdout.readline()
        assert "sent 2: 2 accepted" in first and "(queued 0)" in first
        assert enrolled.store.counts()["synced"] == 2
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 130


def test_retry_rejected_sends_again_what_a_faulty_central_refused(
        behind_proxy: Terminal, proxy: FaultProxy, capsys) -> None:
    filed = file_many(behind_proxy, 3)
    proxy.plan = lambda method, path: Fault.HTTP_422 if path == PATH_APPLICATIONS else Fault.PASS
    home = str(behind_proxy.paths.home)
    main(["--home", home, "sync", "--once"])
    assert behind_proxy.store.counts()["rejected"] == 3
    assert "HTTP 422" in behind_proxy.store.get_by_id(next(iter(filed))).reason
    proxy.plan = lambda method, path: Fault.PASS  # central fixed
    capsys.readouterr()
    assert main(["--home", home, "sync", "--once", "--retry-rejected"]) == 0
    out = capsys.readouterr().out
    assert "queued again:   3 rejected application(s)" in out and "accepted 3" in out
    assert behind_proxy.store.counts() == {"queued": 0, "sending": 0, "synced": 3, "rejected": 0}


def test_sync_once_tells_a_refusal_from_no_answer(enrolled: Terminal, capsys) -> None:
    identity = enrolled.identity
    enrolled.store.save_identity(dataclasses.replace(identity, signing_key=new_terminal_keys().signing_key))
    assert main(["--home", str(enrolled.paths.home), "sync", "--once"]) == 1
    out = capsys.readouterr().out
    assert "central:        answered, but the round could not go on (see the error)" in out
    assert "did not accept this terminal's signature" in out and "bad_signature" in out
