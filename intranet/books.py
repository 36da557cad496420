"""账务: the books of the street union and of the unions whose books it keeps: the chart, vouchers,
ledgers, journals, statements and month-end closing, for any book as of any date."""

from __future__ import annotations

import hashlib
from datetime import date
from uuid import UUID

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from aggregates.bank_statement import read_statement_csv
from aggregates.book import KINDS, WORDS, ZERO, checked_period, next_period, period_end, period_of
from aggregates.chart import CASH, CATEGORIES, LEVEL_ONE, SIDES
from aggregates.errors import DomainError, InvalidInput
from aggregates.roles import BOOKKEEPERS
from aggregates.settings import value_on
from intranet import exports
from intranet.web import (
    act,
    as_of,
    backend,
    command_context,
    field_errors,
    form,
    go,
    new_form_key,
    page,
    parse_day,
    this_page,
    views,
    whole,
)
from projections import claims, ledger, organisations, statements, users

bp = Blueprint("books", __name__)
ROWS = 6  # voucher rows shown at first; "more rows" adds four


def _book(book_id: UUID) -> ledger.BookRow:
    found = ledger.book(views(), str(book_id))
    if found is None:
        abort(404)
    return found


# Pages about one record of a book: switching books leads to the other book's first page.
_RECORD_PAGES = frozenset({"books.voucher", "books.new_voucher", "books.review", "books.reverse", "books.post_voucher",
                           "books.add_account", "books.close", "books.count_cash",
                           "books.record_bank"})


def _switch(book_id: UUID) -> list[tuple[ledger.BookRow, str | None]]:
    """Every book with the link to the same page of it (None for this book)."""
    result = []
    for other in ledger.books(views()):
        if other.book_id == str(book_id):
            result.append((other, None))
        elif request.endpoint in _RECORD_PAGES or request.method != "GET":
            result.append((other, url_for("books.detail", book_id=other.book_id)))
        else:
            result.append((other, this_page(book_id=other.book_id)))
    return result


def book_context(book_id: UUID, **more: object) -> dict[str, object]:
    """What every book page shows: the book, the switcher, who may keep it."""
    return {"book": _book(book_id), "switch": _switch(book_id), "keeper": current_user.has_role(*BOOKKEEPERS),
            "words": WORDS, "kinds": KINDS, **more}


EARLIEST = date(2000, 1, 1)  # no book of the office starts before this


def _on() -> tuple[date, date, str | None]:
    """as_of(), with dates before any book refused."""
    on, today, problem = as_of()
    if on < EARLIEST:
        return today, today, _("日期超出范围")
    return on, today, problem


def _span() -> tuple[date, date, date, str | None]:
    """(start, end, today, problem) from ?start= and ?end= (default: this month up to the chosen day)."""
    end, today, problem = _on()
    try:
        end = parse_day(request.args.get("end"), "end") or end
        start = parse_day(request.args.get("start"), "start") or end.replace(day=1)
    except InvalidInput as error:
        return today.replace(day=1), today, today, _(error.template)
    if min(start, end) < EARLIEST:
        return today.replace(day=1), today, today, _("日期超出范围")
    if start > end:
        return end.replace(day=1), end, today, _("起始日期不能晚于截止日期")
    return start, end, today, problem


# -- the books -----------------------------------------------------------------------------------


@bp.get("/books")
def index(errors: dict[str, str] | None = None) -> str:
    """Every book, and the form to open one."""
    books = ledger.books(views())
    kept = {b.union_id for b in books}
    return page("books/index.html", "books", books=books, errors=errors or {},
                keeper=current_user.has_role(*BOOKKEEPERS), own_open=None in kept,
                unions=[u for u in organisations.open_unions(views()) if u[0] not in kept],
                this_month=period_of(backend().office.today()))


