"""`intranet verify`: the installed console command, run in a subprocess on a real data dir."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from uuid import UUID

from aggregates.application import UnionOffice
from aggregates.chain import sqlite_head
from aggregates.settings import Settings
from tests.conftest import acting, system

INTRANET = Path(sys.executable).with_name("intranet")
HEAD = re.compile(r"链头 (\d+):([0-9a-f]{64})")


def _verify(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INTRANET_DATA_DIR": str(data_dir)}
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(INTRANET), "verify", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def _settle(office: UnionOffice, limits: tuple[str, ...] = ("5000", "6000", "7000")) -> Path:
    """Set a few settings, close the office; returns the data dir."""
    for limit in limits:
        office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", limit, office.today(), "理由")
    office.close()
    return office.data_dir


def test_a_good_log_passes_and_prints_its_head(office: UnionOffice) -> None:
    founded = office.recorder.max_notification_id()  # the office, admin and the fixture's staff accounts
    data_dir = _settle(office)
    head = sqlite_head(data_dir / "events.sqlite")
    assert head is not None

    result = _verify(data_dir)

    assert result.returncode == 0, result.stderr
    match = HEAD.search(result.stdout)
    assert match, result.stdout
    assert f"{match[1]}:{match[2]}" == str(head)
    assert int(match[1]) == founded + 3  # then three settings


def test_a_flipped_byte_fails_and_names_its_position(office: UnionOffice) -> None:
    data_dir = _settle(office)
    db = data_dir / "events.sqlite"
    with sqlite3.connect(db) as conn:
        (state,) = conn.execute("SELECT state FROM stored_events WHERE rowid = 4").fetchone()
        flipped = bytearray(state)
        flipped[10] ^= 0x20
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = 4", (bytes(flipped),))
    conn.close()

    result = _verify(data_dir)

    assert result.returncode == 1
    assert "第 4 条" in result.stderr
    assert "核验通过" not in result.stdout


def test_the_printed_head_passes_as_an_anchor(office: UnionOffice) -> None:
    data_dir = _settle(office)
    printed = HEAD.search(_verify(data_dir).stdout)
    assert printed

    result = _verify(data_dir, "--anchor", f"{printed[1]}:{printed[2]}")

    assert result.returncode == 0, result.stderr


def test_an_anchor_with_a_wrong_hash_fails(office: UnionOffice) -> None:
    data_dir = _settle(office)
    head = sqlite_head(data_dir / "events.sqlite")
    assert head is not None
    wrong = bytes([head.hash[0] ^ 0xFF]) + head.hash[1:]

    result = _verify(data_dir, "--anchor", f"{head.position}:{wrong.hex()}")

    assert result.returncode == 1
    assert f"第 {head.position} 条" in result.stderr


def test_a_malformed_anchor_is_a_usage_error(office: UnionOffice) -> None:
    data_dir = _settle(office)

    result = _verify(data_dir, "--anchor", "5:not-a-hash")

    assert result.returncode == 2
    assert "--anchor" in result.stderr


def _take_settings_snapshot(office: UnionOffice) -> Path:
    for limit in ("5000", "6000", "7000"):
        office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", limit, office.today(), "理由")
    office.take_snapshot(Settings.ID)
    office.close()
    return office.data_dir


def test_an_untampered_snapshot_passes(office: UnionOffice) -> None:
    data_dir = _take_settings_snapshot(office)

    result = _verify(data_dir)

    assert result.returncode == 0, result.stderr


def test_a_snapshot_that_differs_from_its_events_fails(office: UnionOffice) -> None:
    data_dir = _take_settings_snapshot(office)
    with sqlite3.connect(data_dir / "events.sqlite") as conn:
        (state,) = conn.execute("SELECT state FROM stored_snapshots").fetchone()
        forged = bytes(state).replace(b'"7000.00"', b'"9000.00"')
        assert forged != bytes(state)
        conn.execute("UPDATE stored_snapshots SET state = ?", (forged,))
    conn.close()

    result = _verify(data_dir)

    assert result.returncode == 1
    assert "快照" in result.stderr
    assert str(Settings.ID) in result.stderr


def _erase_keeping_a_copy_of_the_key(office: UnionOffice) -> tuple[UUID, tuple]:
    user_id = office.register_user(
        system(office), "wang", "王芳", ["accountant"], phone="13800138000"
    )
    with sqlite3.connect(office.data_dir / "keys.sqlite") as keys:
        row = keys.execute(
            "SELECT subject_id, key, created_at FROM subject_keys WHERE subject_id = ?",
            (user_id.hex,),
        ).fetchone()
    keys.close()
    assert row is not None
    office.erase_user_personal_data(acting(office, "erase_user_personal_data"), user_id, "本人申请删除")
    office.close()
    return user_id, row


def test_an_erasure_whose_key_is_really_gone_passes(office: UnionOffice) -> None:
    _erase_keeping_a_copy_of_the_key(office)

    result = _verify(office.data_dir)

    assert result.returncode == 0, result.stderr


def test_an_erased_users_key_put_back_fails(office: UnionOffice) -> None:
    user_id, row = _erase_keeping_a_copy_of_the_key(office)
    with sqlite3.connect(office.data_dir / "keys.sqlite") as keys:
        keys.execute("INSERT INTO subject_keys (subject_id, key, created_at) VALUES (?, ?, ?)", row)
    keys.close()

    result = _verify(office.data_dir)

    assert result.returncode == 1
    assert str(user_id) in result.stderr
