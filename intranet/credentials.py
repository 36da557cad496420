"""Password hashes and login sessions: mutable, in keys.sqlite, never in events.

A session is a random token in the user's signed cookie; the row here says which
user it belongs to, so logging out, deactivating an account or resetting a password
ends sessions on the server, not just in one browser.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 8

_SCHEMA = """
CREATE TABLE IF NOT EXISTS credentials (
    user_id TEXT PRIMARY KEY, password_hash TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
"""


def password_problem(password: str, confirm: str | None = None) -> str | None:
    """Why a new password is not acceptable (in Chinese), or None."""
    if len(password or "") < MIN_PASSWORD:
        return f"密码至少{MIN_PASSWORD}位"
    if len(password) > 200:
        return "密码过长"
    if confirm is not None and password != confirm:
        return "两次输入的密码不一致"
    return None


class Credentials:
    """The credentials table and the sessions table."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None) -> None:
        self.path = path
        self.hasher = hasher or PasswordHasher()
        # A hash to verify against when the username is unknown, so timing does not tell.
        self._decoy = self.hasher.hash(secrets.token_hex(16))
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()

    def set_password(self, user_id: UUID, password: str) -> None:
        """Store a new password hash and end every session of the user."""
        problem = password_problem(password)
        if problem:
            raise ValueError(problem)
        now = datetime.now(UTC).isoformat()
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO credentials VALUES (?, ?, ?) ON CONFLICT(user_id) DO UPDATE"
                " SET password_hash = excluded.password_hash, updated_at = excluded.updated_at",
                (str(user_id), self.hasher.hash(password), now),
            )
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (str(user_id),))
            conn.execute("COMMIT")

    def check_password(self, user_id: UUID | None, password: str) -> bool:
        """Whether `password` is the user's (always spends the same effort)."""
        stored = None
        if user_id is not None:
            with self._connect() as conn:
                row = conn.execute(
                    "SELECT password_hash FROM credentials WHERE user_id = ?", (str(user_id),)
                ).fetchone()
            stored = row[0] if row else None
        try:
            return self.hasher.verify(stored or self._decoy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def has_password(self, user_id: UUID) -> bool:
        """Whether a password was ever set for the user."""
        with self._connect() as conn:
            row = conn.execute("SELECT 1 FROM credentials WHERE user_id = ?", (str(user_id),)).fetchone()
        return row is not None

    def open_session(self, user_id: UUID) -> str:
        """A new session token for the user."""
        token = secrets.token_urlsafe(32)
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO sessions VALUES (?, ?, ?)",
                (token, str(user_id), datetime.now(UTC).isoformat()),
            )
        return token

    def session_user(self, token: str) -> UUID | None:
        """The user a session token belongs to, if the session is open."""
        with self._connect() as conn:
            row = conn.execute("SELECT user_id FROM sessions WHERE token = ?", (token,)).fetchone()
        return UUID(row[0]) if row else None

    def close_session(self, token: str) -> None:
        """End one session (logout)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM sessions WHERE token = ?", (token,))

    def close_sessions_of(self, user_id: UUID) -> None:
        """End every session of a user (deactivation)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (str(user_id),))
