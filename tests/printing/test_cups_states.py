"""How CUPS queue attributes (from `lpoptions -p`) become one line a technician can act on."""

from __future__ import annotations

import pytest

from printing.backends.cups import media_option, queue_fault

IDLE = {"printer-state": "3", "printer-state-reasons": "none", "printer-is-accepting-jobs": "true"}


def test_idle_accepting_queue_has_no_fault() -> None:
    assert queue_fault("Kasir", IDLE) is None


@pytest.mark.parametrize("reasons,words", [
    ("media-empty-error", "is out of paper (media-empty-error)"),
    ("media-needed", "needs paper (media-needed)"),
    ("media-jam-error", "has a paper jam (media-jam-error)"),
    ("cover-open-error", "has its cover open (cover-open-error)"),
    ("offline-report,media-empty-error", "is out of paper (media-empty-error)"),
])
def test_printer_reported_faults_are_named(reasons: str, words: str) -> None:
    fault = queue_fault("Kasir", {**IDLE, "printer-state-reasons": reasons})
    assert fault == f"the printer of CUPS queue 'Kasir' {words}"


@pytest.mark.parametrize("reasons", ["media-empty-warning", "media-low-report", "toner-low-warning", "none"])
def test_warnings_and_reports_do_not_stop_printing(reasons: str) -> None:
    assert queue_fault("Kasir", {**IDLE, "printer-state-reasons": reasons}) is None


def test_stopped_queue_says_how_to_restart_it() -> None:
    fault = queue_fault("Kasir", {**IDLE, "printer-state": "5", "printer-state-reasons": "paused"})
    assert fault == ("CUPS queue 'Kasir' is stopped (stopped by hand or after an error): fix the printer, "
                     "then `cupsenable Kasir` and reprint")


def test_queue_not_accepting_jobs_says_how_to_fix_it() -> None:
    fault = queue_fault("Kasir", {**IDLE, "printer-is-accepting-jobs": "false"})
    assert fault == "CUPS queue 'Kasir' is not accepting jobs: `cupsaccept Kasir` and reprint"


def test_roll_paper_asks_for_a_page_as_long_as_the_receipt() -> None:
    pdf = b"%PDF-1.4 ... /MediaBox [ 0 0 164.4094 515.9055 ] ..."
    assert media_option(pdf, "58mm") == ["-o", "media=Custom.58x182mm"]
    assert media_option(pdf, "a4") == []
