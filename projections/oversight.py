"""Budgets and final accounts, disclosures and the asset register as read (FIN-07, FIN-16…FIN-18, AUD-06),
with the budget set against what the books show (R-46)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aggregates.asset import Asset
from aggregates.budget import Budget
from aggregates.chart import LEVEL_ONE
from aggregates.disclosure import Disclosure
from projections.engine import Projection, Step, insert
from projections.ledger import fen, yuan
from projections.statements import flows

projection = Projection(
    name="oversight",
    schema_version=1,
    tables=[
        """CREATE TABLE budgets (
            budget_id TEXT PRIMARY KEY, book_id TEXT NOT NULL, year INTEGER NOT NULL, state TEXT NOT NULL,
            lines TEXT NOT NULL, drafted_on TEXT NOT NULL, opinion TEXT, reviewed_on TEXT, meeting TEXT,
            approved_on TEXT, adjustments INTEGER NOT NULL, final_state TEXT, actual TEXT, final_opinion TEXT,
            final_meeting TEXT, UNIQUE (book_id, year))""",
        """CREATE TABLE disclosures (
            book_id TEXT NOT NULL, year INTEGER NOT NULL, half INTEGER NOT NULL, figures TEXT NOT NULL,
            posted_at TEXT NOT NULL, published_on TEXT NOT NULL, published_by TEXT NOT NULL,
            PRIMARY KEY (book_id, year, half))""",
        """CREATE TABLE assets (
            asset_id TEXT PRIMARY KEY, book_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
            quantity INTEGER NOT NULL, remaining INTEGER NOT NULL, unit_value INTEGER NOT NULL,
            acquired_on TEXT NOT NULL, keeper TEXT NOT NULL, location TEXT NOT NULL, claim_id TEXT,
            disposed_on TEXT, reason TEXT)""",
    ],
)


def _amounts(lines: dict[str, Decimal]) -> str:
    return json.dumps({code: str(Decimal(str(amount))) for code, amount in lines.items()}, sort_keys=True)


def _set(step: Step, budget_id: str, **row: object) -> None:
    columns = ", ".join(f"{name} = ?" for name in row)
    step.db.execute(f"UPDATE budgets SET {columns} WHERE budget_id = ?", [*row.values(), budget_id])  # noqa: S608


@projection.on(Budget.Drafted)
def _drafted(step: Step, e: Budget.Drafted) -> None:
    insert(step.db, "budgets", {
        "budget_id": str(e.originator_id), "book_id": str(e.book_id), "year": e.year, "state": "drafted",
        "lines": _amounts(e.lines), "drafted_on": e.occurred_on.isoformat(), "opinion": None, "reviewed_on": None,
        "meeting": None, "approved_on": None, "adjustments": 0, "final_state": None, "actual": None,
        "final_opinion": None, "final_meeting": None})


@projection.on(Budget.Redrafted)
def _redrafted(step: Step, e: Budget.Redrafted) -> None:
    _set(step, str(e.originator_id), state="drafted", lines=_amounts(e.lines), drafted_on=e.occurred_on.isoformat())


@projection.on(Budget.Reviewed)
def _reviewed(step: Step, e: Budget.Reviewed) -> None:
    _set(step, str(e.originator_id), state="reviewed", opinion=e.opinion, reviewed_on=e.occurred_on.isoformat())


@projection.on(Budget.Approved)
def _approved(step: Step, e: Budget.Approved) -> None:
    _set(step, str(e.originator_id), state="approved", meeting=e.meeting, approved_on=e.occurred_on.isoformat())


@projection.on(Budget.Adjusted)
def _adjusted(step: Step, e: Budget.Adjusted) -> None:
    step.db.execute("UPDATE budgets SET lines = ?, meeting = ?, adjustments = adjustments + 1 WHERE budget_id = ?",
                    [_amounts(e.lines), e.meeting, str(e.originator_id)])


@projection.on(Budget.FinalAccountsPrepared)
def _final(step: Step, e: Budget.FinalAccountsPrepared) -> None:
    _set(step, str(e.originator_id), final_state="drafted", actual=_amounts(e.actual))


@projection.on(Budget.FinalAccountsReviewed)
def _final_reviewed(step: Step, e: Budget.FinalAccountsReviewed) -> None:
    _set(step, str(e.originator_id), final_state="reviewed", final_opinion=e.opinion)


@projection.on(Budget.FinalAccountsApproved)
def _final_approved(step: Step, e: Budget.FinalAccountsApproved) -> None:
    _set(step, str(e.originator_id), final_state="approved", final_meeting=e.meeting)


@projection.on(Disclosure.Published)
def _published(step: Step, e: Disclosure.Published) -> None:
    insert(step.db, "disclosures", {"book_id": str(e.book_id), "year": e.year, "half": e.half,
                                    "figures": _amounts(e.figures), "posted_at": e.where,
                                    "published_on": e.occurred_on.isoformat(), "published_by": e.actor})


@projection.on(Asset.Registered)
def _registered(step: Step, e: Asset.Registered) -> None:
    insert(step.db, "assets", {
        "asset_id": str(e.originator_id), "book_id": str(e.book_id), "kind": e.kind, "name": e.name,
        "quantity": e.quantity, "remaining": e.quantity, "unit_value": fen(e.unit_value),
        "acquired_on": e.acquired_on.isoformat(), "keeper": e.keeper, "location": e.location,
        "claim_id": str(e.claim_id) if e.claim_id else None, "disposed_on": None, "reason": None})


@projection.on(Asset.Issued)
def _issued(step: Step, e: Asset.Issued) -> None:
    step.db.execute("UPDATE assets SET remaining = remaining - ? WHERE asset_id = ?",
                    [e.quantity, str(e.originator_id)])


@projection.on(Asset.Disposed)
def _disposed(step: Step, e: Asset.Disposed) -> None:
    step.db.execute("UPDATE assets SET disposed_on = ?, reason = ? WHERE asset_id = ?",
                    [e.on.isoformat(), e.reason, str(e.originator_id)])


# -- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetLine:
    """R-46: one account's budget against what the books show up to a date."""

    code: str
    name: str
    budget: Decimal
    actual: Decimal

    @property
    def rate(self) -> float | None:
        return float(self.actual / self.budget) if self.budget else None


