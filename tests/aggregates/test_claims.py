"""Expense claims, prior approvals, cash advances and cash counts, through UnionOffice's own commands on a real
SQLite office with real users (every context's actor is a registered user's id).

Rules proved here (RULEBOOK §4.3, §5.5; DECISIONS Q7, Q9): FIN-01 (一支笔: handler, witness, the chair's approval,
then payment; the chair's own claims and advances go to the entrusted vice-chair), FIN-02 (cash never below
zero), FIN-03 (no IOUs: never a voucher, never cash), FIN-04 (cash counted against the book), FIN-05 (a valid
invoice, never twice), FIN-06 (bank transfer at or above the threshold), FIN-08 (advances only for a trip or a
purchase, on a numbered four-part form, after approval), FIN-09 (due by the end of the month of return),
FIN-13 (small-purchase limits and the chair's prior approval), FIN-14 (reception meals need a meal notice, within
the standard per head), and separation of duties (the cashier pays, never approves; the accountant never pays;
the auditor only reads).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from aggregates.advance import CashAdvance, month_end
from aggregates.application import UnionOffice
from aggregates.book import Book, Line
from aggregates.claim import ExpenseClaim, PriorApproval
from aggregates.envelope import Context
from aggregates.errors import DuplicateSubmission, NotPermitted, SettingMissing
from aggregates.unique_key import UniqueKey
from aggregates.user_account import UserAccount
from tests.conftest import Clock, refused, system
from tests.roster_helpers import union

TODAY = date(2026, 3, 8)
OPENED = date(2026, 3, 1)
ZERO = Decimal("0.00")
PNG = b"\x89PNG\r\n\x1a\n" + b"scan of an invoice"

# username → the role the user acts under.
USERS = {
    "chair": "chair",
    "vicechair": "vice_chair",
    "vicechair2": "vice_chair",
    "clerk": "office",
    "clerk2": "office",
    "accountant": "accountant",
    "cashier": "cashier",
    "auditor": "auditor",
    "secretary": "secretariat",
}

_serial = itertools.count(1)


def fresh_invoice() -> str:
    return f"INV{next(_serial):05d}"


def fresh_form() -> str:
    return f"JK-{next(_serial):05d}"


def item(name: str, quantity: str, unit_price: str) -> dict[str, str]:
    return {"item": name, "quantity": quantity, "unit_price": unit_price}


class Desk:
    """The office with real users, the street union's own book funded by an opening voucher (cash 3,000, bank
    50,000 on 2026-03-01) and, unless told otherwise, a bank-transfer threshold of 1,000 元 from today."""

    def __init__(self, office: UnionOffice, *, threshold: str | None = "1000") -> None:
        self.office = office
        self.ids = {name: self._account(name, [role]) for name, role in USERS.items()}
        self.book_id = office.open_book(self.ctx("accountant"), name="街道工会本级", union_id=None,
                                        first_period="2026-03")
        office.post_voucher(self.ctx("accountant"), self.book_id, voucher_date=OPENED, summary="期初余额",
                            lines=[{"account": "101", "debit": "3000", "credit": ""},
                                   {"account": "102", "debit": "50000", "credit": ""},
                                   {"account": "32205", "debit": "", "credit": "53000"}], attachments=0)
        if threshold is not None:
            self.set("bank_transfer_threshold", threshold)

    # -- people ----------------------------------------------------------------------------------------------

    def ctx(self, who: str, role: str | None = None) -> Context:
        """`who` acting under their role (or `role`), today."""
        return self.office.context(str(self.ids[who]), role or USERS[who])

    def uid(self, who: str) -> str:
        return str(self.ids[who])

    def add_user(self, name: str, roles: list[str]) -> None:
        self.ids[name] = self.office.register_user(system(self.office), name, f"{name}用户", roles)

    def _account(self, name: str, roles: list[str]) -> UUID:
        """The fixture's account `name` where the office fixture opened it, else a new one."""
        existing = UserAccount.id_for(name)
        if existing in self.office.repository:
            return existing
        return self.office.register_user(system(self.office), name, f"{name}用户", roles)

    def set(self, key: str, value: str) -> None:
        self.office.set_setting(self.ctx("chair"), key, value, TODAY, "常委会决定")

    # -- claims ----------------------------------------------------------------------------------------------

    def submit(self, who: str = "clerk", *, category: str = "office", items: list[dict[str, str]] | None = None,
               invoices: list[str] | None = None, spent_on: date = TODAY, book_id: UUID | None = None,
               role: str | None = None, **kw: Any) -> UUID:
        return self.office.submit_claim(
            self.ctx(who, role), book_id or self.book_id, category=category, purpose="购买办公用品",
            items=items if items is not None else [item("签字笔", "10", "5.00")],
            invoices=invoices if invoices is not None else [fresh_invoice()], spent_on=spent_on, **kw)

    def certify(self, claim_id: UUID, who: str = "secretary") -> None:
        self.office.certify_claim(self.ctx(who), claim_id)

    def approve(self, claim_id: UUID, who: str = "chair") -> None:
        self.office.approve_claim(self.ctx(who), claim_id)

    def approved(self, who: str = "clerk", **kw: Any) -> UUID:
        """A claim submitted by `who`, certified by the secretary and approved by the chair."""
        claim_id = self.submit(who, **kw)
        self.certify(claim_id)
        self.approve(claim_id)
        return claim_id

    def pay(self, claim_id: UUID, method: str = "cash", *, paid_on: date = TODAY, bank_ref: str = "",
            **kw: Any) -> str:
        return self.office.pay_claim(self.ctx("cashier"), claim_id, method=method, paid_on=paid_on,
                                     bank_ref=bank_ref, **kw)

    def claim(self, claim_id: UUID) -> ExpenseClaim:
        claim = self.office.repository.get(claim_id)
        assert isinstance(claim, ExpenseClaim)
        return claim

    # -- advances --------------------------------------------------------------------------------------------

    def request(self, who: str = "clerk", *, amount: str = "2000", purpose: str = "business_trip",
                form_no: str | None = None, book_id: UUID | None = None, **kw: Any) -> UUID:
        return self.office.request_advance(self.ctx(who), book_id or self.book_id, form_no=form_no or fresh_form(),
                                           purpose=purpose, amount=amount, expected_return=date(2026, 3, 20),
                                           details="赴市总工会参加培训", **kw)

    def paid_advance(self, who: str = "clerk", *, amount: str = "2000", method: str = "bank",
                     paid_on: date = date(2026, 3, 2), book_id: UUID | None = None) -> UUID:
        """An advance requested by `who`, approved by the chair on the day it is paid and paid by the cashier."""
        advance_id = self.request(who, amount=amount, book_id=book_id)
        self.office.decide_advance(self.office.context(self.uid("chair"), "chair", min(paid_on, TODAY)), advance_id,
                                   approve=True)
        self.office.pay_advance(self.ctx("cashier"), advance_id, method=method, paid_on=paid_on)
        return advance_id

    def advance(self, advance_id: UUID) -> CashAdvance:
        advance = self.office.repository.get(advance_id)
        assert isinstance(advance, CashAdvance)
        return advance

    # -- the book --------------------------------------------------------------------------------------------

    def book(self, book_id: UUID | None = None) -> Book:
        return self.office.book(book_id or self.book_id)

    def posted(self, key: str, book_id: UUID | None = None) -> Book.VoucherPosted:
        period, word, number = key.split("/")
        (event,) = [e for e in self.office.events.get(book_id or self.book_id) if isinstance(e, Book.VoucherPosted)
                    and (e.period, e.word, e.number) == (period, word, int(number))]
        return event

    def lines(self, key: str, book_id: UUID | None = None) -> list[tuple[str, Decimal, Decimal]]:
        """The voucher's lines as (account, debit, credit)."""
        return [(line.account, line.debit, line.credit)
                for line in map(Line.of, self.posted(key, book_id).lines)]

    def balance(self, code: str) -> Decimal:
        return self.book().balances.get(code, ZERO)

    def vouchers(self) -> int:
        return len(self.book().vouchers)


