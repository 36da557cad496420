"""The audit trail: every event of the log, as structured facts.

One row per stored event: its position, recorded time (UTC), business date, actor and
role, stream, type, reason, what it corrects, and its own facts as JSON. Sentences are
not stored: the web renders them at display time, in the reader's language. Personal
data appears only as a marker that a sealed value is present, never as ciphertext.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from aggregates.envelope import EventRef, OfficeAggregate, facts_of
from aggregates.personal_data import Sealed
from projections.engine import Projection, Step, insert

projection = Projection(
    name="audit_trail",
    schema_version=1,
    tables=[
        """CREATE TABLE audit_events (
            position INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, occurred_on TEXT NOT NULL,
            actor TEXT NOT NULL, actor_role TEXT NOT NULL, stream_id TEXT NOT NULL,
            stream_type TEXT NOT NULL, version INTEGER NOT NULL, event_type TEXT NOT NULL,
            reason TEXT, corrects TEXT, facts TEXT NOT NULL)""",
        "CREATE INDEX audit_by_actor ON audit_events (actor, position)",
        "CREATE INDEX audit_by_stream ON audit_events (stream_id, version)",
        "CREATE INDEX audit_by_day ON audit_events (occurred_on, position)",
    ],
)


def plain(value: Any) -> Any:
    """A fact as plain JSON: money and dates as strings, personal data as a marker."""
    if isinstance(value, Sealed):
        return {"sealed": True}
    if isinstance(value, Decimal | UUID | date | datetime | EventRef):
        return value.isoformat() if isinstance(value, date | datetime) else str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


@projection.on(OfficeAggregate.Event)
def _record(step: Step, event: OfficeAggregate.Event) -> None:
    stream_type, _, event_type = type(event).__qualname__.rpartition(".")
    insert(step.db, "audit_events", {
        "position": step.position,
        "recorded_at": event.timestamp.isoformat(),
        "occurred_on": event.occurred_on.isoformat(),
        "actor": event.actor,
        "actor_role": event.actor_role,
        "stream_id": str(event.originator_id),
        "stream_type": stream_type,
        "version": event.originator_version,
        "event_type": event_type,
        "reason": event.reason,
        "corrects": str(event.corrects) if event.corrects else None,
        "facts": json.dumps(plain(facts_of(event)), ensure_ascii=False, sort_keys=True),
    })


@dataclass(frozen=True)
class Entry:
    """One row of the audit trail, ready to show."""

    position: int
    recorded_at: datetime
    occurred_on: date
    actor: str
    actor_role: str
    stream_id: str
    stream_type: str
    version: int
    event_type: str
    reason: str | None
    corrects: str | None
    facts: dict[str, Any]


@dataclass(frozen=True)
class Filter:
    """What the audit page asks for (every part optional)."""

    actor: str | None = None
    stream_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _where(f: Filter) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if f.actor:
        clauses.append("actor = ?")
        params.append(f.actor)
    if f.stream_id:
        clauses.append("stream_id = ?")
        params.append(f.stream_id)
    if f.date_from:
        clauses.append("occurred_on >= ?")
        params.append(f.date_from.isoformat())
    if f.date_to:
        clauses.append("occurred_on <= ?")
        params.append(f.date_to.isoformat())
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def entries(conn: sqlite3.Connection, f: Filter, limit: int = 50, offset: int = 0) -> list[Entry]:
    """The newest entries first that match the filter."""
    where, params = _where(f)
    rows = conn.execute(
        f"SELECT * FROM audit_events{where} ORDER BY position DESC LIMIT ? OFFSET ?",  # noqa: S608
        [*params, limit, offset],
    )
    return [_entry(row) for row in rows]


def count(conn: sqlite3.Connection, f: Filter | None = None) -> int:
    """How many entries match the filter."""
    where, params = _where(f or Filter())
    return conn.execute(f"SELECT COUNT(*) FROM audit_events{where}", params).fetchone()[0]  # noqa: S608


def stream(conn: sqlite3.Connection, stream_id: str) -> list[Entry]:
    """Every entry of one stream, oldest first (a record's whole history)."""
    rows = conn.execute("SELECT * FROM audit_events WHERE stream_id = ? ORDER BY version", [stream_id])
    return [_entry(row) for row in rows]


def actors(conn: sqlite3.Connection) -> list[str]:
    """Everyone who ever acted, for the filter's list."""
    return [r[0] for r in conn.execute("SELECT DISTINCT actor FROM audit_events ORDER BY actor")]


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        position=row["position"],
        recorded_at=datetime.fromisoformat(row["recorded_at"]),
        occurred_on=date.fromisoformat(row["occurred_on"]),
        actor=row["actor"],
        actor_role=row["actor_role"],
        stream_id=row["stream_id"],
        stream_type=row["stream_type"],
        version=row["version"],
        event_type=row["event_type"],
        reason=row["reason"],
        corrects=row["corrects"],
        facts=json.loads(row["facts"]),
    )
