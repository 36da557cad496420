"""The books as read: the chart, vouchers and their lines, closed months, and the ledgers built from
them (trial balance, general ledger, sub-ledgers, cash and bank journals), for any book as of any date.

Amounts are stored as whole fen (integers), so SQLite sums them exactly; they leave this module as
Decimal yuan. A balance is debit-positive here; `on_side` turns it to the account's normal side.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aggregates.bank_statement import BankStatement
from aggregates.book import KINDS, WORDS, Book, Line
from aggregates.chart import CATEGORIES, CREDIT, LEVEL_ONE, STANDARD_SUB_ACCOUNTS, level_of, parent_of, root_of
from projections.engine import Projection, Step, insert

projection = Projection(
    name="ledger",
    schema_version=4,
    tables=[
        """CREATE TABLE books (
            book_id TEXT PRIMARY KEY, name TEXT NOT NULL, union_id TEXT, edition TEXT NOT NULL,
            first_period TEXT NOT NULL, opened_on TEXT NOT NULL, version INTEGER NOT NULL)""",
        """CREATE TABLE accounts (
            book_id TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, added_on TEXT,
            PRIMARY KEY (book_id, code))""",
        """CREATE TABLE vouchers (
            book_id TEXT NOT NULL, key TEXT NOT NULL, period TEXT NOT NULL, word TEXT NOT NULL,
            number INTEGER NOT NULL, voucher_date TEXT NOT NULL, summary TEXT NOT NULL, attachments INTEGER NOT NULL,
            files TEXT NOT NULL, kind TEXT NOT NULL, source TEXT, reverses TEXT, reversed_by TEXT, corrects TEXT,
            reason TEXT, preparer TEXT NOT NULL, prepared_on TEXT NOT NULL, reviewer TEXT, reviewed_on TEXT,
            stream_id TEXT NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL,
            PRIMARY KEY (book_id, key))""",
        "CREATE INDEX vouchers_by_period ON vouchers (book_id, period, word, number)",
        """CREATE TABLE lines (
            book_id TEXT NOT NULL, key TEXT NOT NULL, line_no INTEGER NOT NULL, account TEXT NOT NULL,
            debit INTEGER NOT NULL, credit INTEGER NOT NULL, memo TEXT NOT NULL, voucher_date TEXT NOT NULL,
            closing INTEGER NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (book_id, key, line_no))""",
        "CREATE INDEX lines_by_account ON lines (book_id, account, voucher_date)",
        """CREATE TABLE bank_statements (
            book_id TEXT NOT NULL, period TEXT NOT NULL, closing_balance INTEGER NOT NULL, recorded_on TEXT NOT NULL,
            recorded_by TEXT NOT NULL, file_sha256 TEXT, stream_id TEXT NOT NULL UNIQUE,
            PRIMARY KEY (book_id, period))""",
        """CREATE TABLE bank_lines (
            book_id TEXT NOT NULL, period TEXT NOT NULL, line_no INTEGER NOT NULL, day TEXT NOT NULL,
            description TEXT NOT NULL, amount INTEGER NOT NULL, ref TEXT NOT NULL,
            PRIMARY KEY (book_id, period, line_no))""",
        """CREATE TABLE closed_months (
            book_id TEXT NOT NULL, period TEXT NOT NULL, closed_on TEXT NOT NULL, closed_by TEXT NOT NULL,
            position INTEGER NOT NULL, PRIMARY KEY (book_id, period))""",
    ],
)

FEN = Decimal("0.01")


def fen(amount: Decimal) -> int:
    return int((amount / FEN).to_integral_exact())


def yuan(fen_: int) -> Decimal:
    return (Decimal(fen_) * FEN).quantize(FEN)


@projection.on(Book.Opened)
def _opened(step: Step, e: Book.Opened) -> None:
    book = str(e.originator_id)
    insert(step.db, "books", {"book_id": book, "name": e.name, "union_id": str(e.union_id) if e.union_id else None,
                              "edition": e.edition, "first_period": e.first_period,
                              "opened_on": e.occurred_on.isoformat(), "version": e.originator_version})
    for code in e.accounts:
        insert(step.db, "accounts", {"book_id": book, "code": code, "name": LEVEL_ONE[code].name, "added_on": None})
    subs = e.sub_accounts if e.sub_accounts is not None else {
        code: name for code, name in STANDARD_SUB_ACCOUNTS.items() if root_of(code) in e.accounts}
    for code, name in subs.items():
        insert(step.db, "accounts", {"book_id": book, "code": code, "name": name, "added_on": None})


def _key_at(step: Step, book: str, version: int) -> str | None:
    row = step.db.execute("SELECT key FROM vouchers WHERE book_id = ? AND version = ?", [book, version]).fetchone()
    return row[0] if row else None


def _touch(step: Step, e: Book.Event) -> None:
    step.db.execute("UPDATE books SET version = ? WHERE book_id = ?", [e.originator_version, str(e.originator_id)])


@projection.on(Book.SubAccountAdded)
def _sub_account(step: Step, e: Book.SubAccountAdded) -> None:
    insert(step.db, "accounts", {"book_id": str(e.originator_id), "code": e.code, "name": e.name,
                                 "added_on": e.occurred_on.isoformat()})
    _touch(step, e)


@projection.on(Book.VoucherPosted)
def _posted(step: Step, e: Book.VoucherPosted) -> None:
    book, key = str(e.originator_id), f"{e.period}/{e.word}/{e.number}"
    insert(step.db, "vouchers", {
        "book_id": book, "key": key, "period": e.period, "word": e.word, "number": e.number,
        "voucher_date": e.voucher_date.isoformat(), "summary": e.summary, "attachments": e.attachments,
        "files": " ".join(e.files), "kind": e.kind, "source": e.source, "reverses": e.reverses, "reversed_by": None,
        "corrects": _key_at(step, book, e.corrects.version) if e.corrects else None,
        "reason": e.reason, "preparer": e.actor, "prepared_on": e.occurred_on.isoformat(), "reviewer": None,
        "reviewed_on": None, "stream_id": book, "version": e.originator_version, "position": step.position})
    for n, data in enumerate(e.lines, 1):
        line = Line.of(data)
        insert(step.db, "lines", {
            "book_id": book, "key": key, "line_no": n, "account": line.account, "debit": fen(line.debit),
            "credit": fen(line.credit), "memo": line.memo, "voucher_date": e.voucher_date.isoformat(),
            "closing": int(e.kind == "closing"), "position": step.position})
    if e.reverses:
        step.db.execute("UPDATE vouchers SET reversed_by = ? WHERE book_id = ? AND key = ?", [key, book, e.reverses])
    _touch(step, e)


@projection.on(Book.VoucherReviewed)
def _reviewed(step: Step, e: Book.VoucherReviewed) -> None:
    step.db.execute("UPDATE vouchers SET reviewer = ?, reviewed_on = ? WHERE book_id = ? AND key = ?",
                    [e.actor, e.occurred_on.isoformat(), str(e.originator_id), e.key])
    _touch(step, e)


@projection.on(Book.MonthClosed)
def _closed(step: Step, e: Book.MonthClosed) -> None:
    insert(step.db, "closed_months", {"book_id": str(e.originator_id), "period": e.period,
                                      "closed_on": e.occurred_on.isoformat(), "closed_by": e.actor,
                                      "position": step.position})
    _touch(step, e)


@projection.on(BankStatement.Recorded, BankStatement.Replaced)
def _statement(step: Step, e: BankStatement.Recorded | BankStatement.Replaced) -> None:
    if isinstance(e, BankStatement.Recorded):
        book, period = str(e.book_id), e.period
    else:
        book, period = step.db.execute("SELECT book_id, period FROM bank_statements WHERE stream_id = ?",
                                       [str(e.originator_id)]).fetchone()
    step.db.execute("DELETE FROM bank_statements WHERE book_id = ? AND period = ?", [book, period])
    step.db.execute("DELETE FROM bank_lines WHERE book_id = ? AND period = ?", [book, period])
    insert(step.db, "bank_statements", {"book_id": book, "period": period, "closing_balance": fen(e.closing_balance),
                                        "recorded_on": e.occurred_on.isoformat(), "recorded_by": e.actor,
                                        "file_sha256": e.file_sha256, "stream_id": str(e.originator_id)})
    for n, line in enumerate(e.lines, 1):
        insert(step.db, "bank_lines", {"book_id": book, "period": period, "line_no": n, "day": line["day"].isoformat(),
                                       "description": line["description"], "amount": fen(Decimal(line["amount"])),
                                       "ref": line["ref"]})


# -- books and the chart ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BookRow:
    book_id: str
    name: str
    union_id: str | None
    edition: str
    first_period: str
    version: int


def books(conn: sqlite3.Connection) -> list[BookRow]:
    """Every book, the street union's own first."""
    rows = conn.execute("SELECT * FROM books ORDER BY union_id IS NOT NULL, name")
    return [BookRow(r["book_id"], r["name"], r["union_id"], r["edition"], r["first_period"], r["version"])
            for r in rows]


