"""Commands of the year's stewardship of a book: the budget and final accounts (FIN-17, AUD-03, AUD-06),
the half-yearly disclosure to members (FIN-18), and the register of supplies and fixed assets kept by the
office (FIN-07, FIN-12, FIN-16). Mixed into UnionOffice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from aggregates.asset import Asset
from aggregates.book import Book
from aggregates.budget import Budget, checked_lines
from aggregates.claim import ExpenseClaim
from aggregates.disclosure import Disclosure, half_year
from aggregates.envelope import Context
from aggregates.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from aggregates.application import UnionOffice


class OversightCommands:
    """Budgets, final accounts, disclosures and the asset register."""

    # -- budget and final accounts ---------------------------------------------------------------

    def draft_budget(self: UnionOffice, ctx: Context, book_id: UUID, year: int,
                     lines: dict[str, Decimal | str]) -> UUID:
        """Q8: the accountant prepares the year's budget (or redrafts it before approval)."""
        self._authorise(ctx, "draft_budget")
        book = self._load(book_id, Book)
        unused = sorted(code for code in checked_lines(lines) if code not in book.accounts)
        if unused:
            raise InvalidInput("本账套没有科目%(c)s", field="lines", c="、".join(unused))
        existing = self._get_or_none(Budget.id_for(book_id, year))
        if isinstance(existing, Budget):
            existing.redraft(ctx, lines)
            self._save(existing)
            return existing.id
        budget = Budget.draft(ctx, book_id=book_id, year=year, lines=lines)
        self._save(budget)
        return budget.id

    def review_budget(self: UnionOffice, ctx: Context, budget_id: UUID, opinion: str) -> None:
        """AUD-03 / AUD-06: the fund review committee's opinion on the budget."""
        self._authorise(ctx, "review_budget")
        budget = self._load(budget_id, Budget)
        budget.review(ctx, opinion)
        self._save(budget)

    def approve_budget(self: UnionOffice, ctx: Context, budget_id: UUID, meeting: str) -> None:
        """GOV-03: the standing committee's decision, recorded by the chair with its meeting."""
        self._authorise(ctx, "approve_budget")
        budget = self._load(budget_id, Budget)
        budget.approve(ctx, meeting)
        self._save(budget)

    def adjust_budget(self: UnionOffice, ctx: Context, budget_id: UUID, lines: dict[str, Decimal | str],
                      meeting: str) -> None:
        """An approved budget changes only by a standing-committee decision."""
        self._authorise(ctx, "adjust_budget")
        budget = self._load(budget_id, Budget)
        budget.adjust(ctx, lines, meeting)
        self._save(budget)

    def prepare_final_accounts(self: UnionOffice, ctx: Context, budget_id: UUID) -> None:
        """FIN-17: 决算 from the book, once December is closed."""
        self._authorise(ctx, "prepare_final_accounts")
        budget = self._load(budget_id, Budget)
        book = self._load(budget.book_id, Book)
        if not any(p >= f"{budget.year}-12" for p in book.closed):
            raise InvalidInput("%(y)s年12月结账后才能编制决算", y=budget.year)
        budget.prepare_final(ctx, book.flows(date(budget.year, 1, 1), date(budget.year, 12, 31)))
        self._save(budget)

    def review_final_accounts(self: UnionOffice, ctx: Context, budget_id: UUID, opinion: str) -> None:
        """AUD-06: the fund review committee's opinion on the final accounts."""
        self._authorise(ctx, "review_final_accounts")
        budget = self._load(budget_id, Budget)
        budget.review_final(ctx, opinion)
        self._save(budget)

    def approve_final_accounts(self: UnionOffice, ctx: Context, budget_id: UUID, meeting: str) -> None:
        """GOV-03: the standing committee approves the final accounts."""
        self._authorise(ctx, "approve_final_accounts")
        budget = self._load(budget_id, Budget)
        budget.approve_final(ctx, meeting)
        self._save(budget)

    # -- disclosure ------------------------------------------------------------------------------

    def publish_disclosure(self: UnionOffice, ctx: Context, book_id: UUID, *, year: int, half: int,
                           where: str) -> UUID:
        """FIN-18: publish the half-year's dues received and funds used, from the book as it stands."""
        self._authorise(ctx, "publish_disclosure")
        book = self._load(book_id, Book)
        if half not in (1, 2) or not 2000 <= year <= ctx.occurred_on.year:
            raise InvalidInput("请选择公布的半年", field="half")
        if Disclosure.id_for(book_id, year, half) in self.repository:
            raise InvalidInput("该半年已经公布过", field="half")
        start, end = half_year(year, half)
        if end >= ctx.occurred_on:
            raise InvalidInput("该半年尚未结束，结束后才能公布", field="half")
        if end.isoformat()[:7] > (book.closed[-1] if book.closed else ""):
            raise InvalidInput("%(p)s结账后才能公布该半年的经费使用情况", field="half", p=end.isoformat()[:7])
        disclosure = Disclosure.publish(ctx, book_id=book_id, year=year, half=half, figures=book.flows(start, end),
                                        where=where)
        self._save(disclosure)
        return disclosure.id

    # -- the register of supplies and fixed assets ----------------------------------------------

    def register_asset(self: UnionOffice, ctx: Context, book_id: UUID, *, kind: str, name: str, quantity: int,
                       unit_value: Decimal | str, acquired_on: date, keeper: str, location: str = "",
                       claim_id: UUID | None = None) -> UUID:
        """FIN-07 / FIN-12: the office registers what was bought, with its keeper and place."""
        self._authorise(ctx, "register_asset")
        self._load(book_id, Book)
        if claim_id is not None:
            self._load(claim_id, ExpenseClaim)
        asset = Asset.register(ctx, asset_id=self.new_id(), book_id=book_id, kind=kind, name=name,
                               quantity=quantity, unit_value=unit_value, acquired_on=acquired_on, keeper=keeper,
                               location=location, claim_id=claim_id)
        self._save(asset)
        return asset.id

    def _asset(self: UnionOffice, asset_id: UUID, book_id: UUID | None) -> Asset:
        asset = self._load(asset_id, Asset)
        if book_id is not None and asset.book_id != book_id:
            raise NotFound()
        return asset

    def issue_supplies(self: UnionOffice, ctx: Context, asset_id: UUID, quantity: int, to: str, *,
                       book_id: UUID | None = None) -> None:
        """Supplies handed out (领用) by the office."""
        self._authorise(ctx, "issue_supplies")
        asset = self._asset(asset_id, book_id)
        asset.issue(ctx, quantity, to)
        self._save(asset)

    def dispose_asset(self: UnionOffice, ctx: Context, asset_id: UUID, on: date, reason: str, *,
                      book_id: UUID | None = None) -> None:
        """An item scrapped, lost or given away, with the reason."""
        self._authorise(ctx, "dispose_asset")
        asset = self._asset(asset_id, book_id)
        asset.dispose(ctx, on, reason)
        self._save(asset)
