"""The one way to open keys.sqlite for the mutable tables the web shell keeps there: password hashes and
sessions, login failure counters, and the last verified chain head."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def keyfile(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection in autocommit mode (callers begin their own transactions), closed after use."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()
