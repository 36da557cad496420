"""In a real browser: a claim goes from its handler (the office clerk, with a scanned invoice) through the
witness (the accountant) and the chair to the cashier, who pays it in cash; then it stands in the cash
journal and in the 收入支出表, and the accountant reviews the voucher and closes the month."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from intranet.backend import Backend
from tests.conftest import PASSWORD, Clock, as_role

pytestmark = pytest.mark.browser


@pytest.fixture
def book(app: Flask) -> str:
    backend: Backend = app.extensions["intranet"]
    office = backend.office
    ctx = as_role(office, "accountant")
    book_id = office.open_book(ctx, name="和平街道总工会（本级）", union_id=None, first_period="2026-03")
    office.post_voucher(ctx, book_id, voucher_date=date(2026, 3, 1), summary="上年结转期初余额", attachments=0,
                        lines=[{"account": "101", "debit": "3000"}, {"account": "102", "debit": "50000"},
                               {"account": "32205", "credit": "53000"}])
    office.set_setting(as_role(office, "chair"), "bank_transfer_threshold", "1000", date(2026, 3, 8),
                       "《现金管理暂行条例》结算起点")
    backend.read_models.catch_up()
    return str(book_id)


def _login(page: Page, live_server: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("nav.mainnav")).to_be_visible()


def test_fin01_a_claim_is_submitted_witnessed_approved_paid_and_shown_in_the_books(
        page: Page, live_server: str, shots: Path, *, book: str, tmp_path: Path, clock: Clock):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    scan = tmp_path / "invoice.pdf"
    scan.write_bytes(b"%PDF-1.4\n% the florist's invoice\n")

    _login(page, live_server, "office")
    page.click("nav >> text=报销")
    page.click("text=填写报销单")
    page.select_option("#category", label="会员活动")
    page.fill("#purpose", "三八节女职工活动")
    page.fill("#spent_on", "2026-03-07")
    page.get_by_label("第1项名称").fill("鲜花")
    page.get_by_label("第1项数量").fill("20")
    page.get_by_label("第1项单价").fill("15")
    page.get_by_label("第2项名称").fill("茶点")
    page.get_by_label("第2项数量").fill("1")
    page.get_by_label("第2项单价").fill("120.50")
    page.fill("#invoices", "FP2026030701")
    page.set_input_files("#files", str(scan))
    page.screenshot(path=str(shots / "21-claim-form.png"), full_page=True)
    page.click("#claim-form button[type=submit]")
    expect(page.locator("#claim-state")).to_have_text("待证明")
    expect(page.locator("#claim-total")).to_have_text("¥420.50")
    claim_url = page.url

    _login(page, live_server, "accountant")
    page.goto(claim_url)
    page.click("text=证明人签字")
    expect(page.locator("#claim-state")).to_have_text("待审批")

    _login(page, live_server, "chair")
    page.click("nav >> text=报销")
    expect(page.locator("#todo")).to_contain_text("三八节女职工活动")
    page.click("#todo >> text=三八节女职工活动")
    page.click("text=审批同意")
    expect(page.locator("#claim-state")).to_have_text("待付款")

    _login(page, live_server, "cashier")
    page.goto(claim_url)
    page.select_option("#method", "cash")
    page.click("#claim-actions button[type=submit]")
    expect(page.locator("#claim-state")).to_have_text("已付款")
    expect(page.locator("#claim-steps")).to_contain_text("出纳付款")
    page.screenshot(path=str(shots / "22-claim-paid.png"), full_page=True)
    page.click("nav >> text=账务")
    page.click("text=和平街道总工会（本级）")
    page.click("nav.subnav >> text=现金日记账")
    expect(page.locator("#ledger")).to_contain_text("报销：三八节女职工活动")
    expect(page.locator("#ledger tbody tr").last).to_contain_text("2,579.50")
    page.screenshot(path=str(shots / "23-cash-journal.png"), full_page=True)

    _login(page, live_server, "accountant")
    page.goto(f"{live_server}/books/{book}")
    page.click("#waiting >> text=付字第1号")
    expect(page.locator("#voucher-lines")).to_contain_text("会员活动支出")
    expect(page.locator("#capital")).to_have_text("肆佰贰拾元伍角整")
    page.click("#voucher-actions >> text=审核")
    expect(page.locator("#voucher")).to_contain_text("已审核")
    page.goto(f"{live_server}/books/{book}")
    page.click("#waiting >> text=收字第1号")  # the balances brought forward
    page.click("#voucher-actions >> text=审核")
    expect(page.locator("#voucher")).to_contain_text("已审核")
    page.goto(f"{live_server}/books/{book}/statements/income?on=2026-03-08")
    expect(page.locator("#row-expense_501")).to_contain_text("420.50")
    expect(page.locator("#row-net")).to_contain_text("-420.50")
    page.screenshot(path=str(shots / "24-income-statement.png"), full_page=True)

    clock.advance(days=25)  # 2026-04-02: March has ended
    page.goto(f"{live_server}/books/{book}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=2026-03结账")
    expect(page.locator("#book")).to_contain_text("2026-03已结账")
    page.goto(f"{live_server}/books/{book}/statements/income?on=2026-03-31")
    expect(page.locator("#row-expense_501")).to_contain_text("420.50")  # closing vouchers are left out
    assert errors == []
