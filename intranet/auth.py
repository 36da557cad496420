"""Logging in and out (flask-login), with sessions the server can end; throttled logins; own passwords.

A login first asks the throttle (keys.sqlite) whether the account or the client
address must wait, and is refused at once if so, without any argon2 work. A user
whose password was set by the admin can reach nothing but the change-password page
until they have chosen their own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit
from uuid import UUID

from flask import Blueprint, Flask, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from aggregates.errors import DomainError, InvalidInput
from aggregates.settings import Settings, spec_for, value_on
from aggregates.user_account import UserAccount
from intranet.credentials import HashingBusy, SessionLimits
from intranet.password_policy import password_problem
from intranet.throttle import Wait
from intranet.web import backend, command_context, error_message, page, wants_fragment

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


@dataclass(frozen=True)
class SignedIn(UserMixin):
    """The user of this request: their account as projected, and their session token."""

    token: str
    user_id: UUID
    username: str
    display_name: str
    roles: tuple[str, ...]
    member_id: UUID | None
    must_change_password: bool = False

    def get_id(self) -> str:
        return self.token

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds any of `roles`."""
        return bool(set(self.roles).intersection(roles))


# The only pages a user whose password the admin set may reach until they have changed it.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.password", "auth.password_submit", "auth.logout"})


_limits_cache: dict[str, tuple[tuple[int, date], SessionLimits]] = {}


def session_limits() -> SessionLimits:
    """The idle and absolute session times in force today, from the write side (as every setting a rule
    depends on), worked out again only when the log has grown or the day has changed."""
    office = backend().office
    seen = (office.recorder.max_notification_id() or 0, office.today())
    cached = _limits_cache.get(str(office.data_dir))
    if cached is not None and cached[0] == seen:
        return cached[1]
    settings = office.settings()
    limits = SessionLimits(idle=timedelta(minutes=_whole(settings, "session_idle_minutes", seen[1])),
                           absolute=timedelta(hours=_whole(settings, "session_max_hours", seen[1])))
    _limits_cache[str(office.data_dir)] = (seen, limits)
    return limits


def _whole(settings: Settings | None, key: str, day: date) -> int:
    """A count setting in force on `day`, kept within 1 and the catalogue's maximum."""
    maximum = spec_for(key).maximum or 1
    return min(max(int(value_on(settings, key, day) or 0), 1), maximum)


@login_manager.user_loader
def _load(token: str) -> SignedIn | None:
    """The session's user, as the log has them now (never as a read-model row says): a forged row in the
    read models neither keeps a stopped account signed in nor lends anyone a role. The session ends
    after the idle and absolute times in force."""
    user_id = backend().credentials.session_user(token, session_limits())
    account = backend().office.account_or_none(user_id) if user_id else None
    if account is None or not account.active:
        return None
    return _signed_in(token, account)


def _signed_in(token: str, account: UserAccount) -> SignedIn:
    return SignedIn(token, account.id, account.username, account.display_name, tuple(account.roles),
                    account.member_id, backend().credentials.must_change_password(account.id))


def change_password_first() -> Response | None:
    """Send a user who must replace an admin-set password to the change page (every other route)."""
    if not current_user.must_change_password or request.endpoint in PASSWORD_CHANGE_ENDPOINTS:
        return None
    target = url_for("auth.password")
    if wants_fragment():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target)


@login_manager.unauthorized_handler
def _unauthorized() -> Response:
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if wants_fragment():
        response = Response(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def setup(app: Flask) -> None:
    """Wire flask-login into the app."""
    login_manager.init_app(app)
    login_manager.session_protection = "strong"


def _account_named(username: str) -> UserAccount | None:
    """The account a login names, from the write side (a username that is not one is simply unknown)."""
    try:
        return backend().office.account_or_none(UserAccount.id_for(username)) if username else None
    except InvalidInput:
        return None


def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("dashboard.index")
    return target


@bp.get("/login")
def login() -> str | Response:
    """The login page."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return page("auth/login.html", next=request.args.get("next", ""), error=None, username="")


def _address() -> str:
    return request.remote_addr or "unknown"


def wait_message(wait: Wait) -> str:
    """When to try again, in the office's time and in words."""
    office = backend().office
    left = max((wait.until - backend().credentials.clock()).total_seconds(), 1)
    at = wait.until.astimezone(office.timezone).strftime("%H:%M:%S")
    span = _("%(n)s秒", n=math.ceil(left)) if left < 60 else _("%(n)s分钟", n=math.ceil(left / 60))
    if wait.locked:
        return _("该账号因多次登录失败已被锁定，请于 %(at)s 后再试（约%(span)s），或请系统管理员解除锁定",
                 at=at, span=span)
    return _("登录失败次数过多，请于 %(at)s 后再试（约%(span)s）", at=at, span=span)


def _login_refused(username: str, error: str, status: int = 200, retry_after: int | None = None) -> Response:
    html = page("auth/login.html", "login_form", next=request.form.get("next", ""), error=error, username=username)
    response = Response(html, status=status, mimetype="text/html")
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(retry_after, 1))
    return response


