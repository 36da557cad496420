"""In a real browser, as the office clerk: find a member by pinyin initials, admit one, transfer
them out and in, retire them, and see every step in their timeline and in the audit trail."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from intranet.backend import Backend
from tests import roster_helpers as helpers
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def roster(app: Flask) -> dict[str, object]:
    backend: Backend = app.extensions["intranet"]
    office = backend.office
    factory = helpers.enterprise(office, workers=40, name="和平精密机械有限公司")
    shop = helpers.enterprise(office, workers=6, name="新华便民超市")
    first = helpers.union(office, [factory], name="和平精密机械有限公司工会")
    second = helpers.union(office, [shop], kind="community", workers=6, name="新华社区工会联合会")
    helpers.member(office, first, name="张建国")
    backend.read_models.catch_up()
    return {"first": first, "second": second, "factory": factory}


def test_a_clerk_admits_transfers_and_retires_a_member_and_sees_every_step(
    page: Page, live_server: str, shots: Path, roster: dict[str, object]
):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.click("nav >> text=会员")
    page.fill("#q", "zjg")
    expect(page.locator("#members-table tbody")).to_contain_text("张建国")
    expect(page.locator("#results .muted").first).to_contain_text("共 1 人")
    page.screenshot(path=str(shots / "11-roster-search-pinyin.png"), full_page=True)

    page.click("text=接收入会")
    page.fill("#name", "李秀英")
    page.fill("#id_number", helpers.id_number(date(1968, 4, 2), "F"))
    page.select_option("#gender", "F")
    page.fill("#birth_date", "1968-04-02")
    page.select_option("#union_id", label="和平精密机械有限公司工会")
    page.select_option("#enterprise_id", label="和平精密机械有限公司")
    page.fill("#joined_on", "2010-07-01")
    page.fill("#card_no", "HP900001")
    page.click("#member-form button[type=submit]")
    expect(page.locator("#member h1")).to_contain_text("李秀英")
    expect(page.locator("#member-union")).to_have_text("和平精密机械有限公司工会")
    page.screenshot(path=str(shots / "12-member-admitted.png"), full_page=True)

    page.fill("#slip_no", "和工接〔2026〕101号")
    page.select_option("#to_union_id", label="新华社区工会联合会")
    page.click("button:has-text('开具接转单')")
    expect(page.locator("#member-status")).to_have_text("接转中")
    page.fill("#receive-slip", "和工接〔2026〕101号")
    page.click("button:has-text('接收（第二步）')")
    expect(page.locator("#member-status")).to_have_text("在会")
    expect(page.locator("#member-union")).to_have_text("新华社区工会联合会")

    page.select_option("#cause", "retirement")
    page.fill("#retain-reason", "到龄退休")
    page.click("#member-actions button:has-text('保留会籍')")
    expect(page.locator("#member-status")).to_have_text("保留会籍")
    timeline = page.locator("#timeline tbody")
    expect(timeline).to_contain_text("接收 李秀英（女）入会")
    expect(timeline).to_contain_text("转出会籍（接转单 和工接〔2026〕101号），转往：新华社区工会联合会")
    expect(timeline).to_contain_text("新华社区工会联合会接收转入")
    expect(timeline).to_contain_text("因退休保留会籍")
    page.screenshot(path=str(shots / "13-member-timeline.png"), full_page=True)

    page.goto(f"{live_server}/audit")
    audit = page.locator("#audit-table tbody")
    expect(audit).to_contain_text("因退休保留会籍")
    expect(audit).to_contain_text("转出会籍（接转单 和工接〔2026〕101号）")
    page.screenshot(path=str(shots / "14-audit-roster.png"), full_page=True)

    page.goto(f"{live_server}/unions/{roster['second']}")
    expect(page.locator("#union-members")).to_contain_text("李秀英")
    page.screenshot(path=str(shots / "15-union.png"), full_page=True)
    assert errors == [], errors