def budget(conn: sqlite3.Connection, book_id: str, year: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM budgets WHERE book_id = ? AND year = ?", [book_id, year]).fetchone()


def execution(conn: sqlite3.Connection, book_id: str, year: int, until: date) -> list[BudgetLine]:
    """Every account with a budget or a figure this year: budget, actual to `until`."""
    row = budget(conn, book_id, year)
    planned = {code: Decimal(amount) for code, amount in json.loads(row["lines"]).items()} if row else {}
    actual = flows(conn, book_id, date(year, 1, 1), until)
    codes = sorted(set(planned) | set(actual))
    return [BudgetLine(code, LEVEL_ONE[code].name, planned.get(code, Decimal("0.00")),
                       actual.get(code, Decimal("0.00"))) for code in codes]


def disclosures(conn: sqlite3.Connection, book_id: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM disclosures WHERE book_id = ? ORDER BY year DESC, half DESC",
                        [book_id]).fetchall()


def assets(conn: sqlite3.Connection, book_id: str, day: date) -> list[sqlite3.Row]:
    """The register as it stood on `day`: what was acquired by then and not yet disposed of."""
    return conn.execute("SELECT * FROM assets WHERE book_id = :b AND acquired_on <= :d AND (disposed_on IS NULL OR"
                        " disposed_on > :d) ORDER BY kind, acquired_on, name",
                        {"b": book_id, "d": day.isoformat()}).fetchall()


def fixed_asset_total(conn: sqlite3.Connection, book_id: str, day: date) -> Decimal:
    """FIN-16: the value of the fixed assets on the register on `day`."""
    return yuan(sum(r["quantity"] * r["unit_value"] for r in assets(conn, book_id, day) if r["kind"] == "fixed"))
