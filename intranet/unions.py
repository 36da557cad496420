"""基层工会: the grassroots unions with their figures as of a date, founding, and each union's
members, office-holders and covered units on any date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from aggregates.enterprise import COVERAGE
from aggregates.errors import DomainError, InvalidInput
from aggregates.member import STATUSES
from aggregates.roles import ROSTER_KEEPERS
from aggregates.settings import value_on
from aggregates.union import APPROVERS, KINDS, ORGANS, POSTS, STANDARDS, WOMEN_ORGAN_POSTS
from intranet import exports
from intranet.masking import id_number_shown
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
from projections import audit_trail, organisations, quotas, roster

bp = Blueprint("unions", __name__)


@bp.get("/unions")
def index(errors: dict[str, str] | None = None) -> str:
    """Every union with its members, covered workforce and membership rate as of a date."""
    on, today, problem = as_of()
    settings = backend().office.settings()
    unions = organisations.unions_on(views(), on)
    live = [u for u in unions if u.dissolved_on is None or u.dissolved_on > on]
    local = [u for u in live if u.kind in ("community", "community_general")]
    six = organisations.assessments(views(), on.year, "six_haves")
    standardised = organisations.assessments(views(), on.year, "standardised")
    rates = [_rate(_("“六有”达标率"), live, six, value_on(settings, "six_haves_target", on)),
             _rate(_("其中社区工会“六有”达标率"), local, six, value_on(settings, "six_haves_community_target", on)),
             _rate(_("规范化建设达标率"), live, standardised, value_on(settings, "standardisation_target", on))]
    year_start = on.replace(month=1, day=1)
    return page("unions/index.html", "table", unions=unions, on=on, today=today, six=six, rates=rates,
                moved=organisations.movements(views(), year_start, on), year_start=year_start,
                progress=quotas.progress(views(), on.year, on), errors=errors or {},
                inactive=_without_activity(unions, on),
                keeper=current_user.has_role(*ROSTER_KEEPERS),
                problem=problem, kinds=KINDS, target=value_on(settings, "membership_rate_target", on),
                women_minimum=value_on(settings, "women_committee_min_women", on),
                group_minimum=value_on(settings, "women_group_min_women", on), organs=ORGANS,
                reminder=timedelta(days=int(value_on(settings, "reelection_reminder_days", on) or 90)))


@dataclass(frozen=True)
class Rate:
    """ORG-08 / R-04: the share of unions that met a standard in the year, against its target."""

    label: str
    passed: int
    of: int
    target: Decimal | None

    @property
    def rate(self) -> float | None:
        return self.passed / self.of if self.of else None

    @property
    def short(self) -> bool:
        return self.rate is not None and self.target is not None and self.rate < self.target


def _rate(label: str, unions: list[organisations.UnionRow], assessed: dict[str, organisations.Assessment],
          target: Decimal | None) -> Rate:
    passed = sum(1 for u in unions if u.union_id in assessed and assessed[u.union_id].passed)
    return Rate(label, passed, len(unions), target)


def _form(errors: dict[str, str] | None = None, entered: dict[str, str] | None = None) -> str:
    conn = views()
    return page("unions/new.html", "union_form", errors=errors or {}, entered=entered or {},
                form_key=form("form_key") or new_form_key(), kinds=KINDS, approvers=APPROVERS,
                unions=organisations.open_unions(conn),
                units=organisations.units_on(conn, backend().office.today(), covered=False))


@bp.get("/unions/new")
def new() -> str:
    """The founding form."""
    return _form()


def _term_years(text: str) -> int:
    """The term typed, five years when left empty; anything not a whole number (0) is refused by the command."""
    return whole(text) or 0 if text else 5


@bp.post("/unions")
def create() -> str | Response:
    """Found a union (approved by the body its workforce calls for), covering the chosen units."""
    entered = {name: form(name) for name in ("name", "kind", "parent_id", "workers", "approver", "approval_ref",
                                             "term_years")}
    try:
        if whole(entered["workers"]) is None:
            raise InvalidInput("请填写覆盖的职工人数（整数）", field="workers")
        covers = [UUID(v) for v in request.form.getlist("covers") if v]
        union_id = backend().office.found_union(
            command_context("found_union"), name=entered["name"], kind=entered["kind"],
            parent_id=UUID(entered["parent_id"]) if entered["parent_id"] else None,
            workers=whole(entered["workers"]) or 0, approver=entered["approver"], approval_ref=entered["approval_ref"],
            term_years=_term_years(entered["term_years"]), covers=covers, form_key=form("form_key") or None)
    except (DomainError, ValueError) as error:
        errors = field_errors(error) if isinstance(error, DomainError) else {"_form": _("提交的内容有误")}
        return _form(errors, entered)
    backend().read_models.catch_up()
    return go(url_for("unions.detail", union_id=union_id))


PER_PAGE = 50  # members listed on a union's page; the export has them all


def _union(union_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    on, today, problem = as_of()
    conn = views()
    row = organisations.union(conn, str(union_id), on)
    if row is None:
        if organisations.union(conn, str(union_id), today) is None:
            abort(404)
        problem = _("该工会在%(day)s尚未成立", day=on.isoformat())
    total, page_no = (row.members + row.retained if row else 0), page_number()
    history = audit_trail.stream(conn, str(union_id))
    summary, names = summariser(conn, history)
    settings = backend().office.settings()
    return page(
        "unions/detail.html", "union",
        row=row, current=organisations.union(conn, str(union_id), today), on=on, today=today, problem=problem,
        members=roster.members_of_union_on(conn, str(union_id), on, ("active", "retained"), limit=PER_PAGE,
                                           offset=(page_no - 1) * PER_PAGE),
        member_total=total, page_no=page_no, pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        statuses=STATUSES,
        holders=organisations.holders_on(conn, str(union_id), on),
        units=organisations.units_on(conn, on, union_id=str(union_id)),
        history=history, summary=summary, names=names,
        keeper=current_user.has_role(*ROSTER_KEEPERS), errors=errors or {}, notice=notice,
        kinds=KINDS, posts=POSTS, coverage=COVERAGE, organs=ORGANS, approvers=APPROVERS, standards=STANDARDS,
        assessments=organisations.assessments_of(conn, str(union_id)),
        groups=organisations.groups_of(conn, str(union_id)),
        activities=organisations.activities_of(conn, str(union_id)),
        union_names=organisations.union_names(conn),
        women_minimum=value_on(settings, "women_committee_min_women", on),
        group_minimum=value_on(settings, "women_group_min_women", on), women_posts=WOMEN_ORGAN_POSTS,
    )


@bp.get("/unions/<uuid:union_id>/members/export/<fmt>")
def export_members(union_id: UUID, fmt: str) -> Response:
    """Every member (active or retained) of the union on the page's date, as a file."""
    if fmt not in exports.FORMATS:
        abort(404)
    on, _today, _problem = as_of()
    conn = views()
    name = organisations.union_names(conn).get(str(union_id), "")
    rows = [(m.name, id_number_shown(m.id_masked) or _("已删除"), m.card_no, m.joined_on, STATUSES[m.status])
            for m in roster.members_of_union_on(conn, str(union_id), on, ("active", "retained"))]
    header = (_("姓名"), _("身份证号"), _("会员证号"), _("入会日期"), _("状态"))
    return exports.download(exports.Table(_("%(union)s会员名单（截至%(day)s）", union=name, day=on.isoformat()),
                                          header, rows), fmt)


