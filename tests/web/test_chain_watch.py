"""A server started on a tampered log says so to everyone and records nothing until an admin
acts; the dashboard's chain head is recomputed, never copied from the chain table."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from uuid import UUID

import pytest
from flask import Flask

from aggregates.chain import link_hash, sqlite_head, verify_sqlite
from aggregates.errors import WritesHeld
from aggregates.user_account import UserAccount
from intranet import create_app
from intranet.backend import Backend
from tests.conftest import FAST_HASHER, PASSWORD, Clock, login
from tests.integrity_helpers import intranet, sql

TODAY = "2026-03-08"
BANNER = 'id="integrity-banner"'


def _start(data_dir: Path, clock: Clock) -> Flask:
    return create_app({"TESTING": True, "DATA_DIR": data_dir, "CLOCK": clock, "TIMEZONE": "Asia/Shanghai",
                       "PASSWORD_HASHER": FAST_HASHER, "SECRET_KEY": "test-secret"})


@pytest.fixture
def restart(app: Flask, data_dir: Path, clock: Clock):
    """Stop the fixture's server (its office is kept) and start another on the same folder."""
    started: list[Flask] = []

    def _again() -> Flask:
        app.extensions["intranet"].office.close()
        started.append(_start(data_dir, clock))
        return started[-1]

    yield _again
    for flask_app in started:
        flask_app.extensions["intranet"].office.close()


def _set_cash_limit(backend: Backend, value: str) -> None:
    chair = backend.office.context(str(UserAccount.id_for("chair")), "chair")
    backend.office.set_setting(chair, "cash_on_hand_limit", value, backend.office.today(), "银行核定")


def _forge_state(data_dir: Path, position: int, old: bytes, new: bytes) -> None:
    """Change a stored event's bytes in place, as an insider with the SQLite shell would."""
    (state,) = sql(data_dir / "events.sqlite", "SELECT state FROM stored_events WHERE rowid = ?", (position,))[0]
    assert old in bytes(state)
    sql(data_dir / "events.sqlite", "UPDATE stored_events SET state = ? WHERE rowid = ?",
        (bytes(state).replace(old, new), position))


def _post_setting(client, value: str = "9000"):
    session = login(client, "chair")
    return session, session.post("/settings/cash_on_hand_limit",
                                 {"value": value, "effective_from": TODAY, "reason": "银行核定"})


def _events(data_dir: Path) -> int:
    return sql(data_dir / "events.sqlite", "SELECT COUNT(*) FROM stored_events")[0][0]


def test_a_server_started_on_a_log_with_a_changed_event_shows_the_banner_on_every_page(
        data_dir: Path, restart) -> None:
    _forge_state(data_dir, 4, "vice_chair用户".encode(), "vice_chbir用户".encode())

    server = restart()
    client = server.test_client()

    assert BANNER in client.get("/login").text
    session = login(client, "admin")
    for url in ("/", "/settings", "/users", "/audit"):
        page = session.get(url).text
        assert BANNER in page, url
        assert "第 4 条" in page


def test_a_command_is_refused_while_the_chain_is_broken_and_nothing_is_appended(
        data_dir: Path, restart) -> None:
    _forge_state(data_dir, 4, "vice_chair用户".encode(), "vice_chbir用户".encode())
    before = _events(data_dir)
    server = restart()

    _session, response = _post_setting(server.test_client())

    assert response.status_code == 503
    assert "系统已暂停记录任何操作" in response.text
    assert _events(data_dir) == before


