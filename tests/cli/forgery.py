"""An insider's forgery of the event log: one stored event rewritten, the whole chain re-linked over it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from uuid import UUID

from aggregates.chain import GENESIS, link_hash


def forge(db: Path, position: int, *, state: bytes | None = None, topic: str | None = None) -> None:
    """Rewrite one stored event and re-link the whole chain over it, as an insider with the file would."""
    with sqlite3.connect(db) as conn:
        if state is not None:
            conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (state, position))
        if topic is not None:
            conn.execute("UPDATE stored_events SET topic = ? WHERE rowid = ?", (topic, position))
        prev = GENESIS
        rows = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
                            " ORDER BY rowid").fetchall()
        for pos, stream, version, event_topic, event_state in rows:
            link = link_hash(prev, pos, UUID(str(stream)), version, event_topic, bytes(event_state))
            conn.execute("UPDATE event_chain SET prev_hash = ?, hash = ? WHERE position = ?", (prev, link, pos))
            prev = link
    conn.close()