def _seconds_until(wait: Wait) -> int:
    return math.ceil((wait.until - backend().credentials.clock()).total_seconds())


@bp.post("/login")
def login_submit() -> Response:
    """Check the throttle, then the username and password; open a session."""
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    throttle = backend().throttle
    wait = throttle.wait(username, _address())
    if wait is not None:
        return _login_refused(username, wait_message(wait), 429, _seconds_until(wait))
    user = _account_named(username)
    try:
        ok = backend().credentials.check_password(user.id if user else None, password)
    except HashingBusy:
        return _login_refused(username, _("登录的人较多，请过几秒再试"), 503, 2)
    if not (ok and user):
        wait = throttle.failed(username, _address())
        error = _("用户名或密码错误")
        return _login_refused(username, f"{error}。{wait_message(wait)}" if wait else error)
    if not user.active:
        return _login_refused(username, _("该账号已停用，请联系管理员"))
    throttle.succeeded(username)
    _sign_in(user)
    if backend().credentials.must_change_password(user.id):
        return redirect(url_for("auth.password"))
    return redirect(_safe_next(request.form.get("next")))


def _sign_in(account: UserAccount) -> None:
    session.clear()
    login_user(_signed_in(backend().credentials.open_session(account.id), account))


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server and in the browser."""
    backend().credentials.close_session(current_user.token)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


# -- changing one's own password ------------------------------------------------------------


def _password_page(errors: dict[str, str] | None = None, notice: str | None = None, status: int = 200) -> Response:
    html = page("auth/password.html", "password_form", errors=errors or {}, notice=notice,
                forced=current_user.is_authenticated and current_user.must_change_password)
    return Response(html, status=status, mimetype="text/html")


@bp.get("/password")
def password() -> Response:
    """The form to change one's own password (current password, new twice)."""
    return _password_page()


def person_words(username: str, display_name: str) -> list[str]:
    """What a password must not be built from: the person's username and name, and the office's name."""
    office = backend().office.office()
    return [username, display_name, *([office.name] if office else [])]


def _current_password_refused(current: str) -> Response | None:
    """The page refusing a wrong (or throttled) current password, or None when it is right."""
    wait = backend().throttle.wait(current_user.username, _address())
    if wait is not None:
        return _password_page({"current_password": wait_message(wait)}, status=429)
    try:
        right = backend().credentials.check_password(current_user.user_id, current)
    except HashingBusy:
        return _password_page({"current_password": _("系统繁忙，请过几秒再试")}, status=503)
    if not right:
        backend().throttle.failed(current_user.username, _address())
        return _password_page({"current_password": _("当前密码不正确")})
    return None


@bp.post("/password")
def password_submit() -> Response:
    """Check the current password, then record the change and store the new one (ends the other sessions)."""
    current, new = request.form.get("current_password") or "", request.form.get("password") or ""
    refused = _current_password_refused(current)
    if refused is not None:
        return refused
    problem = password_problem(new, request.form.get("password_confirm") or "",
                               user_inputs=person_words(current_user.username, current_user.display_name))
    if not problem and new == current:
        problem = _("新密码不能与当前密码相同")
    if problem:
        return _password_page({"password": _(problem)})
    try:
        backend().office.record_own_password_change(command_context("record_own_password_change"),
                                                    current_user.user_id)
    except DomainError as error:
        return _password_page({"_form": error_message(error)})
    backend().credentials.set_password(current_user.user_id, new,
                                       user_inputs=person_words(current_user.username, current_user.display_name))
    backend().read_models.catch_up()
    account = backend().office.account_or_none(current_user.user_id)
    if account is not None:  # this browser stays signed in (same cookie session); every other session has ended
        login_user(_signed_in(backend().credentials.open_session(account.id), account))
    if not wants_fragment():
        return redirect(url_for("dashboard.index"))
    return _password_page(notice=_("密码已修改，您在其他设备上的登录已结束"))
