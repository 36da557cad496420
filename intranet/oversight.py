"""预算、公开与资产: a book's budget against its figures and its final accounts (FIN-17, AUD-03, AUD-06),
the half-yearly disclosure to members (FIN-18), and the office's register of supplies and fixed assets
checked against the books (FIN-07, FIN-12, FIN-16)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from uuid import UUID

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from aggregates.asset import KINDS as ASSET_KINDS
from aggregates.budget import STATES
from aggregates.chart import EXPENSE, INCOME, LEVEL_ONE
from aggregates.disclosure import half_year
from aggregates.errors import InvalidInput
from aggregates.settings import value_on
from intranet.books import book_context
from intranet.web import act, as_of, backend, command_context, field_errors, form, page, parse_day, views, whole
from projections import ledger, oversight, statements, users

bp = Blueprint("oversight", __name__)


def _year() -> int:
    """The year asked for: on a page, this year when absent or not a year; in a form, a year or a refusal."""
    year = whole(request.values.get("year"))
    today = backend().office.today()
    if year and 2000 <= year <= today.year + 1:
        return year
    if request.method == "POST":
        raise InvalidInput("年度无效", field="year")
    return today.year


def _typed() -> dict[str, str]:
    """What a refused form had typed, to show it again (nothing on a plain page view)."""
    return {name: form(name) for name in request.form} if request.method == "POST" else {}


def _budget_lines(book_id: UUID) -> dict[str, str]:
    """The amounts typed for each level-1 income and expenditure account of the book."""
    codes = [a.code for a in ledger.chart(views(), str(book_id)) if a.level == 1
             and LEVEL_ONE[a.code].category in (INCOME, EXPENSE)]
    return {code: form(f"line_{code}") for code in codes}


# -- budget ------------------------------------------------------------------------------------------


@bp.get("/books/<uuid:book_id>/budget")
def budget(book_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    """R-46: the year's budget against the books, its review and approval, and the final accounts."""
    try:
        year = _year()
    except InvalidInput:
        year = backend().office.today().year
    conn = views()
    today = backend().office.today()
    until = min(today, date(year, 12, 31))
    row = oversight.budget(conn, str(book_id), year)
    accounts = [a for a in ledger.chart(conn, str(book_id)) if a.level == 1
                and LEVEL_ONE[a.code].category in (INCOME, EXPENSE)]
    return page("oversight/budget.html", "budget", **book_context(
        book_id, year=year, row=row, lines=oversight.execution(conn, str(book_id), year, until), until=until,
        planned=json.loads(row["lines"]) if row else {}, actual=json.loads(row["actual"]) if row and row["actual"]
        else {}, accounts=accounts, states=STATES, errors=errors or {}, notice=notice,
        income=INCOME, category_of=lambda code: LEVEL_ONE[code].category, typed=_typed() if errors else {}))


def _on_budget(book_id: UUID, action: Callable[[], object], notice: str) -> str | Response:
    try:
        year = _year()
    except InvalidInput as error:
        return budget(book_id, errors=field_errors(error))
    return act(action, lambda **shown: budget(book_id, **shown),
               done=url_for("oversight.budget", book_id=book_id, year=year), notice=notice)


def _budget_id(book_id: UUID) -> UUID:
    row = oversight.budget(views(), str(book_id), _year())
    if row is None:
        raise InvalidInput("该年度尚未编制预算")
    return UUID(row["budget_id"])


@bp.post("/books/<uuid:book_id>/budget")
def draft_budget(book_id: UUID) -> str | Response:
    """The accountant drafts (or redrafts) the budget."""
    return _on_budget(book_id, lambda: backend().office.draft_budget(
        command_context("draft_budget"), book_id, _year(), _budget_lines(book_id)), _("已保存预算草案"))


@bp.post("/books/<uuid:book_id>/budget/review")
def review_budget(book_id: UUID) -> str | Response:
    """The fund review committee's opinion on the budget or, once prepared, on the final accounts."""
    def run() -> None:
        office, budget_id = backend().office, _budget_id(book_id)
        if form("stage") == "final":
            office.review_final_accounts(command_context("review_final_accounts"), budget_id, form("opinion"))
        else:
            office.review_budget(command_context("review_budget"), budget_id, form("opinion"))
    return _on_budget(book_id, run, _("已登记审查意见"))


@bp.post("/books/<uuid:book_id>/budget/approve")
def approve_budget(book_id: UUID) -> str | Response:
    """The standing committee's approval (of the budget, an adjustment or the final accounts)."""
    def run() -> None:
        office, budget_id = backend().office, _budget_id(book_id)
        stage = form("stage")
        if stage == "final":
            office.approve_final_accounts(command_context("approve_final_accounts"), budget_id, form("meeting"))
        elif stage == "adjust":
            office.adjust_budget(command_context("adjust_budget"), budget_id, _budget_lines(book_id), form("meeting"))
        else:
            office.approve_budget(command_context("approve_budget"), budget_id, form("meeting"))
    return _on_budget(book_id, run, _("已登记常委会决定"))


