"""报销与借款: claims under 一支笔 (handler → witness → chair → cashier), the prior approvals some need,
cash advances and their ageing, and the scanned attachments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

from flask import Blueprint, Response, abort, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aggregates.advance import PURPOSES
from aggregates.advance import STATES as ADVANCE_STATES
from aggregates.attachments import kind_of
from aggregates.claim import CATEGORIES, METHODS, PRIOR_KINDS, STATES
from aggregates.errors import DomainError, InvalidInput
from aggregates.roles import BOOK_READERS, CASHIERS, COMMAND_ROLES
from aggregates.settings import value_on
from intranet.permissions import acting_role
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
    views,
)
from projections import claims, ledger, users

bp = Blueprint("claims", __name__)
ITEM_ROWS = 6


def _me() -> str:
    return str(current_user.user_id)


def claim_reader() -> claims.Reader | None:
    """What the signed-in user may read of claims and advances: everything for a book reader (None), else
    their own and, for those who may witness, the claims waiting for a witness."""
    roles = set(current_user.roles)
    if roles & BOOK_READERS:
        return None
    return claims.Reader(_me(), may_witness=bool(roles & COMMAND_ROLES["certify_claim"]))


def waiting_for(rows: list[claims.ClaimRow]) -> list[claims.ClaimRow]:
    """The claims waiting for the signed-in user: to witness, to approve, or to pay. A claim is the chair's own
    when its handler's account holds the chair role, whatever role they acted under (as the command decides)."""
    roles, me = set(current_user.roles), _me()
    chairs = {str(u.user_id) for u in users.everyone(views()) if "chair" in u.roles}

    def chairs_own(c: claims.ClaimRow) -> bool:
        return c.handler in chairs or c.handler_role == "chair"
    return [c for c in rows
            if (c.state == "submitted" and c.handler != me and roles - {"auditor", "member"})
            or (c.state == "certified" and me not in (c.handler, c.witness)
                and (("chair" in roles and not chairs_own(c)) or ("vice_chair" in roles and chairs_own(c))))
            or (c.state == "approved" and roles & CASHIERS)]


@bp.get("/claims")
def index() -> str:
    """Claims by state, and those waiting for me."""
    state = request.args.get("state") or None
    if state not in (None, *STATES):
        state = None
    conn, reader = views(), claim_reader()
    mine = claims.Reader(reader.user) if reader else None  # the list: what I took part in, not what I may witness
    return page("claims/index.html", "claims", claims=claims.claims(conn, state=state, reader=mine),
                todo=waiting_for(claims.claims(conn, reader=reader)), states=STATES, state=state,
                categories=CATEGORIES, names=users.names(conn), books={b.book_id: b.name for b in ledger.books(conn)},
                may_read_all=reader is None)


def _new(errors: dict[str, str] | None = None, entered: dict[str, object] | None = None) -> str:
    conn = views()
    today = backend().office.today()
    own = [a for a in claims.advances(conn, today) if a.borrower == _me() and a.outstanding]
    leaves = {a.code: a.full_name for b in ledger.books(conn) for a in ledger.chart(conn, b.book_id)
              if a.leaf and a.code[0] == "5"}
    return page("claims/new.html", "claim_form", books=ledger.books(conn), categories=CATEGORIES,
                accounts=sorted(leaves.items()),
                errors=errors or {}, entered=entered or {}, rows=ITEM_ROWS, today=today, advances=own,
                form_key=form("form_key") or new_form_key())


@bp.get("/claims/new")
def new() -> str:
    """The claim form (报销单)."""
    return _new()


def _uploads() -> list[bytes]:
    """The uploaded scans, read but not stored: the command stores them once the claim is accepted."""
    return [data for upload in request.files.getlist("files")[:20] if (data := upload.read())]


