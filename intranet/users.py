"""用户: accounts, their roles, passwords and personal data (admin only)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from aggregates.errors import DomainError, InvalidInput
from aggregates.member import GENDERS, STATUSES
from aggregates.roles import ROLES, SEPARATION, broken_lines
from intranet.auth import person_words
from intranet.credentials import password_problem
from intranet.masking import reveal, sees_whole
from intranet.summaries import summariser
from intranet.web import (
    act,
    backend,
    clean,
    command_context,
    field_errors,
    form,
    go,
    new_form_key,
    page,
    seen_version,
    views,
    wants_fragment,
)
from projections import audit_trail, organisations, roster, users

bp = Blueprint("users", __name__)


@bp.get("/users")
def index() -> str:
    """All accounts."""
    office = backend().office
    relaxed = office.relaxed_separation(office.today())
    accounts = users.everyone(views())
    breaking = {a.user_id for a in accounts if a.active and broken_lines(a.roles, relaxed)}
    return page("users/index.html", accounts=accounts, roles=ROLES, separation=SEPARATION, relaxed=relaxed,
                breaking=breaking)


@bp.get("/users/new")
def new() -> str:
    """The form to open an account."""
    return page("users/new.html", "user_form", errors={}, entered={}, chosen_roles=[],
                form_key=new_form_key(), roles=ROLES, **_member_choices(request.args.get("member_q", "")))


@bp.post("/users")
def create() -> str | Response:
    """Open an account with a first password."""
    entered = {name: form(name) for name in ("username", "display_name", "phone")}
    chosen_roles = request.form.getlist("roles")
    try:
        problem = password_problem(request.form.get("password", ""), request.form.get("password_confirm", ""),
                                   user_inputs=person_words(entered["username"], entered["display_name"]))
        if problem:
            raise InvalidInput(problem, field="password")
        user_id = backend().office.register_user(
            command_context("register_user"), entered["username"], entered["display_name"], chosen_roles,
            phone=entered["phone"] or None, form_key=form("form_key") or None, member_id=_chosen_member(),
        )
    except DomainError as error:
        return page("users/new.html", "user_form", errors=field_errors(error), entered=entered,
                    chosen_roles=chosen_roles, form_key=form("form_key") or new_form_key(), roles=ROLES,
                    **_member_choices("", form("member_id")))
    # The admin chose this password: the new user must replace it at the first login.
    backend().credentials.set_password(user_id, request.form["password"], must_change=True,
                                       user_inputs=person_words(entered["username"], entered["display_name"]))
    backend().read_models.catch_up()
    return go(url_for("users.detail", user_id=user_id))


def _account(user_id: UUID, errors: dict[str, str] | None = None, notice: str | None = None) -> str:
    account = users.by_id(views(), user_id)
    if account is None:
        abort(404)
    phone = reveal(backend().office.keys, account.phone)  # the admin records it; the page is never stored
    history = audit_trail.stream(views(), str(user_id))
    summary, names = summariser(views(), history)
    return page(
        "users/detail.html",
        "account",
        account=account,
        phone=phone,
        has_password=backend().credentials.has_password(user_id),
        must_change_password=backend().credentials.must_change_password(user_id),
        locked_until=backend().throttle.locked_until(account.username),
        history=history,
        names=names,
        summary=summary,
        errors=errors or {},
        notice=notice,
        roles=ROLES,
        **_member_link(account),
    )


@bp.get("/users/<uuid:user_id>")
def detail(user_id: UUID) -> str:
    """One account: roles, status, phone, password, history, and the admin's actions."""
    return _account(user_id)


def _act(user_id: UUID, action: Callable[[], None], notice: str) -> str | Response:
    return act(action, lambda **shown: _account(user_id, **shown), done=url_for("users.detail", user_id=user_id),
               notice=notice)


@bp.post("/users/<uuid:user_id>/roles")
def roles(user_id: UUID) -> str | Response:
    """Give the account exactly the ticked roles."""
    chosen = request.form.getlist("roles")
    return _act(user_id, lambda: backend().office.change_user_roles(
        command_context("change_user_roles"), user_id, chosen, seen_version()), _("角色已更新"))


@bp.post("/users/<uuid:user_id>/password")
def password(user_id: UUID) -> str | Response:
    """Set a new password (ends the user's sessions)."""

    def action() -> None:
        account = backend().office.account_or_none(user_id)
        if account is None:
            abort(404)
        words = person_words(account.username, account.display_name)
        problem = password_problem(request.form.get("password", ""), request.form.get("password_confirm", ""),
                                   user_inputs=words)
        if problem:
            raise InvalidInput(problem, field="password")
        backend().office.record_password_reset(command_context("record_password_reset"), user_id)
        # The admin now knows this password: its holder must replace it at the next login.
        backend().credentials.set_password(user_id, request.form["password"], user_inputs=words,
                                           must_change=user_id != current_user.user_id)

    return _act(user_id, action, _("密码已重设，该用户需重新登录，并在登录后改为自己的密码"))


