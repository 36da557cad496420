"""Logging in and out (flask-login), with sessions the server can end."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit
from uuid import UUID

from flask import Blueprint, Flask, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from intranet.web import backend, page, views, wants_fragment
from projections import users

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
    user_id = backend().credentials.session_user(token)
    user = users.by_id(views(), user_id) if user_id else None
    if user is None or not user.active:
        return None
    return SignedIn(token, user.user_id, user.username, user.display_name, user.roles, user.member_id)


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
    user = users.by_username(views(), username) if username else None
    ok = backend().credentials.check_password(user.user_id if user else None, password)
    if not (ok and user and user.active):
        error = _("用户名或密码错误") if not (ok and user) else _("该账号已停用，请联系管理员")
        return page("auth/login.html", "login_form", next=request.form.get("next", ""),
                    error=error, username=username)
    session.clear()
    token = backend().credentials.open_session(user.user_id)
    login_user(SignedIn(token, user.user_id, user.username, user.display_name, user.roles, user.member_id))
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server and in the browser."""
    backend().credentials.close_session(current_user.token)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