def book(conn: sqlite3.Connection, book_id: str) -> BookRow | None:
    return next((b for b in books(conn) if b.book_id == book_id), None)


@dataclass(frozen=True)
class AccountRow:
    code: str
    name: str
    full_name: str
    leaf: bool
    standard: bool  # the standard's own account: fixed

    @property
    def level(self) -> int:
        return level_of(self.code)

    @property
    def category(self) -> str:
        return CATEGORIES[LEVEL_ONE[root_of(self.code)].category]

    @property
    def side(self) -> str:
        return LEVEL_ONE[root_of(self.code)].side


def chart(conn: sqlite3.Connection, book_id: str) -> list[AccountRow]:
    """The book's accounts in code order, with full names (维权支出—困难职工帮扶支出)."""
    names = dict(conn.execute("SELECT code, name FROM accounts WHERE book_id = ? ORDER BY code", [book_id]))
    parents = {parent_of(code) for code in names}
    result = []
    for code, name in sorted(names.items()):
        chain, up = [name], parent_of(code)
        while up:
            chain.append(names.get(up, up))
            up = parent_of(up)
        result.append(AccountRow(code, name, "—".join(reversed(chain)), code not in parents,
                                 code in LEVEL_ONE or code in STANDARD_SUB_ACCOUNTS))
    return result


