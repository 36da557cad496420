"""Logging in and out (flask-login), with sessions the server can end."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit
from uuid import UUID

from flask import Blueprint, Flask, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from aggregates.errors import InvalidInput
from aggregates.user_account import UserAccount
from intranet.web import backend, page, wants_fragment

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

    def get_id(self) -> str:
        return self.token

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds any of `roles`."""
        return bool(set(self.roles).intersection(roles))


@login_manager.user_loader
def _load(token: str) -> SignedIn | None:
    """The session's user, as the log has them now (never as a read-model row says): a forged row in the
    read models neither keeps a stopped account signed in nor lends anyone a role."""
    user_id = backend().credentials.session_user(token)
    account = backend().office.account_or_none(user_id) if user_id else None
    if account is None or not account.active:
        return None
    return _signed_in(token, account)


def _signed_in(token: str, account: UserAccount) -> SignedIn:
    return SignedIn(token, account.id, account.username, account.display_name, tuple(account.roles),
                    account.member_id)


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


@bp.post("/login")
def login_submit() -> str | Response:
    """Check the username and password; open a session."""
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    user = _account_named(username)
    ok = backend().credentials.check_password(user.id if user else None, password)
    if not (ok and user and user.active):
        error = _("用户名或密码错误") if not (ok and user) else _("该账号已停用，请联系管理员")
        return page("auth/login.html", "login_form", next=request.form.get("next", ""),
                    error=error, username=username)
    session.clear()
    token = backend().credentials.open_session(user.id)
    login_user(_signed_in(token, user))
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server and in the browser."""
    backend().credentials.close_session(current_user.token)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
