"""A set of books (账套): the street union's own, or one of a small union whose books the office keeps.

The book is the consistency boundary of its vouchers: it numbers them per month and word (收/付/转),
keeps every account's balance so a voucher that would drive cash below zero is refused, and knows which
months are closed. Every voucher balances (debits = credits, Decimal to the fen). Nothing posted is
ever edited: a mistake is reversed by a red-ink voucher (红字冲销) in an open month that names it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from aggregates.chart import (
    BANK,
    CASH,
    EDITION,
    EXPENSE,
    INCOME,
    LEVEL_ONE,
    STANDARD_SUB_ACCOUNTS,
    level_of,
    parent_of,
    root_of,
)
from aggregates.enterprise import checked_text
from aggregates.envelope import Context, EventRef, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
WORDS = {"receipt": "收", "payment": "付", "transfer": "转"}  # 记账凭证: 收款 / 付款 / 转账
KINDS = {"manual": "手工凭证", "closing": "期末结转", "reversal": "红字冲销",
         "claim": "报销付款", "advance": "借款", "repayment": "收回借款"}
MAX_LINES = 40
# 期末结转: non-earmarked income and expenditure close into 工会资金结余—本年收支结转 each month; at year end
# the other sub-accounts of 结转 and 结余 are swept into 累计结转 / 累计结余 (第三部分 321, 322).
SURPLUS_THIS_YEAR = "32203"
YEAR_END_SWEEPS = {"32205": ("32201", "32202", "32203", "32204"), "32104": ("32101", "32102", "32103")}
# The accounts closing posts to: they stay leaves so a closing can always be posted.
CLOSING_ACCOUNTS = frozenset({SURPLUS_THIS_YEAR, *YEAR_END_SWEEPS, *(s for group in YEAR_END_SWEEPS.values()
                                                                    for s in group)})
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def period_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:])
    return date(year, month, calendar.monthrange(year, month)[1])


def next_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def checked_period(text: str, field: str = "period") -> str:
    if not _PERIOD.match((text or "").strip()):
        raise InvalidInput("会计期间须为 年-月，如 2026-03", field=field)
    return text.strip()


@dataclass(frozen=True)
class Line:
    """One line of a voucher: an account and an amount on one side (negative on a red-ink voucher)."""

    account: str
    debit: Decimal
    credit: Decimal
    memo: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"account": self.account, "debit": self.debit, "credit": self.credit, "memo": self.memo}

    @staticmethod
    def of(data: dict[str, Any]) -> Line:
        return Line(data["account"], Decimal(data["debit"]), Decimal(data["credit"]), data.get("memo", ""))

    @property
    def net(self) -> Decimal:
        """Debit-positive effect on the account's balance."""
        return self.debit - self.credit


def voucher_key(period: str, word: str, number: int) -> str:
    return f"{period}/{word}/{number}"


def word_for(lines: Iterable[Line]) -> str:
    """收 when cash or bank is debited only, 付 when it is credited (a deposit or withdrawal too), else 转."""
    money = [line for line in lines if root_of(line.account) in (CASH, BANK)]
    if any(line.credit for line in money) or any(line.debit < 0 for line in money):
        return "payment"
    return "receipt" if money else "transfer"


def _lowest_after(days: dict[str, Decimal], day: date, move: Decimal, message: str) -> dict[str, Decimal]:
    """The daily movements with `move` added on `day`; refused if the balance at the end of `day` or of any
    later day would be below zero."""
    days = dict(days)
    if not move:
        return days
    days[day.isoformat()] = days.get(day.isoformat(), ZERO) + move
    balance = ZERO
    for when in sorted(days):
        balance += days[when]
        if when >= day.isoformat() and balance < 0:
            raise InvalidInput(message, field="lines", day=when, b=balance)
    return days