def closed_months(conn: sqlite3.Connection, book_id: str) -> list[str]:
    return [p for (p,) in conn.execute("SELECT period FROM closed_months WHERE book_id = ? ORDER BY period",
                                       [book_id])]


# -- vouchers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoucherLine:
    line_no: int
    account: str
    debit: Decimal
    credit: Decimal
    memo: str


@dataclass(frozen=True)
class Voucher:
    key: str
    period: str
    word: str
    number: int
    voucher_date: date
    summary: str
    attachments: int
    files: tuple[str, ...]
    kind: str
    source: str | None
    reverses: str | None
    reversed_by: str | None
    corrects: str | None
    reason: str | None
    preparer: str
    reviewer: str | None
    stream_id: str
    version: int
    position: int
    total: Decimal
    lines: tuple[VoucherLine, ...] = ()

    @property
    def label(self) -> str:
        """收字第3号 (2026年03月)."""
        return f"{WORDS[self.word]}字第{self.number}号"

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def red(self) -> bool:
        return self.kind == "reversal"


def _voucher(r: sqlite3.Row, lines: tuple[VoucherLine, ...] = ()) -> Voucher:
    return Voucher(r["key"], r["period"], r["word"], r["number"], date.fromisoformat(r["voucher_date"]), r["summary"],
                   r["attachments"], tuple(r["files"].split()), r["kind"], r["source"], r["reverses"],
                   r["reversed_by"], r["corrects"], r["reason"], r["preparer"], r["reviewer"], r["stream_id"],
                   r["version"], r["position"], yuan(r["total"]), lines)


_VOUCHERS = """SELECT v.*, (SELECT SUM(debit) FROM lines l WHERE l.book_id = v.book_id AND l.key = v.key) AS total
                 FROM vouchers v WHERE v.book_id = :book"""


def vouchers(conn: sqlite3.Connection, book_id: str, period: str | None = None, *,
             waiting: bool = False) -> list[Voucher]:
    """A book's vouchers (of a month; only those waiting for review), in word and number order."""
    sql = _VOUCHERS + (" AND v.period = :period" if period else "")
    if waiting:
        sql += " AND v.reviewer IS NULL AND v.kind != 'closing'"
    rows = conn.execute(sql + " ORDER BY v.period, CASE v.word WHEN 'receipt' THEN 0 WHEN 'payment' THEN 1 ELSE 2 END,"
                        " v.number", {"book": book_id, "period": period})
    return [_voucher(r) for r in rows]


def voucher(conn: sqlite3.Connection, book_id: str, key: str) -> Voucher | None:
    row = conn.execute(_VOUCHERS + " AND v.key = :key", {"book": book_id, "key": key}).fetchone()
    if row is None:
        return None
    lines = tuple(VoucherLine(r["line_no"], r["account"], yuan(r["debit"]), yuan(r["credit"]), r["memo"])
                  for r in conn.execute("SELECT * FROM lines WHERE book_id = ? AND key = ? ORDER BY line_no",
                                        [book_id, key]))
    return _voucher(row, lines)


# -- balances and the trial balance ------------------------------------------------------------------


def on_side(code: str, debit_positive: Decimal) -> Decimal:
    """A debit-positive amount shown on the account's normal side."""
    return -debit_positive if LEVEL_ONE[root_of(code)].side == CREDIT else debit_positive


