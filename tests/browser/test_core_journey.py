"""In a real browser: log in, set a setting through htmx, see it in the audit trail, open an account."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_admin_sets_a_sign_in_limit_sees_it_audited_and_opens_an_account(page: Page, live_server: str, shots: Path):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    _log_in(page, live_server, "admin")
    expect(page.locator("h1")).to_have_text("测试街道工会工作委员会")
    page.wait_for_function("typeof window.htmx !== 'undefined'")  # a loaded machine may still be parsing it
    assert page.evaluate("htmx.version") == "2.0.11"
    page.screenshot(path=str(shots / "01-dashboard.png"), full_page=True)

    page.click("nav >> text=设置")
    # The admin sets the sign-in settings; the money controls are the chair's alone.
    expect(page.locator("#setting-session_idle_minutes")).to_contain_text("30")
    page.click("#setting-session_idle_minutes a")
    page.fill("#value", "20")
    page.fill("#reason", "按等级保护要求")
    def is_the_post(response) -> bool:
        return "/settings/session_idle_minutes" in response.url and response.request.method == "POST"

    with page.expect_response(is_the_post) as posted:
        page.click("#setting-panel button[type=submit]")
    assert posted.value.status == 200 and posted.value.request.headers.get("x-csrftoken")
    expect(page.locator("#current-value")).to_contain_text("20")
    expect(page.locator("#setting-panel .flash.ok")).to_have_text("已保存")
    page.screenshot(path=str(shots / "02-setting-saved.png"), full_page=True)

    page.click("nav >> text=审计轨迹")
    expect(page.locator("#audit-table tbody tr").first).to_contain_text("设置“登录会话空闲超时（分钟）”为 20")
    page.screenshot(path=str(shots / "03-audit-trail.png"), full_page=True)

    page.click("nav >> text=用户")
    page.click("text=新增用户")
    page.fill("#username", "zhouming")
    page.fill("#display_name", "周明")
    page.check("input[name=roles][value=cashier]")
    page.fill("#password", "pale-lantern-river-41")
    page.fill("#password_confirm", "pale-lantern-river-42")
    page.click("#user-form button[type=submit]")
    expect(page.locator("#password-error")).to_have_text("两次输入的密码不一致")
    page.fill("#password", "pale-lantern-river-41")
    page.fill("#password_confirm", "pale-lantern-river-41")
    page.click("#user-form button[type=submit]")
    expect(page.locator("#account h1")).to_have_text("周明（zhouming）")
    page.screenshot(path=str(shots / "04-account.png"), full_page=True)

    page.click("header >> text=退出")
    _log_in(page, live_server, "zhouming", "pale-lantern-river-41")
    expect(page.locator("header .user")).to_contain_text("周明（出纳）")
    # The admin chose that password: before anything else, 周明 replaces it with one only he knows.
    expect(page).to_have_url(re.compile(r".*/password$"))
    expect(page.locator(".flash.warn")).to_contain_text("您的密码是系统管理员设置的")
    page.fill("#current_password", "pale-lantern-river-41")
    page.fill("#password", "zhouming1990")
    page.fill("#password_confirm", "zhouming1990")
    page.click("#password-change button[type=submit]")
    expect(page.locator("#password-error")).to_contain_text("含有用户名、姓名或单位名称")
    page.fill("#current_password", "pale-lantern-river-41")
    page.fill("#password", "quiet-harbor-52")
    page.fill("#password_confirm", "quiet-harbor-52")
    page.click("#password-change button[type=submit]")
    expect(page.locator("#password-change .flash.ok")).to_contain_text("密码已修改")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(shots / "05-own-password.png"), full_page=True)
    page.click("text=返回首页")
    expect(page.locator("h1")).to_have_text("测试街道工会工作委员会")
    assert errors == [], errors


def test_a_wrong_password_is_told_in_chinese_and_nothing_opens(page: Page, live_server: str):
    _log_in(page, live_server, "admin", "not-the-password")
    expect(page.locator(".flash.error")).to_have_text("用户名或密码错误")
    expect(page.locator("nav.mainnav")).to_have_count(0)


def test_an_expired_session_sends_htmx_requests_to_the_login_page(page: Page, live_server: str):
    _log_in(page, live_server, "chair")
    page.goto(f"{live_server}/settings/cash_on_hand_limit")
    page.context.clear_cookies()
    page.fill("#value", "5000")
    page.fill("#reason", "理由")
    page.click("#setting-panel button[type=submit]")
    expect(page).to_have_url(re.compile(r".*/login.*"))
