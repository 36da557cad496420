"""Logging in and out: one message for every failed login, safe redirects, sessions the server ends."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intranet.backend import Backend
from tests.conftest import PASSWORD, acting, csrf_from, login, user_id_of

WRONG_LOGIN = "用户名或密码错误"


def _submit(client: FlaskClient, username: str, password: str, **extra: str):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, **extra}
    )


def _signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    return response.status_code == 200


def _sent_to_login(client: FlaskClient) -> bool:
    response = client.get("/")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_right_password_opens_a_session(client: FlaskClient) -> None:
    response = _submit(client, "office", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


@pytest.mark.parametrize(
    ("username", "password"),
    [("office", "not-the-password"), ("nobody", PASSWORD)],
    ids=["wrong password", "unknown user"],
)
def test_a_failed_login_says_only_that_the_username_or_password_is_wrong(
    client: FlaskClient, username: str, password: str
) -> None:
    response = _submit(client, username, password)
    assert response.status_code == 200
    assert WRONG_LOGIN in response.text
    assert _sent_to_login(client)


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(app: Flask) -> None:
    wrong_password = _submit(app.test_client(), "office", "not-the-password")
    unknown_user = _submit(app.test_client(), "nobody", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert _alert(wrong_password.text) == _alert(unknown_user.text) == WRONG_LOGIN


def _alert(html: str) -> str:
    start = html.index('role="alert">') + len('role="alert">')
    return html[start:html.index("</div>", start)].strip()


def test_a_deactivated_user_cannot_log_in(backend: Backend, client: FlaskClient) -> None:
    office = backend.office
    office.deactivate_user(acting(office, "deactivate_user"), user_id_of(backend, "office"), "离职")
    backend.read_models.catch_up()
    response = _submit(client, "office", PASSWORD)
    assert response.status_code == 200
    assert _sent_to_login(client)


@pytest.mark.parametrize("target", ["//evil.example/", "http://evil.example/", "https://evil.example/x"])
def test_a_login_never_redirects_to_another_site(client: FlaskClient, target: str) -> None:
    response = _submit(client, "office", PASSWORD, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_login_returns_to_the_page_asked_for_on_this_site(client: FlaskClient) -> None:
    response = _submit(client, "office", PASSWORD, next="/settings?on=2026-03-08")
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings?on=2026-03-08"


def test_a_page_asked_for_while_logged_out_leads_to_login_with_the_way_back(client: FlaskClient) -> None:
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "settings" in response.headers["Location"]


def test_logout_ends_the_session_on_the_server(client: FlaskClient) -> None:
    session = login(client, "office")
    old_cookie = client.get_cookie("session")
    assert old_cookie is not None
    response = session.post("/logout")
    assert response.status_code == 302
    client.set_cookie("session", old_cookie.value)
    assert _sent_to_login(client)


def test_a_copied_session_cookie_works_while_the_session_is_open(app: Flask) -> None:
    first = app.test_client()
    login(first, "office")
    cookie = first.get_cookie("session")
    assert cookie is not None
    second = app.test_client()
    second.set_cookie("session", cookie.value)
    assert _signed_in(second)


def test_a_post_without_a_csrf_token_is_refused_with_a_chinese_page(client: FlaskClient) -> None:
    login(client, "chair")
    response = client.post("/settings/cash_on_hand_limit", data={"value": "5000"})
    assert response.status_code == 400
    assert "<html" in response.text
    assert "页面已过期" in response.text


def test_a_login_post_without_a_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "office", "password": PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in response.text
    assert _sent_to_login(client)


@pytest.mark.parametrize("with_token", [True, False], ids=["with csrf token", "without csrf token"])
def test_an_htmx_post_when_logged_out_is_told_to_go_to_login(client: FlaskClient, with_token: bool) -> None:
    data = {"value": "5000"}
    if with_token:
        data["csrf_token"] = csrf_from(client.get("/login").text)
    response = client.post("/settings/cash_on_hand_limit", data=data, headers={"HX-Request": "true"})
    assert response.headers.get("HX-Redirect", "").startswith("/login")


def test_a_password_reset_by_the_admin_ends_the_users_open_session(app: Flask, backend: Backend) -> None:
    user = app.test_client()
    login(user, "office")
    admin = login(app.test_client(), "admin")
    user_id = user_id_of(backend, "office")
    response = admin.post(
        f"/users/{user_id}/password",
        {"password": "brand-new-pass-1", "password_confirm": "brand-new-pass-1"},
        htmx=True,
    )
    assert response.status_code == 200
    assert "密码已重设" in response.text
    assert _sent_to_login(user)


def test_after_a_password_reset_the_new_password_opens_a_session_on_the_change_page(
        app: Flask, backend: Backend) -> None:
    admin = login(app.test_client(), "admin")
    user_id = user_id_of(backend, "office")
    admin.post(
        f"/users/{user_id}/password",
        {"password": "brand-new-pass-1", "password_confirm": "brand-new-pass-1"},
        htmx=True,
    )
    assert _submit(app.test_client(), "office", PASSWORD).status_code == 200
    response = _submit(app.test_client(), "office", "brand-new-pass-1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/password"
