"""会员: the roster, a member's record and timeline, and every step of a membership's life."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from aggregates.errors import DomainError, InvalidInput
from aggregates.member import CORRECTABLE, EMPLOYMENT_TYPES, GENDERS, RETAIN_CAUSES, STATUSES, Member
from aggregates.roles import ROSTER_KEEPERS
from aggregates.roster_commands import KnownPerson
from intranet.masking import must_not_store, reveal, sees_whole
from intranet.summaries import summariser
from intranet.web import (
    act,
    backend,
    command_context,
    field_errors,
    form,
    go,
    new_form_key,
    page,
    page_number,
    parse_day,
    record,
    seen_version,
    views,
    whole,
)
from projections import audit_trail, organisations, roster

bp = Blueprint("members", __name__)
PER_PAGE = 50
OUTCOMES = {"received": "已接收", "left": "已转出本街道", "cancelled": "已撤销", "deceased": "会员去世"}
AGE_BANDS = {"lt30": ("30岁以下", None, 29), "30s": ("30—39岁", 30, 39), "40s": ("40—49岁", 40, 49),
             "50s": ("50—59岁", 50, 59), "60p": ("60岁及以上", 60, None)}


def _uuid(text: str, field: str) -> UUID | None:
    if not text:
        return None
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInput("请从列表中选择", field=field) from None


def _required_day(name: str) -> date:
    day = parse_day(form(name), name)
    if day is None:
        raise InvalidInput("请填写日期", field=name)
    return day


@bp.get("/members")
def index() -> str:
    """The roster: search by name, pinyin initials, card number or ID tail; filter; as of a date."""
    args, conn, today = request.args, views(), backend().office.today()
    problem = None
    try:
        on = parse_day(args.get("on"), "on")
    except InvalidInput as error:
        problem, on = error.text(), None
    clerk = sees_whole()  # birthdays, ages and the ID tail are the clerk's to search by (intranet/masking.py)
    if clerk:
        must_not_store()  # the clerk's list, birth dates beside the masked numbers, rebuilds them
    band = AGE_BANDS.get(args.get("age", "")) if clerk else None
    search = roster.Search(
        text=args.get("q", "")[:40], union_id=args.get("union") or None, status=args.get("status") or None,
        frontline={"1": True, "0": False}.get(args.get("frontline", "")),
        employment_type=args.get("employment") or None,
        birth_month=month if clerk and (month := whole(args.get("birthday"))) and 1 <= month <= 12 else None,
        age_from=band[1] if band else None, age_to=band[2] if band else None, by_id_tail=clerk)
    page_no = page_number()
    total = roster.count(conn, search, today, on=on)
    return page(
        "members/index.html", "results",
        rows=roster.search(conn, search, today, PER_PAGE, (page_no - 1) * PER_PAGE, on=on),
        total=total, page_no=page_no, pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), args=args, on=on,
        today=today, problem=problem, unions=organisations.open_unions(conn),
        union_names=organisations.union_names(conn), enterprise_names=organisations.enterprise_names(conn),
        statuses=STATUSES, age_bands=AGE_BANDS, genders=GENDERS, employment_types=EMPLOYMENT_TYPES,
    )


def _form_page(errors: dict[str, str] | None = None, entered: dict[str, str] | None = None,
               known: UUID | None = None) -> str:
    conn = views()
    if entered and entered.get("id_number"):
        must_not_store()  # the typed ID number is shown again in the form
    return page("members/new.html", "member_form", errors=errors or {}, entered=entered or {}, known=known,
                form_key=form("form_key") or new_form_key(), unions=organisations.open_unions(conn),
                enterprises=sorted(organisations.enterprise_names(conn).items(), key=lambda kv: kv[1]),
                genders=GENDERS, employment_types=EMPLOYMENT_TYPES, today=backend().office.today())


@bp.get("/members/new")
def new() -> str:
    """The admission form."""
    return _form_page()


FIELDS = ("name", "gender", "birth_date", "id_number", "phone", "union_id", "enterprise_id", "joined_on",
          "card_no", "transferred_from", "frontline", "employment_type")


@bp.post("/members")
def create() -> str | Response:
    """Admit a member (a known ID number is refused and offered as reactivation)."""
    entered = {name: form(name) for name in FIELDS}
    try:
        union_id = _uuid(entered["union_id"], "union_id")
        if union_id is None:
            raise InvalidInput("请选择所在工会", field="union_id")
        member_id = backend().office.admit_member(
            command_context("admit_member"), name=entered["name"], gender=entered["gender"],
            birth_date=_required_day("birth_date"), id_number=entered["id_number"], union_id=union_id,
            joined_on=_required_day("joined_on"), phone=entered["phone"] or None,
            enterprise_id=_uuid(entered["enterprise_id"], "enterprise_id"), frontline=entered["frontline"] == "1",
            employment_type=entered["employment_type"] or "regular",
            card_no=entered["card_no"] or None, transferred_from=entered["transferred_from"] or None,
            form_key=form("form_key") or None)
    except KnownPerson as error:
        return _form_page(field_errors(error), entered, known=error.member_id)
    except DomainError as error:
        return _form_page(field_errors(error), entered)
    backend().read_models.catch_up()
    return go(url_for("members.detail", member_id=member_id))


def _record(member_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None,
            *, editable: bool = True) -> str:
    conn = views()
    row = roster.member(conn, str(member_id))
    if row is None:
        abort(404)
    today = backend().office.today()
    try:
        on = parse_day(request.args.get("on"), "on")
    except InvalidInput:
        on = None
    history = audit_trail.stream(conn, str(member_id))
    summary, names = summariser(conn, history)
    member = record(Member, member_id)
    keeper = editable and current_user.has_role(*ROSTER_KEEPERS)
    return page(
        "members/detail.html", "member",
        row=row, member=member, on=on, as_of=roster.status_on(conn, str(member_id), on) if on else None,
        spells=roster.spells(conn, str(member_id)), history=history,
        summary=summary, names=names, keeper=keeper, today=today, errors=errors or {}, notice=notice,
        full_id=reveal(backend().office.keys, member.id_number) if keeper else None,
        full_phone=reveal(backend().office.keys, member.phone) if keeper else None,
        unions=organisations.open_unions(conn), union_names=organisations.union_names(conn),
        enterprise_names=organisations.enterprise_names(conn),
        enterprises=sorted(organisations.enterprise_names(conn).items(), key=lambda kv: kv[1]),
        statuses=STATUSES, genders=GENDERS, causes=RETAIN_CAUSES, employment_types=EMPLOYMENT_TYPES,
    )


@bp.get("/members/<uuid:member_id>")
def detail(member_id: UUID) -> str:
    """One member: record, spells, timeline, as of a date, and the office's actions."""
    return _record(member_id)


