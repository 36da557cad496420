"""A book's year under oversight, through UnionOffice's own commands on a real SQLite office: the budget and
final accounts, the half-yearly disclosure to members and the office's register of supplies and fixed assets.

Rules proved here: FIN-17 (a budget at the start of the year, final accounts at its end, from the closed
books), Q8 / AUD-03 (the accountant prepares, the fund review committee reviews), AUD-06 (the committee's
opinion on the budget and on the final accounts), GOV-03 (the standing committee's approval cites its
meeting, recorded by the chair), FIN-18 (a half-year's figures published once it has ended and kept as
published), FIN-07 / FIN-12 (goods kept apart from cash, registered and kept by the office) and FIN-16 (the
register is what the book's 固定资产 is checked against). Every refusal appends nothing to the log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from aggregates.application import UnionOffice
from aggregates.asset import Asset
from aggregates.budget import Budget
from aggregates.disclosure import Disclosure
from aggregates.envelope import Context
from aggregates.errors import NotFound, NotPermitted
from tests.conftest import as_role, refused, system

TODAY = date(2026, 3, 8)
D = Decimal

Acting = Callable[[str], Context]


@pytest.fixture
def acting(office: UnionOffice) -> Acting:
    """A real user account per role (the office fixture's); `acting(role)` is that user's context now."""
    return lambda role: as_role(office, role)


def rows(*typed: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"account": account, "debit": debit, "credit": credit} for account, debit, credit in typed]


def post(office: UnionOffice, acting: Acting, book_id: UUID, day: date, *typed: tuple[str, str, str]) -> str:
    return office.post_voucher(acting("accountant"), book_id, voucher_date=day, summary="测试凭证",
                               lines=rows(*typed), attachments=1)


def review_all(office: UnionOffice, acting: Acting, book_id: UUID) -> None:
    for key, voucher in office.book(book_id).vouchers.items():
        if not voucher["reviewed"]:
            office.review_voucher(acting("accountant"), book_id, key)


@pytest.fixture
def book_id(office: UnionOffice, acting: Acting) -> UUID:
    """The own book from 2025-12: December 2025 has dues of 1,000 in cash, 5,000 of funds at the bank and
    300 spent on an activity; January 2026 has 200 more dues. Nothing reviewed or closed yet."""
    book = office.open_book(acting("accountant"), name="街道工会本级", union_id=None, first_period="2025-12")
    post(office, acting, book, date(2025, 12, 5), ("101", "1000", ""), ("401", "", "1000"))
    post(office, acting, book, date(2025, 12, 9), ("102", "5000", ""), ("402", "", "5000"))
    post(office, acting, book, date(2025, 12, 18), ("50101", "300", ""), ("101", "", "300"))
    post(office, acting, book, date(2026, 1, 6), ("101", "200", ""), ("401", "", "200"))
    return book


def close_december(office: UnionOffice, acting: Acting, book_id: UUID) -> None:
    review_all(office, acting, book_id)
    office.close_month(acting("accountant"), book_id, "2025-12")


def budget_of(office: UnionOffice, budget_id: UUID) -> Budget:
    budget = office.repository.get(budget_id)
    assert isinstance(budget, Budget)
    return budget


def events_of(office: UnionOffice, aggregate_id: UUID) -> list[object]:
    return list(office.events.get(aggregate_id))


def approved_budget(office: UnionOffice, acting: Acting, book_id: UUID, year: int = 2025) -> UUID:
    budget_id = office.draft_budget(acting("accountant"), book_id, year, {"401": "1200", "402": "5000", "501": "250"})
    office.review_budget(acting("auditor"), budget_id, "收支安排合理，同意提请常委会审议")
    office.approve_budget(acting("chair"), budget_id, f"{year}年第1次常委会")
    return budget_id


# -- the budget: drafted by the accountant (Q8, AUD-03, FIN-17) -----------------------------------------


def test_fin17_q8_the_accountant_drafts_the_budget_on_level_one_income_and_expense_accounts(
        office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026,
                                    {"401": "12000", "402": "1,000.50", "501": " 8000.00 ", "503": "", "504": "0"})
    assert budget_id == Budget.id_for(book_id, 2026)
    budget = budget_of(office, budget_id)
    # Blank and zero lines are left out; thousands separators and spaces are read as typed.
    assert budget.lines == {"401": D("12000.00"), "402": D("1000.50"), "501": D("8000.00")}
    assert (budget.book_id, budget.year, budget.state) == (book_id, 2026, "drafted")
    (drafted,) = events_of(office, budget_id)
    assert isinstance(drafted, Budget.Drafted) and drafted.actor_role == "accountant"


@pytest.mark.parametrize("code", [
    "40101",  # level 2 under 会费收入
    "50404",  # a standard level-2 expense account
    "101",  # an asset account
    "162",  # 固定资产
    "301",  # net assets
    "215",  # a liability
    "999",  # no account of the standard
    "",
])
def test_fin17_a_budget_line_on_anything_but_a_level_one_income_or_expense_account_is_refused(
        office: UnionOffice, acting: Acting, book_id: UUID, code: str):
    with refused(office, match="一级收入或支出科目") as info:
        office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000", code: "500"})
    assert info.value.field == "lines"


@pytest.mark.parametrize("amount", ["-1", "NaN", "Infinity", "1.001", "abc", "1e13"])
def test_a_budget_amount_that_is_negative_not_a_number_or_finer_than_the_fen_is_refused(
        office: UnionOffice, acting: Acting, book_id: UUID, amount: str):
    with refused(office, match="金额"):
        office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000", "501": amount})


def test_a_decimal_nan_or_negative_budget_amount_is_refused_too(office: UnionOffice, acting: Acting, book_id: UUID):
    for amount in (D("NaN"), D("-0.01"), D("0.001")):
        with refused(office, match="金额"):
            office.draft_budget(acting("accountant"), book_id, 2026, {"501": amount})


@pytest.mark.parametrize("lines", [{}, {"401": "", "501": "  "}, {"401": "0", "501": "0.00"}])
def test_a_budget_with_nothing_in_it_is_refused(office: UnionOffice, acting: Acting, book_id: UUID,
                                                lines: dict[str, str]):
    with refused(office, match="请填写预算金额"):
        office.draft_budget(acting("accountant"), book_id, 2026, lines)


@pytest.mark.parametrize("year", [1999, 2028])
def test_a_budget_for_a_year_out_of_range_is_refused(office: UnionOffice, acting: Acting, book_id: UUID, year: int):
    with refused(office, match="预算年度无效"):
        office.draft_budget(acting("accountant"), book_id, year, {"401": "1000"})
    # Next year's budget may be prepared ahead.
    assert office.draft_budget(acting("accountant"), book_id, 2027, {"401": "1000"}) == Budget.id_for(book_id, 2027)


def test_a_budget_for_a_book_that_does_not_exist_is_refused(office: UnionOffice, acting: Acting):
    with refused(office, NotFound):
        office.draft_budget(acting("accountant"), Budget.id_for(UUID(int=1), 2026), 2026, {"401": "1000"})


def test_fin17_a_budget_line_on_an_account_the_book_does_not_use_is_refused(
        office: UnionOffice, acting: Acting, book_id: UUID):
    assert "506" not in office.book(book_id).accounts
    with refused(office, match="科目"):
        office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000", "506": "500"})


def test_a_redraft_before_approval_replaces_the_lines(office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000", "501": "800"})
    again = office.draft_budget(acting("accountant"), book_id, 2026, {"402": "3000"})
    assert again == budget_id
    assert budget_of(office, budget_id).lines == {"402": D("3000.00")}
    # A reviewed budget redrafted goes back to the committee.
    office.review_budget(acting("auditor"), budget_id, "请补充支出预算")
    office.draft_budget(acting("accountant"), book_id, 2026, {"402": "3000", "501": "2500"})
    budget = budget_of(office, budget_id)
    assert budget.state == "drafted" and budget.lines == {"402": D("3000.00"), "501": D("2500.00")}
    assert [type(e) for e in events_of(office, budget_id)] == [Budget.Drafted, Budget.Redrafted, Budget.Reviewed,
                                                               Budget.Redrafted]


def test_a_bad_redraft_is_refused_and_the_draft_is_kept(office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000"})
    with refused(office, match="请填写预算金额"):
        office.draft_budget(acting("accountant"), book_id, 2026, {"401": ""})
    with refused(office, match="一级收入或支出科目"):
        office.draft_budget(acting("accountant"), book_id, 2026, {"102": "1000"})
    assert budget_of(office, budget_id).lines == {"401": D("1000.00")}


# -- review (AUD-06) and approval (GOV-03) ------------------------------------------------------------


def test_aud06_gov03_the_committee_reviews_with_an_opinion_then_the_chair_records_the_approval_and_its_meeting(
        office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026, {"401": "12000", "501": "8000"})
    office.review_budget(acting("auditor"), budget_id, "  同意提交常委会  ")
    assert budget_of(office, budget_id).state == "reviewed"
    office.approve_budget(acting("chair"), budget_id, "2026年第1次常委会")
    assert budget_of(office, budget_id).state == "approved"
    _drafted, reviewed, approved = events_of(office, budget_id)
    assert isinstance(reviewed, Budget.Reviewed) and reviewed.opinion == "同意提交常委会"
    assert reviewed.actor_role == "auditor"
    assert isinstance(approved, Budget.Approved) and approved.meeting == "2026年第1次常委会"
    assert approved.actor_role == "chair"


@pytest.mark.parametrize("opinion", ["", "   ", "意" * 501])
def test_aud06_a_review_without_an_opinion_is_refused(office: UnionOffice, acting: Acting, book_id: UUID,
                                                      opinion: str):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000"})
    with refused(office, match="审查意见"):
        office.review_budget(acting("auditor"), budget_id, opinion)
    assert budget_of(office, budget_id).state == "drafted"


def test_aud06_a_budget_is_reviewed_once_per_draft(office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000"})
    office.review_budget(acting("auditor"), budget_id, "同意")
    with refused(office, match="待常委会批准”，不能审查"):
        office.review_budget(acting("auditor"), budget_id, "再次同意")


def test_gov03_approval_before_the_committees_review_is_refused(office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000"})
    with refused(office, match="须先经经审会审查"):
        office.approve_budget(acting("chair"), budget_id, "2026年第1次常委会")
    assert budget_of(office, budget_id).state == "drafted"


@pytest.mark.parametrize("meeting", ["", "  ", "会" * 61])
def test_gov03_an_approval_that_cites_no_meeting_is_refused(office: UnionOffice, acting: Acting, book_id: UUID,
                                                            meeting: str):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000"})
    office.review_budget(acting("auditor"), budget_id, "同意")
    with refused(office, match="常委会会议"):
        office.approve_budget(acting("chair"), budget_id, meeting)
    assert budget_of(office, budget_id).state == "reviewed"


def test_gov03_an_approved_budget_is_not_redrafted_and_changes_only_by_an_adjustment_citing_a_meeting(
        office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = approved_budget(office, acting, book_id, 2026)
    with refused(office, match="预算已批准，只能经常委会决定调整"):
        office.draft_budget(acting("accountant"), book_id, 2026, {"401": "9999"})
    with refused(office, match="常委会会议"):
        office.adjust_budget(acting("chair"), budget_id, {"401": "1500", "501": "400"}, "")
    with refused(office, match="一级收入或支出科目"):
        office.adjust_budget(acting("chair"), budget_id, {"101": "1500"}, "2026年第2次常委会")
    with refused(office, match="已批准”，不能审查"):
        office.review_budget(acting("auditor"), budget_id, "再审")
    office.adjust_budget(acting("chair"), budget_id, {"401": "1500", "501": "400"}, "2026年第2次常委会")
    budget = budget_of(office, budget_id)
    assert budget.state == "approved" and budget.lines == {"401": D("1500.00"), "501": D("400.00")}
    adjusted = events_of(office, budget_id)[-1]
    assert isinstance(adjusted, Budget.Adjusted) and adjusted.meeting == "2026年第2次常委会"


def test_an_adjustment_before_approval_is_refused(office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000"})
    with refused(office, match="尚未批准"):
        office.adjust_budget(acting("chair"), budget_id, {"401": "2000"}, "2026年第1次常委会")


@pytest.mark.parametrize("role", ["auditor", "chair", "vice_chair", "office", "cashier"])
def test_q8_only_the_accountant_drafts_the_budget(office: UnionOffice, acting: Acting, book_id: UUID, role: str):
    with refused(office, NotPermitted):
        office.draft_budget(acting(role), book_id, 2026, {"401": "1000"})


@pytest.mark.parametrize("role", ["accountant", "chair", "vice_chair", "office", "cashier"])
def test_aud06_only_the_fund_review_committee_reviews_the_budget(office: UnionOffice, acting: Acting,
                                                                 book_id: UUID, role: str):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000"})
    with refused(office, NotPermitted):
        office.review_budget(acting(role), budget_id, "同意")


@pytest.mark.parametrize("role", ["accountant", "auditor", "vice_chair", "office", "cashier"])
def test_gov03_only_the_chair_records_the_approval_and_adjustments(office: UnionOffice, acting: Acting,
                                                                   book_id: UUID, role: str):
    budget_id = office.draft_budget(acting("accountant"), book_id, 2026, {"401": "1000"})
    office.review_budget(acting("auditor"), budget_id, "同意")
    with refused(office, NotPermitted):
        office.approve_budget(acting(role), budget_id, "2026年第1次常委会")
    office.approve_budget(acting("chair"), budget_id, "2026年第1次常委会")
    with refused(office, NotPermitted):
        office.adjust_budget(acting(role), budget_id, {"401": "2000"}, "2026年第2次常委会")


def test_the_role_of_a_context_counts_not_who_the_user_is(office: UnionOffice, book_id: UUID):
    """One account holding the accountant's and the office clerk's roles drafts under the accountant's role;
    under the clerk's it may not."""
    user_id = str(office.register_user(system(office), "kuaiji", "会计甲", ["accountant", "office"]))
    with refused(office, NotPermitted):
        office.draft_budget(office.context(user_id, "office"), book_id, 2026, {"401": "1000"})
    assert office.draft_budget(office.context(user_id, "accountant"), book_id, 2026, {"401": "1000"})


# -- final accounts (FIN-17, AUD-06, GOV-03) ------------------------------------------------------------


def test_fin17_final_accounts_are_refused_until_december_is_closed(office: UnionOffice, acting: Acting,
                                                                    book_id: UUID):
    budget_id = approved_budget(office, acting, book_id)
    with refused(office, match="2025年12月结账后才能编制决算"):
        office.prepare_final_accounts(acting("accountant"), budget_id)
    close_december(office, acting, book_id)
    office.prepare_final_accounts(acting("accountant"), budget_id)
    assert budget_of(office, budget_id).final_state == "drafted"


def test_fin17_the_final_accounts_are_the_years_income_and_expenditure_by_level_one_account(
        office: UnionOffice, acting: Acting, book_id: UUID):
    """The year's figures from the closed book: 2026's dues are not in them, and the closing vouchers (which
    empty 401/402/501 into 工会资金结余) are left out."""
    budget_id = approved_budget(office, acting, book_id)
    close_december(office, acting, book_id)
    review_all(office, acting, book_id)
    office.close_month(acting("accountant"), book_id, "2026-01")
    office.close_month(acting("accountant"), book_id, "2026-02")
    book = office.book(book_id)
    assert any(v["kind"] == "closing" and v["period"] == "2025-12" for v in book.vouchers.values())
    office.prepare_final_accounts(acting("accountant"), budget_id)
    prepared = events_of(office, budget_id)[-1]
    assert isinstance(prepared, Budget.FinalAccountsPrepared)
    assert prepared.actual == {"401": D("1000.00"), "402": D("5000.00"), "501": D("300.00")}
    assert prepared.actual == book.flows(date(2025, 1, 1), date(2025, 12, 31))
    assert prepared.actor_role == "accountant"


def test_fin17_a_later_month_closed_also_counts_as_december_closed(office: UnionOffice, acting: Acting,
                                                                   book_id: UUID):
    """A book that began after the year still has its final accounts once a later month is closed: they
    are empty."""
    budget_id = office.draft_budget(acting("accountant"), book_id, 2024, {"401": "100"})
    office.review_budget(acting("auditor"), budget_id, "同意")
    office.approve_budget(acting("chair"), budget_id, "2024年第1次常委会")
    with refused(office, match="2024年12月结账后"):
        office.prepare_final_accounts(acting("accountant"), budget_id)
    close_december(office, acting, book_id)
    office.prepare_final_accounts(acting("accountant"), budget_id)
    assert events_of(office, budget_id)[-1].actual == {}


def test_aud06_gov03_final_accounts_are_reviewed_then_approved_citing_a_meeting(office: UnionOffice, acting: Acting,
                                                                                book_id: UUID):
    budget_id = approved_budget(office, acting, book_id)
    close_december(office, acting, book_id)
    with refused(office, match="尚未编制"):
        office.review_final_accounts(acting("auditor"), budget_id, "同意")
    office.prepare_final_accounts(acting("accountant"), budget_id)
    with refused(office, match="决算须先经经审会审查"):
        office.approve_final_accounts(acting("chair"), budget_id, "2026年第1次常委会")
    with refused(office, match="审查意见"):
        office.review_final_accounts(acting("auditor"), budget_id, " ")
    office.review_final_accounts(acting("auditor"), budget_id, "决算真实完整，同意")
    with refused(office, match="尚未编制或已审查"):
        office.review_final_accounts(acting("auditor"), budget_id, "再次同意")
    with refused(office, match="常委会会议"):
        office.approve_final_accounts(acting("chair"), budget_id, "")
    office.approve_final_accounts(acting("chair"), budget_id, "2026年第1次常委会")
    assert budget_of(office, budget_id).final_state == "approved"
    *_, reviewed, approved = events_of(office, budget_id)
    assert isinstance(reviewed, Budget.FinalAccountsReviewed) and reviewed.opinion == "决算真实完整，同意"
    assert isinstance(approved, Budget.FinalAccountsApproved) and approved.meeting == "2026年第1次常委会"
    with refused(office, match="决算已批准"):
        office.prepare_final_accounts(acting("accountant"), budget_id)


def test_final_accounts_prepared_again_before_approval_go_back_to_the_committee(
        office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = approved_budget(office, acting, book_id)
    close_december(office, acting, book_id)
    office.prepare_final_accounts(acting("accountant"), budget_id)
    office.review_final_accounts(acting("auditor"), budget_id, "同意")
    office.prepare_final_accounts(acting("accountant"), budget_id)
    assert budget_of(office, budget_id).final_state == "drafted"
    with refused(office, match="决算须先经经审会审查"):
        office.approve_final_accounts(acting("chair"), budget_id, "2026年第1次常委会")


def test_final_accounts_roles_the_accountant_prepares_the_committee_reviews_the_chair_approves(
        office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = approved_budget(office, acting, book_id)
    close_december(office, acting, book_id)
    for role in ("auditor", "chair", "cashier", "office"):
        with refused(office, NotPermitted):
            office.prepare_final_accounts(acting(role), budget_id)
    office.prepare_final_accounts(acting("accountant"), budget_id)
    for role in ("accountant", "chair", "vice_chair"):
        with refused(office, NotPermitted):
            office.review_final_accounts(acting(role), budget_id, "同意")
    office.review_final_accounts(acting("auditor"), budget_id, "同意")
    for role in ("accountant", "auditor", "vice_chair"):
        with refused(office, NotPermitted):
            office.approve_final_accounts(acting(role), budget_id, "2026年第1次常委会")


def test_fin17_a_budget_is_not_adjusted_once_its_final_accounts_are_approved(
        office: UnionOffice, acting: Acting, book_id: UUID):
    budget_id = approved_budget(office, acting, book_id)
    close_december(office, acting, book_id)
    office.prepare_final_accounts(acting("accountant"), budget_id)
    office.review_final_accounts(acting("auditor"), budget_id, "同意")
    office.approve_final_accounts(acting("chair"), budget_id, "2026年第1次常委会")
    with refused(office):
        office.adjust_budget(acting("chair"), budget_id, {"501": "300"}, "2026年第2次常委会")


# -- the half-yearly disclosure (FIN-18) --------------------------------------------------------------


def test_fin18_a_half_year_that_has_not_ended_is_not_published(office: UnionOffice, acting: Acting, book_id: UUID):
    for year, half in ((2026, 1), (2026, 2)):
        with refused(office, match="该半年尚未结束，结束后才能公布") as info:
            office.publish_disclosure(acting("accountant"), book_id, year=year, half=half, where="工会公示栏")
        assert info.value.field == "half"
    with refused(office, match="该半年尚未结束|请选择公布的半年"):
        office.publish_disclosure(acting("accountant"), book_id, year=2027, half=1, where="工会公示栏")


def test_fin18_publishing_the_second_half_of_2025_keeps_the_figures_as_published(
        office: UnionOffice, acting: Acting, book_id: UUID):
    """FIN-18: published once the half-year's last month is closed, with the figures of the closed books."""
    with refused(office, match="2025-12结账后才能公布"):
        office.publish_disclosure(acting("accountant"), book_id, year=2025, half=2, where="工会公示栏")
    close_december(office, acting, book_id)
    figures_then = office.book(book_id).flows(date(2025, 7, 1), date(2025, 12, 31))
    assert figures_then == {"401": D("1000.00"), "402": D("5000.00"), "501": D("300.00")}
    disclosure_id = office.publish_disclosure(acting("accountant"), book_id, year=2025, half=2, where="工会公示栏")
    assert disclosure_id == Disclosure.id_for(book_id, 2025, 2)
    (published,) = events_of(office, disclosure_id)
    assert isinstance(published, Disclosure.Published)
    assert published.figures == figures_then
    assert (published.book_id, published.year, published.half, published.where) == (book_id, 2025, 2, "工会公示栏")
    assert published.actor_role == "accountant"


def test_fin18_the_same_half_year_is_published_once(office: UnionOffice, acting: Acting, book_id: UUID):
    close_december(office, acting, book_id)
    office.publish_disclosure(acting("accountant"), book_id, year=2025, half=2, where="工会公示栏")
    with refused(office, match="该半年已经公布过"):
        office.publish_disclosure(acting("accountant"), book_id, year=2025, half=2, where="职代会")
    # Another half-year is its own disclosure (the first half of 2025 predates the book: nothing to show).
    first = office.publish_disclosure(acting("accountant"), book_id, year=2025, half=1, where="职代会")
    assert events_of(office, first)[0].figures == {}


@pytest.mark.parametrize(("year", "half", "where", "match"), [
    (2025, 3, "工会公示栏", "请选择公布的半年"),
    (2025, 0, "工会公示栏", "请选择公布的半年"),
    (2025, 2, "", "请填写公布方式"),
    (2025, 2, "公" * 61, "公布方式不能超过60个字"),
])
def test_fin18_a_disclosure_with_a_bad_half_year_or_no_place_is_refused(
        office: UnionOffice, acting: Acting, book_id: UUID, *, year: int, half: int, where: str, match: str):
    close_december(office, acting, book_id)
    with refused(office, match=match):
        office.publish_disclosure(acting("accountant"), book_id, year=year, half=half, where=where)


@pytest.mark.parametrize("year", [0, 1999, 10000, 999_999_999])
def test_fin18_a_disclosure_for_an_impossible_year_is_refused_as_bad_input(
        office: UnionOffice, acting: Acting, book_id: UUID, year: int):
    """Not a ValueError out of the calendar: a year the calendar cannot hold is refused like any bad half."""
    with refused(office, match="请选择公布的半年"):
        office.publish_disclosure(acting("accountant"), book_id, year=year, half=1, where="工会公示栏")


@pytest.mark.parametrize("role", ["chair", "vice_chair", "auditor", "office", "cashier"])
def test_fin18_only_the_accountant_publishes(office: UnionOffice, acting: Acting, book_id: UUID, role: str):
    with refused(office, NotPermitted):
        office.publish_disclosure(acting(role), book_id, year=2025, half=2, where="工会公示栏")


# -- the register of supplies and fixed assets (FIN-07, FIN-12, FIN-16) ----------------------------------


def register(office: UnionOffice, ctx: Context, book_id: UUID, **change: object) -> UUID:
    facts: dict[str, object] = {"kind": "fixed", "name": "书架", "quantity": 2, "unit_value": "780.00",
                                "acquired_on": date(2026, 3, 2), "keeper": "刘洋", "location": "职工书屋", **change}
    return office.register_asset(ctx, book_id, **facts)  # type: ignore[arg-type]


def asset_of(office: UnionOffice, asset_id: UUID) -> Asset:
    asset = office.repository.get(asset_id)
    assert isinstance(asset, Asset)
    return asset


def test_fin07_fin12_the_office_registers_fixed_assets_and_supplies_with_keeper_and_place(
        office: UnionOffice, acting: Acting, book_id: UUID):
    shelf = register(office, acting("office"), book_id)
    paper = register(office, acting("office"), book_id, kind="supplies", name="A4复印纸", quantity=10,
                     unit_value="25.5", keeper="王芳", location="")
    (registered,) = events_of(office, shelf)
    assert isinstance(registered, Asset.Registered)
    assert (registered.kind, registered.name, registered.quantity, registered.unit_value) == ("fixed", "书架", 2,
                                                                                            D("780.00"))
    assert (registered.keeper, registered.location, registered.acquired_on) == ("刘洋", "职工书屋", date(2026, 3, 2))
    assert registered.book_id == book_id and registered.claim_id is None and registered.actor_role == "office"
    (supplies,) = events_of(office, paper)
    assert (supplies.kind, supplies.unit_value, supplies.location) == ("supplies", D("25.50"), "")
    assert asset_of(office, paper).quantity == 10
    # Registered today is fine; the book need not have begun by then.
    register(office, acting("office"), book_id, acquired_on=TODAY)
    register(office, acting("office"), book_id, acquired_on=date(2020, 5, 1))


@pytest.mark.parametrize(("change", "field", "match"), [
    ({"quantity": 0}, "quantity", "数量须为1到100000"),
    ({"quantity": -1}, "quantity", "数量须为1到100000"),
    ({"quantity": 100_001}, "quantity", "数量须为1到100000"),
    ({"unit_value": "0"}, "unit_value", "单价须大于0"),
    ({"unit_value": "0.00"}, "unit_value", "单价须大于0"),
    ({"unit_value": "-780"}, "unit_value", "金额须为不小于0的数字"),
    ({"unit_value": "NaN"}, "unit_value", "金额须为不小于0的数字"),
    ({"unit_value": "780.001"}, "unit_value", "两位小数"),
    ({"unit_value": "七百八"}, "unit_value", "金额须为数字"),
    ({"acquired_on": date(2026, 3, 9)}, "acquired_on", "购置日期不能晚于今天"),
    ({"kind": "vehicle"}, "kind", "请选择登记类别"),
    ({"kind": ""}, "kind", "请选择登记类别"),
    ({"name": " "}, "name", "请填写名称"),
    ({"keeper": ""}, "keeper", "请填写保管人"),
])
def test_fin07_a_registration_with_a_bad_quantity_value_date_or_kind_is_refused(
        office: UnionOffice, acting: Acting, book_id: UUID, *, change: dict[str, object], field: str, match: str):
    with refused(office, match=match) as info:
        register(office, acting("office"), book_id, **change)
    assert info.value.field == field


def test_a_registration_in_a_book_that_does_not_exist_is_refused(office: UnionOffice, acting: Acting):
    with refused(office, NotFound):
        register(office, acting("office"), UUID(int=7))


def test_fin12_supplies_bought_on_a_claim_are_registered_naming_it(office: UnionOffice, acting: Acting,
                                                                    book_id: UUID):
    claim_id = office.submit_claim(acting("office"), book_id, category="office", purpose="购买办公用品",
                                   items=[{"item": "A4复印纸", "quantity": "10", "unit_price": "25.50"}],
                                   invoices=["FP-OV-001"], spent_on=TODAY)
    paper = register(office, acting("office"), book_id, kind="supplies", name="A4复印纸", quantity=10,
                     unit_value="25.50", keeper="王芳", claim_id=claim_id)
    assert events_of(office, paper)[0].claim_id == claim_id


def test_a_registration_naming_a_claim_that_does_not_exist_is_refused(office: UnionOffice, acting: Acting,
                                                                      book_id: UUID):
    with refused(office, NotFound):
        register(office, acting("office"), book_id, claim_id=UUID(int=9))


def test_fin07_issuing_supplies_lowers_what_remains_and_never_below_nothing(office: UnionOffice, acting: Acting,
                                                                            book_id: UUID):
    paper = register(office, acting("office"), book_id, kind="supplies", name="A4复印纸", quantity=10,
                     unit_value="25.50", keeper="王芳")
    office.issue_supplies(acting("office"), paper, 3, "张三")
    assert asset_of(office, paper).quantity == 7
    issued = events_of(office, paper)[-1]
    assert isinstance(issued, Asset.Issued) and (issued.quantity, issued.to) == (3, "张三")
    with refused(office, match="领用数量须在1到7之间") as info:
        office.issue_supplies(acting("office"), paper, 8, "李四")
    assert info.value.field == "quantity"
    with refused(office, match="领用数量须在1到7之间"):
        office.issue_supplies(acting("office"), paper, 0, "李四")
    with refused(office, match="请填写领用人"):
        office.issue_supplies(acting("office"), paper, 1, " ")
    office.issue_supplies(acting("office"), paper, 7, "李四")
    assert asset_of(office, paper).quantity == 0
    with refused(office, match="领用数量须在1到0之间"):
        office.issue_supplies(acting("office"), paper, 1, "王五")


def test_fin07_an_item_is_disposed_of_once_and_not_issued_after(office: UnionOffice, acting: Acting, book_id: UUID):
    paper = register(office, acting("office"), book_id, kind="supplies", name="硒鼓", quantity=4,
                     unit_value="300", keeper="王芳")
    with refused(office, match="处置日期须在购置日期和今天之间"):
        office.dispose_asset(acting("office"), paper, date(2026, 3, 9), "受潮损坏")
    with refused(office, match="请填写处置理由"):
        office.dispose_asset(acting("office"), paper, TODAY, "")
    office.dispose_asset(acting("office"), paper, TODAY, "受潮损坏")
    disposed = events_of(office, paper)[-1]
    assert isinstance(disposed, Asset.Disposed) and disposed.on == TODAY
    with refused(office, match="该物品已处置"):
        office.dispose_asset(acting("office"), paper, TODAY, "再次处置")
    with refused(office, match="该物品已处置"):
        office.issue_supplies(acting("office"), paper, 1, "张三")


@pytest.mark.parametrize("role", ["accountant", "cashier", "chair", "auditor"])
def test_fin07_only_the_office_keeps_the_register(office: UnionOffice, acting: Acting, book_id: UUID, role: str):
    """Cash and goods are kept apart: the accountant and the cashier keep the money, not the goods."""
    with refused(office, NotPermitted):
        register(office, acting(role), book_id)
    paper = register(office, acting("office"), book_id, kind="supplies", name="A4复印纸", quantity=10,
                     unit_value="25.50", keeper="王芳")
    with refused(office, NotPermitted):
        office.issue_supplies(acting(role), paper, 1, "张三")
    with refused(office, NotPermitted):
        office.dispose_asset(acting(role), paper, TODAY, "损坏")


def test_fin07_a_fixed_asset_is_not_issued_like_supplies(office: UnionOffice, acting: Acting, book_id: UUID):
    shelf = register(office, acting("office"), book_id)
    with refused(office):
        office.issue_supplies(acting("office"), shelf, 1, "张三")


def test_fin07_a_disposal_dated_before_the_acquisition_is_refused(office: UnionOffice, acting: Acting,
                                                                   book_id: UUID):
    shelf = register(office, acting("office"), book_id, acquired_on=date(2026, 3, 2))
    with refused(office):
        office.dispose_asset(acting("office"), shelf, date(2026, 3, 1), "损坏")