def movements(conn: sqlite3.Connection, book_id: str, start: date | None, end: date, *,
              closing: bool = True) -> dict[str, tuple[int, int]]:
    """account → (debit fen, credit fen) of the lines dated in [start, end] (closing vouchers optional)."""
    sql = "SELECT account, SUM(debit), SUM(credit) FROM lines WHERE book_id = :book AND voucher_date <= :end"
    if start is not None:
        sql += " AND voucher_date >= :start"
    if not closing:
        sql += " AND closing = 0"
    rows = conn.execute(sql + " GROUP BY account", {"book": book_id, "start": start and start.isoformat(),
                                                    "end": end.isoformat()})
    return {r[0]: (r[1], r[2]) for r in rows}


def balance(conn: sqlite3.Connection, book_id: str, code: str, day: date) -> Decimal:
    """Debit-positive balance of an account with all its sub-accounts at the end of `day`."""
    found = conn.execute("SELECT COALESCE(SUM(debit - credit), 0) FROM lines WHERE book_id = ? AND account LIKE ?"
                         " AND voucher_date <= ?", [book_id, f"{code}%", day.isoformat()]).fetchone()[0]
    return yuan(found)


@dataclass(frozen=True)
class TrialRow:
    """One account of the trial balance (科目余额表): opening, the period's debits and credits, closing."""

    code: str
    name: str
    level: int
    opening: Decimal  # debit-positive
    debit: Decimal
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


def trial_balance(conn: sqlite3.Connection, book_id: str, start: date, end: date) -> list[TrialRow]:
    """Every account with a balance or movement, parents summing their sub-accounts."""
    before = movements(conn, book_id, None, date.fromordinal(start.toordinal() - 1))
    during = movements(conn, book_id, start, end)
    totals: dict[str, list[int]] = {}
    for code in set(before) | set(during):
        opening = before.get(code, (0, 0))
        debit, credit = during.get(code, (0, 0))
        up: str | None = code
        while up:
            row = totals.setdefault(up, [0, 0, 0])
            row[0] += opening[0] - opening[1]
            row[1] += debit
            row[2] += credit
            up = parent_of(up)
    names = {a.code: a.name for a in chart(conn, book_id)}
    return [TrialRow(code, names.get(code, code), level_of(code), yuan(o), yuan(d), yuan(c))
            for code, (o, d, c) in sorted(totals.items()) if o or d or c]


# -- ledgers and journals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of a ledger with the running balance after it (debit-positive)."""

    voucher_date: date
    key: str
    label: str
    summary: str
    memo: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    contra: str  # the other accounts of the voucher (对方科目)
    position: int


def ledger(conn: sqlite3.Connection, book_id: str, code: str, start: date, end: date) -> tuple[Decimal, list[Entry]]:
    """明细账 of an account (with its sub-accounts): the opening balance and every line in [start, end]."""
    prefix = {"book": book_id, "code": code, "like": f"{code}%", "start": start.isoformat(), "end": end.isoformat()}
    opening = conn.execute(
        "SELECT COALESCE(SUM(debit - credit), 0) FROM lines WHERE book_id = :book AND account LIKE :like"
        " AND voucher_date < :start", prefix).fetchone()[0]
    rows = conn.execute(
        "SELECT l.*, v.summary, v.word, v.number, (SELECT GROUP_CONCAT(DISTINCT o.account) FROM lines o"
        " WHERE o.book_id = l.book_id AND o.key = l.key AND o.account NOT LIKE :like) AS contra"
        " FROM lines l JOIN vouchers v USING (book_id, key) WHERE l.book_id = :book AND l.account LIKE :like"
        " AND l.voucher_date BETWEEN :start AND :end ORDER BY l.voucher_date, l.position, l.line_no", prefix)
    names = {a.code: a.name for a in chart(conn, book_id)}
    balance, entries = opening, []
    for r in rows:
        balance += r["debit"] - r["credit"]
        contra = "、".join(names.get(c, c) for c in sorted(set((r["contra"] or "").split(","))) if c)
        entries.append(Entry(date.fromisoformat(r["voucher_date"]), r["key"], f"{WORDS[r['word']]}-{r['number']}",
                             r["summary"], r["memo"], yuan(r["debit"]), yuan(r["credit"]), yuan(balance), contra,
                             r["position"]))
    return yuan(opening), entries


@dataclass(frozen=True)
class MonthTotals:
    """总账: one month of a level-1 account."""

    period: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # debit-positive, at the month's end