@bp.post("/claims")
def create() -> str | Response:
    """Submit a claim as its handler."""
    items = [{"item": i, "quantity": q, "unit_price": p} for i, q, p in zip(
        request.form.getlist("item")[:40], request.form.getlist("quantity")[:40],
        request.form.getlist("unit_price")[:40], strict=False)]
    entered = {name: form(name) for name in ("book_id", "category", "purpose", "spent_on", "invoices", "prior",
                                             "advance_id", "account")}
    entered["items"] = items
    try:
        spent_on = parse_day(form("spent_on"), "spent_on")
        if spent_on is None:
            raise InvalidInput("请填写支出日期", field="spent_on")
        try:
            book_id = UUID(form("book_id"))
            advance_id = UUID(form("advance_id")) if form("advance_id") else None
        except ValueError:
            raise InvalidInput("请从列表中选择账套和借款", field="book_id") from None
        claim_id = backend().office.submit_claim(
            command_context("submit_claim"), book_id, category=form("category"), purpose=form("purpose"),
            items=items, invoices=form("invoices").replace("，", "\n").replace(",", "\n").splitlines()[:40],
            spent_on=spent_on, scans=_uploads(), prior=form("prior") or None, advance_id=advance_id,
            form_key=form("form_key") or None, account=form("account") or None)
    except DomainError as error:
        return _new(field_errors(error), entered)
    backend().read_models.catch_up()
    return go(url_for("claims.detail", claim_id=claim_id))


