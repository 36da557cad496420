"""The shell every page shares: a strict CSP, no inline code, vendored htmx, fragments, Chinese formats."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intranet.backend import Backend
from tests.conftest import Session, acting, login, user_id_of

ROOT = Path(__file__).resolve().parents[2]
HTMX = ROOT / "static" / "vendor" / "htmx-2.0.11.min.js"
HTMX_LICENSE = ROOT / "static" / "vendor" / "htmx-LICENSE.txt"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"

# Pages an admin sees; {user} is an existing account's id.
PAGES = [
    "/",
    "/audit",
    "/settings",
    "/settings/cash_on_hand_limit",
    "/users",
    "/users/new",
    "/users/{user}",
]

# (url, the id of the element the fragment is) for every htmx fragment.
FRAGMENTS = [
    pytest.param("/audit", "results", id="audit results"),
    pytest.param("/settings", "settings-table", id="settings table"),
    pytest.param("/settings/cash_on_hand_limit", "setting-panel", id="setting panel"),
    pytest.param("/users/new", "user-form", id="user form"),
    pytest.param("/users/{user}", "account", id="account"),
]


@pytest.fixture
def admin(client: FlaskClient) -> Session:
    return login(client, "admin")


def _html(app: Flask, backend: Backend, url: str) -> str:
    """A page as the admin sees it (the login page as a visitor sees it)."""
    client = app.test_client()
    if url != "/login":
        login(client, "admin")
    response = client.get(_url(url, backend))
    assert response.status_code == 200, url
    return response.text


def _url(url: str, backend: Backend) -> str:
    return url.format(user=user_id_of(backend, "office"))


# -- content security policy ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [*PAGES, "/nowhere"])
def test_every_page_carries_a_content_security_policy_without_unsafe_inline(
    admin: Session, backend: Backend, url: str
) -> None:
    policy = admin.get(_url(url, backend)).headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_the_login_page_carries_a_content_security_policy_without_unsafe_inline(client: FlaskClient) -> None:
    policy = client.get("/login").headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_a_fragment_carries_the_content_security_policy_too(admin: Session) -> None:
    response = admin.get("/audit", headers={"HX-Request": "true"})
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/login", *PAGES])
def test_no_page_has_an_inline_script(app: Flask, backend: Backend, url: str) -> None:
    scripts = re.findall(r"<script\b[^>]*>", _html(app, backend, url), re.IGNORECASE)
    assert scripts, "every page loads its scripts from files"
    assert [s for s in scripts if not re.search(r"\ssrc=", s)] == []


@pytest.mark.parametrize("url", ["/login", *PAGES])
def test_no_page_has_inline_styles(app: Flask, backend: Backend, url: str) -> None:
    html = _html(app, backend, url)
    assert not re.search(r"\sstyle\s*=", html, re.IGNORECASE)
    assert not re.search(r"<style\b", html, re.IGNORECASE)


@pytest.mark.parametrize("url", ["/login", *PAGES])
def test_no_page_has_inline_event_handlers(app: Flask, backend: Backend, url: str) -> None:
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", _html(app, backend, url), re.IGNORECASE)


# -- the vendored htmx ---------------------------------------------------------------------------------


def test_the_vendored_htmx_is_the_pinned_release() -> None:
    assert hashlib.sha256(HTMX.read_bytes()).hexdigest() == HTMX_SHA256


def test_the_vendored_htmx_says_it_is_version_2_0_11() -> None:
    assert 'version:"2.0.11"' in HTMX.read_text(encoding="utf-8")


def test_the_vendored_htmx_has_its_licence_beside_it() -> None:
    assert HTMX_LICENSE.is_file()
    assert "Zero-Clause BSD" in HTMX_LICENSE.read_text(encoding="utf-8")


def test_the_app_serves_the_vendored_htmx(client: FlaskClient) -> None:
    response = client.get("/static/vendor/htmx-2.0.11.min.js")
    try:
        assert response.status_code == 200
        assert hashlib.sha256(response.data).hexdigest() == HTMX_SHA256
    finally:
        response.close()


@pytest.mark.parametrize("url", ["/login", *PAGES])
def test_every_page_loads_the_vendored_htmx(app: Flask, backend: Backend, url: str) -> None:
    assert '<script src="/static/vendor/htmx-2.0.11.min.js"' in _html(app, backend, url)


# -- fragments ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "element"), FRAGMENTS)
def test_an_htmx_request_gets_only_the_fragment(admin: Session, backend: Backend, url: str, element: str) -> None:
    response = admin.get(_url(url, backend), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<nav" not in response.text
    assert re.match(rf'\s*<(section|form) id="{element}"', response.text), response.text[:200]


@pytest.mark.parametrize(("url", "element"), FRAGMENTS)
def test_a_history_restore_request_gets_the_whole_page(
    admin: Session, backend: Backend, url: str, element: str
) -> None:
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = admin.get(_url(url, backend), headers=headers)
    assert response.status_code == 200
    assert "<html" in response.text
    assert f'id="{element}"' in response.text


@pytest.mark.parametrize("url", PAGES)
def test_responses_vary_on_hx_request(admin: Session, backend: Backend, url: str) -> None:
    response = admin.get(_url(url, backend))
    assert "HX-Request" in response.vary


def test_an_htmx_error_is_retargeted_to_the_flash_box(app: Flask) -> None:
    office = login(app.test_client(), "office")
    response = office.get("/users", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#flash"
    assert "<html" not in response.text
    assert "无权" in response.text


# -- Chinese pages and formats ----------------------------------------------------------------------------


def test_the_not_found_page_is_chinese(admin: Session) -> None:
    response = admin.get("/no/such/page")
    assert response.status_code == 404
    assert '<html lang="zh-CN">' in response.text
    assert "页面不存在" in response.text
    assert "找不到您要的页面或记录" in response.text


def test_the_not_found_page_is_chinese_for_a_visitor_too(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_money_is_shown_with_the_yuan_sign_and_thousands_separators(admin: Session, backend: Backend) -> None:
    office = backend.office
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", Decimal("1234.5"),
                       office.today(), "开户银行核定")
    backend.read_models.catch_up()
    assert "¥1,234.50" in admin.get("/settings").text
    assert "¥1,234.50" in admin.get("/settings/cash_on_hand_limit").text


def test_dates_are_shown_as_year_month_day_in_chinese(admin: Session) -> None:
    assert "2026年3月8日" in admin.get("/").text
    assert "2026年3月8日" in admin.get("/settings").text
    visible = re.sub(r"<[^>]*>", " ", admin.get("/").text)  # date inputs carry ISO values; people read text
    assert "2026-03-08" not in visible


def test_the_audit_trail_shows_recorded_times_in_the_office_time_zone(admin: Session) -> None:
    # The pinned clock is 01:30 UTC, which is 09:30 in Asia/Shanghai.
    assert "2026年3月8日 09:30:00" in admin.get("/audit").text
