"""Expense claims under 一支笔 (FIN-01): submitted by the handler (经手人) with items, invoices and
attachments, certified by a witness (证明人), approved by the chair, paid by the cashier. And the prior
approvals some claims need: the chair's approval of a purchase above the small-purchase limits (FIN-13)
and the meal notice of the leader in charge for a reception (FIN-14)."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from aggregates.enterprise import checked_money, checked_text
from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput, NotPermitted

# category → (label, the expense account it is charged to in a grassroots chart)
CATEGORIES: dict[str, tuple[str, str]] = {
    "office": ("办公用品", "50504"),
    "purchase": ("零星购置", "50504"),
    "reception": ("接待用餐", "50504"),
    "travel": ("差旅", "50504"),
    "training": ("培训", "50501"),
    "meeting": ("会议", "50502"),
    "activity": ("会员活动", "50105"),
    "culture": ("文体活动", "50102"),
    "hardship": ("困难职工帮扶", "50404"),
    "warmth": ("送温暖", "50405"),
    "equipment": ("办公设备购置", "50702"),
    "other": ("其他支出", "510"),
}
STATES = {"submitted": "待证明", "certified": "待审批", "approved": "待付款", "rejected": "已退回", "paid": "已付款"}
METHODS = {"cash": "现金", "bank": "银行转账", "advance": "冲借款"}
MAX_ITEMS = 20


def checked_items(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The claim's items as typed (item, quantity, unit price); blank rows skipped; amount = qty × price."""
    items = []
    for n, row in enumerate(rows, 1):
        item, quantity, price = ((row.get(k) or "").strip() for k in ("item", "quantity", "unit_price"))
        if not (item or quantity or price):
            continue
        item = checked_text(item, "items", f"第{n}项的名称", 40)
        if not quantity.isascii() or not quantity.isdigit() or not 1 <= int(quantity) <= 100_000:
            raise InvalidInput("第%(n)s项：数量须为1到100000的整数", field="items", n=n)
        try:
            unit_price = checked_money(price, "items")
        except InvalidInput as error:
            raise InvalidInput("第%(n)s项：%(why)s", field="items", n=n, why=error.text()) from None
        if not unit_price:
            raise InvalidInput("第%(n)s项：单价须大于0", field="items", n=n)
        items.append({"item": item, "quantity": int(quantity), "unit_price": unit_price,
                      "amount": unit_price * int(quantity)})
    if not items:
        raise InvalidInput("请填写报销项目", field="items")
    if len(items) > MAX_ITEMS:
        raise InvalidInput("报销项目最多%(n)s项", field="items", n=MAX_ITEMS)
    return items


def checked_invoices(numbers: list[str]) -> list[str]:
    """FIN-05: at least one invoice or receipt number; each once. An IOU (白条) is never a voucher (FIN-03)."""
    invoices = []
    for raw in numbers:
        number = unicodedata.normalize("NFKC", raw or "").strip().upper()
        if not number:
            continue
        if len(number) > 30 or not all(c.isalnum() or c in "-_/" for c in number):
            raise InvalidInput("发票号码“%(n)s”无效", field="invoices", n=number[:30])
        if number in invoices:
            raise InvalidInput("发票号码%(n)s填写了两次", field="invoices", n=number)
        invoices.append(number)
    if len(invoices) > 50:
        raise InvalidInput("一张报销单最多50张发票", field="invoices")
    if not invoices:
        raise InvalidInput("请填写发票（收据）号码：按有效凭证报销，白条不得报销", field="invoices")
    return invoices


