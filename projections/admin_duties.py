"""What the fund review committee checks of the administrator: the acts by which an account manager could act
as someone else.

Listed, from the log: every event an account holding admin recorded under a business role (chair, vice-chair,
accountant, cashier or auditor: possible only where the office relaxed the separation line by the setting
系统管理员兼任业务角色); every opening of an account, or change of roles, that gives someone one of those roles;
and every password the admin reset for an account holding one (the admin knew that password until its holder
replaced it). The list is kept whether or not the setting is relaxed now.
"""

from __future__ import annotations

import json
import sqlite3

from aggregates.envelope import OfficeAggregate
from aggregates.user_account import UserAccount
from projections.audit_trail import Entry, _entry
from projections.engine import Projection, Step, insert

DUTY_ROLES = frozenset({"chair", "vice_chair", "accountant", "cashier", "auditor"})

projection = Projection(
    name="admin_duties",
    schema_version=2,
    tables=[
        "CREATE TABLE admin_roles (user_id TEXT PRIMARY KEY, roles TEXT NOT NULL)",
        "CREATE TABLE admin_duties (position INTEGER PRIMARY KEY, actor TEXT NOT NULL, actor_role TEXT NOT NULL)",
    ],
)


def _roles_of(step: Step, user_id: str) -> frozenset[str]:
    row = step.db.execute("SELECT roles FROM admin_roles WHERE user_id = ?", [user_id]).fetchone()
    return frozenset(json.loads(row[0])) if row else frozenset()


def _list(step: Step, e: OfficeAggregate.Event) -> None:
    insert(step.db, "admin_duties", {"position": step.position, "actor": e.actor, "actor_role": e.actor_role})


@projection.on(UserAccount.Registered, UserAccount.RolesChanged)
def _roles(step: Step, e: UserAccount.Registered | UserAccount.RolesChanged) -> None:
    user_id = str(e.originator_id)
    granted = frozenset(e.roles) - _roles_of(step, user_id)
    step.db.execute("INSERT OR REPLACE INTO admin_roles VALUES (?, ?)", [user_id, json.dumps(sorted(e.roles))])
    if granted & DUTY_ROLES:
        _list(step, e)


@projection.on(UserAccount.PasswordReset)
def _reset(step: Step, e: UserAccount.PasswordReset) -> None:
    if _roles_of(step, str(e.originator_id)) & DUTY_ROLES:
        _list(step, e)


@projection.on(OfficeAggregate.Event)
def _event(step: Step, e: OfficeAggregate.Event) -> None:
    if e.actor_role in DUTY_ROLES and "admin" in _roles_of(step, e.actor):
        _list(step, e)


def entries(conn: sqlite3.Connection, limit: int = 200) -> list[Entry]:
    """The newest of those acts first, as audit-trail entries."""
    rows = conn.execute(
        "SELECT a.* FROM admin_duties d JOIN audit_events a ON a.position = d.position"
        " ORDER BY d.position DESC LIMIT ?", [limit])
    return [_entry(row) for row in rows]


def count(conn: sqlite3.Connection) -> int:
    """How many such acts there are."""
    return conn.execute("SELECT COUNT(*) FROM admin_duties").fetchone()[0]