@bp.get("/unions/<uuid:union_id>")
def detail(union_id: UUID) -> str:
    """One union as of a date: who was a member, who held office, which units it covered."""
    return _union(union_id)


def _act(union_id: UUID, action: Callable[[], None], notice: str) -> str | Response:
    return act(action, lambda **shown: _union(union_id, **shown), done=url_for("unions.detail", union_id=union_id),
               notice=notice)


def _member_id() -> UUID:
    try:
        return UUID(form("member_id"))
    except ValueError:
        raise InvalidInput("请选择会员", field="member_id") from None


def _named_member(union_id: UUID) -> UUID:
    """The one active member of the union the clerk named by name or card number (a union of
    thousands is no list to pick from); the command still checks membership on the write side."""
    if form("member_id"):  # a member chosen by id (as the office-holder list's own forms send)
        return _member_id()
    text = " ".join(form("member").split())
    if not text:
        raise InvalidInput("请填写会员姓名或会员证号", field="member")
    found = roster.members_of_union_named(views(), str(union_id), backend().office.today(), text[:40])
    if not found:
        raise InvalidInput("本工会没有姓名或会员证号为“%(text)s”的在会会员", field="member", text=text[:40])
    if len(found) > 1:
        raise InvalidInput("本工会有%(n)s位名为“%(text)s”的会员，请填写会员证号", field="member", n=len(found),
                           text=text[:40])
    return UUID(found[0].member_id)


