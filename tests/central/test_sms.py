"""Text messages when a letter is ready or declined, with the real parts: a real kiosk files with
"kabari saya lewat SMS" ticked and syncs to the real central on loopback, staff change the status
through the one `change_status`, and the delivery worker hands the message to a real gammu-smsd
(files backend) driving Gammu's dummy phone; what it sent is read back from its spool and log.

Gammu's dummy driver keeps no copy of a sent message in its own folder (its SendSMS only answers
"sent, reference 255"), so the message is read back from gammu-smsd's `sent/` folder and the log line
in which the phone driver took it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selenium.webdriver.common.by import By
from sqlalchemy import select

from central.cli import main as central_main
from central.console.accounts import add_staff
from central.db import Database
from central.models import AccessLogEntry, SmsMessage
from central.records import find_application
from central.sms import delivery
from central.sms.gateway import Spool, gammu_config
from central.sms.messages import message_text, short_office_name
from central.status import change_status
from kiosk.applications import file_application
from kiosk.errors import FormInvalid
from kiosk.samples import sample_answers
from tests.central.console.conftest import PASSWORD
from tests.central.console.test_browser import (  # noqa: F401 - fixtures used by name
    Kiosk,
    browser,
    enrolled_kiosk,
    log_in,
    shoot,
    shots_in,
)

GAMMU_SMSD = shutil.which("gammu-smsd")
needs_gammu = pytest.mark.skipif(GAMMU_SMSD is None, reason="gammu-smsd not installed (scripts/setup installs it)")
shots_in_docs_privacy = shots_in(Path(__file__).resolve().parents[2] / "docs" / "privacy")


class GammuSmsd:
    """A real gammu-smsd on Gammu's dummy phone (a folder as the device), files backend on `spool`."""

    def __init__(self, folder: Path) -> None:
        self.spool = Spool(folder / "spool")
        self.phone = folder / "phone"
        self.phone.mkdir(parents=True)
        for path in (self.spool.outbox, self.spool.sent, self.spool.error, self.spool.inbox):
            path.mkdir(parents=True, exist_ok=True)
        self.config = folder / "gammurc"
        self.config.write_text(gammu_config(self.spool, f"{self.phone}/", connection="none", model="dummy"))
        self.process: subprocess.Popen | None = None

    @property
    def log(self) -> str:
        path = self.spool.root / "smsd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        self.process = subprocess.Popen([GAMMU_SMSD, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def wait_sent(self, tag: str, timeout_s: float = 20.0) -> Path:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = next(self.spool.sent.glob(f"OUT*_{tag}.txt"), None)
            if found is not None:
                return found
            time.sleep(0.2)
        raise AssertionError(f"gammu-smsd did not send {tag} in {timeout_s} s; its log:\n{self.log[-2000:]}")


@pytest.fixture
def smsd(tmp_path: Path) -> Iterator[GammuSmsd]:
    gateway = GammuSmsd(tmp_path)
    yield gateway
    gateway.stop()


@pytest.fixture(scope="module")
def braga(central, tmp_path_factory) -> Iterator[tuple[str, Kiosk]]:  # noqa: ANN001
    office = central.create_office(name="Kelurahan Braga")
    kiosk = enrolled_kiosk(central, office, tmp_path_factory.mktemp("kiosk"))
    yield office, kiosk
    kiosk.terminal.close()


@pytest.fixture(scope="module")
def db(central) -> Iterator[Database]:  # noqa: ANN001
    database = Database(central.db_url, migrate_schema=False)
    yield database
    database.dispose()


def gateway_on(central, office: str, spool: Spool) -> None:  # noqa: ANN001
    assert central_main(["sms", "gateway", "--db", central.db_url, "--office", office,
                         "--spool", str(spool.root)]) == 0


def move(db: Database, reference: str, *statuses: str) -> None:
    with db.transaction() as session:
        app = find_application(session, reference)
        for status in statuses:
            change_status(session, "siti", app, status, "Berkas kurang lengkap." if status == "declined" else "")


def ticked_and_moved(central, braga, db: Database, spool: Spool, service: str, name: str,  # noqa: ANN001
                     *statuses: str) -> tuple[str, SmsMessage]:
    """An application filed at the kiosk with SMS ticked, synced, and moved through `statuses` in an
    office whose gateway spools to `spool`: its reference and the one message queued for it."""
    office, kiosk = braga
    gateway_on(central, office, spool)
    reference = kiosk.file(service, name, notify_sms=True)
    kiosk.sync()
    move(db, reference, *statuses)
    [message] = messages(db, reference)
    return reference, message


def messages(db: Database, reference: str) -> list[SmsMessage]:
    with db.transaction() as session:
        return list(session.scalars(select(SmsMessage).where(SmsMessage.reference == reference)
                                    .order_by(SmsMessage.id)))