@bp.post("/books")
def create() -> str | Response:
    """Open a book: the street union's own, or a managed union's."""
    try:
        union_id = UUID(form("union_id")) if form("union_id") else None
    except ValueError:
        return index({"union_id": _("请从列表中选择工会")})
    try:
        book_id = backend().office.open_book(command_context("open_book"), name=form("name"), union_id=union_id,
                                             first_period=form("first_period"))
    except DomainError as error:
        return index(field_errors(error))
    backend().read_models.catch_up()
    return go(url_for("books.detail", book_id=book_id))


@bp.get("/books/<uuid:book_id>")
def detail(book_id: UUID) -> str:
    """A book's month: its vouchers, those waiting for review, and the closing state."""
    on, _today, problem = _on()
    period, bad = _period(request.args.get("period"), on)
    return _month(book_id, period, bad or problem)


def _period(text: str | None, default: date) -> tuple[str, str | None]:
    """The accounting period asked for (YYYY-MM), or `default`'s with the reason when it is not one."""
    if not text:
        return period_of(default), None
    try:
        period = checked_period(text)
    except InvalidInput as error:
        return period_of(default), _(error.template)
    if period < period_of(EARLIEST):
        return period_of(default), _("日期超出范围")
    return period, None


def _month(book_id: UUID, period: str, problem: str | None = None, errors: dict[str, str] | None = None,
           notice: str | None = None) -> str:
    conn = views()
    today = backend().office.today()
    closed = ledger.closed_months(conn, str(book_id))
    next_to_close = _next_to_close(book_id, closed)
    return page("books/detail.html", "book", **book_context(
        book_id, period=period, today=today, problem=problem, vouchers=ledger.vouchers(conn, str(book_id), period),
        waiting=ledger.vouchers(conn, str(book_id), waiting=True), closed=closed, names=users.names(conn),
        next_to_close=next_to_close, closable=period_end(next_to_close) < today, errors=errors or {},
        notice=notice, period_end=min(period_end(period), today).isoformat()))


def _next_to_close(book_id: UUID, closed: list[str]) -> str:
    return next_period(closed[-1]) if closed else _book(book_id).first_period


# -- the chart -------------------------------------------------------------------------------------


