"""The CUPS backend: the receipt PDF goes to a CUPS queue through `lp`, so any printer the office has works.

CUPS accepts a job even when its queue is stopped (`lp` exits 0 and the job waits), and a job for
an unplugged printer waits forever ("Waiting for printer to become available"). So the queue's
state is read before the job is sent and the job is watched until it completes: a stopped queue,
a printer reporting no paper, a failed filter or a job not done in time (15 s on roll paper, 60 s
on A4) becomes a `PrinterError`, and the waiting job is cancelled so that it cannot print twice
once the fault is cleared and the receipt is reprinted.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from printing.backends.base import PrinterState, PrintJob
from printing.content import Receipt
from printing.errors import PrinterError
from printing.layouts import render_pdf

STOPPED = "5"
_REQUEST_ID = re.compile(r"request id is (\S+)")
#: printer-state-reasons that mean nothing will come out (CUPS adds -error/-warning/-report suffixes)
_FAULTS = {
    "media-empty": "is out of paper", "media-needed": "needs paper", "media-jam": "has a paper jam",
    "cover-open": "has its cover open", "door-open": "has a door open", "offline": "is offline",
    "input-tray-missing": "is missing its paper tray", "marker-supply-empty": "is out of ink or toner",
}


_MEDIA_BOX = re.compile(rb"/MediaBox \[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]")


def media_option(pdf: bytes, paper: str) -> list[str]:
    """`-o media=Custom.WxHmm` for roll paper, so the driver feeds as much paper as the receipt is long."""
    found = _MEDIA_BOX.search(pdf)
    if paper == "a4" or not found:
        return []
    width, height = (float(v) * 25.4 / 72 for v in found.groups())
    return ["-o", f"media=Custom.{width:.0f}x{height:.0f}mm"]


def _run(args: list[str], *, stdin: bytes | None = None, timeout: float = 10) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, input=stdin, capture_output=True, timeout=timeout, check=False,
                              env={**os.environ, "LANG": "C", "LC_ALL": "C"})
    except FileNotFoundError:
        raise PrinterError(f"CUPS is not installed on this terminal (no `{args[0]}` command)") from None
    except subprocess.TimeoutExpired:
        raise PrinterError(f"CUPS did not answer within {timeout:.0f} s (`{args[0]}`)") from None


def _first_line(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[0] if lines else ""


def queue_attributes(queue: str) -> dict[str, str]:
    """The queue's attributes from `lpoptions -p` (printer-state, printer-state-reasons, ...)."""
    result = _run(["lpoptions", "-p", queue])
    attributes: dict[str, str] = {}
    for word in shlex.split(result.stdout.decode("utf-8", "replace")):
        key, _, value = word.partition("=")
        attributes[key] = value
    if "printer-state" not in attributes:
        scheduler = _first_line(_run(["lpstat", "-r"]).stdout)
        if "not running" in scheduler:
            raise PrinterError("the CUPS scheduler is not running: start it (service cups start) and reprint")
        detail = _first_line(result.stderr)
        raise PrinterError(f"there is no CUPS queue named {queue!r}{f' ({detail})' if detail else ''}: "
                           "set printer_cups_queue to one that `lpstat -p` lists")
    return attributes


def queue_fault(queue: str, attributes: dict[str, str]) -> str | None:
    """One line saying why the queue cannot print now, or None when it can."""
    reasons = [r for r in attributes.get("printer-state-reasons", "none").split(",") if r and r != "none"]
    for reason in reasons:
        base = re.sub(r"-(error|warning|report)$", "", reason)
        if base in _FAULTS and not reason.endswith(("-warning", "-report")):
            return f"the printer of CUPS queue {queue!r} {_FAULTS[base]} ({reason})"
    if attributes.get("printer-state") == STOPPED:
        why = ", ".join(r for r in reasons if r != "paused") or "stopped by hand or after an error"
        return f"CUPS queue {queue!r} is stopped ({why}): fix the printer, then `cupsenable {queue}` and reprint"
    if attributes.get("printer-is-accepting-jobs") == "false":
        return f"CUPS queue {queue!r} is not accepting jobs: `cupsaccept {queue}` and reprint"
    return None