class Book(OfficeAggregate):
    """One entity's books: its chart, balances, vouchers and closed months."""

    @staticmethod
    def id_for(union_id: UUID | None) -> UUID:
        """The own book (union_id None) or the book of a managed union: one book per entity."""
        return derived_id("book", f"union:{union_id}" if union_id else "own")

    class Opened(OfficeAggregate.Created):
        name: str
        union_id: UUID | None  # None: the street union's own book; else the managed (代管) union
        edition: str
        accounts: list[str]  # the level-1 accounts in use
        first_period: str
        sub_accounts: dict[str, str] | None = None  # the standard's level-2 accounts as they stood at opening

        def apply(self, aggregate: Book) -> None:
            aggregate.name = self.name
            aggregate.union_id = self.union_id
            aggregate.first_period = self.first_period
            aggregate.accounts = {code: LEVEL_ONE[code].name for code in self.accounts}
            aggregate.accounts.update(self.sub_accounts if self.sub_accounts is not None else {
                code: name for code, name in STANDARD_SUB_ACCOUNTS.items() if root_of(code) in self.accounts})
            aggregate.balances = {}
            aggregate.cash_days = {}  # ISO date → net cash movement that day (FIN-02: never below zero)
            aggregate.bank_days = {}  # ISO date → net bank movement that day (the account is never overdrawn)
            aggregate.numbers = {}  # "period:word" → last number
            # key → {"kind", "period", "date", "version", "reviewed", "reversed"}: the lines stay in the events
            aggregate.vouchers = {}
            aggregate.period_net = {}  # period → account → debit-positive movement (closing reads it)
            aggregate.flow_net = {}  # period → level-1 income/expense → amount, closing vouchers left out
            aggregate.posted = {}  # accounts ever posted to (they take no sub-accounts)
            aggregate.closed = []

    class SubAccountAdded(OfficeAggregate.Event):
        code: str
        name: str

        def apply(self, aggregate: Book) -> None:
            aggregate.accounts[self.code] = self.name

    class VoucherPosted(OfficeAggregate.Event):
        period: str
        word: str
        number: int
        voucher_date: date
        summary: str
        lines: list[dict[str, Any]]
        attachments: int
        files: list[str]  # SHA-256 of the attached scans
        kind: str
        source: str | None  # what produced it (a claim, an advance…), as "kind:id"
        reverses: str | None  # the voucher key a red-ink voucher reverses

        def apply(self, aggregate: Book) -> None:
            aggregate.numbers[f"{self.period}:{self.word}"] = self.number
            month = aggregate.period_net.setdefault(self.period, {})
            flows = aggregate.flow_net.setdefault(self.period, {})
            for data in self.lines:
                line = Line.of(data)
                aggregate.balances[line.account] = aggregate.balances.get(line.account, ZERO) + line.net
                month[line.account] = month.get(line.account, ZERO) + line.net
                aggregate.posted[line.account] = True
                root = root_of(line.account)
                category = LEVEL_ONE[root].category
                if self.kind != "closing" and category in (INCOME, EXPENSE):
                    flows[root] = flows.get(root, ZERO) + (-line.net if category == INCOME else line.net)
                if root in (CASH, BANK):
                    days = aggregate.cash_days if root == CASH else aggregate.bank_days
                    day = self.voucher_date.isoformat()
                    days[day] = days.get(day, ZERO) + line.net
            key = voucher_key(self.period, self.word, self.number)
            aggregate.vouchers[key] = {"kind": self.kind, "period": self.period, "date": self.voucher_date.isoformat(),
                                       "version": self.originator_version, "preparer": self.actor,
                                       "reviewed": self.kind == "closing", "reversed": False}
            if self.reverses:
                aggregate.vouchers[self.reverses]["reversed"] = True

    class VoucherReviewed(OfficeAggregate.Event):
        key: str

        def apply(self, aggregate: Book) -> None:
            aggregate.vouchers[self.key]["reviewed"] = True

    class CashCounted(OfficeAggregate.Event):
        """FIN-04: the cash counted against the book; IOUs found are listed, never counted (FIN-03)."""

        counted_on: date
        counted: Decimal
        book_balance: Decimal
        ious: Decimal

    class MonthClosed(OfficeAggregate.Event):
        period: str

        def apply(self, aggregate: Book) -> None:
            aggregate.closed.append(self.period)

    # -- the chart -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, ctx: Context, *, name: str, union_id: UUID | None, accounts: Iterable[str],
             first_period: str) -> Book:
        """Open a book with the level-1 accounts it uses, from its first month on."""
        first_period = checked_period(first_period, "first_period")
        if first_period > period_of(ctx.occurred_on):
            raise InvalidInput("启用期间不能晚于本月", field="first_period")
        codes = sorted(set(accounts))
        if not codes or any(code not in LEVEL_ONE for code in codes) or not {CASH, BANK} <= set(codes):
            raise InvalidInput("请选择本账套使用的一级科目（须含库存现金和银行存款）", field="accounts")
        return cls._found(cls.Opened, ctx, id=cls.id_for(union_id), name=checked_text(name, "name", "账套名称", 60),
                          union_id=union_id, edition=EDITION, accounts=codes, first_period=first_period,
                          sub_accounts={code: name for code, name in STANDARD_SUB_ACCOUNTS.items()
                                        if root_of(code) in codes})

    def add_sub_account(self, ctx: Context, parent: str, code: str, name: str) -> None:
        """Add an office sub-account (level 2 or below) under `parent`; the standard's accounts are fixed."""
        if parent not in self.accounts:
            raise InvalidInput("上级科目不存在", field="parent")
        if parent in CLOSING_ACCOUNTS:
            raise InvalidInput("“%(name)s”用于期末和年末结转，不能下设明细科目", field="parent",
                               name=self.account_name(parent))
        code = (code or "").strip()
        if not re.fullmatch(r"[0-9]{2}", code):
            raise InvalidInput("科目代码为两位数字（如 01）", field="code")
        code = parent + code
        if code in self.accounts or code in STANDARD_SUB_ACCOUNTS:
            raise InvalidInput("科目代码%(code)s已存在", field="code", code=code)
        if level_of(code) > 5:
            raise InvalidInput("明细科目最多到五级", field="code")
        name = checked_text(name, "name", "科目名称", 30)
        if name in (self.accounts[c] for c in self.accounts if parent_of(c) == parent):
            raise InvalidInput("同一上级科目下已有“%(name)s”", field="name", name=name)
        if self.balances.get(parent, ZERO) or self._posted_to(parent):
            raise InvalidInput("“%(name)s”已有发生额，不能再下设明细科目", field="parent", name=self.accounts[parent])
        self._record(self.SubAccountAdded, ctx, code=code, name=name)

    def _posted_to(self, code: str) -> bool:
        return code in self.posted

    def is_leaf(self, code: str) -> bool:
        return code in self.accounts and not any(parent_of(c) == code for c in self.accounts)

    def account_name(self, code: str) -> str:
        """The full name, from level 1 down: 维权支出—困难职工帮扶支出."""
        names = []
        while code:
            names.append(self.accounts.get(code, code))
            code = parent_of(code) or ""
        return "—".join(reversed(names))

    # -- vouchers ------------------------------------------------------------------------------------

    def is_open(self, period: str) -> bool:
        return period >= self.first_period and not any(period <= closed for closed in self.closed)

    def cash_balance(self) -> Decimal:
        return sum((v for k, v in self.balances.items() if root_of(k) == CASH), ZERO)

    def balance(self, code: str) -> Decimal:
        """Debit-positive balance of an account with all its sub-accounts."""
        return sum((v for k, v in self.balances.items() if k.startswith(code)), ZERO)

    def post(self, ctx: Context, *, voucher_date: date, summary: str, lines: list[Line], attachments: int,
             files: list[str] | None = None, kind: str = "manual", source: str | None = None,
             reverses: str | None = None, reason: str | None = None, cash_limit: Decimal | None = None,
             word: str | None = None, corrects: str | None = None) -> str:
        """Post a balanced voucher dated in an open month; returns its key (2026-03/payment/4).
        `cash_limit`: a withdrawal from the bank may not lift cash above it (FIN-02)."""
        if voucher_date > ctx.occurred_on:
            raise InvalidInput("凭证日期不能晚于今天", field="voucher_date")
        period = period_of(voucher_date)
        if period < self.first_period:
            raise InvalidInput("凭证日期早于本账套启用期间（%(p)s）", field="voucher_date", p=self.first_period)
        if not self.is_open(period):
            raise InvalidInput("%(p)s已结账，不能再记账；更正请在未结账的月份编制凭证并注明更正的凭证",
                               field="voucher_date", p=period)
        summary = checked_text(summary, "summary", "摘要", 60)
        self.check_lines(lines, red=kind == "reversal", closing=kind == "closing")
        if not 0 <= attachments <= 999 or attachments < len(files or []):
            raise InvalidInput("附件张数无效", field="attachments")
        self._check_cash(voucher_date, lines, cash_limit)
        corrects = corrects or reverses  # a red-ink voucher corrects the voucher it reverses
        corrected = self.vouchers.get(corrects) if corrects else None
        if corrects and corrected is None:
            raise InvalidInput("要更正的凭证不存在", field="corrects")
        word = word or word_for(lines)
        number = self.numbers.get(f"{period}:{word}", 0) + 1
        self._record(self.VoucherPosted, ctx, reason=reason, period=period,
                     corrects=EventRef(self.id, corrected["version"]) if corrected else None, word=word, number=number,
                     voucher_date=voucher_date, summary=summary, lines=[line.as_dict() for line in lines],
                     attachments=attachments, files=list(files or []), kind=kind, source=source, reverses=reverses)
        return voucher_key(period, word, number)

    def check_lines(self, lines: list[Line], *, red: bool = False, closing: bool = False) -> None:
        """Two to MAX_LINES lines (a closing voucher: as many as there are accounts) on leaf accounts of
        this book, one side each, balancing."""
        if len(lines) < 2 or (len(lines) > MAX_LINES and not closing):
            raise InvalidInput("凭证须有2至%(n)s行分录", field="lines", n=MAX_LINES)
        for n, line in enumerate(lines, 1):
            if line.account not in self.accounts:
                raise InvalidInput("第%(n)s行：科目“%(code)s”不在本账套科目表中", field="lines", n=n, code=line.account)
            if not self.is_leaf(line.account):
                raise InvalidInput("第%(n)s行：“%(name)s”下设明细科目，请选择明细科目记账", field="lines", n=n,
                                   name=self.account_name(line.account))
            if (line.debit != 0) == (line.credit != 0):
                raise InvalidInput("第%(n)s行：借方和贷方金额须填且只填一个", field="lines", n=n)
            if not red and (line.debit < 0 or line.credit < 0):
                raise InvalidInput("第%(n)s行：金额须大于0", field="lines", n=n)
            if any(amount != amount.quantize(FEN) for amount in (line.debit, line.credit)):
                raise InvalidInput("第%(n)s行：金额最多保留到分", field="lines", n=n)
        debit, credit = sum(line.debit for line in lines), sum(line.credit for line in lines)
        if debit != credit:
            raise InvalidInput("借贷不平衡：借方合计 %(d)s，贷方合计 %(c)s", field="lines", d=debit, c=credit)

    def _check_cash(self, day: date, lines: list[Line], limit: Decimal | None) -> None:
        """FIN-02: cash on hand never below zero on any day, and the bank account never overdrawn; a bank
        withdrawal never lifts cash above the limit on any day from its date on."""
        _lowest_after(self.bank_days, day, sum((line.net for line in lines if root_of(line.account) == BANK), ZERO),
                      "银行存款不足：%(day)s的银行存款余额将为 %(b)s 元，不能透支")
        move = sum((line.net for line in lines if root_of(line.account) == CASH), ZERO)
        days = _lowest_after(self.cash_days, day, move, "库存现金不足：%(day)s的现金余额将为 %(b)s 元，现金不能为负数")
        withdrawal = move > 0 and any(root_of(line.account) == BANK and line.credit > 0 for line in lines)
        if withdrawal and limit is not None:
            balance, highest = ZERO, None
            for when in sorted(days):
                balance += days[when]
                if when >= day.isoformat() and (highest is None or balance > highest[1]):
                    highest = (when, balance)
            if highest is not None and highest[1] > limit:
                raise InvalidInput("提取现金后%(day)s的库存现金为 %(b)s 元，超过库存现金限额 %(limit)s 元",
                                   field="lines", day=highest[0], b=highest[1], limit=limit)

    def cash_on(self, day: date) -> Decimal:
        """Cash on hand at the end of `day` by the book."""
        return sum((v for k, v in self.cash_days.items() if k <= day.isoformat()), ZERO)

    def count_cash(self, ctx: Context, *, counted_on: date, counted: Decimal, ious: Decimal,
                   explanation: str) -> Decimal:
        if counted_on > ctx.occurred_on:
            raise InvalidInput("盘点日期不能晚于今天", field="counted_on")
        book_balance = self.cash_on(counted_on)
        explanation = checked_text(explanation, "explanation", "差异说明", 200, required=False)
        if counted != book_balance and not explanation:
            raise InvalidInput("实存 %(c)s 元与账面 %(b)s 元不符，请说明差异原因", field="explanation",
                               c=counted, b=book_balance)
        self._record(self.CashCounted, ctx, reason=explanation or None, counted_on=counted_on, counted=counted,
                     book_balance=book_balance, ious=ious)
        return counted - book_balance

    def review(self, ctx: Context, key: str, *, by_another: bool = False) -> None:
        """The accountant's review (审核) of a posted voucher; `by_another`: never by the one who prepared it."""
        voucher = self.vouchers.get(key)
        if voucher is None:
            raise InvalidInput("凭证不存在", field="key")
        if voucher["reviewed"]:
            raise InvalidInput("该凭证已审核", field="key")
        if by_another and voucher["preparer"] == ctx.actor:
            raise InvalidInput("制单人不能审核自己编制的凭证，请由另一名会计审核", field="key")
        self._record(self.VoucherReviewed, ctx, key=key)

    def reversal_of(self, key: str, on: date, posted: list[Line]) -> list[Line]:
        """The red-ink lines reversing a voucher (same accounts and sides, negative amounts); `posted` are the
        voucher's lines as recorded in its event."""
        voucher = self.vouchers.get(key)
        if voucher is None:
            raise InvalidInput("凭证不存在", field="key")
        if voucher["kind"] != "manual":
            raise InvalidInput("%(kind)s凭证不能冲销", field="key", kind=KINDS.get(voucher["kind"], voucher["kind"]))
        if voucher["reversed"]:
            raise InvalidInput("该凭证已冲销", field="key")
        if on.isoformat() < voucher["date"]:
            raise InvalidInput("冲销凭证的日期不能早于原凭证日期（%(d)s）", field="on", d=voucher["date"])
        return [Line(line.account, ZERO - line.debit, ZERO - line.credit, line.memo) for line in posted]

    def word_of(self, key: str) -> str:
        return key.split("/")[1]

    # -- closing -------------------------------------------------------------------------------------

    def next_to_close(self) -> str:
        return next_period(max(self.closed)) if self.closed else self.first_period

    def balances_to(self, period: str) -> dict[str, Decimal]:
        """Debit-positive balance of every account at the end of `period` (later months left out)."""
        result: dict[str, Decimal] = {}
        for month, movements in self.period_net.items():
            if month <= period:
                for code, amount in movements.items():
                    result[code] = result.get(code, ZERO) + amount
        return result

    def flows(self, start: date, end: date) -> dict[str, Decimal]:
        """Level-1 income (credit − debit) and expenditure (debit − credit) of the months from `start` to `end`,
        closing vouchers left out: the figures of 决算 and the half-yearly disclosure."""
        result: dict[str, Decimal] = {}
        for month, movements in self.flow_net.items():
            if period_of(start) <= month <= period_of(end):
                for code, amount in movements.items():
                    result[code] = result.get(code, ZERO) + amount
        return {code: amount for code, amount in result.items() if amount}

    def closing_lines(self, period: str) -> list[Line]:
        """期末结转: every income and expense account's balance into 工会资金结余—本年收支结转, and in
        December the year-end sweeps into 累计结余 / 累计结转 (第三部分 321, 322)."""
        balances = self.balances_to(period)
        lines: list[Line] = []
        for code in sorted(balances):
            amount = balances[code]
            if amount and LEVEL_ONE[root_of(code)].category in (INCOME, EXPENSE):
                lines.append(Line(code, -amount, ZERO) if amount < 0 else Line(code, ZERO, amount))
        net = sum((line.credit - line.debit for line in lines), ZERO)  # > 0: expenditure exceeded income
        if net:
            lines.append(Line(SURPLUS_THIS_YEAR, net, ZERO) if net > 0 else Line(SURPLUS_THIS_YEAR, ZERO, -net))
        if period.endswith("-12"):
            for line in lines:
                balances[line.account] = balances.get(line.account, ZERO) + line.net
            lines += self._year_end_sweeps(balances)
        return lines

    def _year_end_sweeps(self, balances: dict[str, Decimal]) -> list[Line]:
        lines: list[Line] = []
        for target, sources in YEAR_END_SWEEPS.items():
            for source in sources:
                amount = balances.get(source, ZERO)  # debit-positive; these accounts normally sit on credit
                if amount and target in self.accounts:
                    lines += [Line(source, ZERO, amount) if amount > 0 else Line(source, -amount, ZERO),
                              Line(target, amount, ZERO) if amount > 0 else Line(target, ZERO, -amount)]
        return lines

    def check_closable(self, period: str, today: date) -> None:
        """结账 in order: the earliest open month, once it has ended, with every voucher reviewed."""
        period = checked_period(period)
        if period != self.next_to_close():
            raise InvalidInput("请按顺序结账：下一个应结账的月份是%(p)s", field="period", p=self.next_to_close())
        if period_end(period) >= today:
            raise InvalidInput("%(p)s尚未结束，不能结账", field="period", p=period)
        waiting = [k for k, v in self.vouchers.items() if v["period"] == period and not v["reviewed"]]
        if waiting:
            raise InvalidInput("%(p)s还有%(n)s张凭证未审核，审核后才能结账", field="period", p=period, n=len(waiting))

    def close(self, ctx: Context, period: str) -> None:
        self._record(self.MonthClosed, ctx, period=period)
