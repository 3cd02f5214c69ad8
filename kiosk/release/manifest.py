"""A release bundle's manifest and the release keys that sign it (Ed25519, never an office key).

The manifest is JSON; its exact bytes are what the release key signs. Terminals pin the release
public keys they trust (`/etc/loket/release-keys`, one base64 key a line); a bundle signed by a
trusted key can name the next key (`next_key`), which the terminal trusts from then on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kiosk.crypto import b64decode, b64encode
from kiosk.errors import LoketError

MANIFEST_FORMAT = "loket-release/1"
KEY_FORMAT = "loket-release-key/1"
#: the manifest and signature come first in a bundle and are small: read before anything else
MAX_MANIFEST_BYTES = 256 * 1024
MAX_FILES = 400
WHEEL_NAME = re.compile(r"^wheels/[A-Za-z0-9][A-Za-z0-9._+-]{0,200}\.whl$")


class BundleRefused(LoketError):
    """A release bundle is not installed; the message is one line a technician can act on."""


class ReleaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)


class Manifest(BaseModel):
    """What a bundle holds and promises; signed as the exact bytes it was serialized to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = Field(pattern=r"^loket-release/1$")
    version: str = Field(max_length=64)
    #: the oldest queue schema (`PRAGMA user_version`) this release opens (it migrates anything newer)
    min_queue_schema: int = Field(ge=0)
    #: the queue schema this release leaves the queue at after its migrations
    queue_schema: int = Field(ge=0)
    #: the previous release a terminal can go back to with the queue this one leaves (additive schema)
    fallback_version: str | None = Field(default=None, max_length=64)
    #: a deliberate downgrade: installed even where the running version is newer
    downgrade: bool = False
    built_at: dt.datetime
    files: dict[str, ReleaseFile] = Field(max_length=MAX_FILES)
    #: SHA-256 and size of every byte of the bundle after its signature (the wheels' tar headers, contents,
    #: padding and the archive's end), so no byte of the file goes unchecked
    body_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    body_bytes: int = Field(ge=0)
    #: room the installed release takes (the wheels' contents unpacked), checked against free disk
    installed_bytes: int = Field(ge=0)
    #: the release key that signed this bundle (base64), and the one that will sign the next ones
    key: str = Field(min_length=40, max_length=64)
    next_key: str | None = Field(default=None, min_length=40, max_length=64)

    @field_validator("version", "fallback_version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        if value is not None:
            parse_version(value)
        return value

    @field_validator("files")
    @classmethod
    def _names(cls, files: dict[str, ReleaseFile]) -> dict[str, ReleaseFile]:
        for name in files:
            if not WHEEL_NAME.match(name) or ".." in name:
                raise ValueError(f"not a wheel name: {name[:80]!r}")
        if not any(n.startswith("wheels/loket-") for n in files):
            raise ValueError("the bundle holds no loket wheel")
        return files

    @property
    def payload_bytes(self) -> int:
        return sum(f.bytes for f in self.files.values())

    def to_bytes(self) -> bytes:
        return json.dumps(self.model_dump(mode="json"), indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Manifest:
        try:
            return cls.model_validate_json(raw)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BundleRefused(f"the bundle's manifest is not valid ({where}: {first['msg']})") from None


def parse_version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise BundleRefused(f"not a release version: {text[:64]!r}") from None


def is_newer(candidate: str, running: str) -> bool:
    return parse_version(candidate) > parse_version(running)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# -- release keys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseKey:
    """A release signing key (kept offline by whoever builds releases) and its public half."""

    private_key: str
    public_key: str

    def sign(self, manifest_bytes: bytes) -> bytes:
        return SigningKey(b64decode(self.private_key, what="release key", length=32)).sign(manifest_bytes).signature

    def to_json(self) -> str:
        return json.dumps({"format": KEY_FORMAT, "private_key": self.private_key, "public_key": self.public_key},
                          indent=1) + "\n"


def new_release_key() -> ReleaseKey:
    key = SigningKey.generate()
    return ReleaseKey(b64encode(bytes(key)), b64encode(bytes(key.verify_key)))


def load_release_key(path: Path) -> ReleaseKey:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != KEY_FORMAT:
            raise ValueError(f"not a {KEY_FORMAT} file")
        key = ReleaseKey(data["private_key"], data["public_key"])
        derived = b64encode(bytes(SigningKey(b64decode(key.private_key, what="release key", length=32)).verify_key))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise BundleRefused(f"{path}: not a release key file ({e})") from None
    if derived != key.public_key:
        raise BundleRefused(f"{path}: the public key does not belong to the private key")
    return key


def read_trusted_keys(path: Path) -> list[str]:
    """The pinned release public keys (base64, one a line, `#` comments); none when the file is missing."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    keys = [line.split("#", 1)[0].strip() for line in lines]
    return [k for k in keys if k and b64decode(k, what="release public key", length=32)]


def key_fingerprint(public_key: str) -> str:
    return hashlib.sha256(b64decode(public_key, what="release public key", length=32)).hexdigest()[:16]


def check_signature(manifest_bytes: bytes, signature: bytes, trusted: list[str]) -> str:
    """The trusted key that signed `manifest_bytes`, or raises `BundleRefused`."""
    if not trusted:
        raise BundleRefused("no release key is pinned on this terminal (/etc/loket/release-keys): "
                            "install one with the installer before updating")
    for key in trusted:
        try:
            VerifyKey(b64decode(key, what="release public key", length=32)).verify(manifest_bytes, signature)
            return key
        except (BadSignatureError, ValueError):
            continue
    raise BundleRefused("the bundle is not signed by a release key this terminal trusts "
                        "(signed by another key, or its manifest was changed)")
