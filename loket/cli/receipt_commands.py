"""`loket reprint` and `loket receipt verify`: print a receipt again, and check a receipt's QR offline."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.errors import LoketError
from kiosk.receipt_keys import known_keys, load_key_list, parse_key_list
from kiosk.settings import LANGUAGES, PAPER_SIZES
from loket.cli.common import print_json, terminal_for


def register(commands: argparse._SubParsersAction) -> None:
    reprint = commands.add_parser("reprint", help="print an application's receipt again (or write it to a PDF)")
    reprint.add_argument("reference", help="the application number, e.g. K7Q2-2611-0042-X")
    reprint.add_argument("--to", type=Path, metavar="FILE.pdf", help="write the receipt to this file instead")
    reprint.add_argument("--language", choices=LANGUAGES, help="default: the terminal's language")
    reprint.add_argument("--paper", choices=PAPER_SIZES, help="with --to: the layout (default: the terminal's)")
    reprint.set_defaults(func=reprint_command)

    printer = commands.add_parser("printer", help="the receipt printer")
    printer_commands = printer.add_subparsers(dest="printer_command", metavar="SUBCOMMAND", required=True)
    test = printer_commands.add_parser("test", help="print a sample receipt marked as a test")
    test.add_argument("--language", choices=LANGUAGES, help="default: the terminal's language")
    test.set_defaults(func=printer_test_command)

    receipt = commands.add_parser("receipt", help="receipts and their QR codes")
    sub = receipt.add_subparsers(dest="receipt_command", metavar="SUBCOMMAND", required=True)
    verify = sub.add_parser("verify", help="check a receipt's QR code: its text, or a photo, scan or PDF of it")
    verify.add_argument("payload", metavar="PAYLOAD|IMAGE",
                        help="the QR text (LK1:... or https://central/v/LK1:...) or an image/PDF file")
    verify.add_argument("--keys", type=Path, metavar="FILE",
                        help="JSON {terminal_code: public_key_base64} of other terminals (exported by central)")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=verify_command)


# printing is imported by the commands that use it: it brings reportlab and python-escpos (about a
# second), which `loket status` and the other commands should not wait for


def reprint_command(args: argparse.Namespace) -> int:
    from printing import reprint_receipt

    terminal = terminal_for(args)
    job = reprint_receipt(terminal, args.reference, language=args.language, to=args.to, paper=args.paper)
    print(f"{job.reference}: {job.description}")
    return 0


def printer_test_command(args: argparse.Namespace) -> int:
    from printing import print_test_receipt

    terminal = terminal_for(args)
    job = print_test_receipt(terminal, args.language or terminal.settings.language)
    print(f"printer test: {job.description}")
    return 0


def _payloads(argument: str) -> list[str]:
    path = Path(argument)
    if argument.startswith(("LK", "http://", "https://")):  # a payload, or central's verification URL of one
        return [argument]
    if not path.exists():
        if "/" in argument or path.suffix.lower() in (".pdf", ".png", ".jpg", ".jpeg"):
            raise LoketError(f"{argument}: no such file")
        return [argument]
    from printing.scan import read_qr_codes

    codes = read_qr_codes(path)
    if not codes:
        raise LoketError(f"no QR code found in {path}: photograph the whole code, flat and in focus")
    return codes


def verify_command(args: argparse.Namespace) -> int:
    from printing import verify_qr_payload

    terminal = terminal_for(args)
    identity = terminal.identity
    lists = []
    stored = terminal.store.values.known_receipt_keys
    if stored:
        lists.append(parse_key_list(stored, source="key list from central"))
    if args.keys:
        lists.append(load_key_list(args.keys))
    keys = known_keys(identity, *lists)
    results = []
    for payload in _payloads(args.payload):
        receipt = verify_qr_payload(payload, keys)
        app = terminal.store.get(receipt.reference) if identity and receipt.terminal_code == identity.terminal_code \
            else None
        results.append({"reference": receipt.reference, "terminal": receipt.terminal_code,
                        "service": receipt.service_code, "filed_at": receipt.filed_at.isoformat(),
                        "status_here": app.status if app else None})
    if args.json:
        print_json(results if len(results) > 1 else results[0])
        return 0
    for r in results:
        where = f"; on this terminal: {r['status_here']}" if r["status_here"] else ""
        print(f"genuine: {r['reference']}, service {r['service']}, filed {r['filed_at'][:19].replace('T', ' ')} UTC "
              f"by terminal {r['terminal']}{where}")
    return 0
