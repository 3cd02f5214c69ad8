"""The key-encryption key (KEK) that wraps the offices' private keys at rest.

An office's X25519 private key is stored only wrapped (XChaCha20-Poly1305, bound to the row's
public key) under a 32-byte KEK kept outside the database: a key file (mode 0600) that central's
settings name, created on first use, or `$LOKET_CENTRAL_KEK` for container secrets. A dump or
backup of the database alone therefore opens nothing. Without the KEK central still serves its
terminals (enrollment, uploads, pulls); only opening personal data is refused, with `KeysUnavailable`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
)
from nacl.exceptions import CryptoError
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import CentralError
from central.models import OfficeKey
from central.settings import ENV_KEK, ENV_KEY_FILE, key_file, key_from_environment
from kiosk.crypto import CryptoFailure, b64decode, b64encode

WRAP_FORMAT = "kek1"
KEK_BYTES = 32
_NONCE_BYTES = 24


class KeysUnavailable(CentralError):
    """Central cannot open personal data: its key-encryption key is missing, wrong or unreadable."""


def _aad(public_key: str) -> bytes:
    # a wrapped key only opens for the row it was made for: swapping blobs between rows fails
    return f"loket-office-key\n{public_key}".encode("ascii")


@dataclass(frozen=True)
class KeyEncryptionKey:
    """32 secret bytes; `id` names it in every key it wraps (so a wrong KEK is told apart from damage)."""

    secret: bytes = field(repr=False)

    @property
    def id(self) -> str:
        return hashlib.sha256(b"loket-kek-id\n" + self.secret).hexdigest()[:16]

    def wrap(self, private_key: str, public_key: str) -> str:
        """`kek1:<kek id>:<base64 nonce+ciphertext>` of a base64 private key."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = crypto_aead_xchacha20poly1305_ietf_encrypt(
            b64decode(private_key, what="office private key", length=32), _aad(public_key), nonce, self.secret)
        return f"{WRAP_FORMAT}:{self.id}:{b64encode(nonce + sealed)}"

    def unwrap(self, wrapped: str, public_key: str) -> str:
        """The base64 private key inside `wrapped`; raises `KeysUnavailable` when this KEK cannot open it."""
        kind, kek_id, blob = wrapped_parts(wrapped)
        if kek_id != self.id:
            raise KeysUnavailable(f"an office key is wrapped under key-encryption key {kek_id}, but central has "
                                  f"{self.id}: point {ENV_KEY_FILE} at the right key file")
        try:
            raw = b64decode(blob, what="wrapped office key")
            plain = crypto_aead_xchacha20poly1305_ietf_decrypt(raw[_NONCE_BYTES:], _aad(public_key),
                                                               raw[:_NONCE_BYTES], self.secret)
        except (CryptoFailure, CryptoError, ValueError):
            raise KeysUnavailable("a wrapped office key does not open: the database row was altered") from None
        return b64encode(plain)


def wrapped_parts(wrapped: str) -> tuple[str, str, str]:
    parts = (wrapped or "").split(":")
    if len(parts) != 3 or parts[0] != WRAP_FORMAT:
        raise KeysUnavailable("an office key is not in the wrapped form central expects")
    return parts[0], parts[1], parts[2]


def new_key_file(path: Path) -> KeyEncryptionKey:
    """Creates a key file with a fresh KEK (mode 0600, never overwriting one that exists)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    kek = KeyEncryptionKey(secrets.token_bytes(KEK_BYTES))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key_file(path)
    except OSError as e:
        raise KeysUnavailable(f"cannot create the key file {path}: {e.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(b64encode(kek.secret) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return kek


def _decode(text: str, where: str) -> KeyEncryptionKey:
    try:
        return KeyEncryptionKey(b64decode(text, what=where, length=KEK_BYTES))
    except CryptoFailure as e:
        raise KeysUnavailable(f"{e}: it must be base64 of {KEK_BYTES} random bytes") from None


def read_key_file(path: Path) -> KeyEncryptionKey:
    """The KEK in `path`; refuses a file other users could read."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeysUnavailable(f"the key file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise KeysUnavailable(f"cannot read the key file {path}: {getattr(e, 'strerror', None) or e}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeysUnavailable(f"the key file {path} is readable by other users: chmod 600 {path}")
    return _decode(text, f"the key file {path}")


@dataclass
class Keyring:
    """Where central's KEK comes from, and the KEK once it was found (a missing one is looked for again)."""

    path: Path
    from_environment: str | None = field(default=None, repr=False)
    _kek: KeyEncryptionKey | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, key_file_path: str | Path | None = None) -> Keyring:
        return cls(key_file(key_file_path), key_from_environment())

    @property
    def source(self) -> str:
        return f"${ENV_KEK}" if self.from_environment else str(self.path)

    def kek(self, *, create: bool = False) -> KeyEncryptionKey:
        """The KEK; with `create`, a missing key file is made (first use). Raises `KeysUnavailable`."""
        if self._kek is None:
            if self.from_environment:
                self._kek = _decode(self.from_environment, f"${ENV_KEK}")
            elif create and not self.path.exists():
                self._kek = new_key_file(self.path)
            else:
                try:
                    self._kek = read_key_file(self.path)
                except KeysUnavailable as e:
                    raise KeysUnavailable(f"central cannot open personal data: {e} (set {ENV_KEY_FILE} "
                                          f"or {ENV_KEK})") from None
        return self._kek

    def problem(self) -> str | None:
        """Why personal data cannot be opened now, or None when it can."""
        try:
            self.kek()
        except KeysUnavailable as e:
            return str(e)
        return None


def keyring_of(session: Session) -> Keyring:
    """The keyring of the `Database` the session came from."""
    keyring = session.info.get("keyring")
    if keyring is None:
        raise KeysUnavailable("this database session has no keyring")
    return keyring


def _first_use(session: Session) -> bool:
    """No office key is wrapped yet, so a new key file cannot strand any of them."""
    return session.scalar(select(OfficeKey.id).where(OfficeKey.wrapped_private_key.is_not(None)).limit(1)) is None


def wrap_private_key(session: Session, private_key: str, public_key: str) -> str:
    """A new office key, wrapped for storing; creates the key file on first use."""
    return keyring_of(session).kek(create=_first_use(session)).wrap(private_key, public_key)


def office_private_key(session: Session, key: OfficeKey) -> str:
    """The office key's private half, unwrapped; raises `KeysUnavailable` when central cannot."""
    return keyring_of(session).kek().unwrap(key.wrapped_private_key or "", key.public_key)
