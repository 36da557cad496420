"""预算、公开与资产 pages, through the real forms with htmx posts: the budget from the accountant's draft through
the fund review committee's opinion to the standing committee's approval, set against the books (FIN-17,
AUD-03, AUD-06, GOV-03, R-46); the half-yearly disclosure and its frozen figures (FIN-18); the office's
register of supplies and fixed assets checked against the book's 固定资产 (FIN-07, FIN-12, FIN-16).
Every refused form answers 200 with a message in Chinese and appends nothing."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

import pytest
from flask import Flask

from intranet.backend import Backend
from tests.conftest import Session, as_role, login


@pytest.fixture
def sessions(app: Flask) -> dict[str, Session]:
    return {role: login(app.test_client(), role) for role in ("office", "accountant", "chair", "cashier", "auditor")}


def _accountant_post(backend: Backend, book: UUID, day: date, *lines: tuple[str, str, str]) -> str:
    office = backend.office
    return office.post_voucher(as_role(office, "accountant"), book, voucher_date=day, summary="测试凭证",
                               attachments=1, lines=[{"account": a, "debit": d, "credit": c} for a, d, c in lines])


@pytest.fixture
def book_id(backend: Backend) -> UUID:
    """The own book from 2025-12: in December 2025 dues of 1,000 and 300 spent on an activity; in March 2026
    dues of 2,000 and 600 spent on an activity."""
    office = backend.office
    book = office.open_book(as_role(office, "accountant"), name="和平街道总工会", union_id=None,
                            first_period="2025-12")
    _accountant_post(backend, book, date(2025, 12, 5), ("101", "1000", ""), ("401", "", "1000"))
    _accountant_post(backend, book, date(2025, 12, 18), ("50101", "300", ""), ("101", "", "300"))
    _accountant_post(backend, book, date(2026, 3, 2), ("101", "2000", ""), ("401", "", "2000"))
    _accountant_post(backend, book, date(2026, 3, 5), ("50101", "600", ""), ("101", "", "600"))
    backend.read_models.catch_up()
    return book


def _close_december(backend: Backend, book_id: UUID) -> None:
    """2025-12 reviewed and closed (a half-year is published once its last month is closed)."""
    office, ctx = backend.office, as_role(backend.office, "accountant")
    for key, voucher in office.book(book_id).vouchers.items():
        if voucher["period"] == "2025-12" and not voucher["reviewed"]:
            office.review_voucher(ctx, book_id, key)
    office.close_month(ctx, book_id, "2025-12")
    backend.read_models.catch_up()


def _position(backend: Backend) -> int | None:
    return backend.office.recorder.max_notification_id()


def _refused(response, message: str) -> None:
    """A refusal shown beside the form: status 200, the message in an error box."""
    assert response.status_code == 200, response.text
    errors = re.findall(r'<div class="flash error" role="alert">([^<]*)</div>', response.text)
    assert any(message in error for error in errors), (message, errors)


def _row(html: str, start: str) -> str:
    """The table row whose first cell starts with `start`."""
    at = html.index(f"<tr><td>{start}")
    return html[at:html.index("</tr>", at)]


def _cells(row: str) -> list[str]:
    return re.findall(r'<td class="num">(.*?)</td>', row)


# -- budget (FIN-17, Q8, AUD-03, AUD-06, GOV-03, R-46) --------------------------------------------------


def test_fin17_a_budget_goes_from_the_accountant_to_the_committee_to_the_chair_and_is_set_against_the_books(
        sessions: dict[str, Session], book_id: UUID) -> None:
    url = f"/books/{book_id}/budget"
    first = sessions["accountant"].get(url).text
    assert "本年度尚未编制预算" in first
    assert 'name="line_401"' in first and 'name="line_501"' in first and 'name="line_101"' not in first

    drafted = sessions["accountant"].post(url, {"year": "2026", "line_401": "1500", "line_501": "500",
                                                "line_503": ""}, htmx=True)
    assert drafted.status_code == 200 and "已保存预算草案" in drafted.text
    assert "待经审会审查" in drafted.text
    # budget against the books to date, with the execution rate; an expense over its budget is flagged,
    # income over its budget is not.
    income, expense = _row(drafted.text, "401 会费收入"), _row(drafted.text, "501 职工活动支出")
    assert _cells(income)[:3] == ["1,500.00", "2,000.00", "133.3%"]
    assert "超预算" not in income
    assert _cells(expense)[:2] == ["500.00", "600.00"] and "120.0%" in expense and "超预算" in expense

    reviewed = sessions["auditor"].post(f"{url}/review", {"year": "2026", "stage": "budget",
                                                          "opinion": "支出预算偏紧，同意提请常委会审议"}, htmx=True)
    assert reviewed.status_code == 200 and "已登记审查意见" in reviewed.text
    assert "待常委会批准" in reviewed.text and "经审会意见：支出预算偏紧，同意提请常委会审议" in reviewed.text

    approved = sessions["chair"].post(f"{url}/approve", {"year": "2026", "stage": "budget",
                                                         "meeting": "2026年第1次常委会"}, htmx=True)
    assert approved.status_code == 200 and "已登记常委会决定" in approved.text
    state = re.search(r'<p id="budget-state">(.*?)</p>', approved.text, re.S)
    assert state and "已批准" in state[1] and "批准：2026年第1次常委会" in state[1]
    # Once approved the accountant's draft form is gone; the chair may adjust citing a meeting.
    assert "保存预算草案" not in sessions["accountant"].get(url).text
    assert "调整预算（常委会决定）" in sessions["chair"].get(url).text


def test_gov03_an_adjustment_on_the_page_needs_a_meeting_and_is_counted(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    url = f"/books/{book_id}/budget"
    sessions["accountant"].post(url, {"year": "2026", "line_501": "500"}, htmx=True)
    sessions["auditor"].post(f"{url}/review", {"year": "2026", "opinion": "同意"}, htmx=True)
    sessions["chair"].post(f"{url}/approve", {"year": "2026", "meeting": "2026年第1次常委会"}, htmx=True)
    before = _position(backend)
    _refused(sessions["chair"].post(f"{url}/approve", {"year": "2026", "stage": "adjust", "line_501": "800",
                                                       "meeting": ""}, htmx=True), "请填写常委会会议")
    _refused(sessions["accountant"].post(url, {"year": "2026", "line_501": "800"}, htmx=True),
             "预算已批准，只能经常委会决定调整")
    assert _position(backend) == before
    adjusted = sessions["chair"].post(f"{url}/approve", {"year": "2026", "stage": "adjust", "line_501": "800",
                                                         "meeting": "2026年第2次常委会"}, htmx=True).text
    assert "已调整1次" in adjusted and "批准：2026年第2次常委会" in adjusted
    expense = _row(adjusted, "501 职工活动支出")
    assert _cells(expense)[:3] == ["800.00", "600.00", "75.0%"] and "超预算" not in expense


@pytest.mark.parametrize(("data", "message"), [
    ({"line_501": "-5"}, "金额须为不小于0的数字"),
    ({"line_501": "NaN"}, "金额须为不小于0的数字"),
    ({"line_501": "12.345"}, "金额最多保留到分（两位小数）"),
    ({"line_501": "五百"}, "金额须为数字"),
    ({"line_401": "", "line_501": ""}, "请填写预算金额"),
    ({"line_401": "0"}, "请填写预算金额"),
    ({"year": "1999", "line_501": "500"}, "年度无效"),
    ({"year": "明年", "line_501": "500"}, "年度无效"),
])
def test_a_bad_budget_draft_is_refused_with_a_message_and_nothing_recorded(
        sessions: dict[str, Session], backend: Backend, book_id: UUID, data: dict[str, str], message: str) -> None:
    before = _position(backend)
    _refused(sessions["accountant"].post(f"/books/{book_id}/budget", {"year": "2026", **data}, htmx=True), message)
    assert _position(backend) == before


def test_a_refused_budget_draft_keeps_what_was_typed(sessions: dict[str, Session], book_id: UUID) -> None:
    response = sessions["accountant"].post(f"/books/{book_id}/budget", {"year": "2026", "line_401": "1500",
                                                                        "line_501": "-5"}, htmx=True)
    _refused(response, "金额须为不小于0的数字")
    assert 'name="line_401" inputmode="decimal" value="1500"' in response.text


def test_fin17_spending_on_an_expense_account_the_budget_left_out_is_flagged(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    _accountant_post(backend, book_id, date(2026, 3, 6), ("50304", "200", ""), ("101", "", "200"))
    backend.read_models.catch_up()
    page = sessions["accountant"].post(f"/books/{book_id}/budget", {"year": "2026", "line_401": "5000",
                                                                    "line_501": "1000"}, htmx=True).text
    assert "超预算" not in _row(page, "501 职工活动支出")
    assert "预算外支出" in _row(page, "503 职工服务支出")


def test_the_committees_opinion_and_the_chairs_meeting_are_required_and_come_in_order(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    url = f"/books/{book_id}/budget"
    before = _position(backend)
    _refused(sessions["auditor"].post(f"{url}/review", {"year": "2026", "opinion": "同意"}, htmx=True),
             "该年度尚未编制预算")
    sessions["accountant"].post(url, {"year": "2026", "line_501": "500"}, htmx=True)
    before = _position(backend)
    _refused(sessions["chair"].post(f"{url}/approve", {"year": "2026", "meeting": "2026年第1次常委会"}, htmx=True),
             "预算须先经经审会审查，才能提请常委会批准")
    _refused(sessions["auditor"].post(f"{url}/review", {"year": "2026", "opinion": "  "}, htmx=True), "请填写审查意见")
    assert _position(backend) == before
    sessions["auditor"].post(f"{url}/review", {"year": "2026", "opinion": "同意"}, htmx=True)
    before = _position(backend)
    _refused(sessions["chair"].post(f"{url}/approve", {"year": "2026", "meeting": ""}, htmx=True), "请填写常委会会议")
    assert _position(backend) == before


@pytest.mark.parametrize(("session", "path"), [("auditor", ""), ("chair", ""), ("cashier", ""),
                                               ("accountant", "/review"), ("chair", "/review"),
                                               ("accountant", "/approve"), ("auditor", "/approve")])
def test_q8_each_step_of_the_budget_belongs_to_one_role(sessions: dict[str, Session], backend: Backend,
                                                        book_id: UUID, session: str, path: str) -> None:
    url = f"/books/{book_id}/budget"
    sessions["accountant"].post(url, {"year": "2026", "line_501": "500"}, htmx=True)
    if path == "/approve":
        sessions["auditor"].post(f"{url}/review", {"year": "2026", "opinion": "同意"}, htmx=True)
    before = _position(backend)
    response = sessions[session].post(f"{url}{path}", {"year": "2026", "line_501": "900", "opinion": "同意",
                                                       "meeting": "2026年第1次常委会"}, htmx=True)
    assert response.status_code == 403
    assert _position(backend) == before


def test_fin17_final_accounts_on_the_page_after_december_is_closed(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    url = f"/books/{book_id}/budget"
    sessions["accountant"].post(url, {"year": "2025", "line_401": "1200", "line_501": "250"}, htmx=True)
    sessions["auditor"].post(f"{url}/review", {"year": "2025", "opinion": "同意"}, htmx=True)
    sessions["chair"].post(f"{url}/approve", {"year": "2025", "meeting": "2025年第4次常委会"}, htmx=True)
    before = _position(backend)
    _refused(sessions["accountant"].post(f"{url}/final", {"year": "2025"}, htmx=True), "2025年12月结账后才能编制决算")
    assert _position(backend) == before

    office = backend.office
    for key, voucher in office.book(book_id).vouchers.items():
        if not voucher["reviewed"]:
            office.review_voucher(as_role(office, "accountant"), book_id, key)
    office.close_month(as_role(office, "accountant"), book_id, "2025-12")
    prepared = sessions["accountant"].post(f"{url}/final", {"year": "2025"}, htmx=True).text
    assert "已编制决算" in prepared and "决算：待经审会审查" in prepared
    # The 决算 column: the year's figures with the closing voucher left out.
    assert _cells(_row(prepared, "401 会费收入"))[-1] == "1,000.00"
    assert _cells(_row(prepared, "501 职工活动支出"))[-1] == "300.00"
    reviewed = sessions["auditor"].post(f"{url}/review", {"year": "2025", "stage": "final", "opinion": "决算属实"},
                                        htmx=True).text
    assert "决算：待常委会批准 · 经审会意见：决算属实" in reviewed
    approved = sessions["chair"].post(f"{url}/approve", {"year": "2025", "stage": "final",
                                                         "meeting": "2026年第1次常委会"}, htmx=True).text
    assert "决算：已批准" in approved and "批准：2026年第1次常委会" in approved


@pytest.mark.parametrize("page", ["budget", "disclosure", "assets"])
def test_the_pages_of_a_book_that_does_not_exist_are_not_found(sessions: dict[str, Session], page: str) -> None:
    assert sessions["accountant"].get(f"/books/{UUID(int=5)}/{page}").status_code == 404


# -- disclosure (FIN-18) ------------------------------------------------------------------------------


def test_fin18_an_ended_half_year_is_published_and_its_figures_kept_as_published(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    _close_december(backend, book_id)
    url = f"/books/{book_id}/disclosure"
    page = sessions["accountant"].get(url).text
    # Only the half-years that have ended since the book began: the second half of 2025.
    assert "2025年下半年" in page and "2026年上半年" not in page and "2025年上半年" not in page
    assert re.search(r'id="half-2025-2">[^<]*<span class="badge warn">未公布</span>', page)
    assert "会费收入（收入）</td><td class=\"num\">1,000.00" in page
    assert "职工活动支出（支出）</td><td class=\"num\">300.00" in page

    published = sessions["accountant"].post(url, {"year": "2025", "half": "2", "where": "工会公示栏"}, htmx=True)
    assert published.status_code == 200 and "已登记公布" in published.text
    assert re.search(r'id="half-2025-2">[^<]*<span class="badge ok">已公布</span>', published.text)
    assert "由accountant用户公布于工会公示栏" in published.text
    assert "登记公布</button>" not in published.text

    # December is closed: a correction goes into an open month, and what was published stays as it was.
    _accountant_post(backend, book_id, date(2026, 3, 6), ("50101", "150", ""), ("101", "", "150"))
    backend.read_models.catch_up()
    again = sessions["chair"].get(url).text
    assert "职工活动支出（支出）</td><td class=\"num\">300.00" in again and "450.00" not in again


@pytest.mark.parametrize(("data", "message"), [
    ({"year": "2025", "half": "2", "where": ""}, "请填写公布方式"),
    ({"year": "2026", "half": "1", "where": "工会公示栏"}, "该半年尚未结束，结束后才能公布"),
    ({"year": "2025", "half": "3", "where": "工会公示栏"}, "请选择公布的半年"),
    ({"year": "二〇二五", "half": "2", "where": "工会公示栏"}, "请选择公布的半年"),
    ({"year": "0", "half": "1", "where": "工会公示栏"}, "请选择公布的半年"),
    ({"half": "2", "where": "工会公示栏"}, "请选择公布的半年"),
])
def test_fin18_a_bad_publication_is_refused_with_a_message_and_nothing_recorded(
        sessions: dict[str, Session], backend: Backend, book_id: UUID, data: dict[str, str], message: str) -> None:
    _close_december(backend, book_id)
    before = _position(backend)
    _refused(sessions["accountant"].post(f"/books/{book_id}/disclosure", data, htmx=True), message)
    assert _position(backend) == before


def test_fin18_a_half_year_is_published_once_and_only_by_the_accountant(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    _close_december(backend, book_id)
    url = f"/books/{book_id}/disclosure"
    data = {"year": "2025", "half": "2", "where": "工会公示栏"}
    before = _position(backend)
    assert "登记公布</button>" not in sessions["chair"].get(url).text
    for role in ("chair", "auditor", "cashier"):
        assert sessions[role].post(url, data, htmx=True).status_code == 403
    assert _position(backend) == before
    sessions["accountant"].post(url, data, htmx=True)
    before = _position(backend)
    _refused(sessions["accountant"].post(url, {**data, "where": "职代会"}, htmx=True), "该半年已经公布过")
    assert _position(backend) == before


# -- the asset register (FIN-07, FIN-12, FIN-16) ---------------------------------------------------------


ASSET = {"kind": "fixed", "name": "书架", "quantity": "2", "unit_value": "780.00", "acquired_on": "2026-03-08",
         "keeper": "刘洋", "location": "职工书屋"}


def _fixed_check(html: str) -> str:
    found = re.search(r'<p id="fixed-check">(.*?)</p>', html, re.S)
    assert found, "no FIN-16 check on the page"
    return found[1]


def _asset_id(html: str, row_start: str) -> str:
    """The id of the register line whose row starts with `row_start` (类别</td><td>名称)."""
    row = _row(html, row_start)
    found = re.search(r"/assets/([0-9a-f-]{36})/dispose", row)
    assert found, row
    return found[1]


def test_fin16_the_register_is_checked_against_the_books_fixed_assets(sessions: dict[str, Session],
                                                                    book_id: UUID) -> None:
    url = f"/books/{book_id}/assets"
    empty = sessions["office"].get(url).text
    assert "登记簿为空" in empty and "账物相符" in _fixed_check(empty)

    registered = sessions["office"].post(url, ASSET, htmx=True)
    assert registered.status_code == 200 and "已登记" in registered.text
    check = _fixed_check(registered.text)
    assert "登记簿 ¥1,560.00" in check and "账面（固定资产科目） ¥0.00" in check and "账物不符" in check
    row = _row(registered.text, "固定资产</td><td>书架")
    assert _cells(row)[:3] == ["2", "2", "780.00"] and "刘洋" in row and "职工书屋" in row

    # The accountant books the purchase: Dr 162 固定资产 / Cr 301 资产基金—固定资产.
    posted = sessions["accountant"].post(f"/books/{book_id}/vouchers", {
        "voucher_date": "2026-03-08", "summary": "购置书架", "attachments": "1", "account": ["162", "30104"],
        "debit": ["1560", ""], "credit": ["", "1560"], "memo": ["", ""]}, htmx=True)
    assert posted.status_code == 204, posted.text
    check = _fixed_check(sessions["office"].get(url).text)
    assert "登记簿 ¥1,560.00" in check and "账面（固定资产科目） ¥1,560.00" in check and "账物相符" in check
    # As of the day before, neither the shelf nor the voucher existed.
    earlier = sessions["accountant"].get(f"{url}?on=2026-03-07").text
    assert "登记簿为空" in earlier and "账物相符" in _fixed_check(earlier)


def test_fin07_supplies_are_issued_and_items_disposed_of_on_the_page(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    url = f"/books/{book_id}/assets"
    page = sessions["office"].post(url, {**ASSET, "kind": "supplies", "name": "A4复印纸", "quantity": "10",
                                         "unit_value": "25.50", "keeper": "王芳", "location": ""}, htmx=True).text
    paper = _asset_id(page, "库存物品</td><td>A4复印纸")
    issued = sessions["office"].post(f"{url}/{paper}/issue", {"quantity": "3", "to": "张三"}, htmx=True).text
    assert "已登记领用" in issued
    assert _cells(_row(issued, "库存物品</td><td>A4复印纸"))[:2] == ["10", "7"]

    before = _position(backend)
    _refused(sessions["office"].post(f"{url}/{paper}/issue", {"quantity": "8", "to": "李四"}, htmx=True),
             "领用数量须在1到7之间")
    _refused(sessions["office"].post(f"{url}/{paper}/issue", {"quantity": "三", "to": "李四"}, htmx=True),
             "领用数量须为整数")
    _refused(sessions["office"].post(f"{url}/{paper}/issue", {"quantity": "1", "to": ""}, htmx=True),
             "请填写领用人")
    _refused(sessions["office"].post(f"{url}/{paper}/dispose", {"on": "2026-03-09", "reason": "受潮"}, htmx=True),
             "处置日期须在购置日期和今天之间")
    _refused(sessions["office"].post(f"{url}/{paper}/dispose", {"on": "2026/03/08", "reason": "受潮"}, htmx=True),
             "日期格式应为 年-月-日")
    _refused(sessions["office"].post(f"{url}/{paper}/dispose", {"on": "", "reason": "受潮"}, htmx=True),
             "请填写处置日期")
    _refused(sessions["office"].post(f"{url}/{paper}/dispose", {"on": "2026-03-08", "reason": ""}, htmx=True),
             "请填写处置理由")
    assert _position(backend) == before

    disposed = sessions["office"].post(f"{url}/{paper}/dispose", {"on": "2026-03-08", "reason": "受潮"}, htmx=True)
    assert "已登记处置" in disposed.text and "A4复印纸" not in disposed.text
    before = _position(backend)
    _refused(sessions["office"].post(f"{url}/{paper}/dispose", {"on": "2026-03-08", "reason": "再次"}, htmx=True),
             "该物品已处置")
    assert _position(backend) == before


@pytest.mark.parametrize(("change", "message"), [
    ({"quantity": "0"}, "数量须为1到100000"),
    ({"quantity": ""}, "数量须为整数"),
    ({"quantity": "2.5"}, "数量须为整数"),
    ({"unit_value": "0"}, "单价须大于0"),
    ({"unit_value": ""}, "单价须大于0"),
    ({"unit_value": "-780"}, "金额须为不小于0的数字"),
    ({"acquired_on": "2026-03-09"}, "购置日期不能晚于今天"),
    ({"acquired_on": ""}, "请填写购置日期"),
    ({"acquired_on": "08/03/2026"}, "日期格式应为 年-月-日"),
    ({"kind": "vehicle"}, "请选择登记类别"),
    ({"name": ""}, "请填写名称"),
    ({"keeper": ""}, "请填写保管人"),
])
def test_fin07_a_bad_registration_is_refused_with_a_message_and_nothing_recorded(
        sessions: dict[str, Session], backend: Backend, book_id: UUID, change: dict[str, str], message: str) -> None:
    before = _position(backend)
    _refused(sessions["office"].post(f"/books/{book_id}/assets", {**ASSET, **change}, htmx=True), message)
    assert _position(backend) == before


def test_fin07_a_refused_registration_keeps_what_was_typed(sessions: dict[str, Session], book_id: UUID) -> None:
    response = sessions["office"].post(f"/books/{book_id}/assets", {**ASSET, "quantity": "0"}, htmx=True)
    _refused(response, "数量须为1到100000")
    assert 'value="书架"' in response.text and 'value="刘洋"' in response.text


def test_fin07_the_cashier_and_the_accountant_read_the_register_but_cannot_keep_it(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    url = f"/books/{book_id}/assets"
    page = sessions["office"].post(url, {**ASSET, "kind": "supplies", "name": "A4复印纸", "quantity": "10",
                                         "unit_value": "25.50"}, htmx=True).text
    paper = _asset_id(page, "库存物品</td><td>A4复印纸")
    before = _position(backend)
    for role in ("cashier", "accountant"):
        shown = sessions[role].get(url)
        assert shown.status_code == 200 and "A4复印纸" in shown.text and 'id="asset-name"' not in shown.text
        assert sessions[role].post(url, ASSET, htmx=True).status_code == 403
        assert sessions[role].post(f"{url}/{paper}/issue", {"quantity": "1", "to": "张三"},
                                   htmx=True).status_code == 403
        assert sessions[role].post(f"{url}/{paper}/dispose", {"on": "2026-03-08", "reason": "损坏"},
                                   htmx=True).status_code == 403
    assert _position(backend) == before
