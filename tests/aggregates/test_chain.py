"""The hash chain over the SQLite event log: format, verification, attacks, concurrency.

Every test works on a real log written by UnionOffice, then tampers with the file
through the sqlite3 module directly, as someone holding the file could.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
from pathlib import Path
from uuid import UUID

import pytest

from aggregates.application import UnionOffice
from aggregates.chain import Anchor, link_hash, sqlite_head, verify_sqlite
from tests.conftest import acting, system

# Enough writes per process that two deferred transactions reliably collide: with a plain
# BEGIN instead of BEGIN IMMEDIATE, 300 each failed with "database is locked" in 12 of 12 runs.
WORKER_USERS = 300


def _db(office: UnionOffice) -> Path:
    return office.data_dir / "events.sqlite"


def _populate(office: UnionOffice) -> Path:
    """Add settings and users to the founded office, close it, return the log's path.

    The log then holds the founding events (the office, admin and the fixture's staff accounts), then 4
    settings and 2 users.
    """
    for limit in ("5000", "6000", "7000", "8000"):
        office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", limit, office.today(), "理由")
    office.register_user(system(office), "wang", "王芳", ["accountant"])
    office.register_user(system(office), "li", "李娜", ["cashier"])
    office.close()
    return _db(office)


def _rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]


def _tamper(db: Path, *statements: tuple[str, tuple]) -> None:
    conn = sqlite3.connect(db)
    try:
        with conn:
            for sql, params in statements:
                conn.execute(sql, params)
    finally:
        conn.close()


# -- an untouched log ------------------------------------------------------------------------


def test_an_untouched_log_verifies(office: UnionOffice) -> None:
    db = _populate(office)

    report = verify_sqlite(db)

    assert report.ok
    assert report.bad_position is None
    assert report.events == _rows(db)


def test_the_head_is_the_last_chain_row_at_the_position_of_the_last_event(
    office: UnionOffice,
) -> None:
    db = _populate(office)
    with sqlite3.connect(db) as conn:
        last_rowid = conn.execute("SELECT max(rowid) FROM stored_events").fetchone()[0]
        last_pos, last_hash = conn.execute(
            "SELECT position, hash FROM event_chain ORDER BY position DESC LIMIT 1"
        ).fetchone()

    head = verify_sqlite(db).head

    assert head is not None
    assert head.position == _rows(db) == last_rowid == last_pos
    assert head.hash == bytes(last_hash)
    assert sqlite_head(db) == head


def _independent_link(prev: bytes, event: tuple[int, str, int, str, bytes]) -> bytes:
    """The link as the module docstring describes it, written without aggregates.chain.

    `event` is a stored_events row: (position, stream id as 32 hex, version, topic, state).
    """
    position, stream_hex, version, topic, state = event
    h = stream_hex.lower()
    canonical = f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    fields = (
        prev,
        str(position).encode("ascii"),
        canonical.encode("ascii"),
        str(version).encode("ascii"),
        topic.encode("utf-8"),
        state,
    )
    message = b"".join(len(f).to_bytes(8, "big") + f for f in fields)
    return hashlib.sha256(message).digest()


def test_every_stored_link_matches_an_independent_implementation_of_the_documented_format(
    office: UnionOffice,
) -> None:
    db = _populate(office)
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state,"
            "       c.prev_hash, c.hash"
            "  FROM stored_events e JOIN event_chain c ON c.position = e.rowid ORDER BY e.rowid"
        ).fetchall()
    assert len(rows) == _rows(db)

    prev = bytes(32)
    for position, stream, version, topic, state, stored_prev, stored_hash in rows:
        assert len(stream) == 32  # SQLite keeps the stream id as 32 hex digits
        expected = _independent_link(prev, (position, stream, version, topic, bytes(state)))
        assert bytes(stored_prev) == prev, f"prev_hash of position {position}"
        assert bytes(stored_hash) == expected, f"hash of position {position}"
        prev = expected


# -- attacks ---------------------------------------------------------------------------------


def test_one_flipped_byte_in_an_events_state_is_detected_at_that_position(
    office: UnionOffice,
) -> None:
    db = _populate(office)
    with sqlite3.connect(db) as conn:
        (state,) = conn.execute("SELECT state FROM stored_events WHERE rowid = 4").fetchone()
    state = bytearray(state)
    state[len(state) // 2] ^= 0x01
    _tamper(db, ("UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(state), 4)))

    report = verify_sqlite(db)

    assert not report.ok
    assert report.bad_position == 4


def test_a_row_deleted_from_both_the_log_and_the_chain_is_detected_at_the_next_position(
    office: UnionOffice,
) -> None:
    db = _populate(office)
    _tamper(
        db,
        ("DELETE FROM stored_events WHERE rowid = ?", (5,)),
        ("DELETE FROM event_chain WHERE position = ?", (5,)),
    )

    report = verify_sqlite(db)

    assert not report.ok
    assert report.bad_position == 6


def test_an_event_deleted_only_from_the_log_is_detected_at_its_own_position(
    office: UnionOffice,
) -> None:
    db = _populate(office)
    _tamper(db, ("DELETE FROM stored_events WHERE rowid = ?", (3,)))

    report = verify_sqlite(db)

    assert not report.ok
    assert report.bad_position == 3


def test_two_events_with_swapped_contents_are_detected_at_the_first_of_them(
    office: UnionOffice,
) -> None:
    db = _populate(office)
    with sqlite3.connect(db) as conn:
        select = (
            "SELECT originator_id, originator_version, topic, state FROM stored_events"
            " WHERE rowid = ?"
        )
        first = conn.execute(select, (4,)).fetchone()
        second = conn.execute(select, (7,)).fetchone()
    update = (
        "UPDATE stored_events SET originator_id = ?, originator_version = ?, topic = ?, state = ?"
        " WHERE rowid = ?"
    )
    parked = ("0" * 32, -1, "parked", b"")  # frees the (stream, version) key during the swap
    _tamper(
        db,
        (update, (*parked, 4)),
        (update, (*first, 7)),
        (update, (*second, 4)),
    )
    with sqlite3.connect(db) as conn:  # the swap really happened
        assert conn.execute(select, (4,)).fetchone() == second
        assert conn.execute(select, (7,)).fetchone() == first

    report = verify_sqlite(db)

    assert not report.ok
    assert report.bad_position == 4


def test_a_truncated_tail_still_verifies_without_an_anchor_since_the_rest_is_a_valid_chain(
    office: UnionOffice,
) -> None:
    """Without a head written down elsewhere, a shorter log is indistinguishable from an
    older one: truncation is only caught with an anchor (next test)."""
    db = _populate(office)
    _tamper(
        db,
        ("DELETE FROM stored_events WHERE rowid > ?", (6,)),
        ("DELETE FROM event_chain WHERE position > ?", (6,)),
    )

    report = verify_sqlite(db)

    assert report.ok
    assert report.head is not None
    assert report.head.position == 6


def test_a_truncated_tail_fails_against_an_anchor_taken_before_and_names_the_anchor_position(
    office: UnionOffice,
) -> None:
    db = _populate(office)
    total = _rows(db)
    anchor = verify_sqlite(db).head
    assert anchor is not None
    _tamper(
        db,
        ("DELETE FROM stored_events WHERE rowid > ?", (6,)),
        ("DELETE FROM event_chain WHERE position > ?", (6,)),
    )

    report = verify_sqlite(db, anchor)

    assert not report.ok
    assert report.bad_position == anchor.position == total


def _setting_of_6000(db: Path) -> int:
    """The position of the setting that raised the cash limit to 6000 (written by _populate)."""
    with sqlite3.connect(db) as conn:
        (position,) = conn.execute(
            "SELECT rowid FROM stored_events WHERE instr(state, ?) > 0", (b"6000.00",)
        ).fetchone()
    return position


def _rechain_after_changing(db: Path, rowid: int) -> None:
    """Alter one event, then rewrite every chain row so the chain is self-consistent."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            (state,) = conn.execute(
                "SELECT state FROM stored_events WHERE rowid = ?", (rowid,)
            ).fetchone()
            forged = bytes(state).replace(b"6000.00", b"9000.00")
            assert forged != bytes(state)
            conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (forged, rowid))
            prev = bytes(32)
            rows = conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state"
                "  FROM stored_events ORDER BY rowid"
            ).fetchall()
            for position, stream, version, topic, body in rows:
                link = link_hash(prev, position, UUID(stream), version, topic, bytes(body))
                conn.execute(
                    "UPDATE event_chain SET prev_hash = ?, hash = ? WHERE position = ?",
                    (prev, link, position),
                )
                prev = link
    finally:
        conn.close()


