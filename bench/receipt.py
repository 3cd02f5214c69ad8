"""Benchmark: how long a receipt takes to render, and from the citizen's tap to the printer.

    python -m bench.receipt [--samples N]

Render: `build_receipt` (signs the QR payload) + `render_pdf` for 58 mm, 80 mm and A4, the
reportlab canvas and the QR matrix included. Submit→printer: `file_application` (validation,
sealing, durable submit with synchronous=FULL) then `print_receipt` with the PDF-folder backend, the
file written, as a kiosk does after "Kirim". Also times the ESC/POS bytes (python-escpos Dummy) and
the QR matrix alone. Targets (issue 5): thermal render p95 <= 20 ms; submit→printer p95 <= 100 ms.
Prints a table, then one line of JSON.
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

from bench.repeat import percentile
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-receipt-", dir=os.environ.get("BENCH_TMP")) as tmp:
        terminal = Terminal(Path(tmp) / "home")
        terminal.provision_offline(terminal_code="K7Q2", office_code="3273010001", office_name="Kelurahan Braga",
                                   office_key=new_office_keypair().public_key)
        service = terminal.catalog.service(SERVICE)
        answers = sample_answers(service)
        app = file_application(terminal.store, terminal.catalog, SERVICE, answers)
        identity = terminal.identity

        render = {paper: timed(lambda p=paper: render_pdf(build_receipt(identity, service, app, "id"), p,
                                                           DEFAULT_LOGO), args.samples) for paper in PAPERS}
        pdf_bytes = {paper: len(render_pdf(build_receipt(identity, service, app, "id"), paper)) for paper in PAPERS}
        receipt = build_receipt(identity, service, app, "id")
        qr = timed(lambda: qr_matrix(receipt.qr_payload), args.samples)
        escpos = timed(lambda: write_receipt(Dummy(), receipt, "80mm", DEFAULT_LOGO), args.samples)

        terminal.update_settings(printer_backend="pdf", printer_paper="80mm")

        def submit_and_print() -> None:
            filed = file_application(terminal.store, terminal.catalog, SERVICE, answers)
            print_receipt(terminal, filed, "id")

        to_printer = timed(submit_and_print, args.samples)
        receipts_written = len(list(terminal.paths.receipts.glob("*.pdf")))
        terminal.close()

    thermal_p95 = max(render["58mm"]["p95_ms"], render["80mm"]["p95_ms"])
    print(f"receipt benchmark: {args.samples} samples each after {WARMUP} warm-up, service {SERVICE}, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'what':<34}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for paper in PAPERS:
        r = render[paper]
        print(f"{'render ' + paper + f' ({pdf_bytes[paper]} B PDF)':<34}{r['p50_ms']:>10.2f}{r['p95_ms']:>10.2f}"
              f"{r['max_ms']:>10.2f}")
    for name, r in (("  of which QR matrix", qr), ("ESC/POS bytes 80mm (Dummy)", escpos),
                    ("submit -> PDF folder backend", to_printer)):
        print(f"{name:<34}{r['p50_ms']:>10.2f}{r['p95_ms']:>10.2f}{r['max_ms']:>10.2f}")
    print(f"thermal render p95 {thermal_p95:.2f} ms (target <= 20: {'ok' if thermal_p95 <= 20 else 'OVER'}); "
          f"submit->printer p95 {to_printer['p95_ms']:.2f} ms (target <= 100: "
          f"{'ok' if to_printer['p95_ms'] <= 100 else 'OVER'}); {receipts_written} receipts written")
    print(json.dumps({
        "thermal_render_p95_ms": thermal_p95,
        "submit_to_printer_p95_ms": to_printer["p95_ms"],
        "submit_to_printer_p50_ms": to_printer["p50_ms"],
        "render": render,
        "pdf_bytes": pdf_bytes,
        "qr_matrix": qr,
        "escpos_80mm": escpos,
        "samples": args.samples,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }))


if __name__ == "__main__":
    main()
