"""Personal data (ID numbers, phone numbers, addresses) sealed with a key per person.

The keys live in `keys.sqlite`, outside the event log. Events carry only the
ciphertext, so the hash chain covers the ciphertext; erasing a person's data (PIPL)
destroys their key, the ciphertext in the log becomes unreadable, and the chain still
verifies. The same file holds a secret pepper used to derive the ids of uniqueness
claims on personal keys (an ID number's claim id must not reveal the number).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Transcoding

ERASED = None  # what unseal() returns once the key is destroyed

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subject_keys (
    subject_id TEXT PRIMARY KEY, key BLOB NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS erased_subjects (
    subject_id TEXT PRIMARY KEY, erased_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


@dataclass(frozen=True)
class Sealed:
    """A personal value encrypted with its subject's key (AES-256-GCM)."""

    subject_id: UUID
    nonce: bytes
    ciphertext: bytes


class SealedAsDict(Transcoding):
    """Stores a Sealed value as {"subject", "nonce", "data"} (`"_type_": "sealed"`)."""

    type = Sealed
    name = "sealed"

    def encode(self, obj: Sealed) -> dict[str, str]:
        return {
            "subject": obj.subject_id.hex,
            "nonce": base64.b64encode(obj.nonce).decode("ascii"),
            "data": base64.b64encode(obj.ciphertext).decode("ascii"),
        }

    def decode(self, data: dict[str, Any]) -> Sealed:
        return Sealed(
            UUID(data["subject"]),
            base64.b64decode(data["nonce"]),
            base64.b64decode(data["data"]),
        )


class KeyFileDamaged(RuntimeError):
    """keys.sqlite cannot serve the log it belongs to; the office must not start on it."""


class KeysMissing(KeyFileDamaged):
    """keys.sqlite is gone while the log holds events: a new file would mint a new pepper
    (a known ID number would then pass as new) and every sealed value would be unreadable."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"找不到个人信息密钥库 {path}：记录库中已有记录，不能新建密钥库"
            "（否则身份证号查重失效，已加密的个人信息无法读取）。请从备份恢复该文件后再启动。")


class PepperMissing(KeyFileDamaged):
    """The pepper is gone while ID numbers were already claimed under it."""

    def __init__(self) -> None:
        super().__init__("个人信息密钥库中缺少查重密钥，而记录中已有按它登记的身份证号；请从备份恢复 keys.sqlite")


def private_file(path: Path) -> None:
    """Make `path` readable by its owner only: created empty with mode 0600 if absent
    (SQLite gives its -wal and -shm files the same mode), tightened if it is wider."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if os.stat(path).st_mode & 0o077:
            with contextlib.suppress(PermissionError):  # someone else's copy: theirs to tighten
                os.chmod(path, 0o600)


class KeyStore:
    """The per-person keys and the pepper, in their own SQLite file."""

    def __init__(self, path: Path, *, create: bool = True, may_mint: Callable[[], bool] = lambda: True) -> None:
        """Open the key file; `create` False refuses to make a new one (the log already has
        events); `may_mint` says whether a missing pepper may be made now (no ID number claimed)."""
        self.path = path
        self._lock = threading.Lock()
        self._may_mint = may_mint
        # Looking a key up is the hot path (every sealed field a projection reads): each thread keeps
        # one connection for it, instead of opening the file for every lookup.
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        new = not path.exists()
        if new and not create:
            raise KeysMissing(path)
        private_file(path)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)
        if new:
            self.pepper()  # minted with the file, so it never has to be minted later

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            # Destroyed keys are overwritten on disk, not just unlinked from the b-tree.
            conn.execute("PRAGMA secure_delete=ON")
            yield conn
        finally:
            conn.close()

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA secure_delete=ON")
            with self._lock:
                self._readers.append(conn)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close the lookup connections of every thread (when the office shuts down)."""
        with self._lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        self._local = threading.local()

    def seal(self, subject_id: UUID, plaintext: str) -> Sealed:
        """Encrypt `plaintext` with the subject's key, creating the key on first use."""
        key = self._key(subject_id, create=True)
        assert key is not None
        nonce = os.urandom(12)
        ciphertext = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), subject_id.bytes)
        return Sealed(subject_id, nonce, ciphertext)

    def unseal(self, sealed: Sealed) -> str | None:
        """The plaintext, or None when the subject's data has been erased."""
        key = self._key(sealed.subject_id, create=False)
        if key is None:
            return ERASED
        data = AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, sealed.subject_id.bytes)
        return data.decode("utf-8")

    def erase(self, subject_id: UUID) -> None:
        """Destroy the subject's key for good (idempotent)."""
        now = datetime.now(UTC).isoformat()
        with self._lock, self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM subject_keys WHERE subject_id = ?", (subject_id.hex,))
            conn.execute(
                "INSERT OR IGNORE INTO erased_subjects (subject_id, erased_at) VALUES (?, ?)",
                (subject_id.hex, now),
            )
            conn.execute("COMMIT")
        with self._connect() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def has_pepper(self) -> bool:
        """Whether the pepper exists (never mints one)."""
        with self._lock, self._connect() as conn:
            return conn.execute("SELECT 1 FROM secrets WHERE name = 'pepper'").fetchone() is not None

    def has_key(self, subject_id: UUID) -> bool:
        """Whether the subject's key still exists."""
        return self._key(subject_id, create=False) is not None

    def pepper(self) -> bytes:
        """The office's secret for deriving uniqueness ids of personal keys."""
        with self._lock, self._connect() as conn:
            row = conn.execute("SELECT value FROM secrets WHERE name = 'pepper'").fetchone()
            if row:
                return bytes(row[0])
            if not self._may_mint():
                raise PepperMissing()
            # Another process may create it at the same moment: the first one wins.
            conn.execute(
                "INSERT OR IGNORE INTO secrets (name, value) VALUES ('pepper', ?)", (os.urandom(32),)
            )
            return bytes(conn.execute("SELECT value FROM secrets WHERE name = 'pepper'").fetchone()[0])

    def blind(self, kind: str, key: str) -> str:
        """A keyed digest of a personal key, safe to use in an aggregate id."""
        # Length-prefixed, so ("a:b", "c") and ("a", "b:c") never collide.
        message = f"{len(kind)}:{kind}:{key}".encode()
        return hmac.new(self.pepper(), message, hashlib.sha256).hexdigest()

    def _key(self, subject_id: UUID, *, create: bool) -> bytes | None:
        if not create:  # autocommit: each lookup sees every key written or destroyed before it, by any process
            row = self._reader().execute(
                "SELECT key FROM subject_keys WHERE subject_id = ?", (subject_id.hex,)).fetchone()
            return bytes(row[0]) if row else None
        with self._lock, self._connect() as conn:
            row = conn.execute(
                "SELECT key FROM subject_keys WHERE subject_id = ?", (subject_id.hex,)
            ).fetchone()
            if row or not create:
                return bytes(row[0]) if row else None
            erased = conn.execute(
                "SELECT 1 FROM erased_subjects WHERE subject_id = ?", (subject_id.hex,)
            ).fetchone()
            if erased:
                raise PermissionError("this person's personal data has been erased")
            conn.execute(
                "INSERT OR IGNORE INTO subject_keys (subject_id, key, created_at) VALUES (?, ?, ?)",
                (subject_id.hex, AESGCM.generate_key(bit_length=256), datetime.now(UTC).isoformat()),
            )
            row = conn.execute(
                "SELECT key FROM subject_keys WHERE subject_id = ?", (subject_id.hex,)
            ).fetchone()
            return bytes(row[0])
