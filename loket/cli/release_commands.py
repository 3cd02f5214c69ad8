"""`loket release keygen|build|verify`: make and check signed release bundles (on a build machine)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kiosk.release.bundle import read_header, verify_wheels
from kiosk.release.manifest import BundleRefused, key_fingerprint, load_release_key, new_release_key, read_trusted_keys
from loket.updates.build import build_release

THIS_TREE = Path(__file__).resolve().parents[2]


def register(commands: argparse._SubParsersAction) -> None:
    release = commands.add_parser("release", help="make and check signed release bundles")
    sub = release.add_subparsers(dest="release_command", metavar="ACTION", parser_class=type(release), required=True)
    keygen = sub.add_parser("keygen", help="make a release signing key (keep it offline)")
    keygen.add_argument("--out", type=Path, required=True, help="the private key file to write (mode 0600)")
    keygen.set_defaults(func=keygen_command)
    build = sub.add_parser("build", help="build and sign a bundle: loket + every wheel it needs")
    build.add_argument("--key", type=Path, required=True, help="the release key file (`loket release keygen`)")
    build.add_argument("--out", type=Path, required=True, help="the folder to write the bundle into")
    build.add_argument("--source", type=Path, default=THIS_TREE, help="the source tree (default: this one)")
    build.add_argument("--fallback", help="the previous release a terminal may go back to with this queue")
    build.add_argument("--min-queue-schema", type=int, default=0, help="the oldest queue schema it opens")
    build.add_argument("--downgrade", action="store_true", help="a deliberate downgrade (installs over newer)")
    build.add_argument("--next-key", help="the public key (base64) that will sign the releases after this one")
    build.add_argument("--find-links", type=Path, action="append", default=[], help="extra folder of wheels")
    build.add_argument("--no-index", action="store_true", help="take wheels only from --find-links (no network)")
    build.set_defaults(func=build_command)
    verify = sub.add_parser("verify", help="check a bundle's signature and every hash, installing nothing")
    verify.add_argument("file", type=Path)
    verify.add_argument("--keys", type=Path, default=Path("/etc/loket/release-keys"),
                        help="the trusted public keys, one a line (default /etc/loket/release-keys)")
    verify.set_defaults(func=verify_command)


def keygen_command(args: argparse.Namespace) -> int:
    if args.out.exists():
        raise BundleRefused(f"{args.out} exists: a release key is never overwritten")
    key = new_release_key()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as f:
        f.write(key.to_json())
    print(f"release key written to {args.out} (keep it offline; fingerprint {key_fingerprint(key.public_key)})")
    print(f"public key (pin it on terminals in /etc/loket/release-keys): {key.public_key}")
    return 0


def build_command(args: argparse.Namespace) -> int:
    key = load_release_key(args.key)
    out = build_release(key, args.out, source=args.source, fallback_version=args.fallback,
                        min_queue_schema=args.min_queue_schema, downgrade=args.downgrade, next_key=args.next_key,
                        find_links=args.find_links, no_index=args.no_index)
    header = read_header(out, [key.public_key])
    print(f"{out}: release {header.manifest.version}, {len(header.manifest.files)} wheels, "
          f"{header.size / 2**20:.1f} MiB, signed by {key_fingerprint(key.public_key)}")
    return 0


def verify_command(args: argparse.Namespace) -> int:
    header = read_header(args.file, read_trusted_keys(args.keys))
    verify_wheels(header)
    m = header.manifest
    print(f"{args.file.name}: release {m.version} built {m.built_at:%Y-%m-%d %H:%M} UTC, {len(m.files)} wheels, "
          f"signature and every SHA-256 good (key {key_fingerprint(header.signed_by)})")
    return 0