@needs_gammu
def test_ready_sends_a_text_through_a_real_gammu_smsd_and_reads_it_back(central, braga, db, smsd):
    smsd.start()
    reference, queued = ticked_and_moved(central, braga, db, smsd.spool, "SKD", "Siti Aminah", "in_process", "ready")
    assert (queued.state, queued.status) == ("queued", "ready")
    assert queued.text == f"Kel. Braga: permohonan {reference} siap diambil. Bawa KTP asli."

    first = delivery.deliver_once(db)
    assert first.handed == [queued.id]
    sent_file = smsd.wait_sent(f"loket{queued.id}")
    assert sent_file.read_text() == queued.text
    assert "_+6281234567890_" in sent_file.name  # the number the citizen typed (0812 3456 7890), in E.164
    assert f"Transmitted {sent_file.name}" in smsd.log and f'SMS sent on device: "{smsd.phone}/" status=0' in smsd.log

    second = delivery.deliver_once(db)
    assert second.sent == [queued.id]
    [done] = messages(db, reference)
    assert done.state == "sent" and done.sent_at is not None and done.last_error is None
    assert list(smsd.spool.sent.glob(f"OUT*_loket{queued.id}.txt")) == []  # the number leaves the gateway's disk
    with db.transaction() as session:
        openings = session.execute(select(AccessLogEntry.username, AccessLogEntry.detail)
                                   .where(AccessLogEntry.reference == reference,
                                          AccessLogEntry.action == "personal_data.opened")).all()
    assert [tuple(o) for o in openings] == [(delivery.ACTOR, delivery.PURPOSE)]


@needs_gammu
def test_a_gateway_that_is_down_leaves_the_message_queued_until_it_is_back(central, braga, db, smsd):
    reference, message = ticked_and_moved(central, braga, db, smsd.spool, "SKU", "Budi Santoso", "declined")
    assert "ditolak" in message.text and "Berkas" not in message.text  # the reason stays at the kiosk

    shutil.rmtree(smsd.spool.outbox)  # the spool's disk is gone: nothing can be handed over
    report = delivery.deliver_once(db)
    assert report.waiting == [message.id] and report.handed == []
    [waiting] = messages(db, reference)
    assert waiting.state == "queued" and waiting.attempts == 0 and "cannot take a message" in waiting.last_error

    smsd.spool.outbox.mkdir()
    later = waiting.next_attempt_at + dt.timedelta(seconds=1)
    assert delivery.deliver_once(db, now=later).handed == [message.id]
    assert delivery.deliver_once(db, now=later).waiting == [message.id]  # gammu-smsd is not running: it waits
    smsd.start()
    smsd.wait_sent(f"loket{message.id}")
    assert delivery.deliver_once(db, now=later).sent == [message.id]


@needs_gammu
def test_an_error_from_the_gateway_is_retried_with_backoff_then_given_up(central, braga, db, smsd):
    reference, message = ticked_and_moved(central, braga, db, smsd.spool, "SKD", "Dewi Lestari", "ready")
    now = dt.datetime.now(dt.UTC)
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        assert delivery.deliver_once(db, now=now).handed == [message.id]
        handed = next(smsd.spool.outbox.glob(f"OUT*_loket{message.id}.txt"))
        handed.rename(smsd.spool.error / handed.name)  # the modem refused it: gammu-smsd's error/ folder
        report = delivery.deliver_once(db, now=now)
        [after] = messages(db, reference)
        assert after.attempts == attempt
        if attempt < delivery.MAX_ATTEMPTS:
            assert report.retried == [message.id] and after.state == "queued"
            assert after.next_attempt_at.replace(tzinfo=dt.UTC) == (now + delivery.backoff(attempt)).replace(
                tzinfo=dt.UTC)
            assert delivery.deliver_once(db, now=now).handed == []  # not before its time
            now = now + delivery.backoff(attempt)
        else:
            assert report.failed == [message.id] and after.state == "failed"
    assert list(smsd.spool.error.iterdir()) == []


def test_no_message_without_the_tick_or_in_an_office_without_a_modem(central, braga, db, tmp_path):
    office, kiosk = braga
    gateway_on(central, office, Spool(tmp_path / "spool"))
    unticked = kiosk.file("SKD", "Agus Salim")
    ticked = kiosk.file("SKD", "Rina Marlina", notify_sms=True)
    kiosk.sync()
    move(db, unticked, "ready")
    assert messages(db, unticked) == []
    assert central_main(["sms", "gateway", "--db", central.db_url, "--office", office, "--off"]) == 0
    move(db, ticked, "ready")
    assert messages(db, ticked) == []


def test_the_kiosk_offers_sms_while_its_office_has_a_gateway(central, braga, tmp_path):
    office, kiosk = braga
    gateway_on(central, office, Spool(tmp_path / "spool"))
    kiosk.sync()  # the heartbeat's answer says so
    assert kiosk.terminal.office_sends_sms
    assert central_main(["sms", "gateway", "--db", central.db_url, "--office", office, "--off"]) == 0
    kiosk.sync()
    assert not kiosk.terminal.office_sends_sms