def test_a_fully_rechained_log_verifies_without_an_anchor(office: UnionOffice) -> None:
    """A rewrite that recomputes every link is self-consistent: only an anchor catches it."""
    db = _populate(office)
    original_head = sqlite_head(db)
    _rechain_after_changing(db, _setting_of_6000(db))

    report = verify_sqlite(db)

    assert report.ok
    assert report.head != original_head  # the log really was rewritten


def test_a_fully_rechained_log_fails_against_an_anchor_taken_before_the_rewrite(
    office: UnionOffice,
) -> None:
    db = _populate(office)
    anchor = verify_sqlite(db).head
    assert anchor is not None
    _rechain_after_changing(db, _setting_of_6000(db))

    report = verify_sqlite(db, anchor)

    assert not report.ok
    assert report.bad_position == anchor.position


# -- anchors ---------------------------------------------------------------------------------


def test_an_anchor_parses_back_from_its_printed_form(office: UnionOffice) -> None:
    head = verify_sqlite(_populate(office)).head
    assert head is not None

    assert Anchor.parse(str(head)) == head
    assert Anchor.parse(f"  {head}\n") == head


HEX64 = "ab" * 32


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12",
        f"12{HEX64}",
        "12:",
        f":{HEX64}",
        f"-3:{HEX64}",
        f"+3:{HEX64}",
        f"x3:{HEX64}",
        f"3.0:{HEX64}",
        f"3:{HEX64[:-1]}",
        f"3:{HEX64}a",
        f"3:{'zz' * 32}",
        f"3:{HEX64}:4",
    ],
)
def test_a_malformed_anchor_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"POS:HASH|hexadecimal"):
        Anchor.parse(text)