def events_of(office: UnionOffice, aggregate_id: UUID, kind: type) -> list[Any]:
    return [e for e in office.events.get(aggregate_id) if isinstance(e, kind)]


@pytest.fixture
def desk(office: UnionOffice) -> Desk:
    return Desk(office)


@pytest.fixture
def bare(office: UnionOffice) -> Desk:
    """The desk without a bank-transfer threshold (未配置, DECISIONS Q9)."""
    return Desk(office, threshold=None)


# -- FIN-01: the 一支笔 path ----------------------------------------------------------------------------------


def test_fin01_a_claim_goes_submitted_certified_approved_paid_and_its_voucher_is_posted_in_its_book(desk: Desk):
    office = desk.office
    scan = office.attachments.put(PNG)
    claim_id = desk.submit(items=[item("签字笔", "2", "10.50"), item("笔记本", "3", "4.00")],
                           invoices=["FP-001", "fp-002"], files=[scan], spent_on=date(2026, 3, 5))
    claim = desk.claim(claim_id)
    assert (claim.state, claim.handler, claim.handler_role) == ("submitted", desk.uid("clerk"), "office")
    assert (claim.book_id, claim.account, claim.total) == (desk.book_id, "50504", Decimal("33.00"))
    assert claim.invoices == ["FP-001", "FP-002"] and claim.files == [scan]

    desk.certify(claim_id)
    claim = desk.claim(claim_id)
    assert (claim.state, claim.witness) == ("certified", desk.uid("secretary"))

    desk.approve(claim_id)
    claim = desk.claim(claim_id)
    assert (claim.state, claim.approver) == ("approved", desk.uid("chair"))

    key = desk.pay(claim_id)
    assert key == "2026-03/payment/1"
    assert desk.claim(claim_id).state == "paid"
    voucher = desk.posted(key)
    assert desk.lines(key) == [("50504", Decimal("33.00"), ZERO), ("101", ZERO, Decimal("33.00"))]
    assert (voucher.kind, voucher.attachments, voucher.files) == ("claim", 2, [scan])  # the scan shows an invoice
    assert (voucher.voucher_date, voucher.source, voucher.actor) == (TODAY, f"claim:{claim_id}", desk.uid("cashier"))
    assert desk.balance("101") == Decimal("2967.00") and desk.balance("50504") == Decimal("33.00")
    (paid,) = events_of(office, claim_id, ExpenseClaim.Paid)
    assert (paid.method, paid.paid_on, paid.voucher, paid.bank_ref) == ("cash", TODAY, key, "")


@pytest.mark.parametrize(("category", "account"), [
    ("office", "50504"), ("training", "50501"), ("meeting", "50502"), ("activity", "50105"),
    ("hardship", "50404"), ("warmth", "50405"), ("other", "510"),
])
def test_fin01_the_payment_voucher_debits_the_expense_account_of_the_claims_category(
        desk: Desk, category: str, account: str):
    claim_id = desk.approved(category=category)
    key = desk.pay(claim_id)
    assert desk.lines(key) == [(account, Decimal("50.00"), ZERO), ("101", ZERO, Decimal("50.00"))]


def test_fin01_a_bank_payment_credits_the_bank_and_records_its_reference(desk: Desk):
    claim_id = desk.approved(items=[item("打印机", "1", "2400.00")])
    key = desk.pay(claim_id, "bank", bank_ref="ZH20260308001")
    assert desk.lines(key) == [("50504", Decimal("2400.00"), ZERO), ("102", ZERO, Decimal("2400.00"))]
    (paid,) = events_of(desk.office, claim_id, ExpenseClaim.Paid)
    assert (paid.method, paid.bank_ref) == ("bank", "ZH20260308001")
    assert desk.balance("102") == Decimal("47600.00")


def test_an_unknown_category_or_a_spending_date_in_the_future_is_refused(desk: Desk):
    with refused(desk.office, match="报销类别"):
        desk.submit(category="travel_abroad")
    with refused(desk.office, match="支出日期不能晚于今天"):
        desk.submit(spent_on=date(2026, 3, 9))


def test_a_category_whose_expense_account_has_sub_accounts_is_charged_to_the_sub_account_chosen(desk: Desk):
    """Once the office divides 50504 into sub-accounts, a claim names the one it is charged to."""
    desk.office.add_sub_account(desk.ctx("accountant"), desk.book_id, "50504", "01", "办公用品")
    with refused(desk.office, match="请选择记入的明细科目"):
        desk.submit(category="office")
    with refused(desk.office, match="本账套没有支出科目“102”"):
        desk.submit(category="office", account="102")
    claim_id = desk.submit(category="office", account="5050401")
    assert desk.office.repository.get(claim_id).account == "5050401"


def test_fin01_the_witness_may_not_be_the_handler(desk: Desk):
    claim_id = desk.submit("clerk")
    with refused(desk.office, match="经手人不能为自己的报销单作证明"):
        desk.certify(claim_id, "clerk")
    assert desk.claim(claim_id).state == "submitted"


def test_fin01_a_claim_is_certified_once(desk: Desk):
    claim_id = desk.submit()
    desk.certify(claim_id)
    with refused(desk.office, match="不能证明"):
        desk.certify(claim_id, "clerk2")


def test_fin01_q7_the_approver_may_not_be_the_witness(desk: Desk):
    claim_id = desk.submit("clerk")
    desk.certify(claim_id, "chair")
    with refused(desk.office, match="经手人和证明人不能审批"):
        desk.approve(claim_id, "chair")
    with refused(desk.office, match="经手人和证明人不能审批"):
        desk.office.reject_claim(desk.ctx("chair"), claim_id, "不符合规定")
    assert desk.claim(claim_id).state == "certified"


def test_fin01_q7_the_approver_may_not_be_the_handler(desk: Desk):
    """A chair who also keeps the office desk hands in a claim as the office: it is still the chair's own
    claim, so the chair may not approve it and it goes to the entrusted vice-chair."""
    desk.set("chair_claims_approver", "vicechair")
    desk.add_user("zhang", ["chair", "office"])
    claim_id = desk.submit("zhang", role="office")
    desk.certify(claim_id)
    with refused(desk.office, match="受托副主席"):
        desk.office.approve_claim(desk.ctx("zhang", "chair"), claim_id)
    assert desk.claim(claim_id).state == "certified"
    desk.approve(claim_id, "vicechair")
    assert desk.claim(claim_id).state == "approved"


def test_fin01_only_the_chair_approves_a_claim_that_is_not_the_chairs_own(desk: Desk):
    claim_id = desk.submit("clerk")
    desk.certify(claim_id)
    with refused(desk.office, match="由主席审批"):
        desk.approve(claim_id, "vicechair")
    with refused(desk.office, match="由主席审批"):
        desk.office.reject_claim(desk.ctx("vicechair"), claim_id, "不符合规定")
    desk.approve(claim_id, "chair")
    assert desk.claim(claim_id).state == "approved"


def test_fin01_approving_before_the_witness_has_signed_is_refused(desk: Desk):
    claim_id = desk.submit()
    with refused(desk.office, match="须先由证明人签字"):
        desk.approve(claim_id)
    with refused(desk.office, match="须先由证明人签字"):
        desk.office.reject_claim(desk.ctx("chair"), claim_id, "不符合规定")