def test_a_flipped_bit_in_the_last_event_shows_the_banner_and_refuses_the_command(
        data_dir: Path, restart) -> None:
    (last, state), *_ = sql(data_dir / "events.sqlite", "SELECT rowid, state FROM stored_events ORDER BY rowid DESC")
    flipped = bytearray(state)
    flipped[10] ^= 0x20
    sql(data_dir / "events.sqlite", "UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(flipped), last))
    before = _events(data_dir)
    client = restart().test_client()

    session, response = _post_setting(client)

    assert response.status_code == 503
    assert _events(data_dir) == before
    assert f"第 {last} 条" in session.get("/").text


def test_a_command_run_directly_on_the_office_is_held_too(data_dir: Path, restart) -> None:
    _forge_state(data_dir, 4, "vice_chair用户".encode(), "vice_chbir用户".encode())
    backend: Backend = restart().extensions["intranet"]
    before = _events(data_dir)

    with pytest.raises(WritesHeld):
        _set_cash_limit(backend, "9000")

    assert _events(data_dir) == before


def test_a_tampered_event_after_the_last_verified_head_is_found_at_start(
        app: Flask, client, data_dir: Path, restart) -> None:
    login(client, "admin").get("/")  # the dashboard re-verifies the tail and remembers the head
    verified = sql(data_dir / "keys.sqlite", "SELECT position FROM chain_checkpoint")[0][0]
    backend: Backend = app.extensions["intranet"]
    _set_cash_limit(backend, "5000")
    _set_cash_limit(backend, "6000")
    _forge_state(data_dir, verified + 1, b"5000", b"9000")

    page = login(restart().test_client(), "admin").get("/").text

    assert BANNER in page
    assert f"第 {verified + 1} 条" in page


def test_a_good_log_starts_without_a_banner_and_commands_work(data_dir: Path, restart) -> None:
    server = restart()
    before = _events(data_dir)

    _session, response = _post_setting(server.test_client())

    assert response.status_code == 302  # saved, back to the setting's page
    assert _events(data_dir) == before + 1
    assert sql(data_dir / "keys.sqlite", "SELECT position FROM chain_checkpoint")[0][0] >= 9


def test_the_dashboard_head_is_recomputed_not_copied_from_a_forged_chain_row(
        client, data_dir: Path) -> None:
    session = login(client, "admin")
    assert session.get("/").status_code == 200
    head = sqlite_head(data_dir / "events.sqlite")
    assert head is not None
    forged = hashlib.sha256(b"forged").digest()
    conn = sqlite3.connect(data_dir / "events.sqlite")
    with conn:  # an event appended with a link that does not chain: the stored head is a lie
        conn.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state)"
                     " SELECT originator_id, originator_version + 100, topic, state FROM stored_events"
                     " WHERE rowid = ?", (head.position,))
        conn.execute("INSERT INTO event_chain VALUES (?, ?, ?)", (head.position + 1, head.hash, forged))
    conn.close()

    page = session.get("/").text

    assert forged.hex() not in page
    assert BANNER in page
    assert f"第 {head.position + 1} 条" in page


def test_the_dashboard_shows_the_recomputed_head(client, data_dir: Path) -> None:
    page = login(client, "admin").get("/").text

    head = sqlite_head(data_dir / "events.sqlite")
    assert head is not None
    assert f'id="chain-head">{head.hash.hex()}<' in page


def test_acknowledge_by_the_admin_lifts_the_hold_and_the_break_stays_on_record(
        data_dir: Path, restart) -> None:
    _forge_state(data_dir, 4, "vice_chair用户".encode(), "vice_chbir用户".encode())
    session, refused = _post_setting(restart().test_client())
    assert refused.status_code == 503

    result = intranet(data_dir, "acknowledge", "--admin", "admin", "--reason", "经审会已核查，原始凭证无误",
                      "--password-stdin", stdin=PASSWORD + "\n")

    assert result.returncode == 0, result.stderr
    before = _events(data_dir)
    response = session.post("/settings/cash_on_hand_limit", {"value": "9000", "effective_from": TODAY,
                                                              "reason": "银行核定"})
    assert response.status_code == 302
    assert _events(data_dir) == before + 1
    dashboard = session.get("/").text
    assert BANNER not in dashboard
    assert "记录链曾在第 4 条处核验失败" in dashboard
    assert "经审会已核查，原始凭证无误" in dashboard
    verify = intranet(data_dir, "verify")
    assert verify.returncode == 1
    assert "第 4 条" in verify.stderr


