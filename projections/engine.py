"""The read-model engine: plain SQLite tables rebuilt from the event log.

All read models live in one SQLite file, named by the pointer file `views.current`
(e.g. `views-3.sqlite`). `projection_state(name, position, schema_version)` records
how far each projection has read. A projection's rows and its position are committed
together under BEGIN IMMEDIATE, so catching up from several threads or processes is
safe and running it twice changes nothing. A rebuild writes a new numbered file and
then points at it; an old `-wal` beside a renamed database would corrupt it, so files
are never renamed over. The previous generation is kept until the next rebuild, so a
request still reading it is never cut off.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from sqlite_utils import Database

from aggregates.personal_data import KeyStore, Sealed


@dataclass(frozen=True)
class Step:
    """Where a handler writes one event: the read-model database, the event's position in the
    log, and the personal-data keys (a projection that shows a masked ID number unseals it here;
    once a person's key is destroyed, unseal gives None, so a rebuild never brings data back)."""

    db: Database
    position: int
    keys: KeyStore | None = None

    def unseal(self, sealed: Sealed | None) -> str | None:
        """The plaintext of a sealed value, or None (absent, erased, or no keys)."""
        if sealed is None or self.keys is None:
            return None
        return self.keys.unseal(sealed)


Handler = Callable[[Step, Any], None]
POINTER = "views.current"
_FILE = re.compile(r"^views-(\d+)\.sqlite$")
PAGE = 500
REBUILD_PAGE = 2000


@dataclass
class Projection:
    """One read model: its tables, and one handler per event type it reads."""

    name: str
    schema_version: int
    tables: Sequence[str]
    handlers: dict[type, Handler] = field(default_factory=dict)

    # event class → its handler (the nearest registered class in its MRO) or None: found once per class
    resolved: dict[type, Handler | None] = field(default_factory=dict, repr=False, compare=False)

    def on(self, *event_types: type) -> Callable[[Handler], Handler]:
        """Register the decorated function as the handler of `event_types`."""

        def register(handler: Handler) -> Handler:
            for event_type in event_types:
                self.handlers[event_type] = handler
            self.resolved.clear()
            return handler

        return register

    def handler_of(self, event_type: type) -> Handler | None:
        """The handler of events of `event_type`: the nearest registered class in its MRO, if any."""
        try:
            return self.resolved[event_type]
        except KeyError:
            found = next((self.handlers[c] for c in event_type.__mro__ if c in self.handlers), None)
            self.resolved[event_type] = found
            return found

    def handle(self, step: Step, event: Any) -> None:
        """Apply one event, if handled."""
        handler = self.handler_of(type(event))
        if handler is not None:
            handler(step, event)


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'  # noqa: S608 - names from code


def insert(db: Database, table: str, row: dict[str, Any]) -> None:
    """Insert one row: the hot path of every projection (sqlite-utils' insert re-reads the
    table's schema on each call, which made rebuilds four times slower)."""
    db.execute(_insert_sql(table, tuple(row)), list(row.values()))


@lru_cache(maxsize=256)
def _update_sql(table: str, key: str, columns: tuple[str, ...]) -> str:
    sets = ", ".join(f'"{c}" = ?' for c in columns)
    return f'UPDATE "{table}" SET {sets} WHERE "{key}" = ?'  # noqa: S608 - names from code


def update(db: Database, table: str, key: str, value: str, row: dict[str, Any]) -> None:
    """Set columns of the row whose `key` column is `value` (sqlite-utils' update re-reads the table's
    schema on every call: it was a fifth of a rebuild)."""
    db.execute(_update_sql(table, key, tuple(row)), [*row.values(), value])


def connect(path: Path) -> sqlite3.Connection:
    """A connection to a read-model file, in autocommit mode with explicit transactions."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # derived data: rebuilt from the log if lost
    return conn


@dataclass(frozen=True)
class RebuildProgress:
    """Reported while a rebuild runs."""

    done: int
    total: int
    seconds: float


class ReadModels:
    """Keeps every projection's tables caught up with the application's log."""

    def __init__(self, app: Application, data_dir: Path, projections: Sequence[Projection]) -> None:
        self.app = app
        self.data_dir = data_dir
        self.projections = tuple(projections)
        self._lock = threading.Lock()
        self._pointer_mtime: int | None = None
        self._path: Path | None = None
        self._caught_up_to = -1
        # Set while the chain is broken: events after it are not projected (see intranet/integrity.py).
        self.stop: int | None = None

    # -- where the current file is ---------------------------------------------------------

    @property
    def path(self) -> Path:
        """The current read-model file (re-read when the pointer changes)."""
        pointer = self.data_dir / POINTER
        mtime = pointer.stat().st_mtime_ns
        if mtime != self._pointer_mtime or self._path is None:
            self._path = self.data_dir / pointer.read_text(encoding="utf-8").strip()
            self._pointer_mtime = mtime
            self._caught_up_to = -1
        return self._path

    def connect_current(self) -> sqlite3.Connection:
        """A new connection to the current read-model file (the caller closes it)."""
        return connect(self.path)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading the current read models."""
        conn = self.connect_current()
        try:
            yield conn
        finally:
            conn.close()

    # -- start-up ------------------------------------------------------------------------------

    def ensure_ready(self, report: Callable[[RebuildProgress], None] | None = None) -> bool:
        """Build the read models if missing or if a projection's schema changed; True if rebuilt."""
        if self._current_file_matches_code():
            self.catch_up()
            return False
        self.rebuild(report)
        return True

    def _current_file_matches_code(self) -> bool:
        pointer = self.data_dir / POINTER
        if not pointer.exists():
            return False
        path = self.data_dir / pointer.read_text(encoding="utf-8").strip()
        if not path.exists():
            return False
        conn = connect(path)
        try:
            found = dict(conn.execute("SELECT name, schema_version FROM projection_state").fetchall())
        except sqlite3.OperationalError:
            return False
        finally:
            conn.close()
        return found == {p.name: p.schema_version for p in self.projections}

    # -- catching up ---------------------------------------------------------------------------

    def catch_up(self) -> int:
        """Apply every event newer than the projections' positions; returns how many."""
        last = self.app.recorder.max_notification_id() or 0
        if self.stop is not None:
            last = min(last, self.stop)
        path = self.path
        if last <= self._caught_up_to:
            return 0
        with self._lock:
            conn = connect(path)
            try:
                applied = self._catch_up(conn, PAGE)
            finally:
                conn.close()
            self._caught_up_to = max(self._caught_up_to, last)
        return applied

    def _catch_up(self, conn: sqlite3.Connection, page: int, progress: Callable[[int], None] | None = None) -> int:
        db, applied = Database(conn), 0
        while True:
            conn.execute("BEGIN IMMEDIATE")
            try:
                count = self._apply_page(db, page)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            if not count:
                return applied
            applied += count
            if progress:
                progress(applied)

    def _apply_page(self, db: Database, page: int) -> int:
        positions = dict(db.execute("SELECT name, position FROM projection_state").fetchall())
        start = min(positions.values())
        notifications = self.app.recorder.select_notifications(
            start=start, limit=page, stop=self.stop, inclusive_of_start=False
        )
        keys = getattr(self.app, "keys", None)
        for notification in notifications:
            event = self.app.mapper.to_domain_event(notification)
            step = Step(db, notification.id, keys)
            for projection in self.projections:
                if notification.id > positions[projection.name]:
                    projection.handle(step, event)
        if notifications:
            db.execute("UPDATE projection_state SET position = ? WHERE position < ?",
                       [notifications[-1].id, notifications[-1].id])
        return len(notifications)

    # -- rebuilding ------------------------------------------------------------------------------

    def rebuild(self, report: Callable[[RebuildProgress], None] | None = None, page: int = REBUILD_PAGE) -> Path:
        """Build every read model from zero into a new file (`page` events per transaction),
        then point at it."""
        number = max((int(m[1]) for p in self.data_dir.iterdir() if (m := _FILE.match(p.name))), default=0)
        path = self.data_dir / f"views-{number + 1}.sqlite"
        self.build(path, report, page)
        self._point_at(path)
        self._remove_old_generations(keep=number + 1)
        return path

    def build(self, path: Path, report: Callable[[RebuildProgress], None] | None = None,
              page: int = REBUILD_PAGE) -> None:
        """Build every read model from zero into the new file `path`, without pointing at it."""
        conn = connect(path)
        total = self.app.recorder.max_notification_id() or 0
        started = time.monotonic()
        try:
            self._create_schema(conn)
            self._catch_up(conn, page, report and (
                lambda done: report(RebuildProgress(done, total, time.monotonic() - started))))
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()

    def catch_up_file(self, path: Path) -> int:
        """Apply every newer event to the read-model file `path` (current or not); returns how many."""
        conn = connect(path)
        try:
            return self._catch_up(conn, PAGE)
        finally:
            conn.close()

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "CREATE TABLE projection_state (name TEXT PRIMARY KEY, position INTEGER NOT NULL,"
            " schema_version INTEGER NOT NULL)"
        )
        for projection in self.projections:
            for statement in projection.tables:
                conn.execute(statement)
            conn.execute("INSERT INTO projection_state VALUES (?, 0, ?)",
                         (projection.name, projection.schema_version))
        conn.execute("COMMIT")

    def _point_at(self, path: Path) -> None:
        temporary = self.data_dir / f".{POINTER}.{os.getpid()}"
        temporary.write_text(path.name, encoding="utf-8")
        os.replace(temporary, self.data_dir / POINTER)

    def _remove_old_generations(self, keep: int) -> None:
        """Delete read-model files older than the previous generation."""
        for candidate in self.data_dir.iterdir():
            match = re.match(r"^views-(\d+)\.sqlite(-wal|-shm)?$", candidate.name)
            if match and int(match[1]) < keep - 1:
                candidate.unlink(missing_ok=True)


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted: what 'incremental equals rebuilt' compares."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    # Sorted by repr: rows mix None with text, which do not compare.
    return {t: sorted((tuple(r) for r in conn.execute(f'SELECT * FROM "{t}"')), key=repr) for t in tables}  # noqa: S608