@bp.post("/unions/<uuid:union_id>/rename")
def rename(union_id: UUID) -> str | Response:
    """更名."""
    return _act(union_id, lambda: backend().office.rename_union(
        command_context("rename_union"), union_id, form("name"), form("reason"), seen_version=seen_version()),
        _("已更名"))


@bp.post("/unions/<uuid:union_id>/elect")
def elect(union_id: UUID) -> str | Response:
    """换届: a new committee and term."""
    def action() -> None:
        start = parse_day(form("term_start"), "term_start")
        if start is None:
            raise InvalidInput("请填写换届日期", field="term_start")
        backend().office.elect_union_committee(command_context("elect_union_committee"), union_id, start,
                                               _term_years(form("term_years")), request.form.getlist("organs"))
    return _act(union_id, action, _("已登记换届"))


@bp.post("/unions/<uuid:union_id>/appoint")
def appoint(union_id: UUID) -> str | Response:
    """Record an office-holder."""
    return _act(union_id, lambda: backend().office.appoint_office_holder(
        command_context("appoint_office_holder"), union_id, form("post"), _named_member(union_id),
        owner_or_relative=form("owner_or_relative") == "1"), _("已登记任职"))


@bp.post("/unions/<uuid:union_id>/vacate")
def vacate(union_id: UUID) -> str | Response:
    """Record that an office-holder left."""
    return _act(union_id, lambda: backend().office.vacate_office_holder(
        command_context("vacate_office_holder"), union_id, form("post"), _member_id(), form("reason")),
        _("已登记离任"))


@bp.post("/unions/<uuid:union_id>/assess")
def assess(union_id: UUID) -> str | Response:
    """Record the year's assessment against 三有 / 六有 / 八有 (ORG-08)."""
    def action() -> None:
        year = whole(form("year"))
        if year is None:
            raise InvalidInput("请填写评定年度", field="year")
        standard = form("standard")
        met = [v.partition(":")[2] for v in request.form.getlist("met") if v.startswith(f"{standard}:")]
        backend().office.assess_union_compliance(command_context("assess_union_compliance"), union_id,
                                                 year, standard, met)
    return _act(union_id, action, _("已登记评定结果"))


@bp.post("/unions/<uuid:union_id>/legal-person")
def legal_person(union_id: UUID) -> str | Response:
    """Record the union's legal-person certificate (法人资格登记、变更)."""
    return _act(union_id, lambda: backend().office.register_union_legal_person(
        command_context("register_union_legal_person"), union_id, form("certificate_no")), _("已登记法人资格"))


@bp.post("/unions/<uuid:union_id>/upgrade")
def upgrade(union_id: UUID) -> str | Response:
    """升格: a community union federation becomes a community general union."""
    return _act(union_id, lambda: backend().office.upgrade_union(
        command_context("upgrade_union"), union_id, form("reason")), _("已登记升格"))


@bp.post("/unions/<uuid:union_id>/approve-election")
def approve_election(union_id: UUID) -> str | Response:
    """ORG-02: the higher union approved the founding election; the union is established."""
    return _act(union_id, lambda: backend().office.approve_union_election(
        command_context("approve_union_election"), union_id, form("approval_ref")), _("已登记选举结果批复"))


@bp.post("/unions/<uuid:union_id>/groups")
def form_group(union_id: UUID) -> str | Response:
    """Record a union group."""
    return _act(union_id, lambda: backend().office.form_union_group(
        command_context("form_union_group"), union_id, form("group")), _("已登记工会小组"))


