"""The terminal public keys a receipt check trusts: this terminal's own, plus lists from central.

A key list is a JSON object `{"K7Q2": "<base64 Ed25519 public key>", ...}` — the shape central
exports. Bad entries are refused with the terminal code named, never silently skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.crypto import CryptoFailure, b64decode
from kiosk.errors import LoketError
from kiosk.reference import normalize_terminal_code
from kiosk.store import TerminalIdentity


class KeyListError(LoketError):
    """A terminal key list cannot be used; the message names the file or the entry."""


def parse_key_list(document: Any, *, source: str = "key list") -> dict[str, str]:
    """Checks a decoded key list and returns it with normalised terminal codes."""
    if not isinstance(document, Mapping):
        raise KeyListError(f"{source}: expected a JSON object {{terminal_code: public_key_base64}}")
    keys: dict[str, str] = {}
    for code, key in document.items():
        try:
            normal = normalize_terminal_code(str(code))
        except ValueError as e:
            raise KeyListError(f"{source}: {code!r} is not a terminal code ({e})") from None
        if not isinstance(key, str):
            raise KeyListError(f"{source}: the key of terminal {normal} must be a base64 string")
        try:
            b64decode(key, what=f"public key of terminal {normal}", length=32)
        except CryptoFailure as e:
            raise KeyListError(f"{source}: {e}") from None
        keys[normal] = key.strip()
    return keys


def load_key_list(path: Path) -> dict[str, str]:
    """Reads a key list file; raises `KeyListError` saying what is wrong with it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyListError(f"key list {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise KeyListError(f"key list {path} cannot be read: {e}") from None
    return parse_key_list(document, source=str(path))


def known_keys(identity: TerminalIdentity | None, *lists: Mapping[str, str]) -> dict[str, str]:
    """The keys to trust: the given lists merged, and this terminal's own key, which always wins."""
    keys: dict[str, str] = {}
    for extra in lists:
        keys.update(extra)
    if identity is not None:
        keys[identity.terminal_code] = identity.verify_key
    return keys
