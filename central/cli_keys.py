"""`loket-central keys ...`: the key-encryption key that wraps the offices' private keys.

    loket-central keys status                    where the KEK comes from and what it opens
    loket-central keys rewrap --new-key-file F   wrap every office key under a new KEK (rotation)
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from central.db import Database
from central.keyring import KeysUnavailable, new_key_file, read_key_file, wrapped_parts
from central.models import OfficeKey
from central.settings import ENV_KEK, ENV_KEY_FILE, database_url


def _open(args: argparse.Namespace) -> Database:
    return Database(database_url(args.db or args.global_db))


def cmd_keys_status(args: argparse.Namespace) -> int:
    db = _open(args)
    problem = db.keyring.problem()
    with db.transaction() as session:
        wrapped = Counter(wrapped_parts(w)[1] if w else "none" for w in
                          session.scalars(select(OfficeKey.wrapped_private_key)))
    print(f"key-encryption key: {db.keyring.source}")
    if problem:
        print(f"personal data cannot be opened: {problem}")
    else:
        print(f"key id {db.keyring.kek().id}: opens {wrapped.pop(db.keyring.kek().id, 0)} office key(s)")
    for kek_id, count in sorted(wrapped.items()):
        print(f"{count} office key(s) wrapped under another key-encryption key: {kek_id}")
    return 1 if problem or wrapped else 0


def cmd_keys_rewrap(args: argparse.Namespace) -> int:
    db = _open(args)
    old = db.keyring.kek()
    target: Path = args.new_key_file.expanduser().resolve()
    new = read_key_file(target) if target.exists() else new_key_file(target)
    if new.id == old.id:
        raise KeysUnavailable(f"{target} holds the key-encryption key in use already: name a new file")
    with db.transaction() as session:
        keys = list(session.scalars(select(OfficeKey)))
        for key in keys:
            key.wrapped_private_key = new.wrap(old.unwrap(key.wrapped_private_key or "", key.public_key),
                                               key.public_key)
    print(f"{len(keys)} office key(s) now wrapped under {target} (key id {new.id}). Set {ENV_KEY_FILE}={target} "
          f"(or {ENV_KEK}) for central and every worker, restart it, then destroy the old key "
          f"{db.keyring.source} and any copy of it.")
    return 0


def register(commands: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    """Adds the `keys` group to `loket-central`; `db` is the parent parser carrying `--db`."""
    parser = commands.add_parser("keys", help="the key-encryption key that wraps the offices' private keys")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser), required=True)
    sub = actions.add_parser("status", parents=[db], help="where the key comes from and what it opens")
    sub.set_defaults(func=cmd_keys_status)
    sub = actions.add_parser("rewrap", parents=[db], help="wrap every office key under a new key-encryption key")
    sub.add_argument("--new-key-file", type=Path, required=True, help="created (mode 0600) if it does not exist")
    sub.set_defaults(func=cmd_keys_rewrap)