def _claim(claim_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    conn = views()
    found = claims.claim(conn, str(claim_id), claim_reader())
    if found is None:
        abort(404)  # not there, or not the user's to read: the same answer, so ids cannot be probed
    row, items = found
    book = ledger.book(conn, row.book_id)
    account_name = next((a.full_name for a in ledger.chart(conn, row.book_id) if a.code == row.account), "")
    return page("claims/detail.html", "claim", c=row, items=items, book=book, names=users.names(conn),
                account_name=account_name,
                categories=CATEGORIES, states=STATES, methods=METHODS, errors=errors or {}, notice=notice,
                waiting=row in waiting_for([row]), today=backend().office.today(), form_key=new_form_key(),
                advance=claims.advances(conn, backend().office.today(), advance_id=row.advance_id,
                                        reader=claim_reader()) if row.advance_id else [])


@bp.get("/claims/<uuid:claim_id>")
def detail(claim_id: UUID) -> str:
    """One claim: its items, invoices and scans, who signed each step and when (R-41)."""
    return _claim(claim_id)


def _act(claim_id: UUID, action: Callable[[], object], notice: str) -> str | Response:
    return act(action, lambda **shown: _claim(claim_id, **shown), done=url_for("claims.detail", claim_id=claim_id),
               notice=notice)


@bp.post("/claims/<uuid:claim_id>/certify")
def certify(claim_id: UUID) -> str | Response:
    """The witness signs."""
    return _act(claim_id, lambda: backend().office.certify_claim(command_context("certify_claim"), claim_id),
                _("已证明"))


@bp.post("/claims/<uuid:claim_id>/approve")
def approve(claim_id: UUID) -> str | Response:
    """The chair approves (一支笔)."""
    return _act(claim_id, lambda: backend().office.approve_claim(command_context("approve_claim"), claim_id),
                _("已审批"))


@bp.post("/claims/<uuid:claim_id>/reject")
def reject(claim_id: UUID) -> str | Response:
    """The chair sends the claim back with a reason."""
    return _act(claim_id, lambda: backend().office.reject_claim(command_context("reject_claim"), claim_id,
                                                                form("reason")), _("已退回"))


@bp.post("/claims/<uuid:claim_id>/pay")
def pay(claim_id: UUID) -> str | Response:
    """The cashier pays by cash or bank."""
    def run() -> None:
        paid_on = parse_day(form("paid_on"), "paid_on")
        if paid_on is None:
            raise InvalidInput("请填写付款日期", field="paid_on")
        backend().office.pay_claim(command_context("pay_claim"), claim_id, method=form("method"), paid_on=paid_on,
                                   bank_ref=form("bank_ref"), form_key=form("form_key") or None)
    return _act(claim_id, run, _("已付款并生成付款凭证"))


@bp.get("/attachments/<digest>")
def attachment(digest: str) -> Response:
    """A stored scan, by its SHA-256, for those who may read a claim that carries it."""
    if not claims.names_file(views(), digest, claim_reader()):
        abort(404)
    try:
        data = backend().office.attachments.get(digest)
    except InvalidInput:
        abort(404)
    if data is None:
        abort(404)
    return Response(data, mimetype=kind_of(data) or "application/octet-stream",
                    headers={"Cache-Control": "private, max-age=31536000, immutable",
                             "X-Content-Type-Options": "nosniff"})


# -- prior approvals ---------------------------------------------------------------------------------


@bp.get("/claims/approvals")
def approvals(errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    """Purchase approvals (FIN-13) and meal notices (FIN-14) issued, and the forms to issue them."""
    conn = views()
    return page("claims/approvals.html", "approvals", approvals=claims.prior_approvals(conn, claim_reader()),
                kinds=PRIOR_KINDS, names=users.names(conn), errors=errors or {}, notice=notice,
                today=backend().office.today(),
                may_approve_purchase=acting_role(current_user.roles, "approve_purchase") is not None)


@bp.post("/claims/approvals")
def issue() -> str | Response:
    """Issue a meal notice or approve a purchase."""
    def run() -> None:
        on = parse_day(form("on"), "on")
        if on is None:
            raise InvalidInput("请填写日期", field="on")
        office = backend().office
        if form("kind") == "meal_notice":
            heads = form("heads")
            office.issue_meal_notice(command_context("issue_meal_notice"), number=form("number"), on=on,
                                     heads=int(heads) if heads.isascii() and heads.isdigit() and len(heads) < 5 else 0,
                                     purpose=form("purpose"))
        else:
            office.approve_purchase(command_context("approve_purchase"), number=form("number"), on=on,
                                    amount=form("amount") or "0", purpose=form("purpose"))
    return act(run, approvals, done=url_for("claims.approvals"), notice=_("已登记"))


# -- advances ----------------------------------------------------------------------------------------


def _rate_on(day: date) -> Decimal | None:
    """FIN-10: the overdue rate in force on `day` (the settings are loaded once per request)."""
    if "settings" not in g:
        g.settings = backend().office.settings()
    value = value_on(g.settings, "advance_overdue_rate", day)
    return Decimal(str(value)) if value is not None else None


@bp.get("/advances")
def advances() -> str:
    """Advances as of a date, with the ageing of those still out (R-42)."""
    on, today, problem = as_of()
    conn = views()
    deduct = value_on(backend().office.settings(), "advance_salary_deduction_after", on)
    reader = claim_reader()
    return page("claims/advances.html", "advances", advances=claims.advances(conn, on, reader=reader), on=on,
                today=today, problem=problem, mine=reader is not None,
                ageing=claims.ageing(conn, on, _rate_on, int(deduct) if deduct else None, reader=reader),
                names=users.names(conn), purposes=PURPOSES, states=ADVANCE_STATES,
                books={b.book_id: b.name for b in ledger.books(conn)})


def _new_advance(errors: dict[str, str] | None = None, entered: dict[str, str] | None = None) -> str:
    return page("claims/advance_new.html", "advance_form", books=ledger.books(views()), purposes=PURPOSES,
                errors=errors or {}, entered=entered or {}, today=backend().office.today(),
                form_key=form("form_key") or new_form_key())


@bp.get("/advances/new")
def new_advance() -> str:
    """The four-part form (四联单)."""
    return _new_advance()


@bp.post("/advances")
def request_advance() -> str | Response:
    entered = {n: form(n) for n in ("book_id", "form_no", "purpose", "amount", "expected_return", "details")}
    try:
        expected = parse_day(form("expected_return"), "expected_return")
        if expected is None:
            raise InvalidInput("请填写预计返回日期", field="expected_return")
        try:
            book_id = UUID(form("book_id"))
        except ValueError:
            raise InvalidInput("请选择账套", field="book_id") from None
        advance_id = backend().office.request_advance(
            command_context("request_advance"), book_id, form_no=form("form_no"), purpose=form("purpose"),
            amount=form("amount") or "0", expected_return=expected, details=form("details"),
            form_key=form("form_key") or None)
    except DomainError as error:
        return _new_advance(field_errors(error), entered)
    backend().read_models.catch_up()
    return go(url_for("claims.advance", advance_id=advance_id))


def _advance(advance_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    conn = views()
    today = backend().office.today()
    found = claims.advances(conn, today, advance_id=str(advance_id), reader=claim_reader())
    if not found:
        abort(404)
    row = found[0]
    deduct = value_on(backend().office.settings(), "advance_salary_deduction_after", today)
    aged = [a for a in claims.ageing(conn, today, _rate_on, int(deduct) if deduct else None)
            if a.advance.advance_id == row.advance_id]
    return page("claims/advance.html", "advance", a=row, aged=aged[0] if aged else None,
                repayments=claims.repayments(conn, row.advance_id), names=users.names(conn), purposes=PURPOSES,
                states=ADVANCE_STATES, errors=errors or {}, notice=notice, today=today, form_key=new_form_key(),
                book=ledger.book(conn, row.book_id))


@bp.get("/advances/<uuid:advance_id>")
def advance(advance_id: UUID) -> str:
    return _advance(advance_id)


def _day(name: str) -> date:
    found = parse_day(form(name), name)
    if found is None:
        raise InvalidInput("请填写日期", field=name)
    return found


def _on_advance(advance_id: UUID, action: Callable[[], object], notice: str) -> str | Response:
    return act(action, lambda **shown: _advance(advance_id, **shown),
               done=url_for("claims.advance", advance_id=advance_id), notice=notice)


@bp.post("/advances/<uuid:advance_id>/approve")
def approve_advance(advance_id: UUID) -> str | Response:
    """The chair approves the advance (the chair's own: the entrusted vice-chair)."""
    return _on_advance(advance_id, lambda: backend().office.decide_advance(
        command_context("decide_advance"), advance_id, approve=True), _("已批准"))


@bp.post("/advances/<uuid:advance_id>/refuse")
def refuse_advance(advance_id: UUID) -> str | Response:
    return _on_advance(advance_id, lambda: backend().office.decide_advance(
        command_context("decide_advance"), advance_id, approve=False, reason=form("reason")), _("已不予批准"))


@bp.post("/advances/<uuid:advance_id>/pay")
def pay_advance(advance_id: UUID) -> str | Response:
    """The cashier pays the advance out."""
    return _on_advance(advance_id, lambda: backend().office.pay_advance(
        command_context("pay_advance"), advance_id, method=form("method"), paid_on=_day("paid_on"),
        form_key=form("form_key") or None), _("已付款并生成借款凭证"))


@bp.post("/advances/<uuid:advance_id>/return")
def advance_return(advance_id: UUID) -> str | Response:
    """The borrower is back: the advance falls due at the end of the month (FIN-09)."""
    return _on_advance(advance_id, lambda: backend().office.record_advance_return(
        command_context("record_advance_return"), advance_id, _day("returned_on")), _("已登记返回日期"))


@bp.post("/advances/<uuid:advance_id>/repay")
def repay_advance(advance_id: UUID) -> str | Response:
    """Money handed back on the advance."""
    return _on_advance(advance_id, lambda: backend().office.repay_advance(
        command_context("repay_advance"), advance_id, amount=form("amount") or "0", on=_day("on"),
        method=form("method") or "cash", form_key=form("form_key") or None), _("已收回借款"))
