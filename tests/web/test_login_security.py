"""Login and sessions (issue 8): throttling and lockouts, the password policy, own password changes,
the forced change after an admin reset, session expiry and the Secure cookie option.

Every attack is made the way an outsider or an insider would, through the real login form and pages, on a
real office in tmp_path; the clock is the test's, moved by hand.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from aggregates.user_account import UserAccount
from intranet import create_app
from intranet.backend import Backend
from intranet.credentials import Credentials, SessionLimits
from tests.conftest import FAST_HASHER, PASSWORD, Clock, Session, csrf_from, login, user_id_of

NEW = "pale-lantern-river-41"
OTHER_ADDRESS = "192.0.2.7"  # a documentation address: only a value in the WSGI environ, never dialled


def _submit(client: FlaskClient, username: str, password: str, address: str = "127.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/login", environ_overrides=environ).text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_overrides=environ)


def _fail(client: FlaskClient, username: str, times: int, clock: Clock | None = None,
          address: str = "127.0.0.1") -> None:
    """`times` wrong passwords, each after any wait the previous one imposed (the clock jumps over it)."""
    for n in range(times):
        response = _submit(client, username, f"wrong-guess-{n}", address)
        assert response.status_code == 200, response.status_code
        if clock is not None:
            clock.advance(minutes=6)  # past the longest delay short of a lockout


def _events(backend: Backend, user_id: UUID) -> list[object]:
    return list(backend.office.repository.event_store.get(user_id))


def _position(backend: Backend) -> int | None:
    return backend.office.recorder.max_notification_id()


# -- throttling ------------------------------------------------------------------------------------


def test_after_four_wrong_passwords_even_the_right_one_waits_and_the_page_says_until_when(
        client: FlaskClient, session_clock: Clock) -> None:
    _fail(client, "chair", 4)
    response = _submit(client, "chair", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多，请于 09:30:15 后再试（约15秒）" in response.text
    assert response.headers["Retry-After"] == "15"
    session_clock.advance(seconds=16)
    assert _submit(client, "chair", PASSWORD).status_code == 302


def test_the_delay_doubles_with_each_further_failure(client: FlaskClient, session_clock: Clock) -> None:
    _fail(client, "chair", 4)
    session_clock.advance(seconds=16)
    _fail(client, "chair", 1)
    response = _submit(client, "chair", PASSWORD)
    assert "约30秒" in response.text
    session_clock.advance(seconds=31)
    _fail(client, "chair", 1)
    assert "约1分钟" in _submit(client, "chair", PASSWORD).text


def test_a_successful_login_starts_the_accounts_count_again(client: FlaskClient) -> None:
    _fail(client, "chair", 3)
    assert _submit(client, "chair", PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    _fail(client, "chair", 3)
    assert _submit(client, "chair", PASSWORD).status_code == 302


def test_an_unknown_username_is_throttled_exactly_like_a_real_one(app: Flask) -> None:
    known, unknown = app.test_client(), app.test_client()
    _fail(known, "chair", 4)
    _fail(unknown, "nobody", 4)
    known_page = _submit(known, "chair", "x-guess").text
    unknown_page = _submit(unknown, "nobody", "x-guess").text
    assert known_page.replace("chair", "nobody") == unknown_page.replace(
        csrf_from(unknown_page), csrf_from(known_page))


def test_one_address_failing_on_many_accounts_waits_for_every_account_but_others_do_not(app: Flask) -> None:
    attacker = app.test_client()
    for n in range(21):  # a password-spraying run: one guess on each of many usernames
        _submit(attacker, f"guess{n}", "wrong-guess")
    assert _submit(attacker, "office", PASSWORD).status_code == 429
    assert _submit(app.test_client(), "office", PASSWORD, OTHER_ADDRESS).status_code == 302


def test_ten_failures_lock_the_account_until_the_admin_lifts_it(
        app: Flask, backend: Backend, session_clock: Clock) -> None:
    _fail(app.test_client(), "chair", 10, session_clock)
    locked = _submit(app.test_client(), "chair", PASSWORD, OTHER_ADDRESS)
    assert locked.status_code == 429
    assert "该账号因多次登录失败已被锁定" in locked.text and "请系统管理员解除锁定" in locked.text
    admin = login(app.test_client(), "admin")
    chair_id = user_id_of(backend, "chair")
    page = admin.get(f"/users/{chair_id}").text
    assert "登录已锁定" in page and "解除登录锁定" in page
    response = admin.post(f"/users/{chair_id}/unlock", htmx=True)
    assert "已解除登录锁定" in response.text
    lifted = [e for e in _events(backend, chair_id) if isinstance(e, UserAccount.LoginLockoutLifted)]
    assert len(lifted) == 1 and lifted[0].actor == str(user_id_of(backend, "admin"))
    assert _submit(app.test_client(), "chair", PASSWORD, OTHER_ADDRESS).status_code == 302


def test_the_lifted_lockout_shows_in_the_accounts_audit_trail(
        app: Flask, backend: Backend, session_clock: Clock) -> None:
    _fail(app.test_client(), "chair", 10, session_clock)
    admin = login(app.test_client(), "admin")
    chair_id = user_id_of(backend, "chair")
    admin.post(f"/users/{chair_id}/unlock", htmx=True)
    assert "解除登录锁定" in admin.get(f"/audit?stream={chair_id}").text


def test_a_lockout_ends_by_itself_after_an_hour(app: Flask, session_clock: Clock) -> None:
    _fail(app.test_client(), "chair", 10, session_clock)
    session_clock.advance(minutes=61)
    assert _submit(app.test_client(), "chair", PASSWORD, OTHER_ADDRESS).status_code == 302


def test_lifting_a_lockout_that_is_not_there_is_refused_and_records_nothing(app: Flask, backend: Backend) -> None:
    admin = login(app.test_client(), "admin")
    before = _position(backend)
    response = admin.post(f"/users/{user_id_of(backend, 'chair')}/unlock", htmx=True)
    assert "该账号没有被锁定" in response.text
    assert _position(backend) == before


def test_only_the_admin_may_lift_a_lockout(app: Flask, backend: Backend, session_clock: Clock) -> None:
    _fail(app.test_client(), "office", 10, session_clock)
    chair = login(app.test_client(), "chair")
    before = _position(backend)
    assert chair.post(f"/users/{user_id_of(backend, 'office')}/unlock").status_code == 403
    assert _position(backend) == before


# -- own password change ---------------------------------------------------------------------------


def _change(session: Session, current: str, new: str, confirm: str | None = None):
    return session.post("/password", {"current_password": current, "password": new,
                                      "password_confirm": new if confirm is None else confirm}, htmx=True)


@pytest.mark.parametrize("role", ["admin", "chair", "cashier", "auditor", "secretariat"])
def test_every_role_reaches_the_password_page_from_the_user_menu(app: Flask, role: str) -> None:
    user = login(app.test_client(), role)
    assert 'href="/password"' in user.get("/").text
    assert user.get("/password").status_code == 200


def test_a_user_changes_their_own_password_and_it_is_recorded_without_the_password(
        app: Flask, backend: Backend) -> None:
    chair = login(app.test_client(), "chair")
    response = _change(chair, PASSWORD, NEW)
    assert "密码已修改" in response.text
    chair_id = user_id_of(backend, "chair")
    changed = [e for e in _events(backend, chair_id) if isinstance(e, UserAccount.PasswordChangedByOwner)]
    assert len(changed) == 1 and changed[0].actor == str(chair_id)
    assert NEW not in str(vars(changed[0]))
    assert _submit(app.test_client(), "chair", PASSWORD).status_code == 200
    assert _submit(app.test_client(), "chair", NEW).status_code == 302


def test_changing_the_password_keeps_this_browser_signed_in_and_ends_the_others(app: Flask) -> None:
    elsewhere = login(app.test_client(), "chair")
    here = login(app.test_client(), "chair")
    _change(here, PASSWORD, NEW)
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


def test_a_wrong_current_password_changes_nothing(app: Flask, backend: Backend) -> None:
    chair = login(app.test_client(), "chair")
    before = _position(backend)
    response = _change(chair, "not-my-password", NEW)
    assert "当前密码不正确" in response.text
    assert _position(backend) == before
    assert _submit(app.test_client(), "chair", PASSWORD).status_code == 302


def test_guessing_the_current_password_from_a_stolen_session_is_throttled(app: Flask, session_clock: Clock) -> None:
    thief = login(app.test_client(), "chair")
    for n in range(4):
        _change(thief, f"guess-{n}", NEW)
    response = _change(thief, PASSWORD, NEW)
    assert response.status_code == 429 and "请于" in response.text
    session_clock.advance(seconds=16)
    assert _submit(app.test_client(), "chair", PASSWORD, OTHER_ADDRESS).status_code == 302


@pytest.mark.parametrize(("new", "message"), [
    pytest.param("demo1234", "与常见密码相似", id="common"),
    pytest.param("qwertyuiop", "这是最常用的密码之一", id="keyboard row"),
    pytest.param("abcabcabcabc", "重复", id="repeats"),
    pytest.param("chair19700101", "含有用户名、姓名或单位名称", id="own username"),
    pytest.param("short", "密码至少8位", id="short"),
])
def test_a_guessable_new_password_is_refused_with_the_reason_in_chinese(
        app: Flask, backend: Backend, new: str, message: str) -> None:
    chair = login(app.test_client(), "chair")
    before = _position(backend)
    response = _change(chair, PASSWORD, new)
    assert message in response.text
    assert _position(backend) == before
    assert _submit(app.test_client(), "chair", PASSWORD).status_code == 302


def test_a_mismatched_confirmation_is_refused(app: Flask, backend: Backend) -> None:
    chair = login(app.test_client(), "chair")
    before = _position(backend)
    assert "两次输入的密码不一致" in _change(chair, PASSWORD, NEW, NEW + "x").text
    assert _position(backend) == before


# -- the admin's reset forces a change -------------------------------------------------------------


def _reset_by_admin(app: Flask, backend: Backend, username: str, password: str = NEW) -> None:
    admin = login(app.test_client(), "admin")
    response = admin.post(f"/users/{user_id_of(backend, username)}/password",
                          {"password": password, "password_confirm": password}, htmx=True)
    assert "密码已重设" in response.text


@pytest.mark.parametrize("path", ["/", "/claims", "/audit", "/settings", f"/members?q={'x' * 3}"])
def test_after_an_admin_reset_every_page_sends_the_user_to_change_the_password(
        app: Flask, backend: Backend, path: str) -> None:
    _reset_by_admin(app, backend, "chair")
    client = app.test_client()
    assert _submit(client, "chair", NEW).headers["Location"] == "/password"
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == "/password"


def test_after_an_admin_reset_no_command_runs_before_the_change(app: Flask, backend: Backend) -> None:
    _reset_by_admin(app, backend, "chair")
    client = app.test_client()
    _submit(client, "chair", NEW)
    token = csrf_from(client.get("/password").text)
    before = _position(backend)
    response = client.post("/settings/cash_on_hand_limit", headers={"HX-Request": "true"}, data={
        "csrf_token": token, "value": "5000", "effective_from": "2026-03-08", "reason": "银行核定"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/password"
    assert _position(backend) == before


def test_once_the_user_has_chosen_their_own_password_the_admins_no_longer_opens_the_account(
        app: Flask, backend: Backend) -> None:
    _reset_by_admin(app, backend, "chair")
    client = app.test_client()
    _submit(client, "chair", NEW)
    session = Session(client, csrf_from(client.get("/password").text))
    page = session.get("/password").text
    assert "您的密码是系统管理员设置的" in page
    _change(session, NEW, "quiet-harbor-52")
    assert session.get("/").status_code == 200
    assert _submit(app.test_client(), "chair", NEW).status_code == 200
    assert _submit(app.test_client(), "chair", "quiet-harbor-52").headers["Location"] == "/"


def test_the_users_page_shows_that_a_change_is_due(app: Flask, backend: Backend) -> None:
    _reset_by_admin(app, backend, "chair")
    admin = login(app.test_client(), "admin")
    assert "须在下次登录时修改密码" in admin.get(f"/users/{user_id_of(backend, 'chair')}").text


@pytest.mark.parametrize(("password", "message"), [
    pytest.param("password123", "密码太容易被猜到", id="common"),
    pytest.param("chair用户123", "含有用户名、姓名或单位名称", id="the user's own name"),
])
def test_the_admin_cannot_set_a_guessable_password(app: Flask, backend: Backend, password: str, message: str) -> None:
    admin = login(app.test_client(), "admin")
    before = _position(backend)
    response = admin.post(f"/users/{user_id_of(backend, 'chair')}/password",
                          {"password": password, "password_confirm": password}, htmx=True)
    assert message in response.text
    assert _position(backend) == before
    assert _submit(app.test_client(), "chair", PASSWORD).status_code == 302


# -- sessions --------------------------------------------------------------------------------------


def test_a_session_left_idle_longer_than_the_setting_ends(app: Flask, session_clock: Clock) -> None:
    chair = login(app.test_client(), "chair")
    session_clock.advance(minutes=29)
    assert chair.get("/").status_code == 200
    session_clock.advance(minutes=31)
    response = chair.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_session_in_constant_use_still_ends_after_the_absolute_time(app: Flask, session_clock: Clock) -> None:
    chair = login(app.test_client(), "chair")
    for _ in range(9 * 3):  # every 20 minutes for 9 hours
        session_clock.advance(minutes=20)
        assert chair.get("/").status_code == 200
    session_clock.advance(minutes=61)
    for _ in range(3):
        session_clock.advance(minutes=20)
    assert chair.get("/").status_code == 302


def test_the_idle_time_is_the_one_the_office_set(app: Flask, backend: Backend, session_clock: Clock) -> None:
    admin_id = user_id_of(backend, "admin")
    backend.office.set_setting(backend.office.context(str(admin_id), "admin"), "session_idle_minutes", 120,
                               backend.office.today(), "办公室电脑均设屏幕锁定")
    backend.read_models.catch_up()
    chair = login(app.test_client(), "chair")
    session_clock.advance(minutes=90)
    assert chair.get("/").status_code == 200


def _first_cookie(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secure: str | None) -> str:
    if secure is None:
        monkeypatch.delenv("INTRANET_SECURE_COOKIES", raising=False)
    else:
        monkeypatch.setenv("INTRANET_SECURE_COOKIES", secure)
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "tls", "PASSWORD_HASHER": FAST_HASHER,
                      "SECRET_KEY": "test-secret"})
    try:
        return app.test_client().get("/login").headers["Set-Cookie"]
    finally:
        app.extensions["intranet"].close()


def test_offices_behind_tls_get_a_cookie_the_browser_sends_over_https_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "Secure" in _first_cookie(tmp_path, monkeypatch, "1")


def test_without_the_tls_option_the_cookie_still_works_over_plain_http(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "Secure" not in _first_cookie(tmp_path, monkeypatch, None)


# -- argon2 work -----------------------------------------------------------------------------------


def test_a_login_that_finds_every_hashing_slot_taken_is_refused_at_once(app: Flask, backend: Backend) -> None:
    with backend.credentials.hashing(wait=None):  # another login is hashing
        response = _submit(app.test_client(), "chair", PASSWORD)
    assert response.status_code == 503 and "登录的人较多，请过几秒再试" in response.text
    assert response.headers["Retry-After"] == "2"
    assert _submit(app.test_client(), "chair", PASSWORD).status_code == 302


def test_a_hash_made_with_older_parameters_is_upgraded_at_the_next_login(tmp_path: Path) -> None:
    path = tmp_path / "keys.sqlite"
    older = Credentials(path, PasswordHasher(time_cost=1, memory_cost=16, parallelism=2))
    user_id = UUID(int=7)
    older.set_password(user_id, NEW)
    today = Credentials(path, FAST_HASHER)
    assert today.check_password(user_id, NEW)
    conn = sqlite3.connect(path)
    try:
        stored = conn.execute("SELECT password_hash FROM credentials").fetchone()[0]
    finally:
        conn.close()
    assert not FAST_HASHER.check_needs_rehash(stored)
    assert today.check_password(user_id, NEW)


def test_a_keys_file_from_before_session_expiry_keeps_its_open_sessions(tmp_path: Path) -> None:
    path = tmp_path / "keys.sqlite"
    conn = sqlite3.connect(path)
    try:
        conn.executescript("""
            CREATE TABLE sessions (token TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL);
            INSERT INTO sessions VALUES ('old-token', '00000000-0000-0000-0000-000000000007',
                                         '2026-03-08T01:00:00+00:00');""")
        conn.commit()
    finally:
        conn.close()
    clock = Clock()
    credentials = Credentials(path, FAST_HASHER, clock)
    limits = SessionLimits(idle=timedelta(minutes=60), absolute=timedelta(hours=10))
    assert credentials.session_user("old-token", limits) == UUID(int=7)
    clock.advance(hours=2)
    assert credentials.session_user("old-token", limits) is None


def test_a_forged_idle_time_in_the_read_models_does_not_keep_a_session_open(
        app: Flask, backend: Backend, session_clock: Clock) -> None:
    chair = login(app.test_client(), "chair")
    conn = sqlite3.connect(backend.read_models.path)
    try:
        conn.execute(
            "INSERT INTO setting_changes VALUES (100000, 'session_idle_minutes', '1440', '2026-01-01', 99,"
            " '2026-01-01T00:00:00+00:00', '2026-01-01', 'admin', 'admin', '伪造')")
        conn.commit()
    finally:
        conn.close()
    session_clock.advance(minutes=31)
    assert chair.get("/").status_code == 302