@bp.post("/users/<uuid:user_id>/unlock")
def unlock(user_id: UUID) -> str | Response:
    """Lift the login lockout of an account locked after repeated failures (recorded in the log)."""

    def action() -> None:
        account = backend().office.account_or_none(user_id)  # the username from the log, never a read-model row
        if account is None:
            abort(404)
        if backend().throttle.locked_until(account.username) is None:
            raise InvalidInput("该账号没有被锁定")
        backend().office.lift_login_lockout(command_context("lift_login_lockout"), user_id)
        backend().throttle.clear(account.username)

    return _act(user_id, action, _("已解除登录锁定，该用户可以重新登录"))


@bp.post("/users/<uuid:user_id>/deactivate")
def deactivate(user_id: UUID) -> str | Response:
    """Stop the account (and end its sessions)."""

    def action() -> None:
        backend().office.deactivate_user(command_context("deactivate_user"), user_id, form("reason"), seen_version())
        backend().credentials.close_sessions_of(user_id)

    return _act(user_id, action, _("账号已停用"))


@bp.post("/users/<uuid:user_id>/reactivate")
def reactivate(user_id: UUID) -> str | Response:
    """Let the account log in again."""
    return _act(user_id, lambda: backend().office.reactivate_user(
        command_context("reactivate_user"), user_id, form("reason"), seen_version()), _("账号已恢复使用"))


@bp.post("/users/<uuid:user_id>/phone")
def phone(user_id: UUID) -> str | Response:
    """Record (or clear) the user's phone number."""
    return _act(user_id, lambda: backend().office.change_user_phone(
        command_context("change_user_phone"), user_id, form("phone") or None, seen_version()), _("电话号码已更新"))


@bp.post("/users/<uuid:user_id>/erase")
def erase(user_id: UUID) -> str | Response:
    """Erase the user's personal data for good (PIPL)."""

    def action() -> None:
        if form("confirm") != "删除":
            raise InvalidInput("请在确认框中输入“删除”两个字", field="confirm")
        backend().office.erase_user_personal_data(command_context("erase_user_personal_data"), user_id, form("reason"))

    return _act(user_id, action, _("个人信息已删除"))


# -- the member an account stands for ---------------------------------------------------------------


def _chosen_member() -> UUID | None:
    """The member picked from the search results ('' when none was picked)."""
    chosen = form("member_id")
    if not chosen:
        return None
    try:
        return UUID(chosen)
    except ValueError:
        raise InvalidInput("请从查找结果中选择会员", field="member_id") from None


def _member_choices(query: str, chosen: str = "") -> dict[str, object]:
    """The members matching `query` (name, pinyin initials, card number), or the one chosen,
    with what the picker shows beside each and whether they already have an account."""
    conn, query = views(), clean(query)[:40]
    # The admin is not the clerk: no search by ID tail and no birth year beside a masked number (intranet/masking.py).
    search = roster.Search(text=query, by_id_tail=sees_whole())
    rows = roster.search(conn, search, backend().office.today(), limit=10) if query else []
    if chosen and not any(row.member_id == chosen for row in rows):
        picked = roster.member(conn, chosen) if _is_uuid(chosen) else None
        rows = [picked, *rows] if picked else rows
    taken = {row.member_id for row in rows if users.by_member(conn, row.member_id) is not None}
    return {"member_q": query, "choices": rows, "chosen_member": chosen, "taken": taken,
            "union_names": organisations.union_names(conn), "statuses": STATUSES, "genders": GENDERS}


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def _member_link(account: users.User) -> dict[str, object]:
    """The member record the account stands for, or the picker to link one."""
    if account.member_id is None:
        return {"linked": None, **_member_choices(request.args.get("member_q", ""), form("member_id"))}
    conn = views()
    linked = roster.member(conn, str(account.member_id))
    return {"linked": linked, "union_names": organisations.union_names(conn), "statuses": STATUSES}


@bp.get("/users/member-choices")
def member_choices() -> str | Response:
    """The members matching what the admin typed, for the account forms' picker (htmx)."""
    query = request.args.get("member_q", "")
    if not wants_fragment():
        return redirect(url_for("users.new", member_q=query[:40]))
    return page("users/_member_choices.html", **_member_choices(query))


@bp.post("/users/<uuid:user_id>/member")
def link_member(user_id: UUID) -> str | Response:
    """Link the account to the member picked."""
    return _act(user_id, lambda: backend().office.link_user_to_member(
        command_context("link_user_to_member"), user_id, _picked_member(), seen_version()), _("已关联会员档案"))


def _picked_member() -> UUID:
    member_id = _chosen_member()
    if member_id is None:
        raise InvalidInput("请先查找并选择会员", field="member_id")
    return member_id


@bp.post("/users/<uuid:user_id>/unlink-member")
def unlink_member(user_id: UUID) -> str | Response:
    """Remove the account's link to its member record."""
    return _act(user_id, lambda: backend().office.unlink_user_from_member(
        command_context("unlink_user_from_member"), user_id, form("reason"), seen_version()),
        _("已解除与会员档案的关联"))
