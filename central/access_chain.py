"""The access log as a hash chain per office: each entry carries the SHA-256 of the one before, so an
entry edited, deleted or moved in the database afterwards is found (`verify`) and named.

Every `AccessLogEntry` a session adds is chained when the session flushes (`chain_new_entries`, a
`before_flush` listener `central.db.Database` installs), whoever wrote it: no writer can forget it.
Adding to an office's chain locks that office's head row (`SELECT ... FOR UPDATE` on PostgreSQL; on
SQLite every transaction already holds the one write lock), so two writers never fork a chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from central.models import AccessLogChain, AccessLogEntry, Office, as_utc

#: the `prev_hash` of an office's first entry
GENESIS = "0" * 64
#: entries read per round trip while verifying, so memory stays flat however long the log is
VERIFY_BATCH = 2000


def chain_key(office_id: int | None) -> int:
    """The chain an entry belongs to: its office's, or chain 0 for entries of no office."""
    return office_id or 0


def entry_digest(office_id: int | None, seq: int, at: dt.datetime, username: str, action: str,
                 application_id: str | None, reference: str | None, detail: str, prev_hash: str) -> str:
    """The hash an entry carries: of its every recorded fact, its place in the chain and the hash before."""
    facts = [chain_key(office_id), seq, as_utc(at).isoformat(timespec="microseconds"),  # type: ignore[union-attr]
             username, action, application_id, reference, detail or "", prev_hash]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def digest_of(entry: AccessLogEntry) -> str:
    return entry_digest(entry.office_id, entry.chain_seq or 0, entry.at, entry.username, entry.action,
                        entry.application_id, entry.reference, entry.detail, entry.prev_hash or "")


def lock_head(session: Session, office_id: int | None) -> AccessLogChain:
    """The office's chain head, created when missing and locked until the transaction ends."""
    key = chain_key(office_id)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(AccessLogChain).on_conflict_do_nothing().values(
        office_key=key, last_seq=0, last_hash=GENESIS))
    head = session.scalar(select(AccessLogChain).where(AccessLogChain.office_key == key)
                          .with_for_update().execution_options(populate_existing=True))
    assert head is not None  # inserted just above, and never deleted
    return head


def chain_new_entries(session: Session, _flush_context: Any = None, _instances: Any = None) -> None:
    """Gives each access-log entry about to be inserted its place, previous hash and own hash."""
    pending = [o for o in session.new if isinstance(o, AccessLogEntry) and o.entry_hash is None]
    if not pending:
        return
    by_chain: dict[int, list[AccessLogEntry]] = defaultdict(list)
    for entry in sorted(pending, key=lambda e: inspect(e).insert_order or 0):
        by_chain[chain_key(entry.office_id)].append(entry)
    for key in sorted(by_chain):  # always in the same order, so two writers cannot deadlock
        head = lock_head(session, key or None)
        seq, last_hash = head.last_seq, head.last_hash
        for entry in by_chain[key]:
            entry.at, entry.detail = as_utc(entry.at), entry.detail or ""  # type: ignore[assignment]
            seq += 1
            entry.chain_seq, entry.prev_hash = seq, last_hash
            entry.entry_hash = last_hash = digest_of(entry)
        # a Core UPDATE, not the ORM object: the flush under way has already planned its writes
        session.execute(update(AccessLogChain).where(AccessLogChain.office_key == key)
                        .values(last_seq=seq, last_hash=last_hash))


#: what a fault is, for pages that say it in their own words
ALTERED, MISSING, UNLINKED, UNCHAINED, HEAD = "altered", "missing", "unlinked", "unchained", "head"


@dataclass(frozen=True)
class ChainFault:
    """One place where an office's chain does not hold: its kind, the entry it names (None: the chain's
    end), the missing places (first, last) for `missing`, and the words that name it all."""

    office: str
    kind: str
    entry_id: int | None
    problem: str
    missing: tuple[int, int] | None = None

    def __str__(self) -> str:
        return f"office {self.office}: {self.problem}"