@bp.get("/members/me")
def me() -> str:
    """A member user's own record, and nobody else's."""
    if current_user.member_id is None or roster.member(views(), str(current_user.member_id)) is None:
        abort(404)
    return _record(current_user.member_id, editable=False)


def _act(member_id: UUID, action: Callable[[], None], notice: str) -> str | Response:
    return act(action, lambda **shown: _record(member_id, **shown),
               done=url_for("members.detail", member_id=member_id), notice=notice)


def _office():
    return backend().office


@bp.post("/members/<uuid:member_id>/transfer-out")
def transfer_out(member_id: UUID) -> str | Response:
    """Issue a transfer slip (step one)."""
    return _act(member_id, lambda: _office().transfer_member_out(
        command_context("transfer_member_out"), member_id, form("slip_no"),
        to_union_id=_uuid(form("to_union_id"), "to_union_id"), to_outside=form("to_outside") or None,
        seen_version=seen_version()), _("已开具接转单，会员处于接转中"))


@bp.post("/members/<uuid:member_id>/receive")
def receive(member_id: UUID) -> str | Response:
    """The union named on the slip receives the member (step two)."""
    def action() -> None:
        union_id = _uuid(form("union_id"), "union_id")
        if union_id is None:
            raise InvalidInput("请选择接收工会", field="union_id")
        _office().receive_member_transfer(command_context("receive_member_transfer"), member_id, union_id,
                                          form("slip_no"))
    return _act(member_id, action, _("已接收转入"))


@bp.post("/members/<uuid:member_id>/complete-transfer")
def complete_transfer(member_id: UUID) -> str | Response:
    """The outside union's receipt arrived."""
    return _act(member_id, lambda: _office().complete_outside_transfer(
        command_context("complete_outside_transfer"), member_id), _("已转出本街道"))


@bp.post("/members/<uuid:member_id>/cancel-transfer")
def cancel_transfer(member_id: UUID) -> str | Response:
    """Void the slip; the member stays where they were."""
    return _act(member_id, lambda: _office().cancel_member_transfer(
        command_context("cancel_member_transfer"), member_id, form("reason")), _("已撤销接转"))


@bp.post("/members/<uuid:member_id>/retain")
def retain(member_id: UUID) -> str | Response:
    """保留会籍 on retirement or unemployment."""
    return _act(member_id, lambda: _office().retain_membership(
        command_context("retain_membership"), member_id, form("cause"), form("reason"), seen_version=seen_version()),
        _("已保留会籍"))


