"""Password hashes and login sessions: mutable, in keys.sqlite, never in events.

A session is a random token in the user's signed cookie; the row here says which
user it belongs to, so logging out, deactivating an account or resetting a password
ends sessions on the server, not just in one browser. A session ends by itself after
an idle time and after an absolute time (two settings). A password set by someone
else (the admin) must be changed by its holder at the next login: that flag lives
here too. Argon2 work is bounded: at most HASH_SLOTS hashes run at once in the
process, and a login that finds no free slot is refused at once (`HashingBusy`)
instead of holding a thread that serves pages.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from intranet.keyfile import keyfile
from intranet.password_policy import password_problem

__all__ = ["Credentials", "HashingBusy", "SessionLimits", "password_problem"]

HASH_SLOTS = 1  # argon2 hashes running at once in this process
# argon2id as OWASP's Password Storage Cheat Sheet recommends (46 MiB, 1 pass, 1 lane): one hash
# keeps one core busy for a few tens of milliseconds and leaves the other cores to the pages.
HASHER = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1)
HASH_WAIT = 0.05  # seconds a login waits for a free slot before it is refused
TOUCH_EVERY = timedelta(seconds=30)  # how stale a session's last-seen time may get before it is written

_SCHEMA = """
CREATE TABLE IF NOT EXISTS credentials (
    user_id TEXT PRIMARY KEY, password_hash TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS password_change_due (
    user_id TEXT PRIMARY KEY, since TEXT NOT NULL);
"""


class HashingBusy(Exception):
    """Every argon2 slot is taken: try again in a moment."""


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lives: idle time since the last request, and in all."""

    idle: timedelta
    absolute: timedelta


class Credentials:
    """The credentials table, the sessions table and the forced-change flags."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None,
                 clock: Callable[[], datetime] | None = None, hash_slots: int = HASH_SLOTS) -> None:
        self.path = path
        self.hasher = hasher or HASHER
        self.clock = clock or (lambda: datetime.now(UTC))
        self._slots = threading.BoundedSemaphore(hash_slots)
        # A hash to verify against when the username is unknown, so timing does not tell.
        self._decoy = self.hasher.hash(secrets.token_hex(16))
        with self._connect() as conn:
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(sessions)")}
            if "last_seen_at" not in columns:
                conn.execute("ALTER TABLE sessions ADD COLUMN last_seen_at TEXT")

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return keyfile(self.path)

    @contextmanager
    def hashing(self, wait: float | None = HASH_WAIT) -> Iterator[None]:
        """Hold one of the argon2 slots (waiting at most `wait` seconds, None: as long as it takes)."""
        if not self._slots.acquire(timeout=wait):
            raise HashingBusy
        try:
            yield
        finally:
            self._slots.release()

    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat()

    # -- passwords ------------------------------------------------------------------------

    def set_password(self, user_id: UUID, password: str, *, user_inputs: Iterable[str] = (),
                     must_change: bool = False) -> None:
        """Store a new password that passes the policy; end every session of the user.

        `must_change`: the password was chosen by someone else (the admin), so its
        holder must replace it at the next login.
        """
        problem = password_problem(password, user_inputs=user_inputs)
        if problem:
            raise ValueError(problem)
        self._store(user_id, password, must_change=must_change)

    def set_demo_password(self, user_id: UUID, password: str) -> None:
        """Store the demo office's published password, which the policy would refuse.

        Only the demo builder calls this (its password, demo1234, is in the README);
        every other path goes through `set_password` and the policy.
        """
        self._store(user_id, password, must_change=False)

    def _store(self, user_id: UUID, password: str, *, must_change: bool) -> None:
        with self.hashing(wait=None):  # a password being set is rare and by a signed-in user: wait
            password_hash = self.hasher.hash(password)
        now = self._now()
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO credentials VALUES (?, ?, ?) ON CONFLICT(user_id) DO UPDATE"
                " SET password_hash = excluded.password_hash, updated_at = excluded.updated_at",
                (str(user_id), password_hash, now),
            )
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (str(user_id),))
            conn.execute("DELETE FROM password_change_due WHERE user_id = ?", (str(user_id),))
            if must_change:
                conn.execute("INSERT INTO password_change_due VALUES (?, ?)", (str(user_id), now))
            conn.execute("COMMIT")

    def check_password(self, user_id: UUID | None, password: str) -> bool:
        """Whether `password` is the user's (always spends the same effort; may raise HashingBusy)."""
        stored = None
        if user_id is not None:
            with self._connect() as conn:
                row = conn.execute(
                    "SELECT password_hash FROM credentials WHERE user_id = ?", (str(user_id),)
                ).fetchone()
            stored = row[0] if row else None
        with self.hashing():
            try:
                right = self.hasher.verify(stored or self._decoy, password) and stored is not None
            except (VerificationError, InvalidHashError):
                return False
        if right and user_id is not None and stored and self.hasher.check_needs_rehash(stored):
            self._rehash(user_id, stored, password)
        return right

    def _rehash(self, user_id: UUID, stored: str, password: str) -> None:
        """Store the hash again with today's parameters (the password is the same: sessions stay)."""
        with self.hashing(wait=None):
            password_hash = self.hasher.hash(password)
        with self._connect() as conn:
            conn.execute("UPDATE credentials SET password_hash = ? WHERE user_id = ? AND password_hash = ?",
                         (password_hash, str(user_id), stored))

    def has_password(self, user_id: UUID) -> bool:
        """Whether a password was ever set for the user."""
        with self._connect() as conn:
            row = conn.execute("SELECT 1 FROM credentials WHERE user_id = ?", (str(user_id),)).fetchone()
        return row is not None

    def must_change_password(self, user_id: UUID) -> bool:
        """Whether the user's password was set by someone else and must be changed before anything else."""
        with self._connect() as conn:
            row = conn.execute("SELECT 1 FROM password_change_due WHERE user_id = ?", (str(user_id),)).fetchone()
        return row is not None

    # -- sessions -------------------------------------------------------------------------

    def open_session(self, user_id: UUID) -> str:
        """A new session token for the user."""
        token = secrets.token_urlsafe(32)
        now = self._now()
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO sessions (token, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
                (token, str(user_id), now, now),
            )
        return token

    def session_user(self, token: str, limits: SessionLimits | None = None) -> UUID | None:
        """The user a session token belongs to, if the session is open (and within `limits`)."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT user_id, created_at, last_seen_at FROM sessions WHERE token = ?", (token,)).fetchone()
            if row is None:
                return None
            if limits is None:
                return UUID(row[0])
            now = self.clock().astimezone(UTC)
            created = datetime.fromisoformat(row[1])
            seen = datetime.fromisoformat(row[2]) if row[2] else created
            if now - created >= limits.absolute or now - seen >= limits.idle:
                conn.execute("DELETE FROM sessions WHERE token = ?", (token,))
                return None
            if now - seen >= TOUCH_EVERY:
                conn.execute("UPDATE sessions SET last_seen_at = ? WHERE token = ?", (now.isoformat(), token))
        return UUID(row[0])

    def close_session(self, token: str) -> None:
        """End one session (logout)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM sessions WHERE token = ?", (token,))

    def close_sessions_of(self, user_id: UUID) -> None:
        """End every session of a user (deactivation)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (str(user_id),))
