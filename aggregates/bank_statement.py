"""A month's bank statement of a book (银行对账单), entered or imported from the bank's CSV, to reconcile
the bank journal against (银行存款余额调节表). A later entry of the same month replaces the earlier."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from aggregates.book import checked_period, period_of
from aggregates.enterprise import checked_money, checked_text
from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput

MAX_LINES = 2000
# Column names banks use in their CSV exports.
_DATE = ("交易日期", "日期", "记账日期", "date")
_TEXT = ("摘要", "用途", "交易摘要", "备注", "description")
_IN = ("收入", "贷方发生额", "收入金额", "贷方金额", "credit")
_OUT = ("支出", "借方发生额", "支出金额", "借方金额", "debit")
_AMOUNT = ("金额", "交易金额", "amount")
_REF = ("流水号", "交易流水号", "凭证号", "reference")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("无法识别文件编码（应为UTF-8或GBK）", field="file")


def _amount(text: str, row: int) -> Decimal:
    """A statement line's signed amount (+ in, − out), read like every amount of money."""
    text = (text or "").strip().replace(",", "").replace("¥", "")
    if not text:
        return Decimal("0.00")
    try:
        return checked_money(text, "file", signed=True)
    except InvalidInput:
        raise InvalidInput("第%(n)s行的金额“%(t)s”无效", field="file", n=row, t=text[:20]) from None


def read_statement_csv(data: bytes) -> list[dict[str, Any]]:
    """The lines of a bank's CSV export: date, description, amount (+ in, − out), reference."""
    try:
        rows = list(csv.reader(io.StringIO(_decode(data))))
    except csv.Error:
        raise InvalidInput("文件不是有效的CSV", field="file") from None
    if not rows:
        raise InvalidInput("文件是空的", field="file")
    header = [cell.strip().lower() for cell in rows[0]]

    def column(names: tuple[str, ...]) -> int | None:
        return next((header.index(n) for n in names if n in header), None)

    at_date, at_text, at_ref = column(_DATE), column(_TEXT), column(_REF)
    at_in, at_out, at_amount = column(_IN), column(_OUT), column(_AMOUNT)
    if at_date is None or (at_amount is None and (at_in is None or at_out is None)):
        raise InvalidInput("文件首行须有“交易日期”以及“金额”或“收入、支出”列", field="file")
    lines = []
    for n, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(at: int | None, row: list[str] = row) -> str:
            return row[at].strip() if at is not None and at < len(row) else ""
        try:
            day = date.fromisoformat(cell(at_date).replace("/", "-")[:10])
        except ValueError:
            raise InvalidInput("第%(n)s行的日期“%(t)s”无效", field="file", n=n, t=cell(at_date)[:20]) from None
        amount = (_amount(cell(at_amount), n) if at_amount is not None
                  else _amount(cell(at_in), n) - _amount(cell(at_out), n))
        lines.append({"day": day, "description": cell(at_text)[:60], "amount": amount, "ref": cell(at_ref)[:40]})
    if len(lines) > MAX_LINES:
        raise InvalidInput("对账单最多%(n)s行", field="file", n=MAX_LINES)
    return lines


class BankStatement(OfficeAggregate):
    """One month of one book's bank statement."""

    @staticmethod
    def id_for(book_id: UUID, period: str) -> UUID:
        return derived_id("bank_statement", f"{book_id}:{period}")

    class Recorded(OfficeAggregate.Created):
        book_id: UUID
        period: str
        closing_balance: Decimal
        lines: list[dict[str, Any]]
        file_sha256: str | None

    class Replaced(OfficeAggregate.Event):
        closing_balance: Decimal
        lines: list[dict[str, Any]]
        file_sha256: str | None

    @staticmethod
    def checked(period: str, closing_balance: Decimal | str, lines: list[dict[str, Any]],
                ctx: Context) -> tuple[str, Decimal, list[dict[str, Any]]]:
        period = checked_period(period)
        if period > period_of(ctx.occurred_on):
            raise InvalidInput("对账期间不能晚于本月", field="period")
        balance = checked_money(closing_balance, "closing_balance", signed=True)
        checked = []
        for n, typed in enumerate(lines, 1):
            if not isinstance(typed.get("day"), date):
                raise InvalidInput("第%(n)s行的日期无效", field="lines", n=n)
            line = {**typed, "amount": _amount(str(typed.get("amount", "")), n)}
            if period_of(line["day"]) != period:
                raise InvalidInput("第%(n)s行的日期不在%(p)s", field="lines", n=n, p=period)
            if not line["amount"]:
                raise InvalidInput("第%(n)s行的金额为0", field="lines", n=n)
            checked.append({"day": line["day"], "amount": line["amount"], "ref": str(line.get("ref", ""))[:40],
                            "description": checked_text(str(line.get("description", "")), "lines", "摘要", 60,
                                                        required=False)})
        return period, balance, checked

    @classmethod
    def record(cls, ctx: Context, *, book_id: UUID, period: str, closing_balance: Decimal | str,
               lines: list[dict[str, Any]], file_sha256: str | None) -> BankStatement:
        period, balance, checked = cls.checked(period, closing_balance, lines, ctx)
        return cls._found(cls.Recorded, ctx, id=cls.id_for(book_id, period), book_id=book_id, period=period,
                          closing_balance=balance, lines=checked, file_sha256=file_sha256)

    def replace(self, ctx: Context, *, period: str, closing_balance: Decimal | str, lines: list[dict[str, Any]],
                file_sha256: str | None) -> None:
        _period, balance, checked = self.checked(period, closing_balance, lines, ctx)
        self._record(self.Replaced, ctx, closing_balance=balance, lines=checked, file_sha256=file_sha256)