@bp.post("/unions/<uuid:union_id>/groups/leader")
def elect_leader(union_id: UUID) -> str | Response:
    """ORG-10: the group's members chose its leader."""
    def action() -> None:
        electors = whole(form("electors"))
        if electors is None:
            raise InvalidInput("请填写参加推选的小组会员人数", field="electors")
        backend().office.elect_group_leader(command_context("elect_group_leader"), union_id, form("group"),
                                            _named_member(union_id), electors)
    return _act(union_id, action, _("已登记组长"))


@bp.post("/unions/<uuid:union_id>/groups/filed")
def file_leader(union_id: UUID) -> str | Response:
    """ORG-10: the leader was filed with the higher union."""
    def action() -> None:
        filed_on = parse_day(form("filed_on"), "filed_on")
        if filed_on is None:
            raise InvalidInput("请填写备案日期", field="filed_on")
        backend().office.file_group_leader(command_context("file_group_leader"), union_id, form("group"), filed_on)
    return _act(union_id, action, _("已登记备案"))


@bp.post("/unions/quotas")
def quota() -> str | Response:
    """Set a community's share of the year's quotas (ORG-06)."""
    try:
        year, new_unions, new_members = whole(form("year")), whole(form("new_unions")), whole(form("new_members"))
        if year is None or new_unions is None or new_members is None:
            raise InvalidInput("年度和指标须为整数", field="new_members")
        backend().office.set_community_quota(command_context("set_community_quota"), year=year,
                                             community=form("community"), new_unions=new_unions,
                                             new_members=new_members, reason=form("reason"))
    except DomainError as error:
        return index(errors=field_errors(error))
    backend().read_models.catch_up()
    return go(url_for("unions.index"))


def _without_activity(unions: list[organisations.UnionRow], on: date) -> set[str]:
    """§2.3: unions covering 25 or more workers with no activity in the half-year so far."""
    start, _end = organisations.half_year_of(on)
    minimum = int(value_on(backend().office.settings(), "standalone_union_min_headcount", on) or 25)
    held = organisations.active_in(views(), start, on)
    return {u.union_id for u in unions if u.workforce >= minimum and u.union_id not in held}


@bp.post("/unions/<uuid:union_id>/activities")
def activity(union_id: UUID) -> str | Response:
    """Record an activity the union held."""
    def action() -> None:
        held_on, participants = parse_day(form("held_on"), "held_on"), whole(form("participants"))
        if held_on is None or participants is None:
            raise InvalidInput("请填写活动日期和参加人数", field="participants")
        backend().office.record_union_activity(command_context("record_union_activity"), union_id,
                                               held_on=held_on, title=form("title"), participants=participants)
    return _act(union_id, action, _("已登记活动"))


@bp.get("/unions/cadres")
def cadres() -> str:
    """工会干部实名制登记表: every office-holder serving on a date (ORG-03)."""
    on, today, problem = as_of()
    return page("unions/cadres.html", cadres=organisations.cadres_on(views(), on), on=on, today=today,
                problem=problem, posts=POSTS)


@bp.post("/unions/<uuid:union_id>/transfer-away")
def transfer_away(union_id: UUID) -> str | Response:
    """转出: the union and its members leave the subdistrict for another body."""
    def action() -> None:
        conn, today = views(), backend().office.today()
        listed = roster.members_of_union_on(conn, str(union_id), today, ("active", "retained"))
        backend().office.transfer_union_away(command_context("transfer_union_away"), union_id, form("to_body"),
                                             form("reason"), [UUID(m.member_id) for m in listed])
    return _act(union_id, action, _("已登记转出"))


@bp.post("/unions/<uuid:union_id>/dissolve")
def dissolve(union_id: UUID) -> str | Response:
    """注销."""
    def action() -> None:
        listed = roster.members_of_union_on(views(), str(union_id), backend().office.today(), ("active", "retained"))
        backend().office.dissolve_union(command_context("dissolve_union"), union_id, form("reason"),
                                        [UUID(m.member_id) for m in listed])
    return _act(union_id, action, _("已登记注销"))
