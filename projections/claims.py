"""Claims, prior approvals, advances and cash counts as read: who handled, witnessed, approved and paid
each claim (R-41), the advances still out and how overdue they are (R-42), the cash counts (FIN-04)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from aggregates.advance import CashAdvance, month_end
from aggregates.book import Book
from aggregates.claim import ExpenseClaim, PriorApproval
from projections.engine import Projection, Step, insert
from projections.ledger import fen, yuan

projection = Projection(
    name="claims",
    schema_version=3,
    tables=[
        """CREATE TABLE claims (
            claim_id TEXT PRIMARY KEY, book_id TEXT NOT NULL, handler TEXT NOT NULL, handler_role TEXT NOT NULL,
            category TEXT NOT NULL, account TEXT NOT NULL, purpose TEXT NOT NULL, total INTEGER NOT NULL,
            spent_on TEXT NOT NULL, invoices TEXT NOT NULL, files TEXT NOT NULL, prior TEXT, advance_id TEXT,
            state TEXT NOT NULL, submitted_on TEXT NOT NULL, witness TEXT, certified_on TEXT, approver TEXT,
            decided_on TEXT, reason TEXT, cashier TEXT, method TEXT, paid_on TEXT, voucher TEXT, bank_ref TEXT,
            version INTEGER NOT NULL)""",
        "CREATE INDEX claims_by_state ON claims (state, submitted_on)",
        """CREATE TABLE claim_items (
            claim_id TEXT NOT NULL, line_no INTEGER NOT NULL, item TEXT NOT NULL, quantity INTEGER NOT NULL,
            unit_price INTEGER NOT NULL, amount INTEGER NOT NULL, PRIMARY KEY (claim_id, line_no))""",
        """CREATE TABLE prior_approvals (
            approval_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, number TEXT NOT NULL, issued_on TEXT NOT NULL,
            purpose TEXT NOT NULL, heads INTEGER, amount INTEGER, issued_by TEXT NOT NULL, used_by TEXT,
            PRIMARY KEY (kind, number))""",
        """CREATE TABLE advances (
            advance_id TEXT PRIMARY KEY, book_id TEXT NOT NULL, borrower TEXT NOT NULL, form_no TEXT NOT NULL,
            purpose TEXT NOT NULL, details TEXT NOT NULL, amount INTEGER NOT NULL, requested_on TEXT NOT NULL,
            expected_return TEXT NOT NULL, state TEXT NOT NULL, approver TEXT, decided_on TEXT, paid_on TEXT,
            voucher TEXT, returned_on TEXT, version INTEGER NOT NULL, reason TEXT)""",
        """CREATE TABLE repayments (
            advance_id TEXT NOT NULL, position INTEGER NOT NULL, amount INTEGER NOT NULL, repaid_on TEXT NOT NULL,
            claim_id TEXT, voucher TEXT NOT NULL, method TEXT NOT NULL, PRIMARY KEY (advance_id, position))""",
        """CREATE TABLE cash_counts (
            book_id TEXT NOT NULL, position INTEGER NOT NULL, counted_on TEXT NOT NULL, counted INTEGER NOT NULL,
            book_balance INTEGER NOT NULL, ious INTEGER NOT NULL, explanation TEXT, counted_by TEXT NOT NULL,
            PRIMARY KEY (book_id, position))""",
    ],
)


def _update(step: Step, table: str, key: str, value: str, e: object, **row: object) -> None:
    columns = ", ".join(f"{name} = ?" for name in [*row, "version"])
    step.db.execute(f"UPDATE {table} SET {columns} WHERE {key} = ?",  # noqa: S608 - names are constants
                    [*row.values(), e.originator_version, value])  # type: ignore[attr-defined]


@projection.on(ExpenseClaim.Submitted)
def _submitted(step: Step, e: ExpenseClaim.Submitted) -> None:
    claim = str(e.originator_id)
    insert(step.db, "claims", {
        "claim_id": claim, "book_id": str(e.book_id), "handler": e.actor, "handler_role": e.handler_role,
        "category": e.category, "account": e.account, "purpose": e.purpose, "total": fen(e.total),
        "spent_on": e.spent_on.isoformat(), "invoices": " ".join(e.invoices), "files": " ".join(e.files),
        "prior": e.prior, "advance_id": str(e.advance_id) if e.advance_id else None, "state": "submitted",
        "submitted_on": e.occurred_on.isoformat(), "witness": None, "certified_on": None, "approver": None,
        "decided_on": None, "reason": None, "cashier": None, "method": None, "paid_on": None, "voucher": None,
        "bank_ref": None, "version": e.originator_version})
    for n, item in enumerate(e.items, 1):
        insert(step.db, "claim_items", {"claim_id": claim, "line_no": n, "item": item["item"],
                                        "quantity": item["quantity"], "unit_price": fen(Decimal(item["unit_price"])),
                                        "amount": fen(Decimal(item["amount"]))})


@projection.on(ExpenseClaim.Certified)
def _certified(step: Step, e: ExpenseClaim.Certified) -> None:
    _update(step, "claims", "claim_id", str(e.originator_id), e, state="certified", witness=e.actor,
            certified_on=e.occurred_on.isoformat())


@projection.on(ExpenseClaim.Approved, ExpenseClaim.Rejected)
def _decided(step: Step, e: ExpenseClaim.Approved | ExpenseClaim.Rejected) -> None:
    state = "approved" if isinstance(e, ExpenseClaim.Approved) else "rejected"
    _update(step, "claims", "claim_id", str(e.originator_id), e, state=state, approver=e.actor,
            decided_on=e.occurred_on.isoformat(), reason=e.reason)


@projection.on(ExpenseClaim.Paid)
def _paid(step: Step, e: ExpenseClaim.Paid) -> None:
    _update(step, "claims", "claim_id", str(e.originator_id), e, state="paid", cashier=e.actor, method=e.method,
            paid_on=e.paid_on.isoformat(), voucher=e.voucher, bank_ref=e.bank_ref)


@projection.on(PriorApproval.Issued)
def _issued(step: Step, e: PriorApproval.Issued) -> None:
    insert(step.db, "prior_approvals", {"approval_id": str(e.originator_id), "kind": e.kind, "number": e.number,
                                        "issued_on": e.on.isoformat(), "purpose": e.purpose, "heads": e.heads,
                                        "amount": fen(e.amount) if e.amount is not None else None,
                                        "issued_by": e.actor, "used_by": None})


@projection.on(PriorApproval.Used)
def _used(step: Step, e: PriorApproval.Used) -> None:
    step.db.execute("UPDATE prior_approvals SET used_by = ? WHERE approval_id = ?",
                    [str(e.claim_id), str(e.originator_id)])


@projection.on(PriorApproval.Freed)
def _freed(step: Step, e: PriorApproval.Freed) -> None:
    step.db.execute("UPDATE prior_approvals SET used_by = NULL WHERE approval_id = ?", [str(e.originator_id)])


@projection.on(CashAdvance.Requested)
def _requested(step: Step, e: CashAdvance.Requested) -> None:
    insert(step.db, "advances", {
        "advance_id": str(e.originator_id), "book_id": str(e.book_id), "borrower": e.actor, "form_no": e.form_no,
        "purpose": e.purpose, "details": e.details, "amount": fen(e.amount), "requested_on": e.occurred_on.isoformat(),
        "expected_return": e.expected_return.isoformat(), "state": "requested", "approver": None, "decided_on": None,
        "paid_on": None, "voucher": None, "returned_on": None, "version": e.originator_version, "reason": None})


@projection.on(CashAdvance.Approved, CashAdvance.Rejected)
def _advance_decided(step: Step, e: CashAdvance.Approved | CashAdvance.Rejected) -> None:
    state = "approved" if isinstance(e, CashAdvance.Approved) else "rejected"
    _update(step, "advances", "advance_id", str(e.originator_id), e, state=state, approver=e.actor,
            decided_on=e.occurred_on.isoformat(), reason=e.reason)


@projection.on(CashAdvance.Paid)
def _advance_paid(step: Step, e: CashAdvance.Paid) -> None:
    _update(step, "advances", "advance_id", str(e.originator_id), e, state="paid", paid_on=e.paid_on.isoformat(),
            voucher=e.voucher)


@projection.on(CashAdvance.Returned)
def _returned(step: Step, e: CashAdvance.Returned) -> None:
    _update(step, "advances", "advance_id", str(e.originator_id), e, returned_on=e.returned_on.isoformat())


@projection.on(CashAdvance.Repaid)
def _repaid(step: Step, e: CashAdvance.Repaid) -> None:
    advance = str(e.originator_id)
    insert(step.db, "repayments", {"advance_id": advance, "position": step.position, "amount": fen(e.amount),
                                   "repaid_on": e.on.isoformat(), "claim_id": str(e.claim_id) if e.claim_id else None,
                                   "voucher": e.voucher, "method": e.method})
    outstanding = step.db.execute(
        "SELECT a.amount - COALESCE((SELECT SUM(amount) FROM repayments r WHERE r.advance_id = a.advance_id), 0)"
        " FROM advances a WHERE advance_id = ?", [advance]).fetchone()[0]
    _update(step, "advances", "advance_id", advance, e, state="settled" if outstanding == 0 else "paid")


@projection.on(Book.CashCounted)
def _counted(step: Step, e: Book.CashCounted) -> None:
    insert(step.db, "cash_counts", {"book_id": str(e.originator_id), "position": step.position,
                                    "counted_on": e.counted_on.isoformat(), "counted": fen(e.counted),
                                    "book_balance": fen(e.book_balance), "ious": fen(e.ious),
                                    "explanation": e.reason, "counted_by": e.actor})


# -- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRow:
    claim_id: str
    book_id: str
    handler: str
    handler_role: str
    category: str
    account: str
    purpose: str
    total: Decimal
    spent_on: date
    invoices: tuple[str, ...]
    files: tuple[str, ...]
    prior: str | None
    advance_id: str | None
    state: str
    submitted_on: date
    witness: str | None
    certified_on: str | None
    approver: str | None
    decided_on: str | None
    reason: str | None
    cashier: str | None
    method: str | None
    paid_on: str | None
    voucher: str | None
    bank_ref: str | None
    version: int


def _claim(r: sqlite3.Row) -> ClaimRow:
    values = dict(r)
    values.update(total=yuan(r["total"]), spent_on=date.fromisoformat(r["spent_on"]),
                  invoices=tuple(r["invoices"].split()), files=tuple(r["files"].split()),
                  submitted_on=date.fromisoformat(r["submitted_on"]))
    return ClaimRow(**values)


@dataclass(frozen=True)
class Reader:
    """A user who does not read the books: they read the claims and advances they took part in (as handler,
    witness, approver, cashier or borrower) and, when they may witness claims, those waiting for a witness
    (any staff user but the handler may witness, Q7, and must see what they sign). Book readers read
    everything: the read functions take None for them."""

    user: str
    may_witness: bool = False


def _claims_readable(reader: Reader | None) -> tuple[str, list[str]]:
    if reader is None:
        return "", []
    clause = " AND (? IN (handler, witness, approver, cashier)"
    args = [reader.user]
    if reader.may_witness:
        clause += " OR (state = 'submitted' AND handler <> ?)"
        args.append(reader.user)
    return clause + ")", args


def claims(conn: sqlite3.Connection, *, state: str | None = None, book_id: str | None = None,
           handler: str | None = None, limit: int = 200, reader: Reader | None = None) -> list[ClaimRow]:
    """Claims the reader may read, newest first, filtered by state, book or handler."""
    sql, args = "SELECT * FROM claims WHERE 1 = 1", []
    for column, value in (("state", state), ("book_id", book_id), ("handler", handler)):
        if value:
            sql += f" AND {column} = ?"
            args.append(value)
    readable, more = _claims_readable(reader)
    rows = conn.execute(sql + readable + " ORDER BY submitted_on DESC, rowid DESC LIMIT ?", [*args, *more, limit])
    return [_claim(r) for r in rows]


def claim(conn: sqlite3.Connection, claim_id: str,
          reader: Reader | None = None) -> tuple[ClaimRow, list[sqlite3.Row]] | None:
    """One claim and its items, if the reader may read it."""
    readable, more = _claims_readable(reader)
    row = conn.execute("SELECT * FROM claims WHERE claim_id = ?" + readable,  # noqa: S608 - clauses are constants
                       [claim_id, *more]).fetchone()
    if row is None:
        return None
    items = conn.execute("SELECT item, quantity, unit_price, amount FROM claim_items WHERE claim_id = ?"
                         " ORDER BY line_no", [claim_id]).fetchall()
    return _claim(row), items


def names_file(conn: sqlite3.Connection, digest: str, reader: Reader | None = None) -> bool:
    """Whether a claim the reader may read carries the scan `digest` (vouchers carry only their claims' scans)."""
    readable, more = _claims_readable(reader)
    found = conn.execute("SELECT 1 FROM claims WHERE instr(' ' || files || ' ', ?) > 0" + readable  # noqa: S608
                         + " LIMIT 1", [f" {digest} ", *more]).fetchone()
    return found is not None


def prior_approvals(conn: sqlite3.Connection, reader: Reader | None = None) -> list[sqlite3.Row]:
    """Purchase approvals and meal notices: for a reader who is not a book reader, those they issued or
    that a claim of theirs used."""
    sql, args = "SELECT * FROM prior_approvals", []
    if reader is not None:
        sql += " WHERE issued_by = ? OR used_by IN (SELECT claim_id FROM claims WHERE handler = ?)"
        args = [reader.user, reader.user]
    return conn.execute(sql + " ORDER BY issued_on DESC, number", args).fetchall()


@dataclass(frozen=True)
class AdvanceRow:
    advance_id: str
    book_id: str
    borrower: str
    form_no: str
    purpose: str
    details: str
    amount: Decimal
    outstanding: Decimal  # on the day asked for
    requested_on: date
    expected_return: date
    state: str
    approver: str | None
    paid_on: date | None
    returned_on: date | None
    voucher: str | None
    reason: str | None = None  # why it was refused


def advances(conn: sqlite3.Connection, day: date, *, book_id: str | None = None,
             advance_id: str | None = None, reader: Reader | None = None) -> list[AdvanceRow]:
    """Every advance requested by `day` that the reader may read (theirs, or one they decided), with what was
    still owed on that day."""
    sql = ("SELECT a.*, a.amount - COALESCE((SELECT SUM(r.amount) FROM repayments r WHERE r.advance_id ="
           " a.advance_id AND r.repaid_on <= :day), 0) AS owed FROM advances a WHERE a.requested_on <= :day")
    if book_id:
        sql += " AND a.book_id = :book"
    if advance_id:
        sql += " AND a.advance_id = :advance"
    if reader is not None:
        sql += " AND :me IN (a.borrower, a.approver)"
    rows = conn.execute(sql + " ORDER BY a.requested_on DESC, a.form_no",
                        {"day": day.isoformat(), "book": book_id, "advance": advance_id,
                         "me": reader.user if reader else None})
    result = []
    for r in rows:
        paid = r["paid_on"] and r["paid_on"] <= day.isoformat()
        returned = r["returned_on"] if r["returned_on"] and r["returned_on"] <= day.isoformat() else None
        result.append(AdvanceRow(
            r["advance_id"], r["book_id"], r["borrower"], r["form_no"], r["purpose"], r["details"], yuan(r["amount"]),
            yuan(r["owed"]) if paid else Decimal("0.00"), date.fromisoformat(r["requested_on"]),
            date.fromisoformat(r["expected_return"]), r["state"], r["approver"],
            date.fromisoformat(r["paid_on"]) if paid else None, date.fromisoformat(returned) if returned else None,
            r["voucher"], r["reason"]))
    return result


def repayments(conn: sqlite3.Connection, advance_id: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM repayments WHERE advance_id = ? ORDER BY position", [advance_id]).fetchall()


def cash_counts(conn: sqlite3.Connection, book_id: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM cash_counts WHERE book_id = ? ORDER BY counted_on DESC, position DESC",
                        [book_id]).fetchall()


@dataclass(frozen=True)
class Ageing:
    """R-42: an advance still out on a day, when it fell due, how overdue, the interest accrued (FIN-10) and
    whether it is marked for salary deduction (FIN-11)."""

    advance: AdvanceRow
    due_on: date | None  # the end of the month of return (FIN-09); None while the borrower is away
    days_overdue: int
    interest: Decimal | None  # None when no rate was in force on some overdue day
    deduct_from_salary: bool


def ageing(conn: sqlite3.Connection, day: date, rate_on: Callable[[date], Decimal | None],
           deduct_after: int | None, *, book_id: str | None = None, reader: Reader | None = None) -> list[Ageing]:
    """Every advance with money still owed on `day`; interest accrues each overdue day on what was owed
    that day, at the rate in force that day, over 365."""
    result = []
    for advance in advances(conn, day, book_id=book_id, reader=reader):
        if not advance.outstanding:
            continue
        back = advance.returned_on or (advance.expected_return if advance.paid_on else None)
        due = month_end(back) if back else None  # not back yet: due as if back on the day expected
        overdue = (day - due).days if due and day > due else 0
        paid_back = [(date.fromisoformat(r["repaid_on"]), yuan(r["amount"]))
                     for r in repayments(conn, advance.advance_id)]
        interest: Decimal | None = Decimal("0")
        for n in range(1, overdue + 1):
            when = due + timedelta(days=n)  # type: ignore[operator]
            rate = rate_on(when)
            if rate is None:
                interest = None
                break
            owed = advance.amount - sum((amount for on, amount in paid_back if on <= when), Decimal("0"))
            interest += owed * Decimal(rate) / 365
        result.append(Ageing(advance, due, overdue,
                             interest.quantize(Decimal("0.01"), ROUND_HALF_UP) if interest is not None else None,
                             deduct_after is not None and overdue > deduct_after))
    return result
