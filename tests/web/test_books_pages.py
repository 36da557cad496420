"""账务 pages: opening a book, typing vouchers, reviewing, reversing, closing a month, and reading the
ledgers, journals and statements of any book as of any date."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO
from uuid import UUID

import pytest
from flask import Flask
from openpyxl import load_workbook

from intranet.backend import Backend
from tests import roster_helpers as helpers
from tests.conftest import Clock, Session, login


@pytest.fixture
def accountant(app: Flask) -> Session:
    return login(app.test_client(), "accountant")


@pytest.fixture
def cashier(app: Flask) -> Session:
    return login(app.test_client(), "cashier")


@pytest.fixture
def book_id(accountant: Session) -> UUID:
    """The street union's own book, from January 2026."""
    response = accountant.post("/books", {"union_id": "", "name": "和平街道总工会", "first_period": "2026-01"},
                               htmx=True)
    assert response.status_code == 204, response.text
    return UUID(response.headers["HX-Redirect"].removeprefix("/books/"))


def _post(session: Session, book: UUID, day: str, summary: str, *lines: tuple[str, str, str],
          attachments: str = "1", form_key: str | None = None, corrects: str = ""):
    data = {"corrects": corrects, "voucher_date": day, "summary": summary, "attachments": attachments,
            "account": [a for a, _d, _c in lines], "debit": [d for _a, d, _c in lines],
            "credit": [c for _a, _d, c in lines], "memo": ["" for _ in lines]}
    if form_key:
        data["form_key"] = form_key
    return session.post(f"/books/{book}/vouchers", data, htmx=True)


def _voucher_url(response) -> str:
    assert response.status_code == 204, response.text
    return response.headers["HX-Redirect"]


def _cells(html: str, key: str) -> list[str]:
    """The two amount columns of a statement row (行次 left out)."""
    row = html[html.index(f'id="row-{key}"'):]
    return re.findall(r'<td class="num">([^<]*)</td>', row[:row.index("</tr>")])[1:]


def _position(backend: Backend) -> int | None:
    return backend.office.recorder.max_notification_id()


def test_the_accountant_opens_the_own_book_with_the_2021_chart(accountant: Session, book_id: UUID) -> None:
    page = accountant.get(f"/books/{book_id}/accounts").text
    assert "财会〔2021〕7号" in page
    assert "困难职工帮扶支出" in page and "应付上级经费" in page and "代管经费" in page


def test_a_voucher_typed_in_the_form_is_posted_numbered_and_shown_in_capitals(
        accountant: Session, book_id: UUID) -> None:
    url = _voucher_url(_post(accountant, book_id, "2026-03-02", "收取会员会费", ("101", "1005.50", ""),
                             ("401", "", "1005.50")))
    assert url.endswith("/vouchers/2026-03/receipt/1")
    page = accountant.get(url).text
    assert "收款凭证" in page and "收字第1号" in page
    assert re.search(r'id="capital">壹仟零伍元伍角整<', page)


def test_an_unbalanced_voucher_is_refused_with_the_totals_and_nothing_recorded(
        accountant: Session, backend: Backend, book_id: UUID) -> None:
    before = _position(backend)
    response = _post(accountant, book_id, "2026-03-02", "收会费", ("101", "100", ""), ("401", "", "90"))
    assert response.status_code == 200
    assert "借贷不平衡" in response.text
    assert 'value="100"' in response.text  # what was typed is kept
    assert _position(backend) == before


@pytest.mark.parametrize("amount", ["0", "-5", "NaN", "1.005", "abc", "1e400"])
def test_a_bad_amount_is_refused_with_a_message_and_nothing_recorded(
        accountant: Session, backend: Backend, book_id: UUID, amount: str) -> None:
    before = _position(backend)
    response = _post(accountant, book_id, "2026-03-02", "收会费", ("101", amount, ""), ("401", "", amount))
    assert response.status_code == 200
    assert "flash error" in response.text
    assert _position(backend) == before


def test_the_same_voucher_form_submitted_twice_posts_once(accountant: Session, backend: Backend,
                                                          book_id: UUID) -> None:
    lines = (("101", "50", ""), ("401", "", "50"))
    _voucher_url(_post(accountant, book_id, "2026-03-02", "收会费", *lines, form_key="same-key-123"))
    before = _position(backend)
    again = _post(accountant, book_id, "2026-03-02", "收会费", *lines, form_key="same-key-123")
    assert again.status_code == 200
    assert _position(backend) == before


def test_fin07_the_cashier_may_read_the_cash_journal_but_not_post_a_voucher(
        cashier: Session, backend: Backend, book_id: UUID) -> None:
    """FIN-07 / separation of duties: the cashier keeps the journals, never posts or reviews a ledger."""
    assert cashier.get(f"/books/{book_id}/journal/cash").status_code == 200
    before = _position(backend)
    assert _post(cashier, book_id, "2026-03-02", "收会费", ("101", "50", ""), ("401", "", "50")).status_code == 403
    assert _position(backend) == before


