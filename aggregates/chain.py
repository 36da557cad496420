"""The tamper-evident hash chain over the event log.

Each stored event at notification `position` gets

    hash = SHA-256( F(prev_hash) ‖ F(position) ‖ F(stream id) ‖ F(version) ‖ F(topic) ‖ F(state) )

where F(x) is x's 8-byte big-endian length followed by x's bytes; `prev_hash` is the
previous link's hash (32 zero bytes before the first event); position and version are
ASCII decimal; the stream id is the canonical lower-case hyphenated UUID; the topic is
UTF-8; the state is the event's stored bytes exactly as in the database. Links go by
`prev_hash`, never by assuming contiguous positions. No secret key: anyone holding an
export can check it. The chain rows are written in the same transaction as the events.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteTransaction

GENESIS = bytes(32)
CHAIN_TABLE = "event_chain"


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def link_hash(  # noqa: PLR0917 - the six fields, in the order of the format
    prev_hash: bytes, position: int, stream_id: UUID, version: int, topic: str, state: bytes
) -> bytes:
    """The hash of one link of the chain (see the module docstring for the format)."""
    digest = hashlib.sha256()
    for part in (
        prev_hash,
        str(position).encode("ascii"),
        str(stream_id).encode("ascii"),
        str(version).encode("ascii"),
        topic.encode("utf-8"),
        bytes(state),
    ):
        digest.update(_field(part))
    return digest.digest()


class _ImmediateTransaction(SQLiteTransaction):
    """Takes the write lock at BEGIN: the chain insert reads the head before writing,
    and a deferred transaction upgrading from read to write fails at once under
    contention from another process instead of waiting for the lock."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        return cursor


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's SQLite application recorder, plus one chain row per event."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} ("
            "position INTEGER PRIMARY KEY, prev_hash BLOB NOT NULL, hash BLOB NOT NULL)",
        ]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.get_connection(commit=True) as conn:
            # Durable commits for the fund ledger, whatever the build's default.
            conn.cursor().execute("PRAGMA synchronous=FULL")
            with _ImmediateTransaction(conn, commit=True) as cursor, cursor:
                return self._insert_events(cursor, stored_events, **kwargs)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        c.execute(f"SELECT hash FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")  # noqa: S608 - constant
        row = c.fetchone()
        prev = bytes(row[0]) if row else GENESIS
        positions = super()._insert_events(c, stored_events, **kwargs) or []
        for position, event in zip(positions, stored_events, strict=True):
            stream_id = event.originator_id
            if not isinstance(stream_id, UUID):
                stream_id = UUID(str(stream_id))
            link = link_hash(
                prev, position, stream_id, event.originator_version, event.topic, event.state
            )
            c.execute(
                f"INSERT INTO {CHAIN_TABLE} (position, prev_hash, hash) VALUES (?, ?, ?)",  # noqa: S608 - constant
                (position, prev, link),
            )
            prev = link
        return positions


@dataclass(frozen=True)
class Anchor:
    """A chain head written down earlier, outside the database: position and hash."""

    position: int
    hash: bytes

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """Read `POS:HEX` (as printed by `intranet verify`)."""
        match = re.fullmatch(r"([0-9]+):([0-9a-fA-F]{64})", text.strip())
        if not match:
            raise ValueError(f"anchor must look like POS:HASH (64 hex digits), got {text!r}")
        pos, hex_hash = match.groups()
        return cls(int(pos), bytes.fromhex(hex_hash))

    def __str__(self) -> str:
        return f"{self.position}:{self.hash.hex()}"


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain."""

    events: int
    head: Anchor | None
    bad_position: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.bad_position is None


@dataclass(frozen=True)
class ChainRow:
    """One position of the log as stored: the event (if present) and its link (if present)."""

    position: int
    stream_id: UUID | None
    version: int | None
    topic: str | None
    state: bytes | None
    prev_hash: bytes | None
    hash: bytes | None
    malformed: str | None = None  # why a stored value is not of the shape the recorder writes


def walk(rows: Iterable[ChainRow], anchor: Anchor | None = None, prev: bytes = GENESIS) -> ChainReport:
    """Recompute every link in position order (from `prev`, the hash before the first row);
    stop at the first that does not match."""
    count, head = 0, None
    anchor_seen = anchor is None
    for row in rows:
        problem = _check(row, prev)
        if problem:
            return ChainReport(count, head, row.position, problem)
        prev, count, head = row.hash, count + 1, Anchor(row.position, row.hash)
        if anchor and row.position == anchor.position:
            if row.hash != anchor.hash:
                return ChainReport(count, head, row.position, "与锚定的链头哈希不符（日志已被改写）")
            anchor_seen = True
    if not anchor_seen:
        assert anchor is not None
        end = head.position if head else 0
        problem = f"日志在第 {end} 条结束，锚定的第 {anchor.position} 条不存在（日志被截断或改写）"
        return ChainReport(count, head, anchor.position, problem)
    return ChainReport(count, head)


def _check(row: ChainRow, prev: bytes) -> str | None:
    if row.malformed:
        return row.malformed
    if row.state is None or row.stream_id is None or row.version is None or row.topic is None:
        return "事件缺失（链上有记录，日志中没有）"
    if row.hash is None or row.prev_hash is None:
        return "链记录缺失（日志中有事件，链上没有）"
    if bytes(row.prev_hash) != prev:
        return "前一哈希与上一条不符（有记录被删除、插入或调换）"
    expected = link_hash(prev, row.position, row.stream_id, row.version, row.topic, row.state)
    if expected != bytes(row.hash):
        return "哈希不符（事件内容被改动）"
    return None


_SQLITE_ROWS = f"""
SELECT e.rowid AS position, e.originator_id, e.originator_version, e.topic, e.state,
       c.prev_hash, c.hash
  FROM stored_events e LEFT JOIN {CHAIN_TABLE} c ON c.position = e.rowid
 WHERE e.rowid > :after
