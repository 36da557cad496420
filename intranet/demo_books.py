"""The demo office's year of books: its own book and one managed union's, with levy receipts and the
share owed upward, dues, cash drawn from the bank, claims at every stage under 一支笔, meal notices and a
purchase approval, advances (one settled by a claim, one repaid, one overdue), cash counts, a bank
statement reconciled, a reversal, every month reviewed and closed in order, and a year-end closing."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from aggregates.application import UnionOffice
from aggregates.book import period_end, period_of
from aggregates.envelope import Context
from projections import ledger
from projections.engine import ReadModels

Step = tuple[int, Callable[[], None]]
As = Callable[[str, str], Context]

# (category, purpose, item, unit price range in yuan, quantity range)
CLAIMS = (
    ("activity", "会员生日慰问", "生日蛋糕券", (50, 80), (8, 20)),
    ("culture", "职工趣味运动会", "奖品", (20, 60), (10, 30)),
    ("office", "办公用品", "打印纸", (25, 35), (4, 10)),
    ("training", "工会干部培训", "培训资料", (30, 50), (10, 25)),
    ("meeting", "会员代表大会", "会务用品", (15, 40), (20, 40)),
    ("hardship", "困难职工帮扶", "慰问金", (300, 600), (1, 3)),
    ("warmth", "夏送清凉", "防暑用品", (20, 45), (20, 40)),
    ("travel", "赴区总工会办事", "交通费", (20, 60), (1, 4)),
)


@dataclass
class BooksYear:
    """Plans and plays the books' year; `as_user(username, role)` gives a demo user's context."""

    office: UnionOffice
    as_user: As
    read_models: ReadModels
    rng: random.Random
    start: date
    today: date
    managed_union: Callable[[], UUID | None]
    own: UUID | None = None
    managed: UUID | None = None
    invoices: int = 0
    forms: int = 0
    advances: dict[str, Any] = field(default_factory=dict)

    def cashier(self) -> Context:
        """The cashier of the day (the first one left mid-year)."""
        try:
            return self.as_user("cashier2", "cashier")
        except KeyError:
            return self.as_user("cashier", "cashier")

    def accountant(self) -> Context:
        return self.as_user("accountant", "accountant")

    def plan(self) -> list[Step]:
        months = (self.today.year - self.start.year) * 12 + self.today.month - self.start.month
        steps: list[Step] = [(2, self.open_books), (3, self.opening_balances), (7, self.entrust)]
        for m in range(months + 1):
            base = m * 30 + 4
            steps += [(base + 1, self.receive_levy), (base + 3, self.collect_dues), (base + 6, self.draw_cash)]
            for n in range(3):
                steps += self.claim_chain(base + 2 + n * 7)
            steps.append((base + 20, self.count_cash))
            if m % 3 == 2:
                steps.append((base + 22, self.remit_upward))
            if m >= 1:
                steps += [(base + 4, self.review_all), (base + 5, self.close_previous)]
            if m % 3 == 1:
                steps.append((base + 10, self.managed_month))
        steps += [(40, self.reception), (70, self.purchase_with_approval), (95, self.wrong_entry),
                  (96, self.reverse_wrong_entry), (60, self.advance("trip", 1200)), (61, self.pay("trip")),
                  (66, self.settle_by_claim), (120, self.advance("buy", 800)), (121, self.pay("buy")),
                  (125, self.repay_in_cash), (months * 30 - 40, self.advance("late", 1500)),
                  (months * 30 - 39, self.pay("late")), (months * 30 - 30, self.came_back_late),
                  (months * 30 - 10, self.reconcile_bank)]
        steps.append((months * 30 + 20, self.claims_in_flight))
        january = date(self.start.year + 1, 1, 1)
        july = date(self.start.year + (self.start.month >= 7), 7, 1)
        steps += [((january - self.start).days - 20, self.budget_for_the_year), (72, self.register_the_bookshelf),
                  (74, self.register_supplies), (90, self.issue_supplies)]
        if (july - self.start).days + 20 < months * 30:
            steps.append(((july - self.start).days + 20, self.disclose_last_half))
        return steps

    # -- budget, disclosure and the register -------------------------------------------------------

    def budget_for_the_year(self) -> None:
        """FIN-17 / Q8: drafted by the accountant, reviewed by the fund review committee, approved by the
        standing committee."""
        year = self.office.today().year + 1  # drafted in December for the coming year
        budget = self.office.draft_budget(self.accountant(), self.own, year, {  # type: ignore[arg-type]
            "401": "8000", "402": "280000", "501": "60000", "503": "30000", "504": "50000", "505": "40000",
            "510": "5000"})
        self.office.review_budget(self.as_user("auditor", "auditor"), budget,
                                  "收支安排符合工会经费使用规定，同意提交常委会")
        self.office.approve_budget(self.as_user("chair", "chair"), budget, f"{year}年第1次常委会")

    def register_the_bookshelf(self) -> None:
        """FIN-16: the bookshelf bought with approval goes on the register and into the books as an asset."""
        self.office.register_asset(self.as_user("office", "office"), self.own, kind="fixed",  # type: ignore[arg-type]
                                   name="职工书屋书架", quantity=2, unit_value="780", acquired_on=self.office.today(),
                                   keeper="刘洋", location="职工书屋")
        self._post(self.own, "书架入账（资产基金）", [("162", "1560.00", ""), ("30104", "", "1560.00")], 0)

    def register_supplies(self) -> None:
        self.supplies = self.office.register_asset(
            self.as_user("office", "office"), self.own, kind="supplies", name="慰问品（食用油）",  # type: ignore[arg-type]
            quantity=40, unit_value="65", acquired_on=self.office.today(), keeper="刘洋", location="办公室库房")

    def issue_supplies(self) -> None:
        self.office.issue_supplies(self.as_user("office", "office"), self.supplies, 25, "困难职工慰问组")

    def disclose_last_half(self) -> None:
        """FIN-18: the first half-year's dues and uses of funds published to members."""
        today = self.office.today()
        self.office.publish_disclosure(self.accountant(), self.own, year=today.year, half=1,  # type: ignore[arg-type]
                                       where="街道工会公示栏及职工之家")

    # -- opening -----------------------------------------------------------------------------------

    def open_books(self) -> None:
        self.own = self.office.open_book(self.accountant(), name="和平街道总工会（本级）", union_id=None,
                                         first_period=period_of(self.start))
        self.office.add_sub_account(self.accountant(), self.own, "408", "01", "捐赠收入")

    def opening_balances(self) -> None:
        """上年结转: the balances brought forward when the books were taken over."""
        self._post(self.own, "上年结转期初余额", [("101", "2350.00", ""), ("102", "186420.55", ""),
                                                  ("32205", "", "188770.55")], attachments=0)

    def entrust(self) -> None:
        """Q7: the chair entrusts the vice-chair with the chair's own claims."""
        self.office.set_setting(self.as_user("chair", "chair"), "chair_claims_approver", "vice",
                                self.office.today(), "主席委托李秀英副主席审批主席本人报销")

    def _post(self, book: UUID | None, summary: str, lines: list[tuple[str, str, str]], attachments: int = 1) -> str:
        assert book is not None
        return self.office.post_voucher(self.accountant(), book, voucher_date=self.office.today(), summary=summary,
                                        lines=[{"account": a, "debit": d, "credit": c} for a, d, c in lines],
                                        attachments=attachments)

    # -- the months --------------------------------------------------------------------------------

    def receive_levy(self) -> None:
        """FND-03: small enterprise unions' levy received; 20% is owed to the district (a liability)."""
        total = Decimal(self.rng.randrange(180, 420) * 100)
        owed = (total * Decimal("0.2")).quantize(Decimal("0.01"))
        self._post(self.own, "收到小企业工会拨缴经费", [("102", str(total), ""), ("402", "", str(total - owed)),
                                                        ("211", "", str(owed))])

    def collect_dues(self) -> None:
        amount = Decimal(self.rng.randrange(300, 900))
        self._post(self.own, "收取机关会员会费", [("101", str(amount), ""), ("401", "", str(amount))])

    def draw_cash(self) -> None:
        """FIN-02: cash drawn up to the ceiling, never above it."""
        book = self.office.book(self.own)  # type: ignore[arg-type]
        room = Decimal("4000") - book.cash_on(self.office.today())
        if room >= 500:
            self._post(self.own, "提取备用金", [("101", str(room.quantize(Decimal("1"))), ""),
                                               ("102", "", str(room.quantize(Decimal("1"))))])

    def remit_upward(self) -> None:
        owed = -self.office.book(self.own).balance("211")  # type: ignore[arg-type]
        if owed > 0:
            self._post(self.own, "上解区总工会经费", [("211", str(owed), ""), ("102", "", str(owed))])

    def review_all(self) -> None:
        self.read_models.catch_up()
        with self.read_models.reading() as conn:
            waiting = [(b.book_id, v.key) for b in ledger.books(conn)
                       for v in ledger.vouchers(conn, b.book_id, waiting=True)]
        for book, key in waiting:
            self.office.review_voucher(self.accountant(), UUID(book), key)

    def close_previous(self) -> None:
        """Every month is closed in order once it has ended (the current one stays open)."""
        for book in (self.own, self.managed):
            if book is None:
                continue
            aggregate = self.office.book(book)
            while period_end(aggregate.next_to_close()) < self.office.today() - timedelta(days=3):
                self.office.close_month(self.accountant(), book, aggregate.next_to_close())
                aggregate = self.office.book(book)

    def count_cash(self) -> None:
        """FIN-04: counted against the book; once a shortfall found and explained."""
        book = self.office.book(self.own)  # type: ignore[arg-type]
        on_book = book.cash_on(self.office.today())
        short = Decimal("20.00") if self.rng.random() < 0.1 else Decimal("0.00")
        self.office.count_cash(self.cashier(), self.own, counted_on=self.office.today(),  # type: ignore[arg-type]
                               counted=on_book - short, explanation="找零差错，出纳个人赔补" if short else "")

    def managed_month(self) -> None:
        """The managed union's quarter: its dues come in, its activity is paid."""
        if self.managed is None:
            union = self.managed_union()
            if union is None:
                return
            self.managed = self.office.open_book(self.accountant(), name="代管：联合工会账套", union_id=union,
                                                 first_period=period_of(self.office.today()))
            self._post(self.managed, "建账转入经费", [("102", "12000.00", ""), ("32205", "", "12000.00")], 0)
        dues = Decimal(self.rng.randrange(600, 1500))
        self._post(self.managed, "收取会员会费", [("102", str(dues), ""), ("401", "", str(dues))])
        spent = Decimal(self.rng.randrange(300, 900))
        self._post(self.managed, "会员活动", [("50105", str(spent), ""), ("102", "", str(spent))], 2)

    # -- claims ------------------------------------------------------------------------------------

    def claim_chain(self, day: int) -> list[Step]:
        holder: dict[str, Any] = {}
        return [(day, lambda: self._submit(holder)), (day + 1, lambda: self._certify(holder)),
                (day + 2, lambda: self._approve(holder)), (day + 3, lambda: self._pay(holder))]

    def _invoice(self) -> str:
        self.invoices += 1
        return f"FP{self.start.year}{self.invoices:05d}"

    def _submit(self, holder: dict[str, Any], category: str | None = None, handler: str = "office",
                prior: str | None = None, advance: UUID | None = None) -> None:
        kind = next(c for c in CLAIMS if c[0] == category) if category else self.rng.choice(CLAIMS)
        _, purpose, item, (low, high), (few, many) = kind
        role = {"office": "office", "vice": "vice_chair", "chair": "chair"}[handler]
        holder["claim"] = self.office.submit_claim(
            self.as_user(handler, role), self.own, category=kind[0], purpose=purpose,  # type: ignore[arg-type]
            items=[{"item": item, "quantity": str(self.rng.randrange(few, many + 1)),
                    "unit_price": str(self.rng.randrange(low, high + 1))}],
            invoices=[self._invoice()], spent_on=self.office.today(), prior=prior, advance_id=advance)
        holder["handler"] = handler  # type: ignore[assignment]

    def _certify(self, holder: dict[str, Any]) -> None:
        self.office.certify_claim(self.as_user("accountant", "accountant"), holder["claim"])

    def _approve(self, holder: dict[str, Any]) -> None:
        if holder.get("handler") == "chair":
            self.office.approve_claim(self.as_user("vice", "vice_chair"), holder["claim"])
        else:
            self.office.approve_claim(self.as_user("chair", "chair"), holder["claim"])

    def _pay(self, holder: dict[str, Any]) -> None:
        total = self.office.repository.get(holder["claim"]).total
        cash = self.office.book(self.own).cash_on(self.office.today())  # type: ignore[arg-type]
        by_bank = total >= 1000 or total > cash
        self.office.pay_claim(self.cashier(), holder["claim"], method="bank" if by_bank else "cash",
                              paid_on=self.office.today(), bank_ref=f"HX{self.office.today():%m%d}{self.invoices:03d}")

    def reception(self) -> None:
        """FIN-14: the vice-chair's meal notice, then the claim within heads × standard."""
        self.office.issue_meal_notice(self.as_user("vice", "vice_chair"), number="YC-001",
                                      on=self.office.today(), heads=5, purpose="接待市总工会调研组")
        holder: dict[str, Any] = {"handler": "office"}
        holder["claim"] = self.office.submit_claim(
            self.as_user("office", "office"), self.own, category="reception",  # type: ignore[arg-type]
            purpose="接待市总工会调研组工作餐", items=[{"item": "工作餐", "quantity": "5", "unit_price": "55"}],
            invoices=[self._invoice()], spent_on=self.office.today(), prior="YC-001")
        self._certify(holder)
        self._approve(holder)
        self._pay(holder)

    def purchase_with_approval(self) -> None:
        """FIN-13: above the small-purchase limits the chair approves before buying; the chair's own claim
        is approved by the entrusted vice-chair."""
        self.office.approve_purchase(self.as_user("chair", "chair"), number="GZ-001", on=self.office.today(),
                                     amount="1600", purpose="职工书屋书架")
        holder: dict[str, Any] = {"handler": "chair"}
        holder["claim"] = self.office.submit_claim(
            self.as_user("chair", "chair"), self.own, category="purchase",  # type: ignore[arg-type]
            purpose="职工书屋书架", items=[{"item": "书架", "quantity": "2", "unit_price": "780"}],
            invoices=[self._invoice()], spent_on=self.office.today(), prior="GZ-001")
        self._certify(holder)
        self._approve(holder)
        self._pay(holder)

    def claims_in_flight(self) -> None:
        """At the year's end some claims wait at each step, and one was sent back."""
        for stage in ("submitted", "certified", "approved", "rejected"):
            holder: dict[str, Any] = {}
            self._submit(holder)
            if stage != "submitted":
                self._certify(holder)
            if stage == "approved":
                self._approve(holder)
            if stage == "rejected":
                self.office.reject_claim(self.as_user("chair", "chair"), holder["claim"], "发票抬头有误，请重开")

    # -- advances ----------------------------------------------------------------------------------

    def advance(self, name: str, amount: int) -> Callable[[], None]:
        def request() -> None:
            self.forms += 1
            purpose = "purchase" if name == "buy" else "business_trip"
            self.advances[name] = self.office.request_advance(
                self.as_user("office", "office"), self.own, form_no=f"JK-{self.forms:03d}",  # type: ignore[arg-type]
                purpose=purpose, amount=str(amount), expected_return=self.office.today() + timedelta(days=5),
                details="购置活动用品" if purpose == "purchase" else "赴市总工会参加培训")
            self.office.decide_advance(self.as_user("chair", "chair"), self.advances[name], approve=True)
        return request

    def pay(self, name: str) -> Callable[[], None]:
        def run() -> None:
            amount = self.office.repository.get(self.advances[name]).amount
            self.office.pay_advance(self.cashier(), self.advances[name], method="bank" if amount >= 1000 else "cash",
                                    paid_on=self.office.today())
        return run

    def settle_by_claim(self) -> None:
        """FIN-09: back from the trip, the receipts settle the advance; the rest is paid out in cash."""
        self.office.record_advance_return(self.cashier(), self.advances["trip"], self.office.today())
        holder: dict[str, Any] = {}
        self._submit(holder, "travel", advance=self.advances["trip"])
        self._certify(holder)
        self._approve(holder)
        self._pay(holder)
        left = self.office.repository.get(self.advances["trip"]).outstanding
        if left:
            self.office.repay_advance(self.cashier(), self.advances["trip"], amount=str(left), on=self.office.today())

    def repay_in_cash(self) -> None:
        self.office.record_advance_return(self.cashier(), self.advances["buy"], self.office.today())
        self.office.repay_advance(self.cashier(), self.advances["buy"], amount="800", on=self.office.today())

    def came_back_late(self) -> None:
        """Back, but never settled: overdue at the month's end (FIN-10, FIN-11)."""
        self.office.record_advance_return(self.cashier(), self.advances["late"], self.office.today())

    # -- corrections and the bank ------------------------------------------------------------------

    def wrong_entry(self) -> None:
        self.wrong = self._post(self.own, "收取会员会费", [("101", "460.00", ""), ("40801", "", "460.00")])

    def reverse_wrong_entry(self) -> None:
        """The dues were booked as other income: reversed in red and booked again."""
        self.office.reverse_voucher(self.accountant(), self.own, self.wrong,  # type: ignore[arg-type]
                                    on=self.office.today(), reason="科目用错：会费误记为捐赠收入")
        self._post(self.own, "收取会员会费（更正）", [("101", "460.00", ""), ("401", "", "460.00")])

    def reconcile_bank(self) -> None:
        """Last month's statement: every bank line but one cheque cleared; the bank's interest not yet booked."""
        self.read_models.catch_up()
        day = self.office.today().replace(day=1) - timedelta(days=1)
        period = period_of(day)
        with self.read_models.reading() as conn:
            reconciled = ledger.reconciliation(conn, str(self.own), period)
        lines = [{"day": i.day, "description": i.description, "amount": i.amount, "ref": f"YH{n:04d}"}
                 for n, i in enumerate(reconciled.book_only)]
        pending = lines.pop() if len(lines) > 1 else None
        interest = {"day": day, "description": "活期利息", "amount": Decimal("36.18"), "ref": "LX"}
        balance = reconciled.book_balance - (pending["amount"] if pending else 0) + interest["amount"]
        self.office.record_bank_statement(self.cashier(), self.own, period=period,  # type: ignore[arg-type]
                                          closing_balance=str(balance), lines=[*lines, interest])
