"""企业（单位）: the census of units, covered or not, with their workforce, as of a date."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from aggregates.census_check import SOURCES
from aggregates.enterprise import COVERAGE, OWNERSHIP
from aggregates.errors import DomainError, InvalidInput
from aggregates.roles import ROSTER_KEEPERS
from aggregates.settings import value_on
from intranet import exports
from intranet.summaries import summariser
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
    page_number,
    parse_day,
    seen_version,
    views,
    whole,
)
from projections import audit_trail, census, organisations, roster, users

bp = Blueprint("enterprises", __name__)


def _minimum(on: object) -> int:
    return int(value_on(backend().office.settings(), "standalone_union_min_headcount", on) or 25)  # type: ignore[arg-type]


PER_PAGE = 50


def _filter() -> dict[str, object]:
    return {"covered": {"yes": True, "no": False}.get(request.args.get("covered", "")),
            "text": request.args.get("q", "")[:40]}


@bp.get("/enterprises")
def index() -> str:
    """The units on a date, a page at a time: covered or not, by which union, with their workforce;
    coverage (R-01) and the communities (ORG-04) over the whole census."""
    on, today, problem = as_of()
    conn, chosen, page_no = views(), _filter(), page_number()
    total = organisations.count_units_on(conn, on, **chosen)
    return page(
        "enterprises/index.html", "table",
        units=organisations.units_on(conn, on, **chosen, limit=PER_PAGE, offset=(page_no - 1) * PER_PAGE),
        total=total, page_no=page_no, pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        coverage=organisations.coverage_on(conn, on, _minimum(on)), minimum=_minimum(on), on=on, today=today,
        communities=organisations.communities_on(conn, on),
        target=value_on(backend().office.settings(), "union_coverage_target", on),
        problem=problem, args=request.args, union_names=organisations.union_names(conn), modes=COVERAGE,
        ownership=OWNERSHIP,
    )


@bp.get("/enterprises/export/<fmt>")
def export(fmt: str) -> Response:
    """Every unit the census page's filter shows, as a file."""
    if fmt not in exports.FORMATS:
        abort(404)
    on, _today, _problem = as_of()
    conn, minimum = views(), _minimum(on)
    names = organisations.union_names(conn)
    rows = [(u.name, u.credit_code, OWNERSHIP.get(u.ownership, ""), u.community, u.workers, u.women,
             names.get(u.covered_by or "", "") if u.covered_by else _("未建会"), COVERAGE.get(u.coverage or "", ""),
             _("应单独建会") if (u.workers or 0) >= minimum and u.coverage != "standalone" else "")
            for u in organisations.units_on(conn, on, **_filter())]
    header = (_("单位名称"), _("统一社会信用代码"), _("性质"), _("社区"), _("职工"), _("女职工"), _("覆盖工会"),
              _("覆盖方式"), _("提示"))
    return exports.download(exports.Table(_("企业（单位）名录（截至%(day)s）", day=on.isoformat()), header, rows), fmt)


def _form(errors: dict[str, str] | None = None, entered: dict[str, str] | None = None) -> str:
    return page("enterprises/new.html", "enterprise_form", errors=errors or {}, entered=entered or {},
                form_key=form("form_key") or new_form_key(), ownership=OWNERSHIP)


@bp.get("/enterprises/new")
def new() -> str:
    """The registration form."""
    return _form()


def _count(name: str, label: str) -> int | None:
    if not form(name):
        return None
    number = whole(form(name))
    if number is None:
        raise InvalidInput("%(label)s须为整数", field=name, label=label)
    return number


@bp.post("/enterprises")
def create() -> str | Response:
    """Register a unit, with its current workforce."""
    entered = {n: form(n) for n in ("name", "credit_code", "ownership", "industry", "community", "address",
                                    "workers", "women")}
    try:
        enterprise_id = backend().office.register_enterprise(
            command_context("register_enterprise"), name=entered["name"], credit_code=entered["credit_code"],
            ownership=entered["ownership"], industry=entered["industry"], community=entered["community"],
            address=entered["address"], workers=_count("workers", _("职工人数")),
            women=_count("women", _("女职工人数")), form_key=form("form_key") or None)
    except DomainError as error:
        return _form(field_errors(error), entered)
    backend().read_models.catch_up()
    return go(url_for("enterprises.detail", enterprise_id=enterprise_id))


