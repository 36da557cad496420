"""The chain watch: before serving, and on every command and dashboard view, the server
recomputes the chain from the last verified head to the log's end (only the new tail, so it
stays cheap). The last verified head lives in keys.sqlite, away from the log it vouches
for, and is itself checked against the log before the tail is walked from it.

When the chain breaks the office is read-only: every page carries a banner, every command
is refused, nothing is appended. An admin then either restores the log from a backup and
runs `intranet verify` (a full pass re-anchors the watch at the verified head), or runs
`intranet acknowledge` with their password and a reason: the break is recorded beside the
checkpoint and shown on the dashboard, the watch resumes from the log's current head, and
`intranet verify` keeps reporting the damaged position, because the log stays as it is.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from aggregates.chain import Anchor, ChainReport, verify_tail
from intranet.keyfile import keyfile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chain_checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL, hash BLOB NOT NULL,
    verified_at TEXT NOT NULL, how TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chain_acknowledgements (
    acknowledged_at TEXT NOT NULL, user_id TEXT NOT NULL, display_name TEXT NOT NULL, reason TEXT NOT NULL,
    bad_position INTEGER NOT NULL, problem TEXT NOT NULL, head_position INTEGER NOT NULL, head_hash BLOB NOT NULL);
"""


@dataclass(frozen=True)
class Break:
    """Where the chain stopped matching, and how."""

    position: int
    problem: str


@dataclass(frozen=True)
class Acknowledgement:
    """An admin's note that they know of a break and let the office work on."""

    acknowledged_at: datetime
    display_name: str
    reason: str
    bad_position: int
    problem: str


class Checkpoints:
    """The last verified head and the acknowledged breaks, in keys.sqlite."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return keyfile(self.path)

    def load(self) -> Anchor | None:
        """The last verified head, or None (then the whole chain is walked)."""
        with self._connect() as conn:
            row = conn.execute("SELECT position, hash FROM chain_checkpoint WHERE id = 1").fetchone()
        return Anchor(row[0], bytes(row[1])) if row else None

    def save(self, head: Anchor, how: str) -> None:
        """Remember `head` as verified (`how`: tail, full, acknowledged)."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO chain_checkpoint VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
                " position = excluded.position, hash = excluded.hash, verified_at = excluded.verified_at,"
                " how = excluded.how", (head.position, head.hash, datetime.now(UTC).isoformat(), how))

    def acknowledge(self, user_id: UUID, display_name: str, reason: str, broken: Break, head: Anchor) -> None:
        """Record that an admin knows of `broken` and re-anchor the watch at the log's `head`."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO chain_acknowledgements VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (datetime.now(UTC).isoformat(), str(user_id), display_name, reason, broken.position,
                          broken.problem, head.position, head.hash))
            conn.execute("COMMIT")
        self.save(head, "acknowledged")

    def acknowledgements(self) -> list[Acknowledgement]:
        """Every acknowledged break, oldest first."""
        with self._connect() as conn:
            rows = conn.execute("SELECT acknowledged_at, display_name, reason, bad_position, problem"
                                " FROM chain_acknowledgements ORDER BY rowid").fetchall()
        return [Acknowledgement(datetime.fromisoformat(r[0]), r[1], r[2], r[3], r[4]) for r in rows]


class ChainWatch:
    """Re-verifies the tail of the chain and says whether the office may record."""

    def __init__(self, db_path: Path, checkpoints: Checkpoints) -> None:
        self.db_path = db_path
        self.checkpoints = checkpoints
        self.broken: Break | None = None
        self._verified: Anchor | None = None
        self._lock = threading.Lock()

    def check(self, *, persist: bool = True) -> Break | None:
        """Walk the chain from the last verified head to the end; the break, or None."""
        with self._lock:
            stored = self.checkpoints.load()
            start = self._verified if self._verified is not None and self.broken is None else stored
            report = verify_tail(self.db_path, start)
            return self._settle(report, stored, persist)

    def _settle(self, report: ChainReport, stored: Anchor | None, persist: bool) -> Break | None:
        if not report.ok:
            assert report.bad_position is not None
            self.broken, self._verified = Break(report.bad_position, report.problem or ""), None
            return self.broken
        self.broken, self._verified = None, report.head
        if persist and report.head is not None and report.head != stored:
            self.checkpoints.save(report.head, "tail" if stored else "full")
        return None

    def behind(self, last_position: int | None) -> bool:
        """Whether the log has grown past the head verified last (no query: the caller knows the end)."""
        verified = self._verified.position if self._verified is not None else 0
        return (last_position or 0) > verified

    def head(self) -> Anchor | None:
        """The head as recomputed now (None while the log is empty or broken)."""
        self.check()
        return self._verified
