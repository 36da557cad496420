"""The audit trail: every event of the log, as structured facts.

One row per stored event: its position, recorded time (UTC), business date, actor and
role, stream, type, reason, what it corrects, and its own facts as JSON. Sentences are
not stored: the web renders them at display time, in the reader's language. Personal
data appears only as a marker that a sealed value is present, never as ciphertext.

Each row is tagged with the area of the office it belongs to (books, claims, roster, users,
settings, oversight) and the record it is about, so a reader is shown only the areas their
roles may read, and the claims and advances they took part in.
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

# The area of the office each kind of record belongs to. A record kind missing here is shown to nobody
# (RESTRICTED) until it is given an area; a test holds every aggregate of the office to this table.
AREAS: dict[str, str] = {
    "Office": "settings", "Settings": "settings",
    "UserAccount": "users",
    **dict.fromkeys(("Enterprise", "Union", "Member", "GridCell", "CensusCheck", "QuotaPlan"), "roster"),
    **dict.fromkeys(("Book", "BankStatement"), "books"),
    **dict.fromkeys(("ExpenseClaim", "CashAdvance", "PriorApproval"), "claims"),
    **dict.fromkeys(("Budget", "Disclosure", "Asset"), "oversight"),
}
# A unique key (an invoice number, an ID number…) belongs to the area of what holds it.
KEY_AREAS = {"invoice": "claims", "advance_form": "claims", "id_number": "roster", "card_no": "roster",
             "transfer_slip": "roster"}
RESTRICTED = "restricted"
CLAIMS = "claims"

projection = Projection(
    name="audit_trail",
    schema_version=2,
    tables=[
        """CREATE TABLE audit_events (
            position INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, occurred_on TEXT NOT NULL,
            actor TEXT NOT NULL, actor_role TEXT NOT NULL, stream_id TEXT NOT NULL,
            stream_type TEXT NOT NULL, version INTEGER NOT NULL, event_type TEXT NOT NULL,
            reason TEXT, corrects TEXT, facts TEXT NOT NULL, area TEXT NOT NULL, subject TEXT NOT NULL)""",
        "CREATE INDEX audit_by_actor ON audit_events (actor, position)",
        "CREATE INDEX audit_by_area ON audit_events (area, position)",
        "CREATE INDEX audit_by_actor_area ON audit_events (actor, area, subject)",
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


def _area_and_subject(db: sqlite3.Connection, stream_type: str, stream_id: str, facts: dict[str, Any]) -> tuple[
        str, str]:
    """The area an entry belongs to and the record it is about. A unique key is about what holds it (a form
    key takes the area of the claim, member or account saved with it); its later entries follow its first."""
    if stream_type != "UniqueKey":
        return AREAS.get(stream_type, RESTRICTED), stream_id
    earlier = db.execute("SELECT area, subject FROM audit_events WHERE stream_id = ? ORDER BY version LIMIT 1",
                         [stream_id]).fetchone()
    if earlier is not None:
        return earlier[0], earlier[1]
    owner = str(facts.get("owner_id") or stream_id)
    if facts.get("kind") in KEY_AREAS:
        return KEY_AREAS[facts["kind"]], owner
    held_by = db.execute("SELECT area FROM audit_events WHERE stream_id = ? LIMIT 1", [owner]).fetchone()
    return (held_by[0] if held_by else RESTRICTED), owner


@projection.on(OfficeAggregate.Event)
def _record(step: Step, event: OfficeAggregate.Event) -> None:
    stream_type, _, event_type = type(event).__qualname__.rpartition(".")
    facts = plain(facts_of(event))
    area, subject = _area_and_subject(step.db, stream_type, str(event.originator_id), facts)
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
        "facts": json.dumps(facts, ensure_ascii=False, sort_keys=True),
        "area": area,
        "subject": subject,
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
    area: str = RESTRICTED


@dataclass(frozen=True)
class Filter:
    """What the audit page asks for (every part optional), and what its reader may see: the areas they
    may read (None: every area) and the user whose own claims and advances they also see."""

    actor: str | None = None
    stream_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    areas: frozenset[str] | None = None
    reader: str | None = None


def _visible(f: Filter) -> tuple[list[str], list[Any]]:
    """The reader's areas, and the claims and advances the reader took part in (whatever their roles)."""
    if f.areas is None:
        return [], []
    marks = ", ".join("?" * len(f.areas))
    clause = f"area IN ({marks})" if f.areas else "0"
    params: list[Any] = sorted(f.areas)
    if f.reader and CLAIMS not in f.areas:
        clause += (" OR (area = 'claims' AND subject IN"
                   " (SELECT subject FROM audit_events WHERE actor = ? AND area = 'claims'))")
        params.append(f.reader)
    return [f"({clause})"], params


def _where(f: Filter) -> tuple[str, list[Any]]:
    clauses, params = _visible(f)
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


def actors(conn: sqlite3.Connection, f: Filter | None = None) -> list[str]:
    """Everyone who acted in what the reader may see, for the filter's list."""
    visible = Filter(areas=f.areas, reader=f.reader) if f else Filter()
    where, params = _where(visible)
    return [r[0] for r in conn.execute(
        f"SELECT DISTINCT actor FROM audit_events{where} ORDER BY actor", params)]  # noqa: S608


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
        area=row["area"],
    )
