"""`loket-central release upload|rollout|list`: signed release bundles and who is offered them."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from central.db import Database
from central.releases import list_releases, set_rollout, upload_release
from central.settings import ENV_RELEASE_KEYS, release_keys_file
from kiosk.release.manifest import read_trusted_keys

Open = Callable[[argparse.Namespace], Database]


def _rollout_words(share: int, offices: str) -> str:
    return f"offered to {share}% of terminals in " + (offices.replace(",", ", ") if offices else "every office")


def add_release_commands(command, group, open_db: Open) -> None:  # type: ignore[no-untyped-def]
    def upload(args: argparse.Namespace) -> int:
        keys = read_trusted_keys(release_keys_file(args.keys))
        with open_db(args).transaction() as session:
            release = upload_release(session, args.file, keys, share=args.share, offices=args.office)
            print(f"release {release.version} stored ({release.size / 2**20:.1f} MiB, signature and every hash "
                  f"checked); {_rollout_words(release.share, release.offices)}")
        return 0

    def rollout(args: argparse.Namespace) -> int:
        with open_db(args).transaction() as session:
            release = set_rollout(session, args.version, share=args.share, offices=args.office)
            print(f"release {release.version}: {_rollout_words(release.share, release.offices)}")
        return 0

    def listing(args: argparse.Namespace) -> int:
        with open_db(args).transaction() as session:
            releases = list_releases(session)
            for r in releases:
                print(f"{r.version:<12} {r.size / 2**20:7.1f} MiB  {r.uploaded_at:%Y-%m-%d %H:%M}  "
                      f"{_rollout_words(r.share, r.offices)}")
            print(f"{len(releases)} release(s)")
        return 0

    releases = group("release", "signed release bundles for the terminals (docs/updates.md)")
    up = command(releases, "upload", upload, "check a bundle's signature and hashes, then store it")
    up.add_argument("file", type=Path)
    up.add_argument("--keys", type=Path, help=f"trusted release public keys, one a line (default ${ENV_RELEASE_KEYS})")
    out = command(releases, "rollout", rollout, "choose who is offered a stored release")
    out.add_argument("version")
    for sub in (up, out):
        sub.add_argument("--share", type=int, default=0, help="percent of terminals offered it (0: none yet)")
        sub.add_argument("--office", action="append", default=[], help="only this office (repeat); default all")
    command(releases, "list", listing, "stored releases and their rollout")