def describe(entry: AccessLogEntry) -> str:
    """An entry as the fault messages name it: id, place, time, who, what."""
    at = as_utc(entry.at)
    when = at.strftime("%Y-%m-%d %H:%M:%S UTC") if at else "?"
    what = f"{entry.action} {entry.reference}" if entry.reference else entry.action
    return f"entry #{entry.id} (no. {entry.chain_seq}, {when}, {entry.username}, {what})"


def _entries(session: Session, office_id: int | None, after: int = -1) -> Iterator[AccessLogEntry]:
    """The chain's entries past place `after` in order, a batch at a time; entries without a place (added
    around the ORM) last."""
    office = AccessLogEntry.office_id.is_(None) if office_id is None else AccessLogEntry.office_id == office_id
    while True:
        batch = list(session.scalars(select(AccessLogEntry).where(office, AccessLogEntry.chain_seq > after)
                                     .order_by(AccessLogEntry.chain_seq).limit(VERIFY_BATCH)))
        yield from batch
        for entry in batch:  # nothing here is changed; keeping them would hold the whole log in memory
            session.expunge(entry)
        if len(batch) < VERIFY_BATCH:
            break
        after = batch[-1].chain_seq  # type: ignore[assignment]
    yield from session.scalars(select(AccessLogEntry).where(office, AccessLogEntry.chain_seq.is_(None))
                               .order_by(AccessLogEntry.id))


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying chains: entries checked and every fault found, in chain order."""

    entries: int
    faults: list[ChainFault]
    #: the first place checked: 1 for a whole chain, later when only its newest entries were
    from_seq: int = 1

    @property
    def holds(self) -> bool:
        return not self.faults


def verify_office(session: Session, office_id: int | None, office_name: str, *, newest: int | None = None
                  ) -> ChainReport:
    """Walks the office's chain and reports every place where it is broken: from its start, or only its
    `newest` entries (a page view stays quick however long the log; `audit verify` walks it all)."""
    faults: list[ChainFault] = []
    checked = 0

    def fault(kind: str, entry_id: int | None, problem: str, missing: tuple[int, int] | None = None) -> None:
        faults.append(ChainFault(office_name, kind, entry_id, problem, missing))

    head = session.get(AccessLogChain, chain_key(office_id))
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    start = max(1, head_seq - newest + 1) if newest is not None else 1
    expected_seq, last_hash, last_described = start, GENESIS if start == 1 else None, "the chain's start"
    for entry in _entries(session, office_id, after=start - 1):
        checked += 1
        if entry.chain_seq is None:
            fault(UNCHAINED, entry.id, f"{describe(entry)} is outside the chain: it was added without its hash")
            continue
        if entry.chain_seq != expected_seq:
            fault(MISSING, entry.id, f"entries no. {expected_seq}-{entry.chain_seq - 1} are missing between "
                  f"{last_described} and {describe(entry)}: deleted", (expected_seq, entry.chain_seq - 1))
        elif last_hash is not None and entry.prev_hash != last_hash:
            fault(UNLINKED, entry.id, f"{describe(entry)} does not follow {last_described}: "
                  "the one before was altered, removed or moved")
        if digest_of(entry) != entry.entry_hash:
            fault(ALTERED, entry.id, f"{describe(entry)} was altered or moved after it was written")
        expected_seq, last_hash, last_described = entry.chain_seq + 1, entry.entry_hash, describe(entry)
    if head_seq >= expected_seq:
        fault(MISSING, None, f"entries no. {expected_seq}-{head_seq} after {last_described} are missing: deleted",
              (expected_seq, head_seq))
    elif head_seq == expected_seq - 1 and head_hash != last_hash:
        fault(HEAD, None, f"{last_described}, the last, does not match the chain's head: altered or replaced")
    return ChainReport(checked, faults, start)


def verify(session: Session, offices: Iterable[Office] | None = None, *, include_officeless: bool = True
           ) -> ChainReport:
    """Verifies the chains of `offices` (default: all, and the chain of entries of no office)."""
    chosen = list(offices) if offices is not None else list(session.scalars(select(Office).order_by(Office.id)))
    targets: list[tuple[int | None, str]] = [(o.id, o.code) for o in chosen]
    if include_officeless:
        targets.append((None, "(none)"))
    reports = [verify_office(session, office_id, name) for office_id, name in targets]
    return ChainReport(sum(r.entries for r in reports), [f for r in reports for f in r.faults])
