"""The user accounts: who may log in, with which roles."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from uuid import UUID

from aggregates.personal_data import Sealed, SealedAsDict
from aggregates.user_account import UserAccount
from projections.engine import Projection, Step, insert, update

projection = Projection(
    name="users",
    schema_version=1,
    tables=[
        """CREATE TABLE users (
            user_id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
            roles TEXT NOT NULL, member_id TEXT, active INTEGER NOT NULL, erased INTEGER NOT NULL,
            phone TEXT, version INTEGER NOT NULL, registered_on TEXT NOT NULL)""",
    ],
)

_SEALED = SealedAsDict()


def _phone(sealed: Sealed | None) -> str | None:
    return json.dumps(_SEALED.encode(sealed)) if sealed else None


@projection.on(UserAccount.Registered)
def _registered(step: Step, e: UserAccount.Registered) -> None:
    insert(step.db, "users", {
        "user_id": str(e.originator_id), "username": e.username, "display_name": e.display_name,
        "roles": json.dumps(e.roles), "member_id": str(e.member_id) if e.member_id else None,
        "active": 1, "erased": 0, "phone": _phone(e.phone), "version": e.originator_version,
        "registered_on": e.occurred_on.isoformat(),
    })


def _update(step: Step, e: UserAccount.Event, **changes: object) -> None:
    update(step.db, "users", "user_id", str(e.originator_id), {**changes, "version": e.originator_version})


@projection.on(UserAccount.RolesChanged)
def _roles(step: Step, e: UserAccount.RolesChanged) -> None:
    _update(step, e, roles=json.dumps(e.roles))


@projection.on(UserAccount.Deactivated)
def _deactivated(step: Step, e: UserAccount.Deactivated) -> None:
    _update(step, e, active=0)


@projection.on(UserAccount.Reactivated)
def _reactivated(step: Step, e: UserAccount.Reactivated) -> None:
    _update(step, e, active=1)


@projection.on(UserAccount.PhoneChanged)
def _phone_changed(step: Step, e: UserAccount.PhoneChanged) -> None:
    _update(step, e, phone=_phone(e.phone))


@projection.on(UserAccount.PersonalDataErased)
def _erased(step: Step, e: UserAccount.PersonalDataErased) -> None:
    _update(step, e, phone=None, erased=1)


@projection.on(UserAccount.PasswordReset)
def _password_reset(step: Step, e: UserAccount.PasswordReset) -> None:
    _update(step, e)


@projection.on(UserAccount.MemberLinked)
def _member_linked(step: Step, e: UserAccount.MemberLinked) -> None:
    _update(step, e, member_id=str(e.member_id))


@projection.on(UserAccount.MemberUnlinked)
def _member_unlinked(step: Step, e: UserAccount.MemberUnlinked) -> None:
    _update(step, e, member_id=None)
@projection.on(UserAccount.PasswordChangedByOwner)
def _password_changed(step: Step, e: UserAccount.PasswordChangedByOwner) -> None:
    _update(step, e)


@projection.on(UserAccount.LoginLockoutLifted)
def _lockout_lifted(step: Step, e: UserAccount.LoginLockoutLifted) -> None:
    _update(step, e)


@dataclass(frozen=True)
class User:
    """A user account as the intranet shows and checks it."""

    user_id: UUID
    username: str
    display_name: str
    roles: tuple[str, ...]
    member_id: UUID | None
    active: bool
    erased: bool
    phone: Sealed | None
    version: int


def _user(row: sqlite3.Row) -> User:
    return User(
        user_id=UUID(row["user_id"]), username=row["username"], display_name=row["display_name"],
        roles=tuple(json.loads(row["roles"])),
        member_id=UUID(row["member_id"]) if row["member_id"] else None,
        active=bool(row["active"]), erased=bool(row["erased"]),
        phone=_SEALED.decode(json.loads(row["phone"])) if row["phone"] else None,
        version=row["version"],
    )


def by_username(conn: sqlite3.Connection, username: str) -> User | None:
    """The account with this username (case-folded), if any."""
    row = conn.execute("SELECT * FROM users WHERE username = ?", [username.strip().lower()]).fetchone()
    return _user(row) if row else None


def by_id(conn: sqlite3.Connection, user_id: UUID | str) -> User | None:
    """The account with this id, if any."""
    row = conn.execute("SELECT * FROM users WHERE user_id = ?", [str(user_id)]).fetchone()
    return _user(row) if row else None


def everyone(conn: sqlite3.Connection) -> list[User]:
    """All accounts, active first, by username."""
    rows = conn.execute("SELECT * FROM users ORDER BY active DESC, username")
    return [_user(row) for row in rows]


def active_count(conn: sqlite3.Connection) -> int:
    """How many accounts may log in."""
    return conn.execute("SELECT COUNT(*) FROM users WHERE active = 1").fetchone()[0]


def names(conn: sqlite3.Connection) -> dict[str, str]:
    """user id → display name, to show actors by name."""
    return dict(conn.execute("SELECT user_id, display_name FROM users").fetchall())


def by_member(conn: sqlite3.Connection, member_id: UUID | str) -> User | None:
    """The account linked to this member, if any."""
    row = conn.execute("SELECT * FROM users WHERE member_id = ?", [str(member_id)]).fetchone()
    return _user(row) if row else None