def test_fin02_a_payment_beyond_the_cash_on_hand_is_refused(accountant: Session, backend: Backend,
                                                            book_id: UUID) -> None:
    """FIN-02: cash never goes below zero."""
    _voucher_url(_post(accountant, book_id, "2026-03-02", "收会费", ("101", "300", ""), ("401", "", "300")))
    before = _position(backend)
    response = _post(accountant, book_id, "2026-03-03", "慰问", ("50105", "500", ""), ("101", "", "500"))
    assert "库存现金不足" in response.text
    assert _position(backend) == before


def test_the_cash_journal_shows_the_running_balance(accountant: Session, book_id: UUID) -> None:
    _voucher_url(_post(accountant, book_id, "2026-03-02", "收会费", ("101", "300", ""), ("401", "", "300")))
    _voucher_url(_post(accountant, book_id, "2026-03-03", "生日慰问", ("50105", "120", ""), ("101", "", "120")))
    page = accountant.get(f"/books/{book_id}/journal/cash?start=2026-03-01&end=2026-03-08").text
    balances = re.findall(r'<td class="num">([\d,.]+)(?: <span[^>]*>[^<]*</span>)?</td></tr>', page)
    assert balances[-2:] == ["300.00", "180.00"]
    assert "会员活动支出" in page  # the contra account


def test_reviewing_and_closing_a_month_posts_the_closing_voucher_and_the_statements_balance(
        accountant: Session, book_id: UUID, clock: Clock) -> None:
    received = _voucher_url(_post(accountant, book_id, "2026-03-02", "收会费", ("102", "2000", ""),
                                  ("401", "", "2000")))
    paid = _voucher_url(_post(accountant, book_id, "2026-03-05", "困难职工帮扶", ("50404", "800", ""),
                              ("102", "", "800")))
    clock.advance(days=30)  # 2026-04-07
    refused = accountant.post(f"/books/{book_id}/close", {"period": "2026-01"}, htmx=True)
    assert "未审核" not in refused.text  # January and February are empty: they close
    accountant.post(f"/books/{book_id}/close", {"period": "2026-02"}, htmx=True)
    waiting = accountant.post(f"/books/{book_id}/close", {"period": "2026-03"}, htmx=True)
    assert "2张凭证未审核" in waiting.text
    for url in (received, paid):
        accountant.post(f"{url}/review", htmx=True)
    done = accountant.post(f"/books/{book_id}/close", {"period": "2026-03"}, htmx=True)
    assert "2026-03已结账" in done.text
    sheet = accountant.get(f"/books/{book_id}/statements/balance-sheet?on=2026-03-31").text
    assert _cells(sheet, "assets_total") == _cells(sheet, "liabilities_and_net_assets") == ["", "1200.00"]
    assert _cells(sheet, "surplus") == ["", "1200.00"]
    income = accountant.get(f"/books/{book_id}/statements/income?on=2026-03-31").text
    assert _cells(income, "net") == ["1200.00", "1200.00"]
    assert _cells(income, "expense_504") == ["800.00", "800.00"]
    late = _post(accountant, book_id, "2026-03-31", "补记", ("102", "1", ""), ("401", "", "1"))
    assert "已结账" in late.text


def test_a_reversal_posts_a_red_voucher_linked_both_ways(accountant: Session, book_id: UUID) -> None:
    url = _voucher_url(_post(accountant, book_id, "2026-03-02", "收会费", ("101", "300", ""), ("401", "", "300")))
    response = accountant.post(f"{url}/reverse", {"on": "2026-03-08", "reason": "重复入账"}, htmx=True)
    assert "已编制红字冲销凭证" in response.text
    assert "本凭证已被冲销" in response.text
    red = accountant.get(f"/books/{book_id}/vouchers/2026-03/receipt/2").text
    assert "冲销：" in red and "重复入账" in red and "-300.00" in red


def test_the_trial_balance_balances_and_figures_show_as_of_a_past_date(
        accountant: Session, book_id: UUID, clock: Clock) -> None:
    """AUD-09: any ledger as of any date."""
    _voucher_url(_post(accountant, book_id, "2026-03-02", "收会费", ("101", "300", ""), ("401", "", "300")))
    clock.advance(days=3)
    _voucher_url(_post(accountant, book_id, "2026-03-10", "收会费", ("101", "200", ""), ("401", "", "200")))
    now = accountant.get(f"/books/{book_id}/trial-balance?start=2026-03-01&end=2026-03-11").text
    then = accountant.get(f"/books/{book_id}/trial-balance?start=2026-03-01&end=2026-03-05").text
    assert 'id="balanced">试算平衡' in now.replace('class="flash ok" ', "")
    assert "500.00" in now and "500.00" not in then and "300.00" in then