UNION ALL
SELECT c.position, NULL, NULL, NULL, NULL, c.prev_hash, c.hash
  FROM {CHAIN_TABLE} c WHERE c.position > :after
   AND NOT EXISTS (SELECT 1 FROM stored_events e WHERE e.rowid = c.position)
ORDER BY 1
"""  # noqa: S608 - the table name is a module constant


def sqlite_rows(db_path: Path, after: int = 0) -> Iterator[ChainRow]:
    """Every position of a SQLite event log after `after`, read-only, in order."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        for pos, stream, version, topic, state, prev, link in conn.execute(_SQLITE_ROWS, {"after": after}):
            yield _chain_row(pos, stream, version, topic, state, prev, link)
    finally:
        conn.close()


def verify_sqlite(db_path: Path, anchor: Anchor | None = None) -> ChainReport:
    """Walk the chain of the SQLite event log at `db_path`."""
    return walk(sqlite_rows(db_path), anchor)


def verify_tail(db_path: Path, since: Anchor | None) -> ChainReport:
    """Walk only the links after `since`, a head verified earlier, once the log is seen to
    still hold it (`events` counts the tail; with no new link the head is `since`)."""
    if since is None:
        return verify_sqlite(db_path)
    problem = _holds(db_path, since)
    if problem:
        return ChainReport(0, None, since.position, problem)
    report = walk(sqlite_rows(db_path, after=since.position), prev=since.hash)
    return report if report.head is not None or not report.ok else ChainReport(0, since)


def _holds(db_path: Path, since: Anchor) -> str | None:
    """Why the log no longer holds the head verified earlier, or None."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            f"SELECT c.hash, e.rowid FROM {CHAIN_TABLE} c LEFT JOIN stored_events e ON e.rowid = c.position"  # noqa: S608
            " WHERE c.position = ?", (since.position,)).fetchone()
    finally:
        conn.close()
    if row is None or row[1] is None:
        return f"上次核验到的第 {since.position} 条已不在日志中（记录被删除或截断）"
    if bytes(row[0]) != since.hash:
        return "与上次核验时的链头哈希不符（日志已被改写）"
    return None


def sqlite_head(db_path: Path) -> Anchor | None:
    """The last link of a SQLite event log's chain, as recorded (not re-verified)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            f"SELECT position, hash FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1"  # noqa: S608 - constant
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return Anchor(row[0], bytes(row[1])) if row else None


def _chain_row(*values: Any) -> ChainRow:
    """A stored row as the chain reads it; a value of the wrong type (written by hand, not by the recorder)
    makes the row malformed instead of stopping the walk with a traceback."""
    pos, stream, version, topic, state, prev, link = values
    try:
        return ChainRow(
            position=pos,
            stream_id=UUID(stream) if stream else None,
            version=int(version) if version is not None else None,
            topic=str(topic) if topic is not None else None,
            state=_blob(state),
            prev_hash=_blob(prev),
            hash=_blob(link),
        )
    except (ValueError, TypeError, AttributeError) as error:
        return ChainRow(pos, None, None, None, None, None, None, malformed=f"记录格式无效（{error}）")


def _blob(value: Any) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, bytes | memoryview):
        raise TypeError(f"应为二进制内容，实为 {type(value).__name__}")
    return bytes(value)
