"""用户 pages (admin only): opening accounts, roles, stopping and restoring, personal data."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregates.user_account import UserAccount
from intranet.backend import Backend
from projections import users
from tests.conftest import PASSWORD, Session, csrf_from, login, user_id_of

NEW_PASSWORD = "first-pass-123"
PHONE = "13800138000"


@pytest.fixture
def admin(app: Flask) -> Session:
    return login(app.test_client(), "admin")


def _position(backend: Backend) -> int | None:
    return backend.office.recorder.max_notification_id()


def _form_key(admin: Session) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', admin.get("/users/new").text)
    assert match, "the new-user form has no form_key"
    return match[1]


def _new_user(**change: object) -> dict[str, object]:
    return {
        "username": "zhangsan",
        "display_name": "张三",
        "roles": ["office", "accountant"],
        "phone": PHONE,
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        **change,
    }


def _create(admin: Session, form_key: str | None = None, **change: object):
    data = {**_new_user(**change), "form_key": form_key or _form_key(admin)}
    return admin.post("/users", data, htmx=True)


def _seen(admin: Session, user_id: UUID) -> str:
    match = re.search(r'name="seen_version" value="(\d+)"', admin.get(f"/users/{user_id}").text)
    assert match, "the account page has no seen_version"
    return match[1]


def _account(backend: Backend, user_id: UUID) -> users.User:
    with backend.read_models.reading() as conn:
        account = users.by_id(conn, user_id)
    assert account is not None
    return account


def _can_log_in(app: Flask, username: str, password: str = PASSWORD) -> bool:
    client = app.test_client()
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    # /password answers every signed-in user, also one who must first replace an admin-set password.
    return response.status_code == 302 and client.get("/password").status_code == 200


def _sent_to_login(client: FlaskClient) -> bool:
    response = client.get("/")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# -- opening an account --------------------------------------------------------------------------


def test_the_admin_opens_an_account_and_is_sent_to_its_page(admin: Session) -> None:
    response = _create(admin)
    assert response.headers.get("HX-Redirect") == f"/users/{UserAccount.id_for('zhangsan')}"


def test_an_opened_account_has_its_name_roles_and_phone(admin: Session, backend: Backend) -> None:
    _create(admin)
    account = _account(backend, UserAccount.id_for("zhangsan"))
    assert account.display_name == "张三"
    assert account.roles == ("office", "accountant")
    page = admin.get(f"/users/{account.user_id}").text
    assert PHONE in page


def test_a_new_user_logs_in_with_the_first_password_and_is_sent_to_replace_it(app: Flask, admin: Session) -> None:
    _create(admin)
    assert _can_log_in(app, "zhangsan", NEW_PASSWORD)
    client = app.test_client()
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "zhangsan", "password": NEW_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/password"


def test_a_plain_form_post_opening_an_account_redirects_to_its_page(admin: Session) -> None:
    data = {**_new_user(), "form_key": _form_key(admin)}
    response = admin.post("/users", data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/users/{UserAccount.id_for('zhangsan')}"


def test_a_username_already_taken_is_refused_and_nothing_recorded(admin: Session, backend: Backend) -> None:
    before = _position(backend)
    response = _create(admin, username="office")
    assert response.status_code == 200
    assert "用户名“office”已被使用" in response.text
    assert _position(backend) == before


def test_the_same_form_submitted_twice_records_the_account_once(admin: Session, backend: Backend) -> None:
    form_key = _form_key(admin)
    _create(admin, form_key)
    after_first = _position(backend)
    second = _create(admin, form_key)
    assert second.status_code == 200
    assert _position(backend) == after_first


def test_the_second_submission_of_a_form_is_answered_as_already_submitted(admin: Session) -> None:
    form_key = _form_key(admin)
    _create(admin, form_key)
    second = _create(admin, form_key)
    assert "该表单已经提交过" in second.text


def test_a_reused_form_key_with_other_details_is_refused_as_already_submitted(
    admin: Session, backend: Backend
) -> None:
    form_key = _form_key(admin)
    _create(admin, form_key)
    before = _position(backend)
    second = _create(admin, form_key, username="lisi", display_name="李四")
    assert "该表单已经提交过" in second.text
    assert _position(backend) == before


BAD_USERS = [
    pytest.param({"username": "9lives"}, "用户名须为2到32位", id="username starts with a digit"),
    pytest.param({"username": "zhang san"}, "用户名须为2到32位", id="username with a space"),
    pytest.param({"username": "z"}, "用户名须为2到32位", id="username too short"),
    pytest.param({"username": ""}, "用户名须为2到32位", id="no username"),
    pytest.param({"display_name": ""}, "姓名须为1到30个字", id="empty name"),
    pytest.param({"display_name": "名" * 31}, "姓名须为1到30个字", id="name too long"),
    pytest.param({"roles": []}, "请至少选择一个角色", id="no role"),
    pytest.param({"roles": ["king"]}, "未知的角色", id="unknown role"),
    pytest.param({"roles": ["member"]}, "会员账号须关联本人的会员档案", id="member without a member record"),
    pytest.param({"phone": "12345"}, "电话号码格式不正确", id="bad phone"),
    pytest.param({"password": "short", "password_confirm": "short"}, "密码至少8位", id="short password"),
    pytest.param({"password_confirm": "other-pass-123"}, "两次输入的密码不一致", id="mismatched confirmation"),
]


@pytest.mark.parametrize(("change", "message"), BAD_USERS)
def test_bad_new_user_input_is_refused_with_a_message_and_nothing_recorded(
    admin: Session, backend: Backend, change: dict[str, object], message: str
) -> None:
    before = _position(backend)
    response = _create(admin, **change)
    assert response.status_code == 200
    assert message in response.text
    assert "HX-Redirect" not in response.headers
    assert _position(backend) == before


def test_a_refused_new_user_form_keeps_what_was_typed_but_not_the_password(admin: Session) -> None:
    response = _create(admin, phone="12345")
    assert 'value="zhangsan"' in response.text
    assert 'value="张三"' in response.text
    assert NEW_PASSWORD not in response.text


def test_a_refused_new_user_form_keeps_its_form_key(admin: Session) -> None:
    form_key = _form_key(admin)
    response = _create(admin, form_key, phone="12345")
    assert f'name="form_key" value="{form_key}"' in response.text


# -- roles ------------------------------------------------------------------------------------------


def test_the_admin_changes_a_users_roles(admin: Session, backend: Backend) -> None:
    user_id = user_id_of(backend, "office")
    response = admin.post(
        f"/users/{user_id}/roles", {"roles": ["office", "cashier"], "seen_version": _seen(admin, user_id)}, htmx=True
    )
    assert response.status_code == 200
    assert "角色已更新" in response.text
    assert _account(backend, user_id).roles == ("office", "cashier")


def test_a_role_change_from_a_stale_page_is_refused_and_nothing_recorded(admin: Session, backend: Backend) -> None:
    user_id = user_id_of(backend, "office")
    stale = _seen(admin, user_id)
    admin.post(f"/users/{user_id}/roles", {"roles": ["office", "cashier"], "seen_version": stale}, htmx=True)
    before = _position(backend)
    response = admin.post(f"/users/{user_id}/roles", {"roles": ["auditor"], "seen_version": stale}, htmx=True)
    assert response.status_code == 200
    assert "已被他人修改" in response.text
    assert _position(backend) == before
    assert _account(backend, user_id).roles == ("office", "cashier")


def test_a_user_with_new_roles_gets_their_new_permissions_at_once(app: Flask, admin: Session, backend: Backend) -> None:
    office = login(app.test_client(), "office")
    assert office.get("/users").status_code == 403
    user_id = user_id_of(backend, "office")
    admin.post(f"/users/{user_id}/roles", {"roles": ["office", "admin"], "seen_version": _seen(admin, user_id)})
    assert office.get("/users").status_code == 200


# -- stopping and restoring ------------------------------------------------------------------------


def _deactivate(admin: Session, user_id: UUID, reason: str = "离职"):
    return admin.post(f"/users/{user_id}/deactivate", {"reason": reason, "seen_version": _seen(admin, user_id)},
                      htmx=True)


def test_deactivating_a_user_ends_their_open_session(app: Flask, admin: Session, backend: Backend) -> None:
    user = app.test_client()
    login(user, "office")
    response = _deactivate(admin, user_id_of(backend, "office"))
    assert response.status_code == 200
    assert "账号已停用" in response.text
    assert _sent_to_login(user)


def test_a_deactivated_user_cannot_log_in_again(app: Flask, admin: Session, backend: Backend) -> None:
    _deactivate(admin, user_id_of(backend, "office"))
    assert not _can_log_in(app, "office")


def test_a_deactivation_needs_a_reason(admin: Session, backend: Backend) -> None:
    before = _position(backend)
    response = _deactivate(admin, user_id_of(backend, "office"), reason="")
    assert "请填写理由" in response.text
    assert _position(backend) == before


def test_reactivating_a_user_lets_them_log_in_again(app: Flask, admin: Session, backend: Backend) -> None:
    user_id = user_id_of(backend, "office")
    _deactivate(admin, user_id)
    response = admin.post(f"/users/{user_id}/reactivate", {"reason": "复职", "seen_version": _seen(admin, user_id)},
                          htmx=True)
    assert response.status_code == 200
    assert "账号已恢复使用" in response.text
    assert _can_log_in(app, "office")


def test_the_admin_cannot_deactivate_their_own_account(admin: Session, backend: Backend) -> None:
    admin_id = user_id_of(backend, "admin")
    before = _position(backend)
    response = _deactivate(admin, admin_id)
    assert response.status_code == 200
    assert "不能停用自己的账号" in response.text
    assert _position(backend) == before
    assert admin.get("/users").status_code == 200


# -- personal data ---------------------------------------------------------------------------------


@pytest.fixture
def with_phone(admin: Session) -> UUID:
    """A user with a phone number on record."""
    _create(admin)
    return UserAccount.id_for("zhangsan")


@pytest.mark.parametrize("typed", ["", "确认", "delete", "删 除"])
def test_erasing_personal_data_needs_the_word_delete_typed(
    admin: Session, backend: Backend, with_phone: UUID, typed: str
) -> None:
    before = _position(backend)
    response = admin.post(f"/users/{with_phone}/erase", {"reason": "本人申请", "confirm": typed}, htmx=True)
    assert response.status_code == 200
    assert "请在确认框中输入“删除”" in response.text
    assert _position(backend) == before
    assert PHONE in admin.get(f"/users/{with_phone}").text


def test_erased_personal_data_shows_the_phone_as_deleted(admin: Session, with_phone: UUID) -> None:
    response = admin.post(f"/users/{with_phone}/erase", {"reason": "本人申请", "confirm": "删除"}, htmx=True)
    assert response.status_code == 200
    assert "个人信息已删除" in response.text
    page = admin.get(f"/users/{with_phone}").text
    assert re.search(r"电话：<span class=\"muted\">已删除</span>", page)
    assert PHONE not in page


def test_erasing_destroys_the_key_that_sealed_the_phone(admin: Session, backend: Backend, with_phone: UUID) -> None:
    assert backend.office.keys.has_key(with_phone)
    admin.post(f"/users/{with_phone}/erase", {"reason": "本人申请", "confirm": "删除"}, htmx=True)
    assert not backend.office.keys.has_key(with_phone)


def test_the_users_list_never_shows_a_phone_number_whole(admin: Session, with_phone: UUID) -> None:
    listing = admin.get("/users").text
    assert f"/users/{with_phone}" in listing
    assert PHONE not in listing


def test_the_admin_records_a_phone_number(admin: Session, backend: Backend) -> None:
    user_id = user_id_of(backend, "office")
    response = admin.post(f"/users/{user_id}/phone", {"phone": "13900139000", "seen_version": _seen(admin, user_id)},
                          htmx=True)
    assert response.status_code == 200
    assert "电话号码已更新" in response.text
    assert "13900139000" in response.text


def test_an_unknown_account_is_not_found(admin: Session) -> None:
    response = admin.get("/users/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert "页面不存在" in response.text
