"""The cryptography Loket needs, on libsodium (PyNaCl): sealing personal data, signing messages.

- Personal data is sealed to the office's X25519 public key (a libsodium sealed box): anyone can
  seal, only the holder of the office's private key (central) can open.
- Each terminal holds an Ed25519 signing key; it signs receipts' QR payloads and its requests.
Keys travel as base64 of their raw 32 bytes. This module is pure and shared with central/.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import BadSignatureError, CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

from kiosk.errors import LoketError


class CryptoFailure(LoketError):
    """A key is malformed, a signature does not verify, or a sealed box does not open."""


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, *, what: str = "value", length: int | None = None) -> bytes:
    """Decodes standard or URL-safe base64, checking the length when given."""
    try:
        cleaned = text.strip().replace("-", "+").replace("_", "/")
        raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise CryptoFailure(f"{what} is not valid base64") from None
    if length is not None and len(raw) != length:
        raise CryptoFailure(f"{what} must be {length} bytes, got {len(raw)}")
    return raw


@dataclass(frozen=True)
class OfficeKeypair:
    """An office's X25519 keypair, as base64 strings."""

    public_key: str
    private_key: str


def new_office_keypair() -> OfficeKeypair:
    key = PrivateKey.generate()
    return OfficeKeypair(b64encode(bytes(key.public_key)), b64encode(bytes(key)))


def office_public_key(text: str) -> bytes:
    """Validates a base64 X25519 public key and returns its 32 raw bytes."""
    return b64decode(text, what="office key", length=32)


def seal_for_office(office_key_b64: str, personal_data: dict[str, Any]) -> bytes:
    """Seals a JSON-able dict so that only the office's private key can open it."""
    plaintext = json.dumps(personal_data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return SealedBox(PublicKey(office_public_key(office_key_b64))).encrypt(plaintext)


@functools.lru_cache(maxsize=64)
def _opening_box(office_private_key_b64: str) -> SealedBox:
    # PrivateKey() derives the public key (a scalar multiplication): a third of each opening when
    # central checks a batch of 200, so one box is kept per key (central holds these keys anyway)
    return SealedBox(PrivateKey(b64decode(office_private_key_b64, what="office private key", length=32)))


def open_sealed(office_private_key_b64: str, sealed: bytes) -> dict[str, Any]:
    """Opens what `seal_for_office` sealed (central only)."""
    box = _opening_box(office_private_key_b64)
    try:
        return json.loads(box.decrypt(sealed).decode("utf-8"))
    except CryptoError:
        raise CryptoFailure("the sealed data does not open with this office key") from None


@dataclass(frozen=True)
class TerminalKeys:
    """A terminal's Ed25519 keypair, as base64 strings."""

    signing_key: str
    verify_key: str


def new_terminal_keys() -> TerminalKeys:
    key = SigningKey.generate()
    return TerminalKeys(b64encode(bytes(key)), b64encode(bytes(key.verify_key)))


def sign(signing_key_b64: str, message: bytes) -> bytes:
    """The 64-byte Ed25519 signature of `message`."""
    key = SigningKey(b64decode(signing_key_b64, what="signing key", length=32))
    return key.sign(message).signature


def verify(verify_key_b64: str, message: bytes, signature: bytes) -> None:
    """Raises `CryptoFailure` unless `signature` is the key's signature of `message`."""
    key = VerifyKey(b64decode(verify_key_b64, what="terminal public key", length=32))
    try:
        key.verify(message, signature)
    except (BadSignatureError, ValueError):
        raise CryptoFailure("bad signature") from None