@pytest.mark.parametrize(("username", "password", "message"), [
    ("admin", "wrong-password-1", "密码不正确"),
    ("chair", PASSWORD, "不是在用的系统管理员账号"),
    ("nobody", PASSWORD, "不是在用的系统管理员账号"),
])
def test_acknowledge_needs_an_active_admin_and_their_password(
        data_dir: Path, restart, username: str, password: str, message: str) -> None:
    _forge_state(data_dir, 4, "vice_chair用户".encode(), "vice_chbir用户".encode())
    client = restart().test_client()

    result = intranet(data_dir, "acknowledge", "--admin", username, "--reason", "核查过", "--password-stdin",
                      stdin=password + "\n")

    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert _post_setting(client)[1].status_code == 503


def test_a_log_restored_from_an_older_backup_needs_verify_restored_before_serving(
        app: Flask, data_dir: Path, restart, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite"
    with sqlite3.connect(data_dir / "events.sqlite") as live, sqlite3.connect(backup) as copy:
        live.backup(copy)
    backend: Backend = app.extensions["intranet"]
    _set_cash_limit(backend, "5000")
    backend.integrity(persist=True)  # the watch has verified the longer log
    backend.office.close()
    for suffix in ("", "-wal", "-shm"):
        (data_dir / f"events.sqlite{suffix}").unlink(missing_ok=True)
    backup.rename(data_dir / "events.sqlite")

    assert BANNER in restart().test_client().get("/login").text
    refused = intranet(data_dir, "verify")
    restored = intranet(data_dir, "verify", "--restored")

    assert refused.returncode == 1
    assert "--restored" in refused.stderr
    assert restored.returncode == 0, restored.stderr
    assert BANNER not in restart().test_client().get("/login").text


def _rewrite_chain_from(data_dir: Path, position: int, old: bytes, new: bytes) -> None:
    """Change an event and recompute every link after it: the chain alone then verifies."""
    _forge_state(data_dir, position, old, new)
    conn = sqlite3.connect(data_dir / "events.sqlite")
    with conn:
        (prev,) = conn.execute("SELECT prev_hash FROM event_chain WHERE position = ?", (position,)).fetchone()
        rows = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
                            " WHERE rowid >= ? ORDER BY rowid", (position,)).fetchall()
        for rowid, stream, version, topic, state in rows:
            link = link_hash(bytes(prev), rowid, UUID(stream), version, topic, bytes(state))
            conn.execute("UPDATE event_chain SET prev_hash = ?, hash = ? WHERE position = ?", (prev, link, rowid))
            prev = link
    conn.close()


def test_a_rewritten_chain_is_caught_against_the_head_the_server_verified(
        client, data_dir: Path, restart) -> None:
    login(client, "admin").get("/")  # the server verifies and remembers the head
    _rewrite_chain_from(data_dir, 4, "vice_chair用户".encode(), "vice_chbir用户".encode())
    assert verify_sqlite(data_dir / "events.sqlite").ok  # the chain alone no longer tells

    result = intranet(data_dir, "verify")

    assert result.returncode == 1
    assert "与上次核验时的链头哈希不符" in result.stderr
    assert BANNER in restart().test_client().get("/login").text


@pytest.mark.parametrize(("column", "value"), [("originator_id", "not-a-uuid"), ("state", "stored as text")])
def test_a_row_of_the_wrong_shape_shows_the_banner_never_a_500(
        backend: Backend, data_dir: Path, restart, column: str, value: str) -> None:
    """A value written by hand with the SQLite shell, of a type the recorder never writes, is a break in the
    chain at its position: the banner, not a traceback."""
    _set_cash_limit(backend, "5000")
    last = sqlite_head(data_dir / "events.sqlite")
    assert last is not None
    sql(data_dir / "events.sqlite", f"UPDATE stored_events SET {column} = ? WHERE rowid = ?",  # noqa: S608
        (value, last.position))
    page = restart().test_client().get("/login")
    assert page.status_code == 200 and BANNER in page.text and f"第 {last.position} 条" in page.text
    assert not verify_sqlite(data_dir / "events.sqlite").ok
