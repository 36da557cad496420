"""A book's year: its budget (预算) and its final accounts (决算), FIN-17. Q8: the accountant prepares,
the fund review committee reviews and gives its opinion (AUD-03, AUD-06), the standing committee approves
(the approval cites its meeting, GOV-03). An approved budget changes only by an adjustment that cites a
meeting again. The final accounts take the year's figures from the closed books."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from aggregates.chart import EXPENSE, INCOME, LEVEL_ONE
from aggregates.enterprise import checked_money, checked_text
from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput

STATES = {"drafted": "待经审会审查", "reviewed": "待常委会批准", "approved": "已批准"}


def checked_lines(lines: dict[str, Decimal | str]) -> dict[str, Decimal]:
    """Budget lines: level-1 income and expenditure accounts with their amounts (blank or 0 left out)."""
    result = {}
    for code, amount in lines.items():
        if code not in LEVEL_ONE or LEVEL_ONE[code].category not in (INCOME, EXPENSE):
            raise InvalidInput("预算科目“%(c)s”须为一级收入或支出科目", field="lines", c=code)
        text = str(amount).strip()
        if not text:
            continue
        money = checked_money(text, "lines")
        if money:
            result[code] = money
    if not result:
        raise InvalidInput("请填写预算金额", field="lines")
    return result


class Budget(OfficeAggregate):
    """One book's budget and final accounts for one year."""

    @staticmethod
    def id_for(book_id: UUID, year: int) -> UUID:
        return derived_id("budget", f"{book_id}:{year}")

    class Drafted(OfficeAggregate.Created):
        book_id: UUID
        year: int
        lines: dict[str, Decimal]

        def apply(self, aggregate: Budget) -> None:
            aggregate.book_id = self.book_id
            aggregate.year = self.year
            aggregate.lines = self.lines
            aggregate.state = "drafted"
            aggregate.final_state = None

    class Redrafted(OfficeAggregate.Event):
        lines: dict[str, Decimal]

        def apply(self, aggregate: Budget) -> None:
            aggregate.lines = self.lines
            aggregate.state = "drafted"

    class Reviewed(OfficeAggregate.Event):
        """The fund review committee's opinion (审查意见) on the budget."""

        opinion: str

        def apply(self, aggregate: Budget) -> None:
            aggregate.state = "reviewed"

    class Approved(OfficeAggregate.Event):
        meeting: str  # the standing committee's meeting (minutes) that decided it

        def apply(self, aggregate: Budget) -> None:
            aggregate.state = "approved"

    class Adjusted(OfficeAggregate.Event):
        lines: dict[str, Decimal]
        meeting: str

        def apply(self, aggregate: Budget) -> None:
            aggregate.lines = self.lines

    class FinalAccountsPrepared(OfficeAggregate.Event):
        """决算: the year's income and expenditure by account, from the closed books."""

        actual: dict[str, Decimal]

        def apply(self, aggregate: Budget) -> None:
            aggregate.final_state = "drafted"

    class FinalAccountsReviewed(OfficeAggregate.Event):
        opinion: str

        def apply(self, aggregate: Budget) -> None:
            aggregate.final_state = "reviewed"

    class FinalAccountsApproved(OfficeAggregate.Event):
        meeting: str

        def apply(self, aggregate: Budget) -> None:
            aggregate.final_state = "approved"

    @classmethod
    def draft(cls, ctx: Context, *, book_id: UUID, year: int, lines: dict[str, Decimal | str]) -> Budget:
        if not 2000 <= year <= ctx.occurred_on.year + 1:
            raise InvalidInput("预算年度无效", field="year")
        return cls._found(cls.Drafted, ctx, id=cls.id_for(book_id, year), book_id=book_id, year=year,
                          lines=checked_lines(lines))

    def redraft(self, ctx: Context, lines: dict[str, Decimal | str]) -> None:
        if self.state == "approved":
            raise InvalidInput("预算已批准，只能经常委会决定调整")
        self._record(self.Redrafted, ctx, lines=checked_lines(lines))

    def review(self, ctx: Context, opinion: str) -> None:
        if self.state != "drafted":
            raise InvalidInput("预算当前为“%(s)s”，不能审查", s=STATES[self.state])
        self._record(self.Reviewed, ctx, opinion=checked_text(opinion, "opinion", "审查意见", 500))

    def approve(self, ctx: Context, meeting: str) -> None:
        if self.state != "reviewed":
            raise InvalidInput("预算须先经经审会审查，才能提请常委会批准")
        self._record(self.Approved, ctx, meeting=checked_text(meeting, "meeting", "常委会会议", 60))

    def adjust(self, ctx: Context, lines: dict[str, Decimal | str], meeting: str) -> None:
        if self.state != "approved":
            raise InvalidInput("预算尚未批准，请直接修改草案")
        if self.final_state is not None:
            raise InvalidInput("已编制决算，预算不能再调整")
        self._record(self.Adjusted, ctx, lines=checked_lines(lines),
                     meeting=checked_text(meeting, "meeting", "常委会会议", 60))

    def prepare_final(self, ctx: Context, actual: dict[str, Decimal]) -> None:
        if self.state != "approved":
            raise InvalidInput("预算尚未批准，不能编制决算")
        if self.final_state == "approved":
            raise InvalidInput("决算已批准")
        self._record(self.FinalAccountsPrepared, ctx, actual=actual)

    def review_final(self, ctx: Context, opinion: str) -> None:
        if self.final_state != "drafted":
            raise InvalidInput("决算尚未编制或已审查")
        self._record(self.FinalAccountsReviewed, ctx, opinion=checked_text(opinion, "opinion", "审查意见", 500))

    def approve_final(self, ctx: Context, meeting: str) -> None:
        if self.final_state != "reviewed":
            raise InvalidInput("决算须先经经审会审查")
        self._record(self.FinalAccountsApproved, ctx, meeting=checked_text(meeting, "meeting", "常委会会议", 60))