def test_fin01_an_approved_claim_cannot_be_approved_or_rejected_again(desk: Desk):
    claim_id = desk.approved()
    with refused(desk.office, match="须先由证明人签字"):
        desk.approve(claim_id)
    with refused(desk.office, match="须先由证明人签字"):
        desk.office.reject_claim(desk.ctx("chair"), claim_id, "改变主意")


@pytest.mark.parametrize("stage", ["submitted", "certified"])
def test_fin01_paying_a_claim_that_is_not_approved_is_refused(desk: Desk, stage: str):
    claim_id = desk.submit()
    if stage == "certified":
        desk.certify(claim_id)
    with refused(desk.office, match="只有已审批的报销单才能付款"):
        desk.pay(claim_id)
    assert desk.vouchers() == 1


def test_fin01_paying_a_rejected_claim_is_refused(desk: Desk):
    claim_id = desk.submit()
    desk.certify(claim_id)
    desk.office.reject_claim(desk.ctx("chair"), claim_id, "发票抬头有误")
    with refused(desk.office, match="已退回"):
        desk.pay(claim_id)


def test_fin01_a_claim_is_paid_once(desk: Desk):
    claim_id = desk.approved()
    desk.pay(claim_id)
    with refused(desk.office, match="已付款"):
        desk.pay(claim_id)
    with refused(desk.office, match="已付款"):
        desk.pay(claim_id, "bank", bank_ref="ZH1")
    assert desk.balance("50504") == Decimal("50.00")


# -- FIN-01 and Q7: the chair's own claims -----------------------------------------------------------------


def chairs_own_claim(desk: Desk) -> UUID:
    claim_id = desk.submit("chair")
    desk.certify(claim_id, "clerk")
    return claim_id


def test_fin01_q7_the_chair_may_not_approve_the_chairs_own_claim(desk: Desk):
    desk.set("chair_claims_approver", "vicechair")
    claim_id = chairs_own_claim(desk)
    assert desk.claim(claim_id).handler_role == "chair"
    with refused(desk.office, match="受托副主席（vicechair）"):
        desk.approve(claim_id, "chair")


def test_fin01_q7_without_an_entrusted_vice_chair_the_chairs_own_claim_cannot_be_approved(desk: Desk):
    claim_id = chairs_own_claim(desk)
    with refused(desk.office, SettingMissing, match="受托审批人"):
        desk.approve(claim_id, "vicechair")
    with refused(desk.office, SettingMissing):
        desk.office.reject_claim(desk.ctx("vicechair"), claim_id, "不符合规定")


def test_fin01_q7_a_vice_chair_other_than_the_entrusted_one_may_not_approve_the_chairs_own_claim(desk: Desk):
    desk.set("chair_claims_approver", "vicechair2")
    claim_id = chairs_own_claim(desk)
    with refused(desk.office, match="受托副主席（vicechair2）"):
        desk.approve(claim_id, "vicechair")
    with refused(desk.office, match="受托副主席"):
        desk.office.reject_claim(desk.ctx("vicechair"), claim_id, "不符合规定")


def test_fin01_q7_a_user_named_in_the_setting_but_not_acting_as_vice_chair_may_not_approve(desk: Desk):
    desk.add_user("wang", ["vice_chair", "office"])
    desk.set("chair_claims_approver", "wang")
    claim_id = chairs_own_claim(desk)
    with refused(desk.office, NotPermitted):
        desk.office.approve_claim(desk.ctx("wang", "office"), claim_id)


def test_fin01_q7_the_entrusted_vice_chair_approves_the_chairs_own_claim_and_the_cashier_pays_it(desk: Desk):
    desk.set("chair_claims_approver", "vicechair")
    claim_id = chairs_own_claim(desk)
    desk.approve(claim_id, "vicechair")
    claim = desk.claim(claim_id)
    assert (claim.state, claim.approver) == ("approved", desk.uid("vicechair"))
    key = desk.pay(claim_id)
    assert desk.lines(key) == [("50504", Decimal("50.00"), ZERO), ("101", ZERO, Decimal("50.00"))]


def test_fin01_q7_the_entrusted_vice_chair_may_not_approve_a_chairs_claim_they_witnessed(desk: Desk):
    desk.set("chair_claims_approver", "vicechair")
    claim_id = desk.submit("chair")
    desk.certify(claim_id, "vicechair")
    with refused(desk.office, match="经手人和证明人不能审批"):
        desk.approve(claim_id, "vicechair")


def test_fin01_q7_the_entrusted_vice_chair_is_named_by_username_whatever_its_case(desk: Desk):
    desk.set("chair_claims_approver", "ViceChair")
    claim_id = chairs_own_claim(desk)
    desk.approve(claim_id, "vicechair")
    assert desk.claim(claim_id).state == "approved"


# -- rejection ---------------------------------------------------------------------------------------------


def test_a_rejection_records_the_reason_and_the_chair(desk: Desk):
    claim_id = desk.submit()
    desk.certify(claim_id)
    desk.office.reject_claim(desk.ctx("chair"), claim_id, "  发票抬头有误  ")
    claim = desk.claim(claim_id)
    assert (claim.state, claim.approver) == ("rejected", desk.uid("chair"))
    (rejected,) = events_of(desk.office, claim_id, ExpenseClaim.Rejected)
    assert (rejected.reason, rejected.actor, rejected.actor_role) == ("发票抬头有误", desk.uid("chair"), "chair")


def test_a_rejection_needs_a_reason(desk: Desk):
    claim_id = desk.submit()
    desk.certify(claim_id)
    with refused(desk.office, match="退回理由"):
        desk.office.reject_claim(desk.ctx("chair"), claim_id, "   ")


def test_a_rejection_releases_the_claims_invoice_numbers(desk: Desk):
    claim_id = desk.submit(invoices=["fp001", "FP002"])
    desk.certify(claim_id)
    desk.office.reject_claim(desk.ctx("chair"), claim_id, "发票抬头有误")
    for number in ("FP001", "FP002"):
        key = desk.office.repository.get(UniqueKey.id_for("invoice", number))
        assert isinstance(key, UniqueKey) and key.released and key.owner_id == claim_id


def test_after_a_rejection_a_corrected_claim_with_the_same_invoice_can_be_submitted(desk: Desk):
    claim_id = desk.submit(invoices=["FP001"])
    desk.certify(claim_id)
    desk.office.reject_claim(desk.ctx("chair"), claim_id, "金额有误")
    corrected = desk.submit(invoices=["fp001"])
    assert desk.claim(corrected).invoices == ["FP001"]
    key = desk.office.repository.get(UniqueKey.id_for("invoice", "FP001"))
    assert (key.released, key.owner_id) == (False, corrected)


def test_an_invoice_of_a_paid_claim_stays_taken(desk: Desk):
    desk.pay(desk.approved(invoices=["FP001"]))
    with refused(desk.office, match="已经报销过"):
        desk.submit(invoices=["FP001"])


# -- FIN-05 and FIN-03: invoices -------------------------------------------------------------------------


@pytest.mark.parametrize("invoices", [[], [""], ["   ", ""]])
def test_fin05_fin03_a_claim_without_an_invoice_number_is_refused(desk: Desk, invoices: list[str]):
    with refused(desk.office, match="白条不得报销") as info:
        desk.submit(invoices=invoices)
    assert info.value.field == "invoices"


@pytest.mark.parametrize("number", ["FP 001", "FP#001", "X" * 31])
def test_fin05_a_malformed_invoice_number_is_refused(desk: Desk, number: str):
    with refused(desk.office, match="无效"):
        desk.submit(invoices=[number])


