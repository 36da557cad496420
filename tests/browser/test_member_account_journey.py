"""In a real browser: the admin finds a member as they type and opens her account; she logs in on a phone-sized
screen and reads 我的会籍, her own record only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from aggregates.union import approving_level
from intranet.backend import Backend
from tests import roster_helpers as helpers
from tests.conftest import PASSWORD, user_id_of

pytestmark = pytest.mark.browser


@pytest.fixture
def members(app: Flask) -> None:
    """吴晓燕 and 郑海波, admitted by the office clerk."""
    backend: Backend = app.extensions["intranet"]
    clerk = backend.office.context(str(user_id_of(backend, "office")), "office")
    union_id = backend.office.found_union(clerk, name="新华联合工会", kind="joint", parent_id=None, workers=30,
                                          approver=approving_level(30, 7, 50), approval_ref="和工批1号", covers=[])
    for name, born, card in (("吴晓燕", date(1988, 4, 2), "HP000123"), ("郑海波", date(1975, 9, 3), "HP000456")):
        backend.office.admit_member(clerk, name=name, gender="F", birth_date=born, id_number=helpers.id_number(
            born, "F"), union_id=union_id, joined_on=date(2020, 1, 1), card_no=card)
    backend.read_models.catch_up()


def _log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


@pytest.mark.usefixtures("members")
def test_the_admin_opens_a_member_account_and_the_member_reads_only_her_record(
    page: Page, live_server: str, shots: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server}/users/new")
    page.wait_for_function("typeof window.htmx !== 'undefined'")
    page.fill("#member_q", "吴晓")  # as she types: no button pressed
    choice = page.locator("#member-choices label.choice", has_text="吴晓燕")
    expect(choice).to_be_visible()
    expect(page.locator("#member-choices")).not_to_contain_text("郑海波")
    choice.locator("input").check()
    page.fill("#username", "wuxy")
    page.fill("#display_name", "吴晓燕")
    page.check("input[name=roles][value=member]")
    page.fill("#password", "amber-willow-canal-73")
    page.fill("#password_confirm", "amber-willow-canal-73")
    page.screenshot(path=str(shots / "member-01-picker.png"), full_page=True)
    page.click("#user-form button[type=submit]")
    expect(page.locator("#linked-member")).to_contain_text("吴晓燕")
    page.click("header >> text=退出")

    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server, "wuxy", "amber-willow-canal-73")
    # The admin chose that password: she replaces it with her own before anything else.
    expect(page.locator("#password-change")).to_be_visible()
    page.fill("#current_password", "amber-willow-canal-73")
    page.fill("#password", "wuxy-own-quiet-ridge-8")
    page.fill("#password_confirm", "wuxy-own-quiet-ridge-8")
    page.click("#password-change button[type=submit]")
    expect(page.locator("#password-change")).to_contain_text("密码已修改")
    page.goto(f"{live_server}/")
    page.click("#my-membership")
    expect(page.locator("#member h1")).to_contain_text("吴晓燕")
    expect(page.locator("#member-card")).to_contain_text("HP000123")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "member-02-my-membership-390px.png"), full_page=True)
    assert "郑海波" not in page.content()
    assert errors == [], errors