class ExpenseClaim(OfficeAggregate):
    """One claim (报销单) and its way through the 一支笔 steps."""

    class Submitted(OfficeAggregate.Created):
        book_id: UUID
        handler_role: str
        category: str
        account: str
        purpose: str
        items: list[dict[str, Any]]
        invoices: list[str]
        files: list[str]  # SHA-256 of the scanned invoices and receipts
        total: Decimal
        spent_on: date
        prior: str | None  # the number of the purchase approval or meal notice it relies on
        advance_id: UUID | None  # the cash advance it settles

        def apply(self, aggregate: ExpenseClaim) -> None:
            aggregate.book_id = self.book_id
            aggregate.handler = self.actor
            aggregate.handler_role = self.handler_role
            aggregate.total = self.total
            aggregate.account = self.account
            aggregate.purpose = self.purpose
            aggregate.invoices = self.invoices
            aggregate.files = self.files
            aggregate.advance_id = self.advance_id
            aggregate.category = self.category
            aggregate.prior = self.prior
            aggregate.state = "submitted"
            aggregate.witness = aggregate.approver = None

    class Certified(OfficeAggregate.Event):
        def apply(self, aggregate: ExpenseClaim) -> None:
            aggregate.state = "certified"
            aggregate.witness = self.actor

    class Approved(OfficeAggregate.Event):
        def apply(self, aggregate: ExpenseClaim) -> None:
            aggregate.state = "approved"
            aggregate.approver = self.actor
            aggregate.approved_on = self.occurred_on

    class Rejected(OfficeAggregate.Event):
        def apply(self, aggregate: ExpenseClaim) -> None:
            aggregate.state = "rejected"
            aggregate.approver = self.actor

    class Paid(OfficeAggregate.Event):
        method: str
        paid_on: date
        voucher: str  # the payment voucher's key in the claim's book
        bank_ref: str

        def apply(self, aggregate: ExpenseClaim) -> None:
            aggregate.state = "paid"

    @classmethod
    def submit(cls, ctx: Context, *, claim_id: UUID, book_id: UUID, category: str, account: str, purpose: str,
               items: list[dict[str, Any]], invoices: list[str], files: list[str], spent_on: date,
               prior: str | None, advance_id: UUID | None) -> ExpenseClaim:
        if category not in CATEGORIES:
            raise InvalidInput("请选择报销类别", field="category")
        if spent_on > ctx.occurred_on:
            raise InvalidInput("支出日期不能晚于今天", field="spent_on")
        return cls._found(cls.Submitted, ctx, id=claim_id, book_id=book_id, handler_role=ctx.role,
                          category=category, account=account, purpose=checked_text(purpose, "purpose", "事由", 60),
                          items=items, invoices=invoices, files=files,
                          total=sum((i["amount"] for i in items), Decimal("0.00")), spent_on=spent_on, prior=prior,
                          advance_id=advance_id)

    def certify(self, ctx: Context) -> None:
        """The witness (证明人) signs: anyone on the staff but the handler (FIN-01, Q7)."""
        if self.state != "submitted":
            raise InvalidInput("该报销单当前为“%(s)s”，不能证明", s=STATES[self.state])
        if ctx.actor == self.handler:
            raise InvalidInput("经手人不能为自己的报销单作证明")
        self._record(self.Certified, ctx)

    def check_approver(self, ctx: Context) -> None:
        if self.state != "certified":
            raise InvalidInput("该报销单当前为“%(s)s”，须先由证明人签字", s=STATES[self.state])
        if ctx.actor in (self.handler, self.witness):
            raise InvalidInput("经手人和证明人不能审批该报销单")

    def approve(self, ctx: Context) -> None:
        self.check_approver(ctx)
        self._record(self.Approved, ctx)

    def reject(self, ctx: Context, reason: str) -> None:
        self.check_approver(ctx)
        self._record(self.Rejected, ctx, reason=checked_text(reason, "reason", "退回理由", 200))

    def pay(self, ctx: Context, *, method: str, paid_on: date, voucher: str, bank_ref: str) -> None:
        if ctx.actor == self.handler:
            raise NotPermitted("出纳不能给自己经手的报销付款，请由另一位出纳办理", role=ctx.role)
        self._record(self.Paid, ctx, method=method, paid_on=paid_on, voucher=voucher, bank_ref=bank_ref)


PRIOR_KINDS = {"purchase": "购置审批", "meal_notice": "用餐通知单"}


class PriorApproval(OfficeAggregate):
    """A purchase approved by the chair before buying (FIN-13), or a meal notice of the leader in charge
    (FIN-14); one claim may rely on it."""

    @staticmethod
    def id_for(kind: str, number: str) -> UUID:
        return derived_id(f"prior/{kind}", number)

    class Issued(OfficeAggregate.Created):
        kind: str
        number: str
        on: date
        purpose: str
        heads: int | None  # a meal notice: how many people
        amount: Decimal | None  # a purchase: the approved amount

        def apply(self, aggregate: PriorApproval) -> None:
            aggregate.kind = self.kind
            aggregate.number = self.number
            aggregate.on = self.on
            aggregate.heads = self.heads
            aggregate.amount = self.amount
            aggregate.used_by = None

    class Used(OfficeAggregate.Event):
        claim_id: UUID

        def apply(self, aggregate: PriorApproval) -> None:
            aggregate.used_by = self.claim_id

    class Freed(OfficeAggregate.Event):
        """The claim that used it was sent back: a corrected claim may use it again."""

        claim_id: UUID

        def apply(self, aggregate: PriorApproval) -> None:
            aggregate.used_by = None

    @classmethod
    def issue(cls, ctx: Context, *, kind: str, number: str, on: date, purpose: str, heads: int | None = None,
              amount: Decimal | str | None = None) -> PriorApproval:
        number = checked_text(number, "number", "编号", 30)
        if on > ctx.occurred_on:
            raise InvalidInput("日期不能晚于今天", field="on")
        if kind == "meal_notice" and not (heads and 1 <= heads <= 500):
            raise InvalidInput("请填写用餐人数", field="heads")
        money = checked_money(amount, "amount") if amount is not None else None
        if kind == "purchase" and not money:
            raise InvalidInput("请填写批准的金额", field="amount")
        return cls._found(cls.Issued, ctx, id=cls.id_for(kind, number), kind=kind, number=number, on=on,
                          purpose=checked_text(purpose, "purpose", "事由", 60), heads=heads, amount=money)

    def use(self, ctx: Context, claim_id: UUID, spent_on: date) -> None:
        label = PRIOR_KINDS[self.kind]
        if self.used_by is not None:
            raise InvalidInput("%(label)s%(n)s已用于另一张报销单", field="prior", label=label, n=self.number)
        if self.on > spent_on:
            raise InvalidInput("%(label)s%(n)s晚于支出日期：须事前审批", field="prior", label=label, n=self.number)
        self._record(self.Used, ctx, claim_id=claim_id)

    def free(self, ctx: Context, claim_id: UUID) -> None:
        if self.used_by == claim_id:
            self._record(self.Freed, ctx, claim_id=claim_id)