@bp.get("/books/<uuid:book_id>/accounts")
def accounts(book_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    """The book's chart of accounts; the accountant adds sub-accounts."""
    return page("books/accounts.html", "chart", **book_context(
        book_id, accounts=ledger.chart(views(), str(book_id)), categories=CATEGORIES, sides=SIDES,
        level_one=LEVEL_ONE, errors=errors or {}, notice=notice))


@bp.post("/books/<uuid:book_id>/accounts")
def add_account(book_id: UUID) -> str | Response:
    """Add a sub-account."""
    return act(lambda: backend().office.add_sub_account(command_context("add_sub_account"), book_id, form("parent"),
                                                        form("code"), form("name")),
               lambda **shown: accounts(book_id, **shown), done=url_for("books.accounts", book_id=book_id),
               notice=_("已增设明细科目"))


# -- vouchers --------------------------------------------------------------------------------------


def _voucher_form(book_id: UUID, errors: dict[str, str] | None = None,
                  entered: dict[str, object] | None = None) -> str:
    entered = entered or {}
    rows = max(whole(request.values.get("rows")) or ROWS, len(entered.get("lines", [])))  # type: ignore[arg-type]
    return page("books/voucher_form.html", "voucher_form", **book_context(
        book_id, accounts=[a for a in ledger.chart(views(), str(book_id)) if a.leaf], errors=errors or {},
        entered=entered, rows=min(rows, 40), today=backend().office.today(),
        corrects=(entered.get("corrects") or request.args.get("corrects", ""))[:40],
        form_key=form("form_key") or new_form_key()))


@bp.get("/books/<uuid:book_id>/vouchers/new")
def new_voucher(book_id: UUID) -> str:
    """The voucher form (记账凭证)."""
    return _voucher_form(book_id)


def _typed_lines() -> list[dict[str, str]]:
    accounts, debits = request.form.getlist("account"), request.form.getlist("debit")
    credits, memos = request.form.getlist("credit"), request.form.getlist("memo")
    count = min(max(len(accounts), len(debits), len(credits)), 40)

    def at(values: list[str], n: int) -> str:
        return values[n].strip()[:200] if n < len(values) else ""  # longer than any field: the checks refuse it
    return [{"account": at(accounts, n), "debit": at(debits, n), "credit": at(credits, n), "memo": at(memos, n)}
            for n in range(count)]


@bp.post("/books/<uuid:book_id>/vouchers")
def post_voucher(book_id: UUID) -> str | Response:
    """Post the typed voucher; on refusal show the form again with what was typed."""
    _book(book_id)
    lines = _typed_lines()
    entered = {"voucher_date": form("voucher_date"), "summary": form("summary"), "attachments": form("attachments"),
               "lines": lines, "corrects": form("corrects")}
    try:
        day = parse_day(form("voucher_date"), "voucher_date")
        attachments = whole(form("attachments") or "0")
        if day is None:
            raise InvalidInput("请填写凭证日期", field="voucher_date")
        if attachments is None:
            raise InvalidInput("附件张数须为整数", field="attachments")
        key = backend().office.post_voucher(command_context("post_voucher"), book_id, voucher_date=day,
                                            summary=form("summary"), lines=lines, attachments=attachments,
                                            form_key=form("form_key") or None, corrects=form("corrects") or None)
    except DomainError as error:
        return _voucher_form(book_id, field_errors(error), entered)
    backend().read_models.catch_up()
    return go(_voucher_url(book_id, key))


def _voucher_url(book_id: UUID, key: str) -> str:
    period, word, number = key.split("/")
    return url_for("books.voucher", book_id=book_id, period=period, word=word, number=int(number))


def _key(period: str, word: str, number: int) -> str:
    if word not in WORDS:
        abort(404)
    return f"{period}/{word}/{number}"


@bp.get("/books/<uuid:book_id>/vouchers/<period>/<word>/<int:number>")
def voucher(book_id: UUID, period: str, word: str, number: int, *, errors: dict[str, str] | None = None,
            notice: str | None = None) -> str:
    """One voucher, printable, with its amount in capital numerals and its signatures."""
    conn = views()
    found = ledger.voucher(conn, str(book_id), _key(period, word, number))
    if found is None:
        abort(404)
    names = {a.code: a.full_name for a in ledger.chart(conn, str(book_id))}
    return page("books/voucher.html", "voucher", **book_context(
        book_id, v=found, account_names=names, names=users.names(conn), errors=errors or {}, notice=notice,
        today=backend().office.today(), open=found.period not in ledger.closed_months(conn, str(book_id))))


def _act_on_voucher(book_id: UUID, period: str, word: str, number: int, *, action: str,
                    notice: str) -> str | Response:
    key = _key(period, word, number)

    def run() -> None:
        office = backend().office
        if action == "review":
            office.review_voucher(command_context("review_voucher"), book_id, key)
        else:
            on = parse_day(form("on"), "on")
            if on is None:
                raise InvalidInput("请填写冲销凭证的日期", field="on")
            office.reverse_voucher(command_context("reverse_voucher"), book_id, key, on=on, reason=form("reason"))
    return act(run, lambda **shown: voucher(book_id, period, word, number, **shown),
               done=url_for("books.voucher", book_id=book_id, period=period, word=word, number=number), notice=notice)


@bp.post("/books/<uuid:book_id>/vouchers/<period>/<word>/<int:number>/review")
def review(book_id: UUID, period: str, word: str, number: int) -> str | Response:
    """Review (审核) a voucher."""
    return _act_on_voucher(book_id, period, word, number, action="review", notice=_("已审核"))


@bp.post("/books/<uuid:book_id>/vouchers/<period>/<word>/<int:number>/reverse")
def reverse(book_id: UUID, period: str, word: str, number: int) -> str | Response:
    """Reverse a voucher by a red-ink voucher."""
    return _act_on_voucher(book_id, period, word, number, action="reverse", notice=_("已编制红字冲销凭证"))


# -- ledgers and journals ----------------------------------------------------------------------------


@bp.get("/books/<uuid:book_id>/trial-balance")
def trial_balance(book_id: UUID) -> str:
    """科目余额表 over a span: opening, debits, credits, closing of every account."""
    start, end, today, problem = _span()
    rows = ledger.trial_balance(views(), str(book_id), start, end)
    top = [r for r in rows if r.level == 1]
    return page("books/trial_balance.html", "report", **book_context(
        book_id, rows=rows, start=start, end=end, today=today, problem=problem, sides=SIDES,
        totals={"opening_debit": sum(r.opening for r in top if r.opening > 0),
                "opening_credit": -sum(r.opening for r in top if r.opening < 0),
                "debit": sum(r.debit for r in top), "credit": sum(r.credit for r in top),
                "closing_debit": sum(r.closing for r in top if r.closing > 0),
                "closing_credit": -sum(r.closing for r in top if r.closing < 0)}))


@bp.get("/books/<uuid:book_id>/ledger")
def account_ledger(book_id: UUID) -> str:
    """明细账 of one account (with its sub-accounts) over a span, with the running balance."""
    start, end, today, problem = _span()
    conn = views()
    chart = ledger.chart(conn, str(book_id))
    code = request.args.get("account") or CASH
    account = next((a for a in chart if a.code == code), None)
    if account is None:
        code, account, problem = CASH, next(a for a in chart if a.code == CASH), _("科目不存在")
    opening, entries = ledger.ledger(conn, str(book_id), code, start, end)
    return page("books/ledger.html", "report", **book_context(
        book_id, chart=chart, account=account, opening=opening, entries=entries, start=start, end=end, today=today,
        problem=problem, sides=SIDES, title=_("明细账"), endpoint="books.account_ledger"))


@bp.get("/books/<uuid:book_id>/journal/<kind>")
def journal(book_id: UUID, kind: str) -> str:
    """现金日记账 / 银行存款日记账: every cash or bank line in date order with its running balance."""
    if kind not in ("cash", "bank"):
        abort(404)
    start, end, today, problem = _span()
    conn = views()
    chart = ledger.chart(conn, str(book_id))
    code = CASH if kind == "cash" else "102"
    opening, entries = ledger.ledger(conn, str(book_id), code, start, end)
    limit = value_on(backend().office.settings(), "cash_on_hand_limit", end) if kind == "cash" else None
    return page("books/ledger.html", "report", **book_context(
        book_id, chart=chart, account=next(a for a in chart if a.code == code), opening=opening, entries=entries,
        start=start, end=end, today=today, problem=problem, sides=SIDES, limit=limit, kind=kind,
        title=_("现金日记账") if kind == "cash" else _("银行存款日记账"), endpoint="books.journal"))


@bp.get("/books/<uuid:book_id>/general-ledger")
def general_ledger(book_id: UUID) -> str:
    """总账: each level-1 account's year-opening balance and monthly totals up to a date."""
    on, today, problem = _on()
    conn = views()
    accounts = [a for a in ledger.chart(conn, str(book_id)) if a.level == 1]
    sheets = [(a, *ledger.general_ledger(conn, str(book_id), a.code, on.year, on)) for a in accounts]
    return page("books/general_ledger.html", "report", **book_context(
        book_id, sheets=[s for s in sheets if s[1] or s[2]], on=on, today=today, problem=problem, sides=SIDES))


# -- statements ------------------------------------------------------------------------------------


@bp.get("/books/<uuid:book_id>/statements/<kind>")
def statement(book_id: UUID, kind: str) -> str:
    """资产负债表 (工会01表) or 收入支出表 (工会02表) as of a date, with the signature lines."""
    if kind not in ("balance-sheet", "income"):
        abort(404)
    on, today, problem = _on()
    conn = views()
    rows = (statements.balance_sheet if kind == "balance-sheet" else statements.income_statement)(
        conn, str(book_id), on)
    return page("books/statement.html", "report", **book_context(
        book_id, rows=rows, kind=kind, on=on, today=today, problem=problem,
        in_book={a.code for a in ledger.chart(conn, str(book_id))},
        closed=ledger.closed_months(conn, str(book_id))))


# -- closing ---------------------------------------------------------------------------------------


@bp.post("/books/<uuid:book_id>/close")
def close(book_id: UUID) -> str | Response:
    """结账: close the next month in order."""
    period = form("period")
    return act(lambda: backend().office.close_month(command_context("close_month"), book_id, period),
               lambda **shown: _closing_page(book_id, **shown), done=url_for("books.detail", book_id=book_id),
               notice=_("%(p)s已结账", p=period))


def _closing_page(book_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    return _month(book_id, period_of(backend().office.today()), None, errors, notice)


def _required(name: str, label: str) -> str:
    if not form(name):
        raise InvalidInput("请填写%(label)s", field=name, label=label)
    return form(name)


# -- cash counts -------------------------------------------------------------------------------------


@bp.get("/books/<uuid:book_id>/cash-count")
def cash_counts(book_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    """FIN-03 / FIN-04: the cash counts of a book against its balance, and the form to record one."""
    conn = views()
    return page("books/cash_count.html", "cash_count", **book_context(
        book_id, counts=claims.cash_counts(conn, str(book_id)), names=users.names(conn), errors=errors or {},
        notice=notice, today=backend().office.today(), may_count=current_user.has_role("cashier", "accountant")))


@bp.post("/books/<uuid:book_id>/cash-count")
def count_cash(book_id: UUID) -> str | Response:
    """Record a cash count; a difference needs its explanation."""
    def run() -> None:
        counted_on = parse_day(form("counted_on"), "counted_on")
        if counted_on is None:
            raise InvalidInput("请填写盘点日期", field="counted_on")
        backend().office.count_cash(command_context("count_cash"), book_id, counted_on=counted_on,
                                    counted=_required("counted", "实存现金"), ious=form("ious") or "0",
                                    explanation=form("explanation"))
    return act(run, lambda **shown: cash_counts(book_id, **shown),
               done=url_for("books.cash_counts", book_id=book_id), notice=_("已登记现金盘点"))


# -- bank reconciliation ----------------------------------------------------------------------------


@bp.get("/books/<uuid:book_id>/bank")
def bank(book_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    """银行存款余额调节表 of a month: the statement against the bank journal, unmatched items both ways."""
    today = backend().office.today()
    period, problem = _period(request.values.get("period"), today)
    return page("books/bank.html", "bank", **book_context(
        book_id, r=ledger.reconciliation(views(), str(book_id), period), period=period, today=today,
        problem=problem, errors=errors or {}, notice=notice,
        may_enter=current_user.has_role("cashier", "accountant")))


@bp.post("/books/<uuid:book_id>/bank")
def record_bank(book_id: UUID) -> str | Response:
    """Enter the month's statement: its closing balance and its lines, pasted or as the bank's CSV file."""
    def run() -> None:
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        digest = hashlib.sha256(data).hexdigest() if data else None
        text = request.form.get("text", "")[:500_000]
        lines = read_statement_csv(data or text.encode("utf-8")) if (data or text.strip()) else []
        backend().office.record_bank_statement(command_context("record_bank_statement"), book_id,
                                               period=form("period"), closing_balance=_required("closing_balance",
                                                                                               "对账单期末余额"),
                                               lines=lines, file_sha256=digest)
    return act(run, lambda **shown: bank(book_id, **shown),
               done=url_for("books.bank", book_id=book_id, period=form("period")), notice=_("已登记银行对账单"))


# -- exports -----------------------------------------------------------------------------------------

REPORTS = {"trial-balance": "科目余额表", "ledger": "明细账", "cash-journal": "现金日记账",
           "bank-journal": "银行存款日记账", "balance-sheet": "资产负债表", "income": "收入支出表",
           "vouchers": "凭证汇总（序时账）"}


@bp.get("/books/<uuid:book_id>/export/<report>/<fmt>")
def export(book_id: UUID, report: str, fmt: str) -> Response:
    """A report of the book as XLSX or CSV, with the same span or date the page shows."""
    if report not in REPORTS or fmt not in exports.FORMATS:
        abort(404)
    return exports.download(_table(_book(book_id), report), fmt)


def _table(book: ledger.BookRow, report: str) -> exports.Table:
    conn = views()
    start, end, _today, _problem = _span()
    span = f"{start.isoformat()}至{end.isoformat()}"
    if report == "trial-balance":
        rows = ledger.trial_balance(conn, book.book_id, start, end)
        header = ("科目代码", "科目名称", "期初借方", "期初贷方", "本期借方", "本期贷方", "期末借方", "期末贷方")
        return exports.Table(f"{book.name} 科目余额表 {span}", header,
                             [(r.code, r.name, max(r.opening, ZERO), max(-r.opening, ZERO), r.debit, r.credit,
                               max(r.closing, ZERO), max(-r.closing, ZERO)) for r in rows])
    if report in ("ledger", "cash-journal", "bank-journal"):
        code = {"cash-journal": CASH, "bank-journal": "102"}.get(report) or request.args.get("account") or CASH
        account = next((a for a in ledger.chart(conn, book.book_id) if a.code == code), None)
        if account is None:
            abort(404)
        sign = -1 if account.side == "credit" else 1
        opening, entries = ledger.ledger(conn, book.book_id, code, start, end)
        return exports.Table(f"{book.name} {REPORTS[report]} {code} {account.full_name} {span}",
                             ("日期", "凭证号", "摘要", "对方科目", "借方", "贷方", "余额"),
                             [(start, "", "期初余额", "", None, None, opening * sign),
                              *((e.voucher_date, e.key, e.memo or e.summary, e.contra, e.debit, e.credit,
                                 e.balance * sign) for e in entries)])
    if report == "vouchers":
        rows = [(date.fromisoformat(r["voucher_date"]), r["key"], r["summary"], r["account"], r["name"],
                 ledger.yuan(r["debit"]), ledger.yuan(r["credit"]))
                for r in conn.execute(
                    "SELECT l.*, v.summary, a.name FROM lines l JOIN vouchers v USING (book_id, key)"
                    " LEFT JOIN accounts a ON a.book_id = l.book_id AND a.code = l.account WHERE l.book_id = ?"
                    " AND l.voucher_date BETWEEN ? AND ? ORDER BY l.voucher_date, l.position, l.line_no",
                    [book.book_id, start.isoformat(), end.isoformat()])]
        return exports.Table(f"{book.name} 凭证汇总 {span}", ("日期", "凭证号", "摘要", "科目代码", "科目名称", "借方",
                                                            "贷方"), rows)
    rows = (statements.balance_sheet if report == "balance-sheet" else statements.income_statement)(
        conn, book.book_id, end)
    columns = ("年初余额", "期末余额") if report == "balance-sheet" else ("本月数", "本年累计数")
    form = "工会01表" if report == "balance-sheet" else "工会02表"
    return exports.Table(f"{book.name} {REPORTS[report]} {end.isoformat()}", ("项目", "行次", *columns),
                         [(r.label, r.number, r.first, r.second) for r in rows],
                         notes=(f"{form}，按《工会会计制度》（财会〔2021〕7号）编制", "单位：元",
                                "工会主席：　　财务负责人：　　复核：　　制表："))