def _job_finished(queue: str, job_id: str) -> bool:
    completed = _run(["lpstat", "-W", "completed", "-o", queue]).stdout.decode("utf-8", "replace")
    return any(line.split()[:1] == [job_id] for line in completed.splitlines())


def _job_status(queue: str, job_id: str) -> tuple[str, str]:
    """(status line, alerts) of a job not yet completed, from `lpstat -l`; empty strings when not listed."""
    listing = _run(["lpstat", "-l", "-W", "not-completed", "-o", queue]).stdout.decode("utf-8", "replace")
    found, status, alerts = False, "", ""
    for line in listing.splitlines():
        if line and not line[0].isspace():
            if found:
                break
            found = line.split()[:1] == [job_id]
        elif found and line.strip().startswith("Status:"):
            status = line.split(":", 1)[1].strip()
        elif found and line.strip().startswith("Alerts:"):
            alerts = line.split(":", 1)[1].strip()
    return status, alerts


def _job_failure(queue: str, job_id: str) -> str | None:
    """One line when CUPS reports the job failed (a filter or backend error), else None."""
    status, alerts = _job_status(queue, job_id)
    if "job-completed-with-errors" in alerts or "failed" in status.lower():
        return f"CUPS queue {queue!r} could not print the receipt ({status or alerts})"
    return None


class CupsBackend:
    name = "cups"

    #: How long a job may take before the printer counts as faulty: a thermal printer prints at once,
    #: an office printer may first warm up (and CUPS's ipp backend waits for the printer's own job).
    WAIT_S = {"58mm": 15.0, "80mm": 15.0, "a4": 60.0}

    def __init__(self, queue: str, *, wait_s: float | None = None, poll_s: float = 0.1) -> None:
        self.queue = queue
        self.wait_s = wait_s
        self.poll_s = poll_s

    def check(self) -> PrinterState:
        try:
            self.check_ready()
        except PrinterError as e:
            return PrinterState(False, str(e))
        return PrinterState(True, f"CUPS queue {self.queue}: ready")

    def check_ready(self) -> None:
        """Raises `PrinterError` when the queue cannot print right now."""
        if not self.queue:
            raise PrinterError("no CUPS queue is set: set printer_cups_queue (see `lpstat -p`)")
        if shutil.which("lp") is None:
            raise PrinterError("CUPS is not installed on this terminal (no `lp` command)")
        fault = queue_fault(self.queue, queue_attributes(self.queue))
        if fault:
            raise PrinterError(fault)

    def _abandon(self, job_id: str, why: str) -> PrinterError:
        _run(["cancel", job_id])
        return PrinterError(f"{why}; job {job_id} was cancelled, reprint when the printer is ready")

    def print(self, receipt: Receipt, paper: str, logo: Path | None) -> PrintJob:
        self.check_ready()
        pdf = render_pdf(receipt, paper, logo)
        result = _run(["lp", "-d", self.queue, "-t", f"{receipt.title} {receipt.reference}",
                       *media_option(pdf, paper), "-"], stdin=pdf)
        found = _REQUEST_ID.search(result.stdout.decode("utf-8", "replace"))
        if result.returncode != 0 or not found:
            detail = _first_line(result.stderr) or _first_line(result.stdout) or f"exit code {result.returncode}"
            raise PrinterError(f"CUPS refused the receipt for queue {self.queue!r}: {detail.removeprefix('lp: ')}")
        job_id = found.group(1)
        wait_s = self.wait_s if self.wait_s is not None else self.WAIT_S.get(paper, 60.0)
        deadline = time.monotonic() + wait_s
        while True:
            if _job_finished(self.queue, job_id):
                return PrintJob(f"printed on CUPS queue {self.queue} (job {job_id})", receipt.reference,
                                self.name, job_id=job_id)
            fault = queue_fault(self.queue, queue_attributes(self.queue)) or _job_failure(self.queue, job_id)
            if fault:
                raise self._abandon(job_id, fault)
            if time.monotonic() >= deadline:
                status = _job_status(self.queue, job_id)[0] or "no word from the printer"
                raise self._abandon(job_id, f"the printer of CUPS queue {self.queue!r} did not print the receipt "
                                            f"within {wait_s:.0f} s ({status.rstrip('.')})")
            time.sleep(self.poll_s)