def test_a_managed_unions_book_is_opened_and_the_switcher_moves_between_books(
        accountant: Session, backend: Backend, book_id: UUID) -> None:
    union = helpers.union(backend.office, name="新华机械厂工会")
    backend.read_models.catch_up()
    response = accountant.post("/books", {"union_id": str(union), "name": "新华机械厂工会（代管）",
                                          "first_period": "2026-03"}, htmx=True)
    managed = response.headers["HX-Redirect"].removeprefix("/books/")
    page = accountant.get(f"/books/{book_id}/trial-balance").text
    assert f"/books/{managed}/trial-balance" in page
    assert "代管经费" not in accountant.get(f"/books/{managed}/accounts").text  # the grassroots chart


@pytest.mark.usefixtures("book_id")
def test_a_second_own_book_is_refused(accountant: Session, backend: Backend) -> None:
    before = _position(backend)
    response = accountant.post("/books", {"union_id": "", "name": "又一套账", "first_period": "2026-01"}, htmx=True)
    assert "已经建立" in response.text
    assert _position(backend) == before


def test_fin15_an_office_sub_account_is_added_below_a_standard_account(accountant: Session, book_id: UUID) -> None:
    """FIN-15 and the chart: level-1 accounts fixed; the office adds its own sub-accounts below."""
    response = accountant.post(f"/books/{book_id}/accounts", {"parent": "50404", "code": "01", "name": "大病救助"},
                               htmx=True)
    assert "已增设明细科目" in response.text
    assert "5040401" in response.text
    assert "下设明细科目" in _post(accountant, book_id, "2026-03-02", "救助", ("50404", "10", ""),
                                   ("101", "", "10")).text


# -- exports -----------------------------------------------------------------------------------------


def test_the_trial_balance_exports_as_xlsx_with_exact_amounts(accountant: Session, book_id: UUID) -> None:
    _voucher_url(_post(accountant, book_id, "2026-03-02", "收会费", ("101", "1005.50", ""), ("401", "", "1005.50")))
    response = accountant.get(f"/books/{book_id}/export/trial-balance/xlsx?start=2026-03-01&end=2026-03-08")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.data)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["101"][1] == "库存现金" and Decimal(str(rows["101"][4])) == Decimal("1005.50")
    assert Decimal(str(rows["401"][5])) == Decimal("1005.50")


def test_the_cash_journal_exports_as_csv_that_excel_reads_in_chinese(accountant: Session, book_id: UUID) -> None:
    _voucher_url(_post(accountant, book_id, "2026-03-02", "收会费", ("101", "300", ""), ("401", "", "300")))
    response = accountant.get(f"/books/{book_id}/export/cash-journal/csv?start=2026-03-01&end=2026-03-08")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff") and "现金日记账" in text
    assert "2026-03-02,2026-03/receipt/1,收会费,会费收入,300.00,0.00,300.00" in text


def test_the_balance_sheet_exports_with_its_form_number_and_signature_lines(accountant: Session,
                                                                           book_id: UUID) -> None:
    text = accountant.get(f"/books/{book_id}/export/balance-sheet/csv?end=2026-03-08").data.decode("utf-8")
    assert "工会01表" in text and "资产总计" in text and "工会主席" in text


def test_an_unknown_report_or_format_is_not_found(accountant: Session, book_id: UUID) -> None:
    assert accountant.get(f"/books/{book_id}/export/salaries/xlsx").status_code == 404
    assert accountant.get(f"/books/{book_id}/export/trial-balance/pdf").status_code == 404


def test_a_correction_in_an_open_month_names_the_voucher_of_a_closed_month_it_corrects(
        accountant: Session, backend: Backend, book_id: UUID, clock: Clock) -> None:
    """Corrections go into an open month naming what they correct; the closed month is never touched."""
    wrong = _voucher_url(_post(accountant, book_id, "2026-03-02", "收会费", ("101", "300", ""), ("401", "", "300")))
    clock.advance(days=25)
    for period in ("2026-01", "2026-02"):
        accountant.post(f"/books/{book_id}/close", {"period": period}, htmx=True)
    accountant.post(f"{wrong}/review", htmx=True)
    accountant.post(f"/books/{book_id}/close", {"period": "2026-03"}, htmx=True)
    form = accountant.get(f"/books/{book_id}/vouchers/new?corrects=2026-03/receipt/1").text
    assert "本凭证更正：2026年03月 收字第1号" in form
    url = _voucher_url(_post(accountant, book_id, "2026-04-02", "更正：会费应为350元", ("101", "50", ""),
                             ("401", "", "50"), corrects="2026-03/receipt/1"))
    page = accountant.get(url).text
    assert "更正：" in page and "2026年03月 收字第1号" in page
    before = _position(backend)
    missing = _post(accountant, book_id, "2026-04-02", "更正", ("101", "1", ""), ("401", "", "1"),
                    corrects="2026-03/receipt/9")
    assert "要更正的凭证不存在" in missing.text
    assert _position(backend) == before
