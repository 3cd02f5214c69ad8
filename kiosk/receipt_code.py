"""The receipt's QR payload format: a compact, versioned text signed with the terminal's Ed25519 key.

    LK1:K7Q2-2611-0042-X:SKD:20261124091205:<signature>

`LK1` is the format and version, then the reference (which begins with the terminal code), the
service code, the filing time (UTC, to the second) and the base32 Ed25519 signature of everything
before the last colon. When the terminal knows its central's URL the QR holds the payload inside
the URL of central's public verification page, `https://central.example/v/LK1:...`; every check
here accepts either form. Pure: the terminal prints and checks receipts with it, central verifies them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.crypto import CryptoFailure, verify
from kiosk.errors import BadReference, BadSignature, MalformedPayload, UnknownTerminal
from kiosk.reference import ALPHABET, parse_reference

PAYLOAD_VERSION = "LK1"
SIGNATURE_CHARS = 103  # 64 bytes in base32 without padding
_TIME_FORMAT = "%Y%m%d%H%M%S"
_REFERENCE = re.compile(f"[{ALPHABET}]{{4}}-[0-9]{{4}}-[0-9]{{4,}}-[{ALPHABET}]")
_SERVICE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,19}")
_TIME = re.compile(r"[0-9]{14}")
_BASE32 = re.compile(f"[A-Z2-7]{{{SIGNATURE_CHARS}}}")


#: the path of central's public verification page; a receipt's payload or a letter's code follows it
VERIFY_PATH = "/v/"
_URL_PREFIX = re.compile(r"https?://[^/\s]+(/[^\s]*)?" + re.escape(VERIFY_PATH) + r"(?=" + PAYLOAD_VERSION + ":)")


def verification_url(server_url: str, payload: str) -> str:
    """The URL of central's public verification page for `payload` (what the QR holds when central is known)."""
    return f"{server_url.rstrip('/')}{VERIFY_PATH}{payload}"


def payload_of(text: str) -> str:
    """The payload in a QR text: the text itself, or what follows `/v/` in a verification URL."""
    text = text.strip()
    match = _URL_PREFIX.match(text)
    return text[match.end():] if match else text


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a genuine receipt proves: this terminal filed this application at this time."""

    reference: str
    terminal_code: str
    service_code: str
    filed_at: dt.datetime


def signed_text(reference: str, service_code: str, filed_at: dt.datetime) -> str:
    """The part of the payload the signature covers."""
    return f"{PAYLOAD_VERSION}:{reference}:{service_code}:{filed_at.astimezone(dt.UTC):{_TIME_FORMAT}}"


def parse_qr_payload(payload: str) -> tuple[VerifiedReceipt, str, bytes]:
    """Splits a payload into its claims, the signed text and the signature, without checking the signature.

    Raises `MalformedPayload` naming the first thing that is wrong.
    """
    payload = payload_of(payload)
    parts = payload.split(":")
    if not payload.startswith(PAYLOAD_VERSION + ":"):
        head = parts[0][:12] if parts[0] else "(empty)"
        raise MalformedPayload(f"malformed: not a Loket receipt code (it starts with {head!r}, expected "
                               f"{PAYLOAD_VERSION!r})")
    if len(parts) != 5:
        raise MalformedPayload(f"malformed: a receipt code has 5 parts separated by ':', this one has {len(parts)}")
    _, reference, service, stamp, signature_text = parts
    if not _REFERENCE.fullmatch(reference):
        raise MalformedPayload(f"malformed: {reference!r} is not an application number")
    try:
        parse_reference(reference)
    except BadReference:
        raise MalformedPayload(f"malformed: the check character of {reference!r} is wrong") from None
    if not _SERVICE.fullmatch(service):
        raise MalformedPayload(f"malformed: {service!r} is not a service code")
    try:
        if not _TIME.fullmatch(stamp):
            raise ValueError
        filed_at = dt.datetime.strptime(stamp, _TIME_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        raise MalformedPayload(f"malformed: {stamp!r} is not a filing time (YYYYMMDDhhmmss, UTC)") from None
    if not _BASE32.fullmatch(signature_text):
        raise MalformedPayload(f"malformed: the signature must be {SIGNATURE_CHARS} base32 characters")
    try:
        signature = base64.b32decode(signature_text + "=" * (-len(signature_text) % 8))
    except binascii.Error:
        raise MalformedPayload("malformed: the signature is not valid base32") from None
    # 103 base32 characters carry 515 bits for 512: the spare bits must be zero, or one signature
    # would have several spellings and an altered receipt could still verify.
    if base64.b32encode(signature).decode("ascii").rstrip("=") != signature_text:
        raise MalformedPayload("malformed: the signature's last character is not a valid ending")
    claims = VerifiedReceipt(reference, reference[:4], service, filed_at)
    return claims, payload[: payload.rindex(":")], signature


def verify_qr_payload(payload: str, known_keys: Mapping[str, str]) -> VerifiedReceipt:
    """The receipt's claims, once the signature checks against its terminal's public key.

    `known_keys` maps terminal code to base64 Ed25519 public key. Raises `MalformedPayload`,
    `UnknownTerminal` or `BadSignature`, each with a message saying exactly what is wrong.
    """
    claims, text, signature = parse_qr_payload(payload)
    key = known_keys.get(claims.terminal_code)
    if not key:
        raise UnknownTerminal(
            f"unknown terminal: no public key for terminal {claims.terminal_code} here "
            f"({len(known_keys)} known); get the key list from central and pass it with --keys"
        )
    try:
        verify(key, text.encode("ascii"), signature)
    except CryptoFailure:
        raise BadSignature(
            f"bad signature: receipt {claims.reference} was not signed by terminal {claims.terminal_code}'s key "
            "(altered or forged)"
        ) from None
    return claims