@pytest.mark.parametrize(("first", "second"), [
    ("FP001", "FP001"), ("fp001", "FP001"), ("ＦＰ００１", "FP001"), (" fp001 ", "Ｆｐ001"),
])
def test_fin05_the_same_invoice_twice_in_one_claim_is_refused(desk: Desk, first: str, second: str):
    with refused(desk.office, match="FP001填写了两次"):
        desk.submit(invoices=[first, second])


@pytest.mark.parametrize("again", ["FP001", "fp001", "ＦＰ００１", "ｆｐ００１"])
def test_fin05_an_invoice_claimed_before_is_refused_case_and_width_insensitively(desk: Desk, again: str):
    desk.submit("clerk", invoices=["FP001"])
    with refused(desk.office, match="FP001已经报销过"):
        desk.submit("clerk2", invoices=["FP-009", again])


def test_fin05_invoice_numbers_are_stored_normalised(desk: Desk):
    claim_id = desk.submit(invoices=["ｆｐ－００１", " ab/12 "])
    assert desk.claim(claim_id).invoices == ["FP-001", "AB/12"]


# -- items -------------------------------------------------------------------------------------------------


def test_the_total_is_the_sum_of_quantity_times_unit_price_as_decimal(desk: Desk):
    claim_id = desk.submit(items=[item("回形针", "3", "0.10"), item("", "", ""), item("胶水", "1", "0.20"),
                                  item("文件夹", "7", "1,234.56")])
    claim = desk.claim(claim_id)
    assert claim.total == Decimal("8642.42") and isinstance(claim.total, Decimal)
    (submitted,) = events_of(desk.office, claim_id, ExpenseClaim.Submitted)
    assert [(i["item"], i["quantity"], i["unit_price"], i["amount"]) for i in submitted.items] == [
        ("回形针", 3, Decimal("0.10"), Decimal("0.30")), ("胶水", 1, Decimal("0.20"), Decimal("0.20")),
        ("文件夹", 7, Decimal("1234.56"), Decimal("8641.92"))]
    assert submitted.total == Decimal("8642.42")


@pytest.mark.parametrize(("quantity", "price", "why"), [
    ("1.5", "10", "整数"), ("0", "10", "整数"), ("-1", "10", "整数"), ("２", "10", "整数"), ("100001", "10", "整数"),
    ("", "10", "整数"), ("1", "0", "单价须大于0"), ("1", "0.00", "单价须大于0"), ("1", "-5", "不小于0"),
    ("1", "1.001", "两位小数"), ("1", "abc", "数字"), ("1", "NaN", "不小于0"), ("1", "", "数字"),
])
def test_a_bad_quantity_or_unit_price_is_refused_with_its_row_number(
        desk: Desk, quantity: str, price: str, why: str):
    with refused(desk.office, match=f"第2项：.*{why}") as info:
        desk.submit(items=[item("签字笔", "1", "5.00"), item("笔记本", quantity, price)])
    assert info.value.field == "items"


def test_an_item_needs_a_name_and_a_claim_needs_an_item(desk: Desk):
    with refused(desk.office, match="第1项的名称"):
        desk.submit(items=[item("", "1", "5.00")])
    with refused(desk.office, match="请填写报销项目"):
        desk.submit(items=[item("", "", ""), item(" ", " ", " ")])


def test_a_claim_has_at_most_twenty_items(desk: Desk):
    assert desk.claim(desk.submit(items=[item(f"物品{n}", "1", "1.00") for n in range(20)])).total == Decimal("20.00")
    with refused(desk.office, match="最多20项"):
        desk.submit(items=[item(f"物品{n}", "1", "1.00") for n in range(21)])


# -- FIN-06: bank transfer at or above the threshold ------------------------------------------------------


@pytest.mark.parametrize("price", ["1000.00", "1000.01", "5000"])
def test_fin06_a_cash_payment_at_or_above_the_threshold_is_refused(desk: Desk, price: str):
    claim_id = desk.approved(items=[item("投影仪", "1", price)])
    with refused(desk.office, match="须从银行转账") as info:
        desk.pay(claim_id, "cash")
    assert info.value.field == "method"
    assert desk.claim(claim_id).state == "approved"


def test_fin06_a_cash_payment_just_below_the_threshold_is_accepted(desk: Desk):
    key = desk.pay(desk.approved(items=[item("文件柜", "1", "999.99")]), "cash")
    assert desk.lines(key)[1] == ("101", ZERO, Decimal("999.99"))


def test_fin06_q9_a_cash_payment_without_a_threshold_set_is_refused_naming_the_setting(bare: Desk):
    claim_id = bare.approved()
    with refused(bare.office, SettingMissing, match="银行转账支付标准"):
        bare.pay(claim_id, "cash")


def test_fin06_a_bank_payment_needs_no_threshold_but_needs_a_bank_reference(bare: Desk):
    claim_id = bare.approved(items=[item("投影仪", "1", "3000")])
    with refused(bare.office, match="银行流水号") as info:
        bare.pay(claim_id, "bank", bank_ref="  ")
    assert info.value.field == "bank_ref"
    key = bare.pay(claim_id, "bank", bank_ref="ZH001")
    assert bare.lines(key)[1] == ("102", ZERO, Decimal("3000.00"))


@pytest.mark.parametrize("method", ["", "cheque", "advance"])
def test_fin06_a_payment_method_other_than_cash_or_bank_is_refused(desk: Desk, method: str):
    claim_id = desk.approved()
    with refused(desk.office, match="付款方式"):
        desk.pay(claim_id, method)


def test_a_payment_dated_in_the_future_is_refused(desk: Desk):
    claim_id = desk.approved()
    with refused(desk.office, match="凭证日期不能晚于今天"):
        desk.pay(claim_id, paid_on=date(2026, 3, 9))


def test_fin01_a_payment_may_not_be_dated_before_the_claim_was_approved(desk: Desk):
    claim_id = desk.approved(spent_on=date(2026, 3, 2))  # submitted, certified and approved on 2026-03-08
    with refused(desk.office):
        desk.pay(claim_id, "bank", paid_on=date(2026, 3, 3), bank_ref="ZH001")


# -- FIN-02: the cash on hand -----------------------------------------------------------------------------


def test_fin02_a_cash_payment_beyond_the_cash_on_hand_is_refused(desk: Desk):
    desk.set("bank_transfer_threshold", "5000")
    claim_id = desk.approved(items=[item("慰问品", "40", "100.00")])
    with refused(desk.office, match="库存现金不足"):
        desk.pay(claim_id, "cash")
    assert desk.claim(claim_id).state == "approved" and desk.balance("101") == Decimal("3000.00")
    desk.pay(desk.approved(items=[item("慰问品", "30", "100.00")]), "cash")
    assert desk.balance("101") == ZERO


# -- FIN-13: small purchases ------------------------------------------------------------------------------


def purchase_limits(desk: Desk, unit: str = "500", total: str = "2000") -> None:
    desk.set("small_item_unit_price_limit", unit)
    desk.set("small_item_total_limit", total)


def purchase(desk: Desk, *rows: dict[str, str], prior: str | None = None, spent_on: date = TODAY) -> UUID:
    return desk.submit(category="purchase", items=list(rows), prior=prior, spent_on=spent_on)


def approve_purchase(desk: Desk, number: str = "购批2026-01", *, amount: str = "3000",
                     on: date = date(2026, 3, 2)) -> UUID:
    return desk.office.approve_purchase(desk.ctx("chair"), number=number, on=on, amount=amount, purpose="购置文件柜")


