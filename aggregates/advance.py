"""Cash advances (借款, 四联单): only for a business trip or a purchase, after approval (FIN-08); paid by the
cashier; settled by the end of the month of return (FIN-09) with receipts (a claim) or cash back; then
overdue, with interest at the rate in force (FIN-10) and, long unpaid, marked for salary deduction (FIN-11)."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from uuid import UUID

from aggregates.enterprise import checked_money, checked_text
from aggregates.envelope import Context, OfficeAggregate
from aggregates.errors import InvalidInput, NotPermitted

PURPOSES = {"business_trip": "因公出差", "purchase": "购置物品"}
STATES = {"requested": "待审批", "approved": "待付款", "rejected": "未批准", "paid": "借出未还",
          "settled": "已结清"}


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class CashAdvance(OfficeAggregate):
    """One advance on a four-part form (四联单)."""

    class Requested(OfficeAggregate.Created):
        book_id: UUID
        borrower_role: str
        form_no: str
        purpose: str
        amount: Decimal
        expected_return: date
        details: str

        def apply(self, aggregate: CashAdvance) -> None:
            aggregate.book_id = self.book_id
            aggregate.borrower = self.actor
            aggregate.borrower_role = self.borrower_role
            aggregate.form_no = self.form_no
            aggregate.amount = self.amount
            aggregate.outstanding = self.amount
            aggregate.state = "requested"
            aggregate.returned_on = None
            aggregate.approver = None

    class Approved(OfficeAggregate.Event):
        def apply(self, aggregate: CashAdvance) -> None:
            aggregate.state = "approved"
            aggregate.approver = self.actor
            aggregate.approved_on = self.occurred_on

    class Rejected(OfficeAggregate.Event):
        def apply(self, aggregate: CashAdvance) -> None:
            aggregate.state = "rejected"

    class Paid(OfficeAggregate.Event):
        method: str
        paid_on: date
        voucher: str

        def apply(self, aggregate: CashAdvance) -> None:
            aggregate.state = "paid"
            aggregate.paid_on = self.paid_on

    class Returned(OfficeAggregate.Event):
        """The borrower is back from the trip (or the purchase is done): settle by the month's end."""

        returned_on: date

        def apply(self, aggregate: CashAdvance) -> None:
            aggregate.returned_on = self.returned_on

    class Repaid(OfficeAggregate.Event):
        """Part or all of the advance settled: by a claim's receipts or by cash handed back."""

        amount: Decimal
        on: date
        claim_id: UUID | None
        voucher: str
        method: str = "cash"  # cash or bank handed back; a claim's receipts: "claim"

        def apply(self, aggregate: CashAdvance) -> None:
            aggregate.outstanding -= self.amount
            if not aggregate.outstanding:
                aggregate.state = "settled"

    @classmethod
    def request(cls, ctx: Context, *, advance_id: UUID, book_id: UUID, form_no: str, purpose: str,
                amount: Decimal | str, expected_return: date, details: str) -> CashAdvance:
        """FIN-08: an advance only for a trip or a purchase, on a numbered four-part form."""
        if purpose not in PURPOSES:
            raise InvalidInput("借款只限因公出差或购置物品，杜绝个人私借公款", field="purpose")
        money = checked_money(amount, "amount")
        if not money:
            raise InvalidInput("借款金额须大于0", field="amount")
        if expected_return < ctx.occurred_on:
            raise InvalidInput("预计返回日期不能早于今天", field="expected_return")
        return cls._found(cls.Requested, ctx, id=advance_id, book_id=book_id, borrower_role=ctx.role,
                          form_no=checked_text(form_no, "form_no", "四联单编号", 30), purpose=purpose, amount=money,
                          expected_return=expected_return, details=checked_text(details, "details", "事由", 100))

    def decide(self, ctx: Context, *, approve: bool, reason: str = "") -> None:
        if self.state != "requested":
            raise InvalidInput("该借款当前为“%(s)s”，不能审批", s=STATES[self.state])
        if ctx.actor == self.borrower:
            raise InvalidInput("借款人不能审批自己的借款")
        if approve:
            self._record(self.Approved, ctx)
        else:
            self._record(self.Rejected, ctx, reason=checked_text(reason, "reason", "理由", 200))

    def check_payment(self, paid_on: date) -> None:
        if self.state != "approved":
            raise InvalidInput("只有已批准的借款才能付款（当前：%(s)s）", s=STATES[self.state])
        if paid_on < self.approved_on:
            raise InvalidInput("付款日期不能早于批准日期（%(d)s）", field="paid_on", d=self.approved_on.isoformat())

    def pay(self, ctx: Context, *, method: str, paid_on: date, voucher: str) -> None:
        if ctx.actor == self.borrower:
            raise NotPermitted("出纳不能给自己的借款付款，请由另一位出纳办理", role=ctx.role)
        self._record(self.Paid, ctx, method=method, paid_on=paid_on, voucher=voucher)

    def mark_returned(self, ctx: Context, returned_on: date) -> None:
        if self.state != "paid":
            raise InvalidInput("只有已借出未结清的借款才能登记返回")
        if self.returned_on is not None:
            raise InvalidInput("已登记返回日期（%(d)s），不能改动：应结清日由此而定", d=self.returned_on.isoformat())
        if returned_on > ctx.occurred_on or returned_on < self.paid_on:
            raise InvalidInput("返回日期须在借款日和今天之间", field="returned_on")
        self._record(self.Returned, ctx, returned_on=returned_on)

    def check_repayment(self, amount: Decimal) -> None:
        if self.state != "paid":
            raise InvalidInput("该借款当前为“%(s)s”，没有未结清的金额", s=STATES[self.state])
        if not 0 < amount <= self.outstanding:
            raise InvalidInput("还款金额须大于0且不超过未结清的 %(o)s 元", field="amount", o=self.outstanding)

    def repay(self, ctx: Context, *, amount: Decimal, on: date, claim_id: UUID | None, voucher: str,
              method: str) -> None:
        self.check_repayment(amount)
        if on < self.paid_on:
            raise InvalidInput("还款日期不能早于借款日期（%(d)s）", field="on", d=self.paid_on.isoformat())
        self._record(self.Repaid, ctx, amount=amount, on=on, claim_id=claim_id, voucher=voucher, method=method)

    def due_on(self) -> date | None:
        """FIN-09: the last day of the month the borrower came back in."""
        return month_end(self.returned_on) if self.returned_on else None
