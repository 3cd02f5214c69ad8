"""Benchmark: how long a receipt takes to render, and from the citizen's tap to the printer.

    python -m bench.receipt [--samples N] [--rounds 3]

Render: `build_receipt` (signs the QR payload) + `render_pdf` for 58 mm, 80 mm and A4, the
reportlab canvas and the QR matrix included. Submit→printer: `file_application` (validation,
sealing, durable submit with synchronous=FULL) then `print_receipt` with the PDF-folder backend, the
file written, as a kiosk does after "Kirim"; its floor, in the same round, is `file_application`
alone, so the ratio is what printing adds to filing. Also times the ESC/POS bytes (python-escpos
Dummy) and the QR matrix alone. Each figure is measured `--rounds` times in one invocation and
reported as median (min–max). Targets (issue 5): thermal render p95 <= 20 ms; submit→printer p95
<= 100 ms. Prints a table, then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from escpos.printer import Dummy

from bench.repeat import ROUNDS, figure, percentile, rounds, text
from kiosk.applications import file_application
from kiosk.crypto import new_office_keypair
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from printing import print_receipt
from printing.content import build_receipt
from printing.escpos_layout import write_receipt
from printing.layouts import DEFAULT_LOGO, render_pdf
from printing.qr import qr_matrix

PAPERS = ("58mm", "80mm", "a4")
WARMUP = 20
SERVICE = "SKU"  # four documents, a long-ish receipt


def timed(work: Callable[[], object], samples: int) -> dict[str, float]:
    for _ in range(WARMUP):
        work()
    ms = []
    for _ in range(samples):
        start = time.perf_counter()
        work()
        ms.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(statistics.median(ms), 3), "p95_ms": round(percentile(ms, 95), 3),
            "max_ms": round(max(ms), 3)}


def measure(terminal: Terminal, samples: int) -> dict[str, object]:
    """One round of every timing."""
    service = terminal.catalog.service(SERVICE)
    answers = sample_answers(service)
    app = file_application(terminal.store, terminal.catalog, SERVICE, answers)
    identity = terminal.identity
    render = {paper: timed(lambda p=paper: render_pdf(build_receipt(identity, service, app, "id"), p,
                                                       DEFAULT_LOGO), samples) for paper in PAPERS}
    receipt = build_receipt(identity, service, app, "id")

    def submit_and_print() -> None:
        filed = file_application(terminal.store, terminal.catalog, SERVICE, answers)
        print_receipt(terminal, filed, "id")

    to_printer = timed(submit_and_print, samples)
    submit_only = timed(lambda: file_application(terminal.store, terminal.catalog, SERVICE, answers), samples)
    return {"render": render, "thermal_render_p95_ms": max(render["58mm"]["p95_ms"], render["80mm"]["p95_ms"]),
            "qr_matrix": timed(lambda: qr_matrix(receipt.qr_payload), samples),
            "escpos_80mm": timed(lambda: write_receipt(Dummy(), receipt, "80mm", DEFAULT_LOGO), samples),
            "submit_to_printer": to_printer, "submit_only": submit_only,
            "submit_to_printer_over_submit": round(to_printer["p95_ms"] / submit_only["p95_ms"], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-receipt-", dir=os.environ.get("BENCH_TMP")) as tmp:
        terminal = Terminal(Path(tmp) / "home")
        terminal.provision_offline(terminal_code="K7Q2", office_code="3273010001", office_name="Kelurahan Braga",
                                   office_key=new_office_keypair().public_key)
        terminal.update_settings(printer_backend="pdf", printer_paper="80mm")
        service = terminal.catalog.service(SERVICE)
        app = file_application(terminal.store, terminal.catalog, SERVICE, sample_answers(service))
        pdf_bytes = {paper: len(render_pdf(build_receipt(terminal.identity, service, app, "id"), paper))
                     for paper in PAPERS}
        per_round = rounds(lambda _n: measure(terminal, args.samples), args.rounds)
        receipts_written = len(list(terminal.paths.receipts.glob("*.pdf")))
        terminal.close()

    print(f"receipt benchmark: median (min-max) of {args.rounds} rounds of {args.samples} samples, each after "
          f"{WARMUP} warm-up, service {SERVICE}, load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'what':<34}{'p50 ms':>26}{'p95 ms':>26}")
    rows = [(f"render {paper} ({pdf_bytes[paper]} B PDF)", f"render.{paper}") for paper in PAPERS]
    rows += [("  of which QR matrix", "qr_matrix"), ("ESC/POS bytes 80mm (Dummy)", "escpos_80mm"),
             ("submit -> PDF folder backend", "submit_to_printer"), ("submit alone (the floor)", "submit_only")]
    for name, key in rows:
        print(f"{name:<34}{text(figure(per_round, key + '.p50_ms')):>26}{text(figure(per_round, key + '.p95_ms')):>26}")
    thermal = figure(per_round, "thermal_render_p95_ms")
    to_printer = figure(per_round, "submit_to_printer.p95_ms")
    ratio = figure(per_round, "submit_to_printer_over_submit", 2)
    print(f"thermal render p95 {text(thermal, ' ms')} (target <= 20); submit->printer p95 {text(to_printer, ' ms')} "
          f"(target <= 100), {text(ratio)} x the submit alone; {receipts_written} receipts written")
    print(json.dumps({
        "thermal_render_p95_ms": thermal["median"],
        "submit_to_printer_p95_ms": to_printer["median"],
        "submit_to_printer_p50_ms": figure(per_round, "submit_to_printer.p50_ms")["median"],
        "submit_to_printer_over_submit": ratio["median"],
        "spread": {"thermal_render_p95_ms": thermal, "submit_to_printer_p95_ms": to_printer,
                   "submit_to_printer_over_submit": ratio},
        "pdf_bytes": pdf_bytes, "samples": args.samples, "rounds": args.rounds,
        "load_average_1min": round(os.getloadavg()[0], 2), "per_round": per_round,
    }))


if __name__ == "__main__":
    main()