@pytest.mark.parametrize("rows", [
    [item("订书机", "4", "499.99")],  # unit below the limit, total 1,999.96
    [item("文件柜", "4", "499.99"), item("订书钉", "1", "0.04")],  # total exactly the limit
])
def test_fin13_a_purchase_within_both_limits_needs_no_prior_approval(desk: Desk, rows: list[dict[str, str]]):
    purchase_limits(desk)
    claim_id = purchase(desk, *rows)
    desk.certify(claim_id)
    desk.approve(claim_id)
    key = desk.pay(claim_id, "bank", bank_ref="ZH002")
    assert desk.lines(key)[0][0] == "50504"


@pytest.mark.parametrize("rows", [
    [item("碎纸机", "1", "500.00")],  # unit price at the limit
    [item("订书机", "5", "400.00"), item("订书钉", "1", "0.01")],  # total over the limit
])
def test_fin13_a_purchase_above_either_limit_without_an_approval_number_is_refused(
        desk: Desk, rows: list[dict[str, str]]):
    purchase_limits(desk)
    with refused(desk.office, match="须经主席事前批准") as info:
        purchase(desk, *rows)
    assert info.value.field == "prior"


def test_fin13_a_purchase_above_the_limits_with_the_chairs_earlier_approval_is_accepted(desk: Desk):
    purchase_limits(desk)
    approval_id = approve_purchase(desk, amount="3000", on=date(2026, 3, 2))
    claim_id = purchase(desk, item("文件柜", "2", "1200.00"), prior=" 购批2026-01 ")
    approval = desk.office.repository.get(approval_id)
    assert isinstance(approval, PriorApproval)
    assert (approval.kind, approval.amount, approval.used_by) == ("purchase", Decimal("3000.00"), claim_id)
    (submitted,) = events_of(desk.office, claim_id, ExpenseClaim.Submitted)
    assert submitted.prior == "购批2026-01"


def test_fin13_an_approval_on_the_day_of_the_spending_is_accepted(desk: Desk):
    purchase_limits(desk)
    approve_purchase(desk, on=TODAY)
    assert purchase(desk, item("碎纸机", "1", "600.00"), prior="购批2026-01")


def test_fin13_an_approval_dated_after_the_spending_is_refused(desk: Desk, clock: Clock):
    purchase_limits(desk)  # in force from 2026-03-08, the day of the spending
    clock.advance(days=2)
    approve_purchase(desk, on=date(2026, 3, 9))
    with refused(desk.office, match="购置审批购批2026-01晚于支出日期：须事前审批"):
        purchase(desk, item("碎纸机", "1", "600.00"), prior="购批2026-01", spent_on=TODAY)


def test_fin13_q9_a_purchase_dated_before_the_limits_took_effect_is_refused_naming_the_setting(desk: Desk):
    purchase_limits(desk)
    approve_purchase(desk, on=date(2026, 3, 2))
    with refused(desk.office, SettingMissing, match="零星物品单价限额"):
        purchase(desk, item("碎纸机", "1", "600.00"), prior="购批2026-01", spent_on=date(2026, 3, 7))


def test_fin13_an_approval_is_used_by_one_claim_only(desk: Desk):
    purchase_limits(desk)
    approve_purchase(desk, amount="3000")
    purchase(desk, item("碎纸机", "1", "600.00"), prior="购批2026-01")
    with refused(desk.office, match="已用于另一张报销单"):
        purchase(desk, item("碎纸机", "1", "600.00"), prior="购批2026-01")


def test_fin13_a_total_above_the_approved_amount_is_refused(desk: Desk):
    purchase_limits(desk)
    approve_purchase(desk, amount="1000")
    with refused(desk.office, match="超过购置审批金额"):
        purchase(desk, item("碎纸机", "1", "1000.01"), prior="购批2026-01")
    assert purchase(desk, item("碎纸机", "1", "1000.00"), prior="购批2026-01")


def test_fin13_an_unknown_approval_number_or_a_meal_notice_in_its_place_is_refused(desk: Desk):
    purchase_limits(desk)
    desk.office.issue_meal_notice(desk.ctx("chair"), number="餐通2026-01", on=TODAY, heads=5, purpose="接待")
    with refused(desk.office, match="找不到编号为购批2026-99的购置审批"):
        purchase(desk, item("碎纸机", "1", "600.00"), prior="购批2026-99")
    with refused(desk.office, match="找不到"):
        purchase(desk, item("碎纸机", "1", "600.00"), prior="餐通2026-01")


@pytest.mark.parametrize("missing", ["small_item_unit_price_limit", "small_item_total_limit", "both"])
def test_fin13_q9_a_purchase_without_the_limits_set_is_refused_naming_the_setting(desk: Desk, missing: str):
    if missing == "small_item_total_limit":
        desk.set("small_item_unit_price_limit", "500")
    elif missing == "small_item_unit_price_limit":
        desk.set("small_item_total_limit", "2000")
    label = "零星物品总额限额" if missing == "small_item_total_limit" else "零星物品单价限额"
    with refused(desk.office, SettingMissing, match=label):
        purchase(desk, item("订书钉", "1", "1.00"))


def test_fin13_only_the_chair_approves_a_purchase(desk: Desk):
    for who in ("vicechair", "clerk", "cashier"):
        with refused(desk.office, NotPermitted):
            desk.office.approve_purchase(desk.ctx(who), number="购批X", on=TODAY, amount="100", purpose="购置")


def test_fin13_a_purchase_approval_needs_an_amount_a_past_date_and_a_fresh_number(desk: Desk):
    with refused(desk.office, match="批准的金额"):
        approve_purchase(desk, amount="0")
    with refused(desk.office, match="日期不能晚于今天"):
        approve_purchase(desk, on=date(2026, 3, 9))
    approve_purchase(desk)
    with refused(desk.office, match="已经使用"):
        approve_purchase(desk)


# -- FIN-14: reception meals ------------------------------------------------------------------------------


def reception(desk: Desk, total: str, prior: str | None = "餐通2026-01", spent_on: date = TODAY) -> UUID:
    return desk.submit(category="reception", items=[item("工作餐", "1", total)], prior=prior, spent_on=spent_on)


def meal_notice(desk: Desk, *, heads: int = 5, on: date = TODAY, who: str = "chair",
                number: str = "餐通2026-01") -> UUID:
    return desk.office.issue_meal_notice(desk.ctx(who), number=number, on=on, heads=heads, purpose="接待市总检查组")


def test_fin14_a_reception_claim_without_a_meal_notice_is_refused(desk: Desk):
    desk.set("reception_meal_standard", "100")
    with refused(desk.office, match="用餐通知单") as info:
        reception(desk, "300", prior=None)
    assert info.value.field == "prior"
    with refused(desk.office, match="找不到编号为餐通2026-01的用餐通知单"):
        reception(desk, "300")


def test_fin14_a_reception_claim_above_heads_times_the_standard_is_refused(desk: Desk):
    desk.set("reception_meal_standard", "100")
    meal_notice(desk, heads=5)
    with refused(desk.office, match="用餐5人，按标准每人100.00元，最多500.00元"):
        reception(desk, "500.01")


def test_fin14_a_reception_claim_within_heads_times_the_standard_is_accepted(desk: Desk):
    desk.set("reception_meal_standard", "100")
    notice_id = meal_notice(desk, heads=5, who="vicechair")
    claim_id = reception(desk, "500.00")
    assert desk.office.repository.get(notice_id).used_by == claim_id
    desk.certify(claim_id)
    desk.approve(claim_id)
    assert desk.lines(desk.pay(claim_id, "cash"))[0] == ("50504", Decimal("500.00"), ZERO)
    with refused(desk.office, match="已用于另一张报销单"):
        reception(desk, "100.00")