def test_an_anchor_whose_hash_has_spaces_inside_is_refused() -> None:
    """64 characters but only 62 hex digits: bytes.fromhex skips the spaces, leaving a
    31-byte hash that no SHA-256 head can ever equal."""
    text = f"3:{HEX64[:30]}  {HEX64[32:]}"
    assert len(text.partition(":")[2]) == 64

    with pytest.raises(ValueError, match="POS:HASH"):
        Anchor.parse(text)


# -- two writers -------------------------------------------------------------------------------


def _register_many(data_dir: str, prefix: str, start: multiprocessing.synchronize.Event,
                   errors: multiprocessing.Queue) -> None:
    """Runs in a child process: its own UnionOffice on the shared data dir."""
    try:
        office = UnionOffice(Path(data_dir))
        try:
            start.wait(30)
            for i in range(WORKER_USERS):
                ctx = office.system_context(prefix)
                office.register_user(ctx, f"{prefix}{i:03d}", f"用户{i}", ["office"])
        finally:
            office.close()
    except BaseException as error:  # reported to the parent, whatever it is
        errors.put(f"{prefix}: {type(error).__name__}: {error}")
        raise


def test_two_processes_writing_at_once_leave_a_chain_that_verifies(office: UnionOffice) -> None:
    db = _populate(office)
    before = _rows(db)
    spawn = multiprocessing.get_context("spawn")
    start, errors = spawn.Event(), spawn.Queue()
    workers = [
        spawn.Process(target=_register_many, args=(str(office.data_dir), prefix, start, errors))
        for prefix in ("alpha", "beta")
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
    failures = []
    while not errors.empty():
        failures.append(errors.get())

    assert failures == []  # in particular no "database is locked"
    assert [w.exitcode for w in workers] == [0, 0]
    report = verify_sqlite(db)
    assert report.ok, report.problem
    assert report.events == before + 2 * WORKER_USERS == _rows(db)
