"""Every recorded setting, with its effective date: values in force on any date."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aggregates.settings import CATALOGUE, Kind, Settings, Spec, Value
from projections.engine import Projection, Step, insert

projection = Projection(
    name="settings_history",
    schema_version=1,
    tables=[
        """CREATE TABLE setting_changes (
            position INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL,
            effective_from TEXT NOT NULL, version INTEGER NOT NULL, recorded_at TEXT NOT NULL,
            occurred_on TEXT NOT NULL, actor TEXT NOT NULL, actor_role TEXT NOT NULL,
            reason TEXT NOT NULL)""",
        "CREATE INDEX setting_changes_by_key ON setting_changes (key, effective_from, version)",
    ],
)


@projection.on(Settings.ValueSet, Settings.ValueChanged)
def _changed(step: Step, event: Settings.ValueSet) -> None:
    insert(step.db, "setting_changes", {
        "position": step.position,
        "key": event.key,
        "value": str(event.value),
        "effective_from": event.effective_from.isoformat(),
        "version": event.originator_version,
        "recorded_at": event.timestamp.isoformat(),
        "occurred_on": event.occurred_on.isoformat(),
        "actor": event.actor,
        "actor_role": event.actor_role,
        "reason": event.reason or "",
    })


def typed_value(spec: Spec, text: str) -> Value:
    if spec.kind in (Kind.MONEY, Kind.RATIO, Kind.MULTIPLE):
        return Decimal(text)
    if spec.kind in (Kind.COUNT, Kind.DAYS, Kind.MONTHS, Kind.YEARS):
        return int(text)
    return text


@dataclass(frozen=True)
class InForce:
    """A setting as it stands on a date: recorded, defaulted, or unset (未配置)."""

    spec: Spec
    value: Value | None
    recorded: bool
    effective_from: date | None
    seen_version: int  # the aggregate version at which this key was last set; 0 if never


@dataclass(frozen=True)
class Change:
    """One recorded change of a setting."""

    position: int
    key: str
    value: Value
    effective_from: date
    occurred_on: date
    actor: str
    actor_role: str
    reason: str


def in_force(conn: sqlite3.Connection, day: date) -> list[InForce]:
    """Every setting of the catalogue as it stands on `day`."""
    latest: dict[str, sqlite3.Row] = {}
    for row in conn.execute(
        "SELECT * FROM setting_changes WHERE effective_from <= ? ORDER BY effective_from, version",
        [day.isoformat()],
    ):
        latest[row["key"]] = row
    last_versions = dict(conn.execute("SELECT key, MAX(version) FROM setting_changes GROUP BY key").fetchall())
    return [_in_force(spec, latest.get(spec.key), last_versions.get(spec.key, 0)) for spec in CATALOGUE]


def _in_force(spec: Spec, row: sqlite3.Row | None, seen_version: int) -> InForce:
    if row is None:
        return InForce(spec, spec.default, False, None, seen_version)
    return InForce(spec, typed_value(spec, row["value"]), True, date.fromisoformat(row["effective_from"]), seen_version)


def history(conn: sqlite3.Connection, key: str | None = None) -> list[Change]:
    """Recorded changes, newest first (of one key, or of all)."""
    sql, params = "SELECT * FROM setting_changes", []
    if key:
        sql, params = sql + " WHERE key = ?", [key]
    rows = conn.execute(sql + " ORDER BY position DESC", params)
    specs = {s.key: s for s in CATALOGUE}
    return [
        Change(r["position"], r["key"], typed_value(specs[r["key"]], r["value"]),
               date.fromisoformat(r["effective_from"]), date.fromisoformat(r["occurred_on"]),
               r["actor"], r["actor_role"], r["reason"])
        for r in rows
    ]


def scheduled(conn: sqlite3.Connection, day: date) -> list[Change]:
    """Changes recorded to take effect after `day`."""
    return [c for c in history(conn) if c.effective_from > day]