def test_fin14_a_meal_notice_dated_after_the_meal_is_refused(desk: Desk, clock: Clock):
    desk.set("reception_meal_standard", "100")  # in force from 2026-03-08, the day of the meal
    clock.advance(days=2)
    meal_notice(desk, on=date(2026, 3, 9))
    with refused(desk.office, match="用餐通知单餐通2026-01晚于支出日期"):
        reception(desk, "300", spent_on=TODAY)


def test_fin14_q9_a_reception_claim_without_the_meal_standard_set_is_refused_naming_the_setting(desk: Desk):
    meal_notice(desk)
    with refused(desk.office, SettingMissing, match="接待用餐标准"):
        reception(desk, "100")


@pytest.mark.parametrize("who", ["clerk", "accountant", "cashier", "secretary", "auditor"])
def test_fin14_only_the_chair_or_a_vice_chair_issues_a_meal_notice(desk: Desk, who: str):
    with refused(desk.office, NotPermitted):
        meal_notice(desk, who=who)


def test_fin14_a_meal_notice_needs_the_number_of_people_and_a_fresh_number(desk: Desk):
    for heads in (0, 501):
        with refused(desk.office, match="用餐人数"):
            meal_notice(desk, heads=heads)
    with refused(desk.office, match="编号"):
        meal_notice(desk, number="  ")
    meal_notice(desk, who="vicechair")
    with refused(desk.office, match="已经使用"):
        meal_notice(desk)


def test_fin14_after_a_rejection_the_corrected_claim_may_rely_on_the_same_meal_notice(desk: Desk):
    desk.set("reception_meal_standard", "100")
    meal_notice(desk)
    claim_id = reception(desk, "300")
    desk.certify(claim_id)
    desk.office.reject_claim(desk.ctx("chair"), claim_id, "缺少用餐清单")
    assert reception(desk, "300")


# -- FIN-08 and FIN-09: cash advances ---------------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["personal", "", "loan", "BUSINESS_TRIP"])
def test_fin08_an_advance_other_than_for_a_trip_or_a_purchase_is_refused(desk: Desk, purpose: str):
    with refused(desk.office, match="杜绝个人私借公款"):
        desk.request(purpose=purpose)


@pytest.mark.parametrize("amount", ["0", "0.00", "-1", "1.005", "abc"])
def test_fin08_an_advance_needs_a_positive_amount_to_the_fen(desk: Desk, amount: str):
    with refused(desk.office) as info:
        desk.request(amount=amount)
    assert info.value.field == "amount"


def test_fin08_an_advance_is_requested_on_a_numbered_four_part_form_used_once(desk: Desk):
    advance_id = desk.request(purpose="purchase", amount="1500", form_no=" JK-2026-001 ")
    advance = desk.advance(advance_id)
    assert (advance.state, advance.borrower, advance.borrower_role) == ("requested", desk.uid("clerk"), "office")
    assert (advance.form_no, advance.amount, advance.outstanding) == ("JK-2026-001", Decimal("1500.00"),
                                                                      Decimal("1500.00"))
    with refused(desk.office, match="四联单JK-2026-001已经使用"):
        desk.request("clerk2", form_no="JK-2026-001")
    with refused(desk.office, match="四联单编号"):
        desk.request(form_no="   ")


def test_fin08_the_expected_return_may_not_be_in_the_past(desk: Desk):
    with refused(desk.office, match="预计返回日期"):
        desk.office.request_advance(desk.ctx("clerk"), desk.book_id, form_no=fresh_form(), purpose="business_trip",
                                    amount="100", expected_return=date(2026, 3, 7), details="出差")


def test_fin08_the_borrower_may_not_approve_their_own_advance(desk: Desk):
    desk.add_user("zhang", ["chair", "office"])
    advance_id = desk.office.request_advance(desk.ctx("zhang", "office"), desk.book_id, form_no=fresh_form(),
                                             purpose="business_trip", amount="500",
                                             expected_return=date(2026, 3, 20), details="出差")
    desk.set("chair_claims_approver", "zhang")  # even if the setting named the borrower
    with refused(desk.office, match="受托副主席|借款人不能审批自己的借款"):
        desk.office.decide_advance(desk.ctx("zhang", "chair"), advance_id, approve=True)


def test_fin01_fin08_only_the_chair_decides_an_advance_that_is_not_the_chairs_own(desk: Desk):
    advance_id = desk.request()
    with refused(desk.office, match="由主席审批"):
        desk.office.decide_advance(desk.ctx("vicechair"), advance_id, approve=True)
    with refused(desk.office, NotPermitted):
        desk.office.decide_advance(desk.ctx("cashier"), advance_id, approve=True)
    desk.office.decide_advance(desk.ctx("chair"), advance_id, approve=True)
    advance = desk.advance(advance_id)
    assert (advance.state, advance.approver) == ("approved", desk.uid("chair"))
    with refused(desk.office, match="不能审批"):
        desk.office.decide_advance(desk.ctx("chair"), advance_id, approve=False, reason="改变主意")


def test_fin08_a_refused_advance_records_the_reason_and_cannot_be_paid(desk: Desk):
    advance_id = desk.request()
    with refused(desk.office, match="理由"):
        desk.office.decide_advance(desk.ctx("chair"), advance_id, approve=False)
    desk.office.decide_advance(desk.ctx("chair"), advance_id, approve=False, reason="非因公事项")
    assert desk.advance(advance_id).state == "rejected"
    (rejected,) = events_of(desk.office, advance_id, CashAdvance.Rejected)
    assert rejected.reason == "非因公事项"
    with refused(desk.office, match="只有已批准的借款才能付款"):
        desk.office.pay_advance(desk.ctx("cashier"), advance_id, method="bank", paid_on=TODAY)


def test_fin01_q7_the_chairs_own_advance_is_decided_by_the_entrusted_vice_chair(desk: Desk):
    advance_id = desk.request("chair")
    with refused(desk.office, SettingMissing):
        desk.office.decide_advance(desk.ctx("vicechair"), advance_id, approve=True)
    desk.set("chair_claims_approver", "vicechair")
    for who in ("chair", "vicechair2"):
        with refused(desk.office, match="受托副主席（vicechair）"):
            desk.office.decide_advance(desk.ctx(who), advance_id, approve=True)
    desk.office.decide_advance(desk.ctx("vicechair"), advance_id, approve=True)
    assert desk.advance(advance_id).approver == desk.uid("vicechair")


def test_fin08_paying_an_advance_posts_dr_other_receivables_cr_bank(desk: Desk):
    advance_id = desk.request(amount="2000")
    desk.office.decide_advance(desk.ctx("chair"), advance_id, approve=True)
    with refused(desk.office, match="须从银行转账"):
        desk.office.pay_advance(desk.ctx("cashier"), advance_id, method="cash", paid_on=TODAY)
    key = desk.office.pay_advance(desk.ctx("cashier"), advance_id, method="bank", paid_on=TODAY)
    assert desk.lines(key) == [("135", Decimal("2000.00"), ZERO), ("102", ZERO, Decimal("2000.00"))]
    voucher = desk.posted(key)
    assert (voucher.kind, voucher.source) == ("advance", f"advance:{advance_id}")
    advance = desk.advance(advance_id)
    assert (advance.state, advance.paid_on, advance.outstanding) == ("paid", TODAY, Decimal("2000.00"))
    with refused(desk.office, match="只有已批准的借款才能付款"):
        desk.office.pay_advance(desk.ctx("cashier"), advance_id, method="bank", paid_on=TODAY)


