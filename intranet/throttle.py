"""Login throttling: failed attempts counted per account and per client address, in keys.sqlite.

The counters are mutable and never in events. After a few free failures each further
failure makes the next attempt wait longer (doubling); an account that keeps failing
is locked for LOCKOUT, which only its expiry or an admin lifts (the lifting is a
command, recorded in the log). While an attempt must wait it is refused without
checking the password, so a flood costs no argon2 work. The account key is the
username as typed (case-folded), so an unknown username is throttled exactly like a
known one and the answer tells nothing about which usernames exist.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from intranet.keyfile import keyfile


@dataclass(frozen=True)
class Rule:
    """How one kind of key is throttled."""

    free: int  # failures before any delay
    first_delay: timedelta  # the delay after the first failure past `free`, doubling after
    max_delay: timedelta
    lock_after: int | None  # failures that lock the key for `lockout`; None: never locked
    forget_after: timedelta  # a failure this old no longer counts


ACCOUNT = Rule(free=3, first_delay=timedelta(seconds=15), max_delay=timedelta(minutes=5), lock_after=10,
               forget_after=timedelta(hours=1))
# An office's PCs may share one address behind its router: more free failures, no lockout.
ADDRESS = Rule(free=20, first_delay=timedelta(seconds=5), max_delay=timedelta(minutes=15), lock_after=None,
               forget_after=timedelta(hours=1))
LOCKOUT = timedelta(hours=1)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS login_failures (
    kind TEXT NOT NULL, key TEXT NOT NULL, failures INTEGER NOT NULL, last_failed_at TEXT NOT NULL,
    blocked_until TEXT NOT NULL, locked INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (kind, key));
"""


@dataclass(frozen=True)
class Wait:
    """An attempt that must wait: until when, and whether the account is locked."""

    until: datetime
    locked: bool


def delay(rule: Rule, failures: int) -> timedelta:
    """How long the next attempt waits after `failures` failures in a row."""
    if failures <= rule.free:
        return timedelta(0)
    if rule.lock_after is not None and failures >= rule.lock_after:
        return LOCKOUT
    return min(rule.first_delay * 2 ** (failures - rule.free - 1), rule.max_delay)


class LoginThrottle:
    """The failure counters of accounts and client addresses."""

    def __init__(self, path: Path, clock: Callable[[], datetime]) -> None:
        self.path = path
        self.clock = clock
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return keyfile(self.path)

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def wait(self, username: str, address: str) -> Wait | None:
        """Whether an attempt for `username` from `address` must wait now, and until when."""
        now = self._now()
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT blocked_until, locked FROM login_failures WHERE (kind = 'account' AND key = ?)"
                " OR (kind = 'address' AND key = ?)", (_account_key(username), address)).fetchall()
        waits = [Wait(datetime.fromisoformat(until), bool(locked)) for until, locked in rows]
        waits = [w for w in waits if w.until > now]
        if not waits:
            return None
        return Wait(max(w.until for w in waits), any(w.locked for w in waits))

    def failed(self, username: str, address: str) -> Wait | None:
        """Count a failed attempt against both keys; the wait it now imposes, if any."""
        now = self._now()
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            waits = [self._count(conn, "account", _account_key(username), ACCOUNT, now),
                     self._count(conn, "address", address, ADDRESS, now)]
            conn.execute("COMMIT")
        waits = [w for w in waits if w.until > now]
        if not waits:
            return None
        return Wait(max(w.until for w in waits), any(w.locked for w in waits))

    @staticmethod
    def _count(conn: sqlite3.Connection, kind: str, key: str, rule: Rule, now: datetime) -> Wait:
        row = conn.execute("SELECT failures, last_failed_at FROM login_failures WHERE kind = ? AND key = ?",
                           (kind, key)).fetchone()
        fresh = row is not None and now - datetime.fromisoformat(row[1]) < rule.forget_after
        failures = row[0] + 1 if fresh else 1
        until = now + delay(rule, failures)
        locked = rule.lock_after is not None and failures >= rule.lock_after
        conn.execute(
            "INSERT INTO login_failures VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(kind, key) DO UPDATE SET"
            " failures = excluded.failures, last_failed_at = excluded.last_failed_at,"
            " blocked_until = excluded.blocked_until, locked = excluded.locked",
            (kind, key, failures, now.isoformat(), until.isoformat(), int(locked)))
        return Wait(until, locked)

    def succeeded(self, username: str) -> None:
        """A login succeeded: the account's count starts again (the address's fades with time)."""
        self.clear(username)

    def clear(self, username: str) -> None:
        """Forget the account's failures and lift its lockout."""
        with self._connect() as conn:
            conn.execute("DELETE FROM login_failures WHERE kind = 'account' AND key = ?", (_account_key(username),))

    def locked_until(self, username: str) -> datetime | None:
        """Until when the account is locked (None when it is not)."""
        with self._connect() as conn:
            row = conn.execute("SELECT blocked_until FROM login_failures WHERE kind = 'account' AND key = ?"
                               " AND locked = 1", (_account_key(username),)).fetchone()
        until = datetime.fromisoformat(row[0]) if row else None
        return until if until and until > self._now() else None


def _account_key(username: str) -> str:
    return (username or "").strip().lower()[:64]