def general_ledger(conn: sqlite3.Connection, book_id: str, code: str, year: int,
                   end: date) -> tuple[Decimal, list[MonthTotals]]:
    """The year's opening balance of an account and its totals month by month up to `end`."""
    args = {"book": book_id, "like": f"{code}%", "start": f"{year}-01-01", "end": end.isoformat()}
    opening = conn.execute("SELECT COALESCE(SUM(debit - credit), 0) FROM lines WHERE book_id = :book"
                           " AND account LIKE :like AND voucher_date < :start", args).fetchone()[0]
    balance, months = opening, []
    for period, debit, credit in conn.execute(
            "SELECT substr(voucher_date, 1, 7), SUM(debit), SUM(credit) FROM lines WHERE book_id = :book"
            " AND account LIKE :like AND voucher_date BETWEEN :start AND :end GROUP BY 1 ORDER BY 1", args):
        balance += debit - credit
        months.append(MonthTotals(period, yuan(debit), yuan(credit), yuan(balance)))
    return yuan(opening), months


# -- bank reconciliation (银行存款余额调节表) ------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One line on one side that the other side does not (yet) show."""

    day: date
    description: str
    amount: Decimal  # + money in, − money out
    ref: str  # a voucher key on the book's side, the bank's reference on the statement's


@dataclass(frozen=True)
class Reconciliation:
    period: str
    statement_balance: Decimal | None  # None: no statement entered for the month
    book_balance: Decimal
    book_only: tuple[Item, ...]  # 企业已收（付）、银行未收（付）
    bank_only: tuple[Item, ...]  # 银行已收（付）、企业未收（付）
    matched: int
    statement_lines: tuple[Item, ...]

    @property
    def adjusted_bank(self) -> Decimal | None:
        """The statement's balance plus what the book has and the bank has not."""
        if self.statement_balance is None:
            return None
        return self.statement_balance + sum((i.amount for i in self.book_only), Decimal("0.00"))

    @property
    def adjusted_book(self) -> Decimal:
        """The book's balance plus what the bank has and the book has not."""
        return self.book_balance + sum((i.amount for i in self.bank_only), Decimal("0.00"))

    @property
    def agrees(self) -> bool:
        return self.adjusted_bank == self.adjusted_book


def reconciliation(conn: sqlite3.Connection, book_id: str, period: str) -> Reconciliation:
    """Match the bank journal against the statements, from the first month a statement was entered up to
    `period` (an item outstanding last month clears this month): equal amounts, the nearest date first.
    What is left on either side is listed, and both balances are adjusted by it."""
    month = date.fromisoformat(f"{period}-01")
    end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    first = conn.execute("SELECT MIN(period) FROM bank_statements WHERE book_id = ?", [book_id]).fetchone()[0]
    start = date.fromisoformat(f"{min(first or period, period)}-01")
    book_lines = [Item(date.fromisoformat(r["voucher_date"]), r["summary"], yuan(r["debit"] - r["credit"]), r["key"])
                  for r in conn.execute(
                      "SELECT l.*, v.summary FROM lines l JOIN vouchers v USING (book_id, key) WHERE l.book_id = ?"
                      " AND l.account LIKE '102%' AND l.voucher_date >= ? AND l.voucher_date < ? AND l.closing = 0"
                      " ORDER BY l.voucher_date, l.position", [book_id, start.isoformat(), end.isoformat()])]
    statement = conn.execute("SELECT * FROM bank_statements WHERE book_id = ? AND period = ?",
                             [book_id, period]).fetchone()
    bank_lines = [Item(date.fromisoformat(r["day"]), r["description"], yuan(r["amount"]), r["ref"])
                  for r in conn.execute("SELECT * FROM bank_lines WHERE book_id = ? AND period BETWEEN ? AND ?"
                                        " ORDER BY period, line_no", [book_id, start.isoformat()[:7], period])]
    unmatched_bank = list(bank_lines)
    book_only = []
    for item in book_lines:
        candidates = [b for b in unmatched_bank if b.amount == item.amount]
        if candidates:
            unmatched_bank.remove(min(candidates, key=lambda b: abs((b.day - item.day).days)))
        else:
            book_only.append(item)
    balance = conn.execute("SELECT COALESCE(SUM(debit - credit), 0) FROM lines WHERE book_id = ?"
                           " AND account LIKE '102%' AND voucher_date < ?", [book_id, end.isoformat()]).fetchone()[0]
    return Reconciliation(period, yuan(statement["closing_balance"]) if statement else None, yuan(balance),
                          tuple(book_only), tuple(unmatched_bank), len(book_lines) - len(book_only),
                          tuple(b for b in bank_lines if b.day >= month))