def test_fin08_an_advance_in_cash_credits_cash_and_an_unapproved_one_cannot_be_paid(desk: Desk):
    advance_id = desk.request(amount="800")
    with refused(desk.office, match="只有已批准的借款才能付款"):
        desk.office.pay_advance(desk.ctx("cashier"), advance_id, method="cash", paid_on=TODAY)
    desk.office.decide_advance(desk.ctx("chair"), advance_id, approve=True)
    key = desk.office.pay_advance(desk.ctx("cashier"), advance_id, method="cash", paid_on=TODAY)
    assert desk.lines(key) == [("135", Decimal("800.00"), ZERO), ("101", ZERO, Decimal("800.00"))]
    assert desk.balance("101") == Decimal("2200.00") and desk.balance("135") == Decimal("800.00")


def test_fin06_q9_an_advance_in_cash_without_a_threshold_set_is_refused(bare: Desk):
    advance_id = bare.request(amount="800")
    bare.office.decide_advance(bare.ctx("chair"), advance_id, approve=True)
    with refused(bare.office, SettingMissing, match="银行转账支付标准"):
        bare.office.pay_advance(bare.ctx("cashier"), advance_id, method="cash", paid_on=TODAY)


def test_fin08_a_claim_settling_an_advance_posts_dr_expense_cr_other_receivables_and_reduces_what_is_owed(
        desk: Desk):
    advance_id = desk.paid_advance(amount="2000")
    claim_id = desk.approved(category="travel", items=[item("差旅费", "1", "1500.00")], advance_id=advance_id)
    key = desk.pay(claim_id, "bank")  # nothing left to pay: no bank reference needed
    assert desk.lines(key) == [("50504", Decimal("1500.00"), ZERO), ("135", ZERO, Decimal("1500.00"))]
    assert key == "2026-03/transfer/1"
    (paid,) = events_of(desk.office, claim_id, ExpenseClaim.Paid)
    assert paid.method == "advance"
    advance = desk.advance(advance_id)
    assert (advance.state, advance.outstanding) == ("paid", Decimal("500.00"))
    (repaid,) = events_of(desk.office, advance_id, CashAdvance.Repaid)
    assert (repaid.amount, repaid.claim_id, repaid.voucher) == (Decimal("1500.00"), claim_id, key)
    assert desk.balance("135") == Decimal("500.00")


def test_fin08_a_claim_beyond_the_advance_pays_the_excess_in_cash_and_settles_it(desk: Desk):
    advance_id = desk.paid_advance(amount="800")
    claim_id = desk.approved(category="travel", items=[item("差旅费", "1", "1000.00")], advance_id=advance_id)
    key = desk.pay(claim_id, "cash")  # only the excess (200) is paid, below the threshold
    assert desk.lines(key) == [("50504", Decimal("1000.00"), ZERO), ("135", ZERO, Decimal("800.00")),
                               ("101", ZERO, Decimal("200.00"))]
    advance = desk.advance(advance_id)
    assert (advance.state, advance.outstanding) == ("settled", ZERO)
    assert desk.balance("135") == ZERO and desk.balance("101") == Decimal("2800.00")


def test_fin08_cash_handed_back_posts_dr_cash_cr_other_receivables_and_settles_the_advance(desk: Desk):
    advance_id = desk.paid_advance(amount="2000")
    key = desk.office.repay_advance(desk.ctx("cashier"), advance_id, amount="600", on=TODAY)
    assert desk.lines(key) == [("101", Decimal("600.00"), ZERO), ("135", ZERO, Decimal("600.00"))]
    assert desk.posted(key).kind == "repayment"
    assert (desk.advance(advance_id).state, desk.advance(advance_id).outstanding) == ("paid", Decimal("1400.00"))
    with refused(desk.office, match="不超过未结清的 1400.00 元"):
        desk.office.repay_advance(desk.ctx("cashier"), advance_id, amount="1400.01", on=TODAY)
    with refused(desk.office, match="还款金额须大于0"):
        desk.office.repay_advance(desk.ctx("cashier"), advance_id, amount="0", on=TODAY)
    with refused(desk.office, match="还款方式"):
        desk.office.repay_advance(desk.ctx("cashier"), advance_id, amount="100", on=TODAY, method="cheque")
    bank_key = desk.office.repay_advance(desk.ctx("cashier"), advance_id, amount="1400", on=TODAY, method="bank")
    assert desk.lines(bank_key) == [("102", Decimal("1400.00"), ZERO), ("135", ZERO, Decimal("1400.00"))]
    advance = desk.advance(advance_id)
    assert (advance.state, advance.outstanding) == ("settled", ZERO)
    with refused(desk.office, match="已结清"):
        desk.office.repay_advance(desk.ctx("cashier"), advance_id, amount="1", on=TODAY)


def test_fin08_a_repayment_may_not_be_dated_before_the_advance_was_paid(desk: Desk):
    advance_id = desk.paid_advance(amount="2000", paid_on=date(2026, 3, 5))
    with refused(desk.office):
        desk.office.repay_advance(desk.ctx("cashier"), advance_id, amount="100", on=date(2026, 3, 2), method="bank")


def test_fin08_an_advance_not_yet_paid_cannot_be_repaid(desk: Desk):
    advance_id = desk.request()
    with refused(desk.office, match="没有未结清的金额"):
        desk.office.repay_advance(desk.ctx("cashier"), advance_id, amount="100", on=TODAY)


def test_fin09_the_advance_is_due_on_the_last_day_of_the_month_of_return(desk: Desk):
    advance_id = desk.paid_advance(paid_on=date(2026, 3, 2))
    assert desk.advance(advance_id).due_on() is None
    desk.office.record_advance_return(desk.ctx("cashier"), advance_id, date(2026, 3, 5))
    advance = desk.advance(advance_id)
    assert (advance.returned_on, advance.due_on()) == (date(2026, 3, 5), date(2026, 3, 31))


@pytest.mark.parametrize(("returned", "due"), [
    (date(2026, 2, 1), date(2026, 2, 28)), (date(2028, 2, 29), date(2028, 2, 29)),
    (date(2026, 4, 30), date(2026, 4, 30)), (date(2026, 12, 1), date(2026, 12, 31)),
])
def test_fin09_the_due_date_is_the_end_of_the_calendar_month(returned: date, due: date):
    assert month_end(returned) == due


@pytest.mark.parametrize("returned", [date(2026, 3, 1), date(2026, 3, 9)])
def test_fin09_a_return_before_the_payment_or_in_the_future_is_refused(desk: Desk, returned: date):
    advance_id = desk.paid_advance(paid_on=date(2026, 3, 2))
    with refused(desk.office, match="返回日期须在借款日和今天之间"):
        desk.office.record_advance_return(desk.ctx("cashier"), advance_id, returned)


def test_fin09_only_an_advance_lent_out_can_be_marked_returned(desk: Desk):
    advance_id = desk.request()
    with refused(desk.office, match="只有已借出未结清的借款"):
        desk.office.record_advance_return(desk.ctx("cashier"), advance_id, TODAY)


def test_fin08_an_advance_is_never_paid_before_it_was_approved(desk: Desk):
    advance_id = desk.request()
    desk.office.decide_advance(desk.ctx("chair"), advance_id, approve=True)
    with refused(desk.office, match="付款日期不能早于批准日期"):
        desk.office.pay_advance(desk.ctx("cashier"), advance_id, method="bank", paid_on=date(2026, 3, 7))


def test_fin08_a_claim_may_not_settle_someone_elses_advance(desk: Desk):
    advance_id = desk.paid_advance("clerk2")
    with refused(desk.office, match="只能用本人在本账套未结清的借款冲账") as info:
        desk.submit("clerk", advance_id=advance_id)
    assert info.value.field == "advance_id"