def test_ticking_sms_without_a_mobile_number_is_refused_at_the_kiosk(braga):
    _office, kiosk = braga
    catalog = kiosk.terminal.catalog
    answers = sample_answers(catalog.service("SKD"))
    answers.pop("phone")
    queued_before = kiosk.terminal.store.counts()
    with pytest.raises(FormInvalid) as refused:
        file_application(kiosk.terminal.store, catalog, "SKD", answers, notify_sms=True)
    assert "nomor HP" in refused.value.errors["phone"].id
    assert kiosk.terminal.store.counts() == queued_before


@given(st.text(max_size=120), st.sampled_from(["ready", "declined"]))
def test_a_message_is_one_plain_sms_naming_office_reference_and_state(office_name, status):
    text = message_text(short_office_name(office_name), "K7Q2-2611-0042-X", status)
    assert len(text) <= 160 and text.isascii() and text.isprintable()
    assert "K7Q2-2611-0042-X" in text and ("siap diambil" in text if status == "ready" else "ditolak" in text)


def test_the_office_is_named_short():
    assert short_office_name("Kelurahan Braga") == "Kel. Braga"
    assert short_office_name("Desa Sukamaju") == "Desa Sukamaju"
    assert short_office_name("Kantor Pos") == "Kantor Pos"


@needs_gammu
@pytest.mark.skipif(not Path("/usr/bin/chromedriver").exists(), reason="chromium-driver not installed")
def test_the_console_shows_each_message_and_its_state(central, braga, db, smsd, browser):  # noqa: F811
    office, _kiosk = braga
    with db.transaction() as session:
        add_staff(session, office, "sms-op", "operator", PASSWORD)
    smsd.start()
    sent_ref, sent = ticked_and_moved(central, braga, db, smsd.spool, "SKD", "Joko Susilo", "ready")
    delivery.deliver_once(db)
    smsd.wait_sent(f"loket{sent.id}")
    delivery.deliver_once(db)
    smsd.stop()  # the modem is unplugged: the next message waits at the gateway
    waiting_ref, waiting = ticked_and_moved(central, braga, db, smsd.spool, "SKTM", "Sri Wahyuni", "declined")
    delivery.deliver_once(db)

    log_in(browser, central, "sms-op")
    browser.get(f"{central.url}/staff/sms")
    rows = {r.find_element(By.CSS_SELECTOR, "a.ref").text: r for r in
            browser.find_elements(By.CSS_SELECTOR, "#sms-list tbody tr")}
    assert "Terkirim" in rows[sent_ref].find_element(By.CSS_SELECTOR, "td.state").text
    assert "Di gateway" in rows[waiting_ref].find_element(By.CSS_SELECTOR, "td.state").text
    assert sent.text in rows[sent_ref].text and "+62" not in browser.page_source
    shoot(browser, "console-sms")


@needs_gammu
def test_the_delivery_service_sends_on_its_own_and_stops_on_sigterm(central, braga, db, smsd):
    smsd.start()
    service = subprocess.Popen([sys.executable, "-m", "central", "sms", "deliver", "--db", central.db_url,
                                "--interval", "0.3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        reference, message = ticked_and_moved(central, braga, db, smsd.spool, "SKU", "Wati Suryani", "ready")
        deadline = time.monotonic() + 30
        while messages(db, reference)[0].state != "sent" and time.monotonic() < deadline:
            time.sleep(0.3)
        assert messages(db, reference)[0].state == "sent", smsd.log[-1500:]
    finally:
        service.send_signal(signal.SIGTERM)
        out, err = service.communicate(timeout=15)
    assert service.returncode == 0, err
    assert err == ""


def test_the_sms_commands_refuse_bad_input_in_one_line_and_list_the_messages(central, braga, db, capsys, tmp_path):
    office, _kiosk = braga
    reference, _message = ticked_and_moved(central, braga, db, Spool(tmp_path / "spool"), "SKD", "Ani", "ready")
    capsys.readouterr()
    assert central_main(["sms", "gateway", "--db", central.db_url, "--office", office]) == 2
    assert capsys.readouterr().err.strip() == "loket-central: sms gateway: give either --spool DIR or --off"
    assert central_main(["sms", "deliver", "--db", central.db_url, "--interval", "0"]) == 2
    assert "between 0 and 3600 seconds" in capsys.readouterr().err
    assert central_main(["sms", "list", "--db", central.db_url, "--office", "NOPE"]) == 2
    assert capsys.readouterr().err.strip() == "loket-central: no office 'NOPE'"
    assert central_main(["sms", "list", "--db", central.db_url, "--office", office, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert reference in [row["reference"] for row in listed]
    assert all(set(row) >= {"reference", "state", "text"} and "+62" not in json.dumps(row) for row in listed)