@bp.post("/members/<uuid:member_id>/restore")
def restore(member_id: UUID) -> str | Response:
    """A retained member becomes active again."""
    return _act(member_id, lambda: _office().restore_membership(
        command_context("restore_membership"), member_id, form("reason")), _("已恢复会籍"))


@bp.post("/members/<uuid:member_id>/withdraw")
def withdraw(member_id: UUID) -> str | Response:
    """退会."""
    return _act(member_id, lambda: _office().withdraw_member(
        command_context("withdraw_member"), member_id, card_returned=form("card_returned") == "1",
        lapsed=form("lapsed") == "1", reason=form("reason")), _("已办理退会"))


@bp.post("/members/<uuid:member_id>/expel")
def expel(member_id: UUID) -> str | Response:
    """开除会籍 by decision."""
    return _act(member_id, lambda: _office().expel_member(
        command_context("expel_member"), member_id, form("decision_ref"), form("reason")), _("已开除会籍"))


@bp.post("/members/<uuid:member_id>/death")
def death(member_id: UUID) -> str | Response:
    """Record the member's death."""
    return _act(member_id, lambda: _office().record_member_death(
        command_context("record_member_death"), member_id, _required_day("died_on")), _("已登记去世"))


@bp.post("/members/<uuid:member_id>/reactivate")
def reactivate(member_id: UUID) -> str | Response:
    """A returning person rejoins: the same member, active again."""
    def action() -> None:
        union_id = _uuid(form("union_id"), "union_id")
        if union_id is None:
            raise InvalidInput("请选择所在工会", field="union_id")
        _office().reactivate_member(command_context("reactivate_member"), member_id, union_id,
                                    _uuid(form("enterprise_id"), "enterprise_id"), form("reason"))
    return _act(member_id, action, _("已重新入会"))


@bp.post("/members/<uuid:member_id>/card")
def card(member_id: UUID) -> str | Response:
    """Record the membership card issued."""
    return _act(member_id, lambda: _office().issue_membership_card(
        command_context("issue_membership_card"), member_id, form("card_no")), _("已登记会员证"))


@bp.post("/members/<uuid:member_id>/correct")
def correct(member_id: UUID) -> str | Response:
    """Correct recorded details (a compensating event; the old values stay in the history)."""
    def action() -> None:
        member = record(Member, member_id)
        changes: dict[str, object] = {}
        if form("name") and form("name") != member.name:
            changes["name"] = form("name")
        if form("gender") and form("gender") != member.gender:
            changes["gender"] = form("gender")
        birth = parse_day(form("birth_date"), "birth_date")
        if birth and birth != member.birth_date:
            changes["birth_date"] = birth
        current_phone = _office().keys.unseal(member.phone) if member.phone else None
        if "phone" in request.form and (form("phone") or None) != current_phone:
            changes["phone"] = form("phone") or None
        if "frontline" in request.form:
            changes["frontline"] = form("frontline") == "1"
        if form("employment_type"):
            changes["employment_type"] = form("employment_type")
        if "enterprise_id" in request.form and _uuid(form("enterprise_id"), "enterprise_id") != member.enterprise_id:
            changes["enterprise_id"] = _uuid(form("enterprise_id"), "enterprise_id")
        _office().correct_member_details(command_context("correct_member_details"), member_id,
                                         {k: v for k, v in changes.items() if k in CORRECTABLE}, form("reason"),
                                         seen_version=seen_version())
    return _act(member_id, action, _("已更正"))


@bp.post("/members/<uuid:member_id>/id-number")
def id_number(member_id: UUID) -> str | Response:
    """Correct a wrongly recorded ID number (birth date and gender follow it)."""
    return _act(member_id, lambda: _office().correct_member_id_number(
        command_context("correct_member_id_number"), member_id, form("id_number"), form("reason")),
        _("已更正身份证号码"))


@bp.post("/members/<uuid:member_id>/erase")
def erase(member_id: UUID) -> str | Response:
    """Erase the member's sealed personal data for good (PIPL)."""
    def action() -> None:
        if form("confirm") != "删除":
            raise InvalidInput("请在确认框中输入“删除”两个字", field="confirm")
        _office().erase_member_personal_data(command_context("erase_member_personal_data"), member_id,
                                             form("reason"))
    return _act(member_id, action, _("个人信息已删除"))


@bp.get("/members/transfers")
def transfers() -> str:
    """Transfers in transit (as of a date, if asked)."""
    conn = views()
    try:
        on = parse_day(request.args.get("on"), "on")
    except InvalidInput:
        on = None
    everything = request.args.get("all") == "1"
    rows = roster.transfers(conn, open_only=False) if everything else roster.transfers(conn, day=on)
    return page("members/transfers.html", rows=rows, on=on, everything=everything,
                union_names=organisations.union_names(conn), today=backend().office.today(), outcomes=OUTCOMES)