def test_fin08_a_claim_may_not_settle_an_advance_not_yet_paid(desk: Desk):
    advance_id = desk.request("clerk")
    desk.office.decide_advance(desk.ctx("chair"), advance_id, approve=True)
    with refused(desk.office, match="只能用本人在本账套未结清的借款冲账"):
        desk.submit("clerk", advance_id=advance_id)


def test_fin08_a_claim_may_not_settle_an_advance_already_settled(desk: Desk):
    advance_id = desk.paid_advance("clerk", amount="500")
    desk.office.repay_advance(desk.ctx("cashier"), advance_id, amount="500", on=TODAY)
    with refused(desk.office, match="只能用本人在本账套未结清的借款冲账"):
        desk.submit("clerk", advance_id=advance_id)


def test_fin08_a_claim_may_not_settle_an_advance_in_another_book(desk: Desk):
    office = desk.office
    other = office.open_book(desk.ctx("accountant"), name="代管工会账套", union_id=union(office),
                             first_period="2026-03")
    office.post_voucher(desk.ctx("accountant"), other, voucher_date=OPENED, summary="期初余额",
                        lines=[{"account": "102", "debit": "5000", "credit": ""},
                               {"account": "32205", "debit": "", "credit": "5000"}], attachments=0)
    advance_id = desk.paid_advance("clerk", book_id=other)
    assert desk.advance(advance_id).book_id == other
    assert desk.lines("2026-03/payment/1", other) == [("135", Decimal("2000.00"), ZERO),
                                                      ("102", ZERO, Decimal("2000.00"))]
    with refused(office, match="只能用本人在本账套未结清的借款冲账"):
        desk.submit("clerk", advance_id=advance_id)
    assert desk.submit("clerk", advance_id=advance_id, book_id=other)


# -- FIN-03 and FIN-04: cash counts -----------------------------------------------------------------------


def count(desk: Desk, counted: str, *, ious: str = "0", explanation: str = "", who: str = "cashier") -> Decimal:
    return desk.office.count_cash(desk.ctx(who), desk.book_id, counted_on=TODAY, counted=counted, ious=ious,
                                  explanation=explanation)


def test_fin04_a_count_equal_to_the_book_is_recorded(desk: Desk):
    assert count(desk, "3000.00") == ZERO
    assert count(desk, "3000", who="accountant") == ZERO
    first, _ = events_of(desk.office, desk.book_id, Book.CashCounted)
    assert (first.counted_on, first.counted, first.book_balance, first.ious, first.reason) == (
        TODAY, Decimal("3000.00"), Decimal("3000.00"), ZERO, None)
    assert first.actor == desk.uid("cashier")


def test_fin04_a_count_different_from_the_book_needs_an_explanation(desk: Desk):
    with refused(desk.office, match="实存 2950.00 元与账面 3000.00 元不符") as info:
        count(desk, "2950")
    assert info.value.field == "explanation"
    with refused(desk.office, match="请说明差异原因"):
        count(desk, "3050", explanation="   ")


def test_fin04_a_difference_with_its_explanation_is_recorded_and_returned(desk: Desk):
    assert count(desk, "2950", explanation="找零差错，待查") == Decimal("-50.00")
    assert count(desk, "3010.50", explanation="多收零钱") == Decimal("10.50")
    first, second = events_of(desk.office, desk.book_id, Book.CashCounted)
    assert (first.counted, first.book_balance) == (Decimal("2950.00"), Decimal("3000.00"))
    assert first.reason == "找零差错，待查"
    assert second.reason == "多收零钱"
    assert desk.balance("101") == Decimal("3000.00")  # a count posts nothing


def test_fin03_ious_are_recorded_but_never_counted_as_cash(desk: Desk):
    with refused(desk.office, match="实存 2800.00 元与账面 3000.00 元不符"):
        count(desk, "2800", ious="200")
    assert count(desk, "2800", ious="200", explanation="白条200元，已责令补办手续") == Decimal("-200.00")
    (counted,) = events_of(desk.office, desk.book_id, Book.CashCounted)
    assert (counted.counted, counted.ious, counted.book_balance) == (Decimal("2800.00"), Decimal("200.00"),
                                                                     Decimal("3000.00"))
    assert desk.book().cash_balance() == Decimal("3000.00")


def test_fin04_a_count_follows_the_cash_paid_out_and_may_not_be_dated_in_the_future(desk: Desk):
    desk.pay(desk.approved(items=[item("慰问品", "1", "500.00")]), "cash")
    assert count(desk, "2500") == ZERO
    with refused(desk.office, match="盘点日期不能晚于今天"):
        desk.office.count_cash(desk.ctx("cashier"), desk.book_id, counted_on=date(2026, 3, 9), counted="2500")
    with refused(desk.office, match="金额"):
        count(desk, "-1")


# -- separation of duties ---------------------------------------------------------------------------------


def test_the_cashier_cannot_approve_or_reject_a_claim(desk: Desk):
    claim_id = desk.submit()
    desk.certify(claim_id)
    with refused(desk.office, NotPermitted):
        desk.approve(claim_id, "cashier")
    with refused(desk.office, NotPermitted):
        desk.office.reject_claim(desk.ctx("cashier"), claim_id, "不符合规定")


@pytest.mark.parametrize("who", ["accountant", "chair", "clerk", "auditor"])
def test_only_the_cashier_pays(desk: Desk, who: str):
    claim_id = desk.approved()
    with refused(desk.office, NotPermitted):
        desk.office.pay_claim(desk.ctx(who), claim_id, method="cash", paid_on=TODAY)
    advance_id = desk.request("clerk2")
    desk.office.decide_advance(desk.ctx("chair"), advance_id, approve=True)
    with refused(desk.office, NotPermitted):
        desk.office.pay_advance(desk.ctx(who), advance_id, method="bank", paid_on=TODAY)


def test_the_auditor_cannot_submit_witness_or_borrow(desk: Desk):
    with refused(desk.office, NotPermitted):
        desk.submit("auditor")
    claim_id = desk.submit("clerk")
    with refused(desk.office, NotPermitted):
        desk.certify(claim_id, "auditor")
    with refused(desk.office, NotPermitted):
        desk.request("auditor")
    with refused(desk.office, NotPermitted):
        count(desk, "3000", who="auditor")


def test_the_accountant_and_cashier_may_hand_in_and_witness_claims(desk: Desk):
    claim_id = desk.submit("accountant")
    desk.certify(claim_id, "cashier")
    assert desk.claim(claim_id).witness == desk.uid("cashier")


# -- resubmitted forms -------------------------------------------------------------------------------------


def test_a_resubmitted_claim_form_records_once(desk: Desk):
    claim_id = desk.submit(invoices=["FP001"], form_key="form-claim-1")
    with refused(desk.office, DuplicateSubmission):
        desk.submit(invoices=["FP002"], form_key="form-claim-1")
    key = desk.office.repository.get(UniqueKey.id_for("form", "form-claim-1"))
    assert key.owner_id == claim_id
    assert UniqueKey.id_for("invoice", "FP002") not in desk.office.repository


def test_a_resubmitted_payment_form_records_once(desk: Desk):
    claim_id = desk.approved()
    desk.pay(claim_id, form_key="form-pay-1")
    with refused(desk.office, DuplicateSubmission):
        desk.pay(claim_id, form_key="form-pay-1")
    assert desk.vouchers() == 2 and desk.balance("101") == Decimal("2950.00")


def test_a_resubmitted_advance_form_records_once(desk: Desk):
    desk.request(form_key="form-advance-1")
    with refused(desk.office, DuplicateSubmission):
        desk.request(form_key="form-advance-1")