def _unit(enterprise_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    on, today, problem = as_of()
    conn = views()
    current = organisations.unit(conn, str(enterprise_id), today)
    row = organisations.unit(conn, str(enterprise_id), on)
    if current is None and row is None:
        exists = conn.execute("SELECT 1 FROM enterprises WHERE enterprise_id = ?", [str(enterprise_id)]).fetchone()
        if not exists:
            abort(404)
    history = audit_trail.stream(conn, str(enterprise_id))
    summary, names = summariser(conn, history)
    version = conn.execute("SELECT version FROM enterprises WHERE enterprise_id = ?",
                           [str(enterprise_id)]).fetchone()[0]
    worker_list = backend().office.worker_list(enterprise_id, on)
    member_names = roster.member_names_of_unit(conn, str(enterprise_id), on)
    listed_members = sum(1 for name in worker_list[1] if name in member_names) if worker_list and worker_list[1] else 0
    return page(
        "enterprises/detail.html", "unit",
        enterprise_id=enterprise_id, row=row, current=current, version=version, on=on, today=today, problem=problem,
        headcounts=organisations.headcount_history(conn, str(enterprise_id)),
        coverage_history=organisations.coverage_history(conn, str(enterprise_id)),
        history=history, summary=summary, names=names,
        keeper=current_user.has_role(*ROSTER_KEEPERS), errors=errors or {}, notice=notice, modes=COVERAGE,
        unions=organisations.open_unions(conn), union_names=organisations.union_names(conn), ownership=OWNERSHIP,
        minimum=_minimum(today), worker_list=worker_list, member_names=member_names, listed_members=listed_members,
    )


@bp.get("/enterprises/<uuid:enterprise_id>")
def detail(enterprise_id: UUID) -> str:
    """One unit: coverage and workforce over time."""
    return _unit(enterprise_id)


def _act(enterprise_id: UUID, action: Callable[[], None], notice: str) -> str | Response:
    return act(action, lambda **shown: _unit(enterprise_id, **shown),
               done=url_for("enterprises.detail", enterprise_id=enterprise_id), notice=notice)


@bp.get("/enterprises/check")
def check() -> str:
    """ORG-05: compare the census with a register extract; the checks made so far."""
    return page("enterprises/check.html", checks=census.checks(views()), sources=SOURCES, result=None, errors={},
                names=users.names(views()))


@bp.post("/enterprises/check")
def check_submit() -> str:
    """Read the uploaded extract, compare it with today's census, record the check, show what differs."""
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    try:
        if not data:
            raise InvalidInput("请选择名录文件（CSV）", field="file")
        register = census.read_register(data)
        result = census.compare(views(), register, backend().office.today())
        backend().office.record_census_check(command_context("record_census_check"), source=form("source"),
                                             file_sha256=hashlib.sha256(data).hexdigest(), counts=result.counts())
    except DomainError as error:
        return page("enterprises/check.html", checks=census.checks(views()), sources=SOURCES, result=None,
                    errors=field_errors(error), names=users.names(views()))
    backend().read_models.catch_up()
    return page("enterprises/check.html", checks=census.checks(views()), sources=SOURCES, result=result, errors={},
                names=users.names(views()))


@bp.post("/enterprises/<uuid:enterprise_id>/headcount")
def headcount(enterprise_id: UUID) -> str | Response:
    """Record the workforce on a date."""
    def action() -> None:
        as_of = parse_day(form("as_of"), "as_of")
        workers, women = _count("workers", _("职工人数")), _count("women", _("女职工人数"))
        if as_of is None or workers is None:
            raise InvalidInput("请填写日期和职工人数", field="workers")
        backend().office.report_headcount(command_context("report_headcount"), enterprise_id, as_of, workers,
                                          women or 0)
    return _act(enterprise_id, action, _("已登记职工人数"))


@bp.post("/enterprises/<uuid:enterprise_id>/workers")
def worker_list(enterprise_id: UUID) -> str | Response:
    """ORG-04: file the unit's worker list, members or not."""
    def action() -> None:
        as_of = parse_day(form("as_of"), "as_of")
        if as_of is None:
            raise InvalidInput("请填写截至日期", field="as_of")
        backend().office.file_worker_list(command_context("file_worker_list"), enterprise_id, as_of,
                                          request.form.get("names", "")[:200_000])
    return _act(enterprise_id, action, _("已报送职工名单"))


@bp.post("/enterprises/<uuid:enterprise_id>/payroll")
def payroll(enterprise_id: UUID) -> str | Response:
    """Record a month's total payroll."""
    def action() -> None:
        period = form("period")  # YYYY-MM
        year, dash, month = period.partition("-")
        if not (dash and whole(year) and whole(month)):
            raise InvalidInput("请填写所属年月，如 2026-02", field="period")
        backend().office.report_payroll(command_context("report_payroll"), enterprise_id, whole(year) or 0,
                                        whole(month) or 0, form("payroll") or Decimal(-1))
    return _act(enterprise_id, action, _("已登记工资总额"))


@bp.post("/enterprises/<uuid:enterprise_id>/coverage")
def coverage(enterprise_id: UUID) -> str | Response:
    """Record which union covers the unit from a date on."""
    def action() -> None:
        from_date = parse_day(form("from_date"), "from_date")
        if from_date is None:
            raise InvalidInput("请填写起始日期", field="from_date")
        try:
            union_id = UUID(form("union_id")) if form("union_id") else None
        except ValueError:
            raise InvalidInput("请从列表中选择工会", field="union_id") from None
        backend().office.change_coverage(
            command_context("change_coverage"), enterprise_id, union_id=union_id,
            mode=form("mode") if union_id else None, from_date=from_date,
            seen_version=seen_version())
    return _act(enterprise_id, action, _("已登记覆盖情况"))


@bp.post("/enterprises/<uuid:enterprise_id>/rename")
def rename(enterprise_id: UUID) -> str | Response:
    """Record the unit's new name."""
    return _act(enterprise_id, lambda: backend().office.rename_enterprise(
        command_context("rename_enterprise"), enterprise_id, form("name")), _("已更名"))


@bp.post("/enterprises/<uuid:enterprise_id>/close")
def close(enterprise_id: UUID) -> str | Response:
    """Record that the unit closed down."""
    return _act(enterprise_id, lambda: backend().office.close_enterprise(
        command_context("close_enterprise"), enterprise_id, form("reason")), _("已登记注销"))
