"""管理员兼任业务角色的操作: what an administrator did under a business role, for the fund review committee.

Where an office has relaxed the separation line between the admin and the financial or review roles (the
setting 系统管理员兼任业务角色), every event an account holding admin recorded under chair, vice-chair,
accountant, cashier or auditor is listed here, so the committee can review each one. The list is kept from
the log whether or not the setting is relaxed now: an office that relaxes it later still sees the past.
"""

from __future__ import annotations

import sqlite3

from aggregates.envelope import OfficeAggregate
from aggregates.user_account import UserAccount
from projections.audit_trail import Entry, _entry
from projections.engine import Projection, Step, insert

DUTY_ROLES = frozenset({"chair", "vice_chair", "accountant", "cashier", "auditor"})

projection = Projection(
    name="admin_duties",
    schema_version=1,
    tables=[
        "CREATE TABLE admin_accounts (user_id TEXT PRIMARY KEY)",
        "CREATE TABLE admin_duties (position INTEGER PRIMARY KEY, actor TEXT NOT NULL, actor_role TEXT NOT NULL)",
    ],
)


@projection.on(UserAccount.Registered, UserAccount.RolesChanged)
def _roles(step: Step, e: UserAccount.Registered | UserAccount.RolesChanged) -> None:
    user_id = str(e.originator_id)
    step.db.execute("DELETE FROM admin_accounts WHERE user_id = ?", [user_id])
    if "admin" in e.roles:
        insert(step.db, "admin_accounts", {"user_id": user_id})


@projection.on(OfficeAggregate.Event)
def _event(step: Step, e: OfficeAggregate.Event) -> None:
    if e.actor_role not in DUTY_ROLES:
        return
    held = step.db.execute("SELECT 1 FROM admin_accounts WHERE user_id = ?", [e.actor]).fetchone()
    if held:
        insert(step.db, "admin_duties", {"position": step.position, "actor": e.actor, "actor_role": e.actor_role})


def entries(conn: sqlite3.Connection, limit: int = 200) -> list[Entry]:
    """The newest events an administrator recorded under a business role, as audit-trail entries."""
    rows = conn.execute(
        "SELECT a.* FROM admin_duties d JOIN audit_events a ON a.position = d.position"
        " ORDER BY d.position DESC LIMIT ?", [limit])
    return [_entry(row) for row in rows]


def count(conn: sqlite3.Connection) -> int:
    """How many such events there are."""
    return conn.execute("SELECT COUNT(*) FROM admin_duties").fetchone()[0]

