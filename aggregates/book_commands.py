"""The accountant's commands on the books: open a book, add sub-accounts, post, review and reverse
vouchers, close months (FIN, 工会会计制度). Mixed into UnionOffice; every command is authorised."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from aggregates.bank_statement import BankStatement
from aggregates.book import ZERO, Book, Line, checked_period, period_end
from aggregates.chart import BANK, CASH, GRASSROOTS, STREET_UNION, root_of
from aggregates.enterprise import checked_money, checked_text
from aggregates.envelope import Context
from aggregates.errors import InvalidInput
from aggregates.settings import require, value_on
from aggregates.union import Union

if TYPE_CHECKING:
    from aggregates.application import UnionOffice

# A voucher line as typed: account code and amounts as text ("" for none).
TypedLine = Mapping[str, str]


def parsed_lines(rows: list[TypedLine]) -> list[Line]:
    """The typed rows of a voucher as lines; blank rows are skipped, bad amounts refused with the row."""
    lines = []
    for n, row in enumerate(rows, 1):
        account = (row.get("account") or "").strip()
        debit, credit = (row.get("debit") or "").strip(), (row.get("credit") or "").strip()
        if not (account or debit or credit):
            continue
        if not account:
            raise InvalidInput("第%(n)s行：请选择科目", field="lines", n=n)
        try:
            amounts = [checked_money(text, "lines") if text else ZERO for text in (debit, credit)]
        except InvalidInput as error:
            raise InvalidInput("第%(n)s行：%(why)s", field="lines", n=n, why=error.text()) from None
        memo = checked_text(row.get("memo") or "", "lines", "分录摘要", 60, required=False)
        lines.append(Line(account, amounts[0], amounts[1], memo))
    return lines


def is_withdrawal(lines: list[Line]) -> bool:
    """Cash drawn from the bank (借 库存现金, 贷 银行存款)."""
    return (any(root_of(line.account) == CASH and line.debit > 0 for line in lines)
            and any(root_of(line.account) == BANK and line.credit > 0 for line in lines))


class BookCommands:
    """Commands on the books (账套)."""

    def book(self: UnionOffice, book_id: UUID) -> Book:
        return self._load(book_id, Book)

    def open_book(self: UnionOffice, ctx: Context, *, name: str, union_id: UUID | None, first_period: str,
                  accounts: list[str] | None = None) -> UUID:
        """Open the street union's own book (union_id None) or a managed union's (代管)."""
        self._authorise(ctx, "open_book")
        if union_id is not None:
            self._load(union_id, Union)
        if Book.id_for(union_id) in self.repository:
            raise InvalidInput("该单位的账套已经建立", field="union_id")
        default = GRASSROOTS if union_id else STREET_UNION
        book = Book.open(ctx, name=name, union_id=union_id, accounts=accounts or sorted(default),
                         first_period=first_period)
        self._save(book)
        return book.id

    def add_sub_account(self: UnionOffice, ctx: Context, book_id: UUID, parent: str, code: str, name: str) -> str:
        """Add an office sub-account under `parent`; returns its full code."""
        self._authorise(ctx, "add_sub_account")
        book = self.book(book_id)
        book.add_sub_account(ctx, parent, code, name)
        self._save(book)
        return parent + code.strip()

    def post_voucher(self: UnionOffice, ctx: Context, book_id: UUID, *, voucher_date: date, summary: str,
                     lines: list[TypedLine], attachments: int, form_key: str | None = None,
                     corrects: str | None = None) -> str:
        """Post a voucher the accountant typed (a correction names the voucher it corrects, which may be in a
        closed month); returns its key. A resubmitted form posts nothing."""
        self._authorise(ctx, "post_voucher")
        self._refuse_repeated_form(form_key)
        book = self.book(book_id)
        parsed = parsed_lines(lines)
        book.check_lines(parsed)  # the chart first: an unknown account is named before a missing setting
        key = book.post(ctx, voucher_date=voucher_date, summary=summary, lines=parsed, attachments=attachments,
                        cash_limit=self._cash_limit(parsed, voucher_date), corrects=corrects or None)
        self._save(book, *self._form_claim(ctx, form_key, book_id))
        return key

    def _cash_limit(self: UnionOffice, lines: list[Line], day: date) -> Decimal | None:
        """FIN-02: the cash ceiling in force, needed when cash is drawn from the bank."""
        if not is_withdrawal(lines):
            return None
        return Decimal(str(require(self.settings(), "cash_on_hand_limit", day)))

    def review_voucher(self: UnionOffice, ctx: Context, book_id: UUID, key: str) -> None:
        """The accountant's review (审核) of a voucher."""
        self._authorise(ctx, "review_voucher")
        book = self.book(book_id)
        book.review(ctx, key, by_another=value_on(self.settings(), "voucher_review", ctx.occurred_on) == "another")
        self._save(book)

    def reverse_voucher(self: UnionOffice, ctx: Context, book_id: UUID, key: str, *, on: date, reason: str) -> str:
        """Reverse a voucher by a red-ink voucher dated `on` (an open month) naming it; returns the new key."""
        self._authorise(ctx, "reverse_voucher")
        book = self.book(book_id)
        found = book.vouchers.get(key)
        posted = self._posted_lines(book_id, found["version"]) if found else []
        lines = book.reversal_of(key, on, posted)
        reason = checked_text(reason, "reason", "冲销理由", 200)
        new_key = book.post(ctx, voucher_date=on, summary=f"冲销{key}号凭证", lines=lines, attachments=0,
                            kind="reversal", reverses=key, reason=reason, word=book.word_of(key))
        self._save(book)
        return new_key

    def record_bank_statement(self: UnionOffice, ctx: Context, book_id: UUID, *, period: str,
                              closing_balance: Decimal | str, lines: list[dict[str, Any]],
                              file_sha256: str | None = None) -> None:
        """Enter (or import) a month's bank statement to reconcile against; a later entry replaces it."""
        self._authorise(ctx, "record_bank_statement")
        self._load(book_id, Book)
        existing = self._get_or_none(BankStatement.id_for(book_id, checked_period(period)))
        if isinstance(existing, BankStatement):
            existing.replace(ctx, period=period, closing_balance=closing_balance, lines=lines, file_sha256=file_sha256)
            self._save(existing)
        else:
            self._save(BankStatement.record(ctx, book_id=book_id, period=period, closing_balance=closing_balance,
                                            lines=lines, file_sha256=file_sha256))

    def _posted_lines(self: UnionOffice, book_id: UUID, version: int) -> list[Line]:
        """A voucher's lines, read from the event that posted it."""
        event = next(iter(self.events.get(book_id, gt=version - 1, lte=version)))
        return [Line.of(data) for data in event.lines]

    def close_month(self: UnionOffice, ctx: Context, book_id: UUID, period: str) -> str | None:
        """结账: close income and expenditure into 工会资金结余 (and at year end sweep into 累计结余) by a
        closing voucher dated the month's last day, then close the month. Returns the closing voucher's key."""
        self._authorise(ctx, "close_month")
        book = self.book(book_id)
        book.check_closable(period, ctx.occurred_on)
        lines = book.closing_lines(period)
        key = None
        if lines:
            summary = "年末结转" if period.endswith("-12") else "期末结转"
            key = book.post(ctx, voucher_date=period_end(period), summary=summary,
                            lines=lines, attachments=0, kind="closing")
        book.close(ctx, period)
        self._save(book)
        return key