@bp.post("/books/<uuid:book_id>/budget/final")
def prepare_final(book_id: UUID) -> str | Response:
    """The accountant prepares the final accounts from the closed books."""
    return _on_budget(book_id, lambda: backend().office.prepare_final_accounts(
        command_context("prepare_final_accounts"), _budget_id(book_id)), _("已编制决算"))


# -- disclosure --------------------------------------------------------------------------------------


def _halves(first: date, today: date) -> list[tuple[int, int]]:
    """The half-years that have ended since the book began, newest first."""
    halves = []
    for year in range(first.year, today.year + 1):
        for half in (1, 2):
            _start, end = half_year(year, half)
            if end < today and end >= first:
                halves.append((year, half))
    return halves[::-1]


@bp.get("/books/<uuid:book_id>/disclosure")
def disclosure(book_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    """FIN-18: each ended half-year's dues and uses of funds, and whether it was published."""
    conn = views()
    today = backend().office.today()
    book = ledger.book(conn, str(book_id))
    if book is None:
        abort(404)
    published = {(r["year"], r["half"]): r for r in oversight.disclosures(conn, str(book_id))}
    halves = [(year, half, statements.flows(conn, str(book_id), *half_year(year, half)), published.get((year, half)))
              for year, half in _halves(date.fromisoformat(f"{book.first_period}-01"), today)]
    months = value_on(backend().office.settings(), "fund_disclosure_months", today)
    return page("oversight/disclosure.html", "disclosure", **book_context(
        book_id, halves=halves, names=users.names(conn), errors=errors or {}, notice=notice, level_one=LEVEL_ONE,
        income=INCOME, months=months, json=json, today=today,
        may_publish=current_user.has_role("accountant")))


@bp.post("/books/<uuid:book_id>/disclosure")
def publish(book_id: UUID) -> str | Response:
    def run() -> None:
        year, half = whole(form("year")), whole(form("half"))
        if year is None or half is None:
            raise InvalidInput("请选择公布的半年", field="half")
        backend().office.publish_disclosure(command_context("publish_disclosure"), book_id, year=year, half=half,
                                            where=form("where"))
    return act(run, lambda **shown: disclosure(book_id, **shown),
               done=url_for("oversight.disclosure", book_id=book_id), notice=_("已登记公布"))


# -- the asset register ------------------------------------------------------------------------------


@bp.get("/books/<uuid:book_id>/assets")
def assets(book_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    """The register on a date, and FIN-16: the fixed assets on it against the book's 固定资产."""
    on, today, problem = as_of()
    conn = views()
    book_value = ledger.balance(conn, str(book_id), "162", on)
    return page("oversight/assets.html", "assets", **book_context(
        book_id, rows=oversight.assets(conn, str(book_id), on), on=on, today=today, problem=problem,
        register_value=oversight.fixed_asset_total(conn, str(book_id), on), book_value=book_value,
        kinds=ASSET_KINDS, errors=errors or {}, notice=notice, may_keep=current_user.has_role("office"),
        typed=_typed() if errors else {}))


def _on_assets(book_id: UUID, action: Callable[[], object], notice: str) -> str | Response:
    return act(action, lambda **shown: assets(book_id, **shown), done=url_for("oversight.assets", book_id=book_id),
               notice=notice)


def _whole(name: str, label: str) -> int:
    number = whole(form(name))
    if number is None:
        raise InvalidInput("%(label)s须为整数", field=name, label=label)
    return number


@bp.post("/books/<uuid:book_id>/assets")
def register_asset(book_id: UUID) -> str | Response:
    """The office registers goods bought (FIN-07, FIN-12)."""
    def run() -> None:
        acquired = parse_day(form("acquired_on"), "acquired_on")
        if acquired is None:
            raise InvalidInput("请填写购置日期", field="acquired_on")
        backend().office.register_asset(
            command_context("register_asset"), book_id, kind=form("kind"), name=form("name"),
            quantity=_whole("quantity", _("数量")), unit_value=form("unit_value") or "0", acquired_on=acquired,
            keeper=form("keeper"), location=form("location"))
    return _on_assets(book_id, run, _("已登记"))


@bp.post("/books/<uuid:book_id>/assets/<uuid:asset_id>/issue")
def issue_supplies(book_id: UUID, asset_id: UUID) -> str | Response:
    return _on_assets(book_id, lambda: backend().office.issue_supplies(
        command_context("issue_supplies"), asset_id, _whole("quantity", _("领用数量")), form("to"), book_id=book_id),
        _("已登记领用"))


@bp.post("/books/<uuid:book_id>/assets/<uuid:asset_id>/dispose")
def dispose_asset(book_id: UUID, asset_id: UUID) -> str | Response:
    def run() -> None:
        on = parse_day(form("on"), "on")
        if on is None:
            raise InvalidInput("请填写处置日期", field="on")
        backend().office.dispose_asset(command_context("dispose_asset"), asset_id, on, form("reason"),
                                       book_id=book_id)
    return _on_assets(book_id, run, _("已登记处置"))

