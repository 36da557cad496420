"""The ledger read model: vouchers and their lines, the trial balance, ledgers and the statements of a
book, for any date (AUD-09), and a rebuild that gives the rows of incremental catch-up."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from aggregates.application import UnionOffice
from aggregates.book import MAX_LINES
from aggregates.envelope import Context
from aggregates.errors import InvalidInput
from projections import ledger, statements
from projections.engine import ReadModels, dump
from tests.conftest import Clock, as_role
from tests.roster_helpers import union

TODAY = date(2026, 3, 8)
LEDGER_TABLES = ("books", "accounts", "vouchers", "lines", "closed_months")


def preparer(office: UnionOffice) -> Context:
    return as_role(office, "accountant", "li")


def reviewer(office: UnionOffice) -> Context:
    return as_role(office, "accountant", "wang")


def line(account: str, debit: str = "", credit: str = "") -> dict[str, str]:
    return {"account": account, "debit": debit, "credit": credit}


def money(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.01"))


def open_book(office: UnionOffice, first_period: str = "2026-03") -> UUID:
    """The street union's own book, with the office's sub-account 5040401 under 困难职工帮扶支出."""
    book = office.open_book(preparer(office), name="街道工会本级", union_id=None, first_period=first_period)
    office.add_sub_account(preparer(office), book, "50404", "01", "困难职工慰问")
    return book


def post(office: UnionOffice, book: UUID, on: date, summary: str, *lines: dict[str, str]) -> str:
    return office.post_voucher(preparer(office), book, voucher_date=on, summary=summary, lines=list(lines),
                               attachments=1)


def pair(office: UnionOffice, book: UUID, on: date, summary: str, *, dr: str, cr: str, amount: str) -> str:
    """A two-line voucher: `amount` debited to `dr` and credited to `cr`."""
    return post(office, book, on, summary, line(dr, amount), line(cr, "", amount))


def review_all(office: UnionOffice, book: UUID) -> None:
    for key, facts in office.book(book).vouchers.items():
        if not facts["reviewed"]:
            office.review_voucher(reviewer(office), book, key)


def close(office: UnionOffice, book: UUID, period: str) -> str | None:
    """结账 once every voucher is reviewed; the key of the closing voucher, if one was needed."""
    review_all(office, book)
    return office.close_month(preparer(office), book, period)


def closed_by_voucher(office: UnionOffice, book: UUID, period: str) -> str:
    key = close(office, book, period)
    assert key is not None, period
    return key


@dataclass(frozen=True)
class Season:
    """Four months of one book: December 2025 (closed at year end), January and February 2026 (closed),
    and March 2026 up to today (open, not all reviewed), with a red-ink reversal of a January voucher."""

    book: str
    keys: dict[str, str]


def season(office: UnionOffice) -> Season:
    office.set_setting(as_role(office, "chair"), "cash_on_hand_limit", "5000", TODAY, "银行核定")
    book = open_book(office, "2025-12")
    keys = {
        "dues_dec": pair(office, book, date(2025, 12, 5), "收取12月会费", dr="102", cr="401", amount="1000"),
        "cash_dues_dec": pair(office, book, date(2025, 12, 6), "收取现金会费", dr="101", cr="401", amount="300"),
        "relief_dec": pair(office, book, date(2025, 12, 7), "困难职工慰问", dr="5040401", cr="101", amount="200"),
    }
    keys["closing_dec"] = closed_by_voucher(office, book, "2025-12")
    keys.update({
        "dues_jan": pair(office, book, date(2026, 1, 10), "收取1月会费", dr="102", cr="401", amount="600"),
        "activity_jan": pair(office, book, date(2026, 1, 12), "会员活动", dr="50105", cr="102", amount="100"),
        "upper_jan": pair(office, book, date(2026, 1, 20), "收到应上解经费", dr="102", cr="211", amount="500"),
    })
    keys["closing_jan"] = closed_by_voucher(office, book, "2026-01")
    keys.update({
        "dues_feb": pair(office, book, date(2026, 2, 3), "收取2月会费", dr="102", cr="401", amount="800"),
        "activity_feb": pair(office, book, date(2026, 2, 10), "会员活动", dr="50105", cr="102", amount="120"),
    })
    keys["closing_feb"] = closed_by_voucher(office, book, "2026-02")
    keys.update({
        "cash_dues_mar": pair(office, book, date(2026, 3, 2), "收取现金会费", dr="101", cr="401", amount="100"),
        "relief_mar": pair(office, book, date(2026, 3, 5), "困难职工慰问", dr="5040401", cr="101", amount="150"),
    })
    office.review_voucher(reviewer(office), book, keys["relief_mar"])
    keys["reversal_mar"] = office.reverse_voucher(preparer(office), book, keys["activity_jan"], on=date(2026, 3, 6),
                                                  reason="重复报销")
    keys["withdrawal_mar"] = pair(office, book, TODAY, "提取备用金", dr="101", cr="102", amount="400")
    keys["warmth_mar"] = pair(office, book, TODAY, "送温暖", dr="50405", cr="101", amount="300")
    return Season(str(book), keys)


@pytest.fixture
def books(office: UnionOffice, read_models: ReadModels) -> Season:
    made = season(office)
    read_models.catch_up()
    return made


# -- vouchers and lines ----------------------------------------------------------------------------------------


def test_a_posted_voucher_is_shown_with_its_key_label_total_preparer_and_lines(
        office: UnionOffice, read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        shown = ledger.voucher(conn, books.book, books.keys["dues_jan"])
    assert shown is not None
    assert (shown.key, shown.period, shown.word, shown.number) == ("2026-01/receipt/1", "2026-01", "receipt", 1)
    assert (shown.label, shown.kind_label, shown.red) == ("收字第1号", "手工凭证", False)
    assert (shown.voucher_date, shown.summary, shown.attachments) == (date(2026, 1, 10), "收取1月会费", 1)
    assert (shown.total, shown.preparer, shown.stream_id) == (money("600"), preparer(office).actor, books.book)
    assert [(x.line_no, x.account, x.debit, x.credit) for x in shown.lines] == [
        (1, "102", money("600"), money("0")), (2, "401", money("0"), money("600"))]


def test_vouchers_are_numbered_per_month_and_word(read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        march = ledger.vouchers(conn, books.book, "2026-03")
    assert [(v.key, v.label) for v in march] == [
        ("2026-03/receipt/1", "收字第1号"), ("2026-03/payment/1", "付字第1号"), ("2026-03/payment/2", "付字第2号"),
        ("2026-03/payment/3", "付字第3号"), ("2026-03/payment/4", "付字第4号")]


def test_a_voucher_names_its_reviewer_only_once_reviewed(
        office: UnionOffice, read_models: ReadModels, books: Season):
    key = books.keys["warmth_mar"]
    with read_models.reading() as conn:
        before = ledger.voucher(conn, books.book, key)
        waiting = [v.key for v in ledger.vouchers(conn, books.book, "2026-03", waiting=True)]
    office.review_voucher(reviewer(office), UUID(books.book), key)
    read_models.catch_up()
    with read_models.reading() as conn:
        after = ledger.voucher(conn, books.book, key)
        still_waiting = [v.key for v in ledger.vouchers(conn, books.book, "2026-03", waiting=True)]
    assert before is not None and after is not None
    assert (before.reviewer, after.reviewer, after.preparer) == (None, reviewer(office).actor, preparer(office).actor)
    assert key in waiting and key not in still_waiting
    assert books.keys["relief_mar"] not in waiting


def test_a_reversed_voucher_names_the_red_ink_voucher_that_reversed_it(read_models: ReadModels, books: Season):
    original, red = books.keys["activity_jan"], books.keys["reversal_mar"]
    with read_models.reading() as conn:
        reversed_ = ledger.voucher(conn, books.book, original)
        reversal = ledger.voucher(conn, books.book, red)
        untouched = ledger.voucher(conn, books.book, books.keys["dues_jan"])
    assert reversed_ is not None and reversal is not None and untouched is not None
    assert (reversed_.reversed_by, reversed_.reverses, untouched.reversed_by) == (red, None, None)
    assert (reversal.key, reversal.reverses, reversal.reason) == ("2026-03/payment/2", original, "重复报销")
    assert (reversal.kind_label, reversal.red, reversal.summary) == ("红字冲销", True, f"冲销{original}号凭证")
    assert reversal.total == money("-100")
    assert [(x.account, x.debit, x.credit) for x in reversal.lines] == [
        ("50105", money("-100"), money("0")), ("102", money("0"), money("-100"))]


def test_a_closing_voucher_is_shown_reviewed_by_nobody_and_out_of_the_waiting_list(
        office: UnionOffice, read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        closing = ledger.voucher(conn, books.book, books.keys["closing_jan"])
        waiting = ledger.vouchers(conn, books.book, "2026-01", waiting=True)
        closed = ledger.closed_months(conn, books.book)
    assert closing is not None
    assert (closing.key, closing.kind_label, closing.summary) == ("2026-01/transfer/1", "期末结转", "期末结转")
    assert (closing.preparer, closing.reviewer) == (preparer(office).actor, None)
    assert closing.voucher_date == date(2026, 1, 31)
    assert sorted((x.account, x.debit, x.credit) for x in closing.lines) == [
        ("32203", money("0"), money("500")), ("401", money("600"), money("0")), ("50105", money("0"), money("100"))]
    assert waiting == []
    assert closed == ["2025-12", "2026-01", "2026-02"]


def test_a_managed_unions_book_keeps_its_vouchers_and_figures_apart(
        office: UnionOffice, read_models: ReadModels, books: Season):
    managed = office.open_book(preparer(office), name="测试公司工会（代管）", union_id=union(office),
                               first_period="2026-03")
    key = post(office, managed, date(2026, 3, 2), "收取会费", line("102", "90"), line("401", "", "90"))
    read_models.catch_up()
    with read_models.reading() as conn:
        own = {r.code: r.closing for r in ledger.trial_balance(conn, books.book, date(2026, 3, 1), TODAY)}
        theirs = {r.code: r.closing for r in ledger.trial_balance(conn, str(managed), date(2026, 3, 1), TODAY)}
        own_voucher = ledger.voucher(conn, books.book, key)
        their_voucher = ledger.voucher(conn, str(managed), key)
        listed = [b.name for b in ledger.books(conn)]
    assert key == books.keys["cash_dues_mar"] == "2026-03/receipt/1"  # numbers are the book's own
    assert own_voucher is not None and their_voucher is not None
    assert (own_voucher.total, their_voucher.total) == (money("100"), money("90"))
    assert theirs == {"102": money("90"), "401": money("-90")}
    assert (own["102"], own["401"]) == (money("2380"), money("-100"))
    assert listed == ["街道工会本级", "测试公司工会（代管）"]


def test_a_reversal_cannot_be_dated_before_the_voucher_it_reverses(office: UnionOffice, books: Season):
    """AUD-09: replayed as of any date, a ledger never shows a reversal of a voucher not yet made."""
    book, original = UUID(books.book), books.keys["warmth_mar"]  # dated 2026-03-08
    last = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        office.reverse_voucher(preparer(office), book, original, on=date(2026, 3, 6), reason="记错科目")
    assert office.recorder.max_notification_id() == last


# -- the trial balance -----------------------------------------------------------------------------------------


def test_in_the_trial_balance_a_parent_sums_its_sub_accounts(read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        rows = {r.code: r for r in ledger.trial_balance(conn, books.book, date(2026, 3, 1), TODAY)}
    assert (rows["5040401"].debit, rows["50405"].debit) == (money("150"), money("300"))
    assert rows["50404"].debit == money("150")
    assert rows["504"].debit == rows["50404"].debit + rows["50405"].debit == money("450")
    assert (rows["504"].level, rows["50404"].level, rows["5040401"].level) == (1, 2, 3)
    assert (rows["5040401"].name, rows["504"].name) == ("困难职工慰问", "维权支出")
    for code, row in rows.items():
        children = [r for c, r in rows.items() if c[:-2] == code and len(c) == len(code) + 2]
        if children:
            for field in ("opening", "debit", "credit"):
                assert getattr(row, field) == sum((getattr(r, field) for r in children), Decimal("0.00")), code


def test_the_trial_balance_of_a_period_balances(read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        for start, end in ((date(2025, 12, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 1, 31)),
                           (date(2026, 3, 1), TODAY), (date(2025, 12, 1), TODAY), (date(2026, 2, 11), TODAY)):
            top = [r for r in ledger.trial_balance(conn, books.book, start, end) if r.level == 1]
            assert sum(r.debit for r in top) == sum(r.credit for r in top), (start, end)
            assert sum(r.opening for r in top) == 0, (start, end)
            assert sum(r.closing for r in top) == 0, (start, end)


def test_in_the_trial_balance_opening_plus_debits_less_credits_is_the_closing(
        read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        march = {r.code: r for r in ledger.trial_balance(conn, books.book, date(2026, 3, 1), TODAY)}
        february = {r.code: r for r in ledger.trial_balance(conn, books.book, date(2026, 2, 1), date(2026, 2, 28))}
    cash, bank = march["101"], march["102"]
    assert (cash.opening, cash.debit, cash.credit, cash.closing) == (
        money("100"), money("500"), money("450"), money("150"))
    assert (bank.opening, bank.debit, bank.credit, bank.closing) == (
        money("2680"), money("0"), money("300"), money("2380"))  # the red-ink -100 nets into the credits
    for code, row in march.items():
        assert row.closing == row.opening + row.debit - row.credit, code
        assert row.opening == (february[code].closing if code in february else 0), code


def test_the_trial_balance_as_of_a_past_date_leaves_out_later_vouchers(
        office: UnionOffice, read_models: ReadModels, books: Season):
    """AUD-09: the figures of a past period replay without what was dated later, even what was posted later."""
    with read_models.reading() as conn:
        early = {r.code: r for r in ledger.trial_balance(conn, books.book, date(2026, 3, 1), date(2026, 3, 5))}
        january = ledger.trial_balance(conn, books.book, date(2026, 1, 1), date(2026, 1, 31))
    assert (early["101"].debit, early["101"].credit, early["101"].closing) == (
        money("100"), money("150"), money("50"))
    assert "50405" not in early and "102" in early and early["102"].credit == 0
    post(office, UUID(books.book), TODAY, "收取现金会费", line("101", "50"), line("401", "", "50"))
    read_models.catch_up()
    with read_models.reading() as conn:
        assert ledger.trial_balance(conn, books.book, date(2026, 1, 1), date(2026, 1, 31)) == january


# -- ledgers -----------------------------------------------------------------------------------------------------


def test_the_cash_ledger_runs_its_balance_from_the_opening_and_names_the_contra_accounts(
        read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        opening, entries = ledger.ledger(conn, books.book, "101", date(2026, 3, 1), TODAY)
    assert opening == money("100")
    assert [(e.voucher_date, e.label, e.summary, e.debit, e.credit, e.balance, e.contra) for e in entries] == [
        (date(2026, 3, 2), "收-1", "收取现金会费", money("100"), money("0"), money("200"), "会费收入"),
        (date(2026, 3, 5), "付-1", "困难职工慰问", money("0"), money("150"), money("50"), "困难职工慰问"),
        (TODAY, "付-3", "提取备用金", money("400"), money("0"), money("450"), "银行存款"),
        (TODAY, "付-4", "送温暖", money("0"), money("300"), money("150"), "送温暖支出"),
    ]


def test_the_ledger_of_a_parent_account_takes_in_its_sub_accounts(read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        opening, entries = ledger.ledger(conn, books.book, "504", date(2025, 12, 1), TODAY)
    assert opening == 0
    assert [(e.key, e.debit, e.credit, e.balance, e.contra) for e in entries] == [
        (books.keys["relief_dec"], money("200"), money("0"), money("200"), "库存现金"),
        (books.keys["closing_dec"], money("0"), money("200"), money("0"), "本年收支结转、累计结余、会费收入"),
        (books.keys["relief_mar"], money("150"), money("0"), money("150"), "库存现金"),
        (books.keys["warmth_mar"], money("300"), money("0"), money("450"), "库存现金"),
    ]


def test_the_cash_ledger_equals_the_books_own_cash_and_never_ends_a_day_below_zero(
        office: UnionOffice, read_models: ReadModels, books: Season):
    """FIN-04 (cash equals books) and FIN-02 (cash never negative): the cash ledger ends where the book's
    own balance stands, every day's last balance is at least zero, and a payment that would take an
    earlier day below zero is refused and appends nothing."""
    book = UUID(books.book)
    last = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        post(office, book, date(2026, 3, 5), "超额支付", line("50405", "60"), line("101", "", "60"))
    assert office.recorder.max_notification_id() == last
    read_models.catch_up()
    with read_models.reading() as conn:
        opening, entries = ledger.ledger(conn, books.book, "101", date(2025, 12, 1), TODAY)
    day_ends = {e.voucher_date: e.balance for e in entries}
    assert opening == 0 and all(balance >= 0 for balance in day_ends.values())
    assert entries[-1].balance == office.book(book).cash_balance() == money("150")


def test_a_ledger_as_of_a_past_date_is_not_changed_by_later_vouchers(
        office: UnionOffice, read_models: ReadModels, books: Season):
    """AUD-09: any ledger replays as of any date; vouchers dated later, or reversals of its vouchers made
    later, leave it as it was."""
    with read_models.reading() as conn:
        january = ledger.ledger(conn, books.book, "102", date(2026, 1, 1), date(2026, 1, 31))
    book = UUID(books.book)
    office.reverse_voucher(preparer(office), book, books.keys["dues_feb"], on=TODAY, reason="错收")
    post(office, book, date(2026, 3, 3), "收取3月会费", line("102", "700"), line("401", "", "700"))
    read_models.catch_up()
    with read_models.reading() as conn:
        assert ledger.ledger(conn, books.book, "102", date(2026, 1, 1), date(2026, 1, 31)) == january
    opening, entries = january
    assert opening == money("1000")
    assert [(e.key, e.balance) for e in entries] == [
        (books.keys["dues_jan"], money("1600")), (books.keys["activity_jan"], money("1500")),
        (books.keys["upper_jan"], money("2000"))]


def test_the_general_ledger_totals_each_month_from_the_years_opening(read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        bank = ledger.general_ledger(conn, books.book, "102", 2026, TODAY)
        dues = ledger.general_ledger(conn, books.book, "401", 2026, TODAY)
        relief = ledger.general_ledger(conn, books.book, "504", 2025, date(2025, 12, 31))
    assert bank == (money("1000"), [
        ledger.MonthTotals("2026-01", money("1100"), money("100"), money("2000")),
        ledger.MonthTotals("2026-02", money("800"), money("120"), money("2680")),
        ledger.MonthTotals("2026-03", money("0"), money("300"), money("2380"))])
    assert dues == (money("0"), [  # closing vouchers carry each month's dues into the fund
        ledger.MonthTotals("2026-01", money("600"), money("600"), money("0")),
        ledger.MonthTotals("2026-02", money("800"), money("800"), money("0")),
        ledger.MonthTotals("2026-03", money("0"), money("100"), money("-100"))])
    assert relief == (money("0"), [ledger.MonthTotals("2025-12", money("200"), money("200"), money("0"))])


# -- the balance sheet -----------------------------------------------------------------------------------------


def sheet(conn: sqlite3.Connection, book: str, day: date) -> dict[str, statements.Row]:
    return {r.key: r for r in statements.balance_sheet(conn, book, day)}


def test_the_balance_sheet_balances_on_every_day(read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        for offset in range((TODAY - date(2025, 11, 30)).days + 1):
            rows = sheet(conn, books.book, date(2025, 11, 30) + timedelta(days=offset))
            assets, claims = rows["assets_total"], rows["liabilities_and_net_assets"]
            assert (assets.first, assets.second) == (claims.first, claims.second), offset


def test_mid_month_the_unclosed_income_and_expenditure_is_shown_in_the_union_fund_surplus(
        read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        rows = sheet(conn, books.book, TODAY)
    # Closed: 1,100 (2025, swept into 累计结余) + 500 (Jan) + 680 (Feb); open March: 100 of dues less 350
    # of expenditure (150 + 300 − the 100 reversed).
    assert rows["surplus"].second == money("1100") + money("500") + money("680") + money("100") - money("350")
    assert (rows["cash"].second, rows["pay_upper"].second, rows["liabilities_total"].second) == (
        money("2530"), money("500"), money("500"))
    assert rows["assets_total"].second == rows["liabilities_and_net_assets"].second == money("2530")
    assert (rows["surplus"].account, rows["assets_total"].total, rows["surplus"].total) == ("322", True, False)


def test_after_the_year_end_closing_the_balance_sheet_balances_with_the_surplus_accumulated(
        read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        year_end = sheet(conn, books.book, date(2025, 12, 31))
        before_closing = sheet(conn, books.book, date(2025, 12, 30))
        swept = {r.code: r.closing for r in ledger.trial_balance(conn, books.book, date(2025, 12, 1),
                                                                  date(2025, 12, 31))}
    assert (year_end["surplus"].second, year_end["cash"].second) == (money("1100"), money("1100"))
    assert year_end["assets_total"].second == year_end["liabilities_and_net_assets"].second == money("1100")
    assert before_closing["surplus"].second == money("1100")  # the same figure, from unclosed income
    assert (swept["32205"], swept["32203"], swept["401"], swept["5040401"]) == (
        money("-1100"), money("0"), money("0"), money("0"))


def test_the_balance_sheets_opening_column_is_the_end_of_last_year(read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        now = sheet(conn, books.book, TODAY)
        january = sheet(conn, books.book, date(2026, 1, 1))
        year_end = sheet(conn, books.book, date(2025, 12, 31))
        in_2025 = sheet(conn, books.book, date(2025, 12, 15))
    for key, row in now.items():
        assert row.first == january[key].first == year_end[key].second, key
    assert (now["cash"].first, now["surplus"].first) == (money("1100"), money("1100"))
    assert all(row.first == 0 for row in in_2025.values())  # the book began in December 2025


# -- the income statement ----------------------------------------------------------------------------------------


def income(conn: sqlite3.Connection, book: str, day: date) -> dict[str, statements.Row]:
    return {r.key: r for r in statements.income_statement(conn, book, day)}


def test_the_income_statement_shows_the_month_and_the_year_to_date(read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        rows = income(conn, books.book, TODAY)
    assert (rows["income_401"].first, rows["income_401"].second) == (money("100"), money("1500"))
    assert (rows["expense_504"].first, rows["expense_504"].second) == (money("450"), money("450"))
    assert (rows["expense_501"].first, rows["expense_501"].second) == (money("-100"), money("120"))
    assert (rows["income_total"].first, rows["income_total"].second) == (money("100"), money("1500"))
    assert (rows["expense_total"].first, rows["expense_total"].second) == (money("350"), money("570"))
    assert (rows["net"].first, rows["net"].second) == (money("-250"), money("930"))


def test_a_closed_months_income_statement_still_shows_its_figures(read_models: ReadModels, books: Season):
    """Closing vouchers are left out: after February is closed its figures are not zero."""
    with read_models.reading() as conn:
        february = income(conn, books.book, date(2026, 2, 28))
        december = income(conn, books.book, date(2025, 12, 31))
    assert (february["income_total"].first, february["expense_total"].first, february["net"].first) == (
        money("800"), money("120"), money("680"))
    assert (february["income_total"].second, february["expense_total"].second, february["net"].second) == (
        money("1400"), money("220"), money("1180"))
    assert (december["income_401"].second, december["expense_504"].second, december["net"].second) == (
        money("1300"), money("200"), money("1100"))


def test_the_income_statements_difference_is_income_less_expenditure(read_models: ReadModels, books: Season):
    with read_models.reading() as conn:
        for day in (date(2025, 12, 6), date(2025, 12, 31), date(2026, 1, 15), date(2026, 2, 28), TODAY):
            rows = statements.income_statement(conn, books.book, day)
            by_key = {r.key: r for r in rows}
            incomes = [r for r in rows if r.key.startswith("income_") and r.key != "income_total"]
            expenses = [r for r in rows if r.key.startswith("expense_") and r.key != "expense_total"]
            for column in ("first", "second"):
                total_in = sum((getattr(r, column) for r in incomes), Decimal("0.00"))
                total_out = sum((getattr(r, column) for r in expenses), Decimal("0.00"))
                assert getattr(by_key["income_total"], column) == total_in, (day, column)
                assert getattr(by_key["expense_total"], column) == total_out, (day, column)
                assert getattr(by_key["net"], column) == total_in - total_out, (day, column)


# -- closing ----------------------------------------------------------------------------------------------------


def test_a_month_that_used_many_income_and_expense_accounts_still_closes(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    book = open_book(office)
    codes = [office.add_sub_account(preparer(office), book, "510", f"{n:02d}", f"其他支出{n}") for n in range(1, 41)]
    post(office, book, date(2026, 3, 2), "收取会费", line("102", "1000"), line("401", "", "1000"))
    for chunk in (codes[:20], codes[20:]):
        post(office, book, date(2026, 3, 3), "零星支出", *(line(code, "1") for code in chunk),
             line("102", "", str(len(chunk))))
    clock.advance(days=24)  # 2026-04-01: March has ended
    key = close(office, book, "2026-03")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert ledger.closed_months(conn, str(book)) == ["2026-03"]
        closing = ledger.voucher(conn, str(book), key or "")
    assert closing is not None and len(closing.lines) == 42 > MAX_LINES


# -- rebuilding ---------------------------------------------------------------------------------------------------


def test_the_ledger_rebuilt_from_zero_equals_the_ledger_caught_up_step_by_step(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    """AUD-09: the ledger tables rebuilt from the event stream are the rows kept up to date command by command."""
    made = season(office)
    read_models.catch_up()
    book = UUID(made.book)
    office.reverse_voucher(preparer(office), book, made.keys["dues_feb"], on=TODAY, reason="错收")
    read_models.catch_up()
    clock.advance(days=24)  # 2026-04-01
    post(office, book, date(2026, 4, 1), "收取4月会费", line("102", "900"), line("401", "", "900"))
    review_all(office, book)
    read_models.catch_up()
    closed_by_voucher(office, book, "2026-03")
    read_models.catch_up()
    with read_models.reading() as conn:
        incremental = {t: rows for t, rows in dump(conn).items() if t in LEDGER_TABLES}
    read_models.rebuild()
    with read_models.reading() as conn:
        rebuilt = {t: rows for t, rows in dump(conn).items() if t in LEDGER_TABLES}
    assert rebuilt == incremental
    assert len(incremental["closed_months"]) == 4 and len(incremental["vouchers"]) == 19
