"""The web shell: Flask app factory, login, permissions, pages, CLI.

Views are thin: parse the form, call one command, catch the read models up, render a
fragment or redirect. Built like Fava: small `_setup_*` helpers in create_app.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask, abort, render_template, request
from flask_babel import Babel
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.wrappers import Response

from aggregates.application import utc_now
from aggregates.errors import WritesHeld
from aggregates.personal_data import private_file
from intranet import (
    audit,
    auth,
    books,
    claims,
    dashboard,
    enterprises,
    formatting,
    grid,
    masking,
    members,
    oversight,
    settings,
    unions,
    users,
)
from intranet.auth import login_manager
from intranet.backend import Backend
from intranet.integrity import Break
from intranet.permissions import allowed, is_public
from intranet.web import (
    close_views,
    filters,
    has_control_characters,
    htmx,
    refuse_unknown_records,
    this_page,
    wants_fragment,
)

ROOT = Path(__file__).resolve().parent.parent
NOT_COMMANDS = frozenset({"auth.logout"})  # POSTs that record nothing, allowed while the chain is broken
csrf = CSRFProtect()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

HTMX_CONFIG = json.dumps({
    "includeIndicatorStyles": False,
    "allowEval": False,
    "allowScriptTags": False,
    "selfRequestsOnly": True,
    "historyRestoreAsHxRequest": False,
    # Settling copies these attributes across a swap; "style" would be an inline style the CSP refuses.
    "attributesToSettle": ["class", "width", "height"],
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        # Error fragments are retargeted to #flash by the server (see _setup_errors).
        {"code": "[45]..", "swap": True, "error": True},
    ],
})


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the intranet for the office in INTRANET_DATA_DIR (or `test_config`'s DATA_DIR)."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    _setup_config(app, test_config or {})
    _setup_backend(app)
    _setup_web(app)
    _setup_blueprints(app)
    _setup_guards(app)
    _setup_errors(app)
    return app


def _setup_config(app: Flask, test_config: dict[str, Any]) -> None:
    data_dir = Path(test_config.get("DATA_DIR") or os.environ.get("INTRANET_DATA_DIR") or "var")
    app.config.from_mapping(
        DATA_DIR=data_dir,
        TIMEZONE=os.environ.get("INTRANET_TIMEZONE") or None,
        CLOCK=utc_now,
        PASSWORD_HASHER=None,
        WTF_CSRF_TIME_LIMIT=None,  # a form left open over lunch must still submit
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Offices that serve the intranet behind TLS set INTRANET_SECURE_COOKIES=1: the browser then
        # sends the session cookie over HTTPS only.
        SESSION_COOKIE_SECURE=os.environ.get("INTRANET_SECURE_COOKIES", "").strip().lower() in {"1", "true", "yes"},
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="zh_Hans_CN",
    )
    app.config.update(test_config)
    app.config["DATA_DIR"] = Path(app.config["DATA_DIR"])
    app.config["SECRET_KEY"] = (
        app.config.get("SECRET_KEY") or os.environ.get("INTRANET_SECRET_KEY") or _stored_secret(app.config["DATA_DIR"])
    )


def _stored_secret(data_dir: Path) -> str:
    """A secret key kept in the data folder, so sessions survive a restart without config."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
    private_file(path)  # a key file copied in with a wider mode is tightened
    return path.read_text().strip()


def _setup_backend(app: Flask) -> None:
    backend = Backend.open(
        app.config["DATA_DIR"],
        clock=app.config["CLOCK"],
        session_clock=app.config.get("SESSION_CLOCK"),
        timezone=app.config["TIMEZONE"],
        hasher=app.config["PASSWORD_HASHER"],
    )
    app.extensions["intranet"] = backend
    atexit.register(backend.close)


def _setup_web(app: Flask) -> None:
    csrf.init_app(app)
    htmx.init_app(app)
    Babel(app, locale_selector=lambda: "zh_Hans_CN", timezone_selector=lambda: "Asia/Shanghai")
    auth.setup(app)
    masking.setup(app)
    app.teardown_appcontext(close_views)
    tz = app.extensions["intranet"].office.timezone
    app.jinja_env.globals.update(htmx_config=HTMX_CONFIG, may=lambda endpoint: allowed(endpoint, _roles()),
                                 this_page=this_page, filters=filters)

    @app.context_processor
    def _office_name() -> dict[str, str | None]:
        office = app.extensions["intranet"].office.office()
        return {"office_name": office.name if office else None}

    @app.context_processor
    def _integrity_break() -> dict[str, object]:
        return {"integrity_break": app.extensions["intranet"].chain.broken}
    app.jinja_env.filters.update(
        money=formatting.money,
        amount=formatting.amount,
        capital=formatting.capital,
        voucher_label=formatting.voucher_label,
        decimal=lambda value: Decimal(str(value)),
        day=formatting.day,
        moment=lambda value: formatting.moment(value, tz),
        role_label=formatting.role_label,
        setting_value=formatting.setting_value,
        setting_input=formatting.setting_input,
        short_hash=formatting.short_hash,
    )


def _roles() -> tuple[str, ...]:
    return tuple(current_user.roles) if current_user.is_authenticated else ()


def _setup_blueprints(app: Flask) -> None:
    blueprints = (auth.bp, dashboard.bp, audit.bp, settings.bp, users.bp, members.bp, unions.bp, enterprises.bp,
                  grid.bp, books.bp, claims.bp, oversight.bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def _setup_guards(app: Flask) -> None:
    @app.before_request
    def _catch_up_and_check() -> Response | None:
        if request.endpoint == "static":
            return None
        broken = _integrity(app.extensions["intranet"])
        app.extensions["intranet"].read_models.catch_up()
        if request.endpoint is None or is_public(request.endpoint):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        forced = auth.change_password_first()
        if forced is not None:
            return forced
        if not allowed(request.endpoint, current_user.roles):
            abort(403)
        if request.method == "POST" and has_control_characters():
            abort(400)
        if broken and request.method == "POST" and request.endpoint not in NOT_COMMANDS:
            abort(503)
        return None

    app.before_request(refuse_unknown_records)  # after the checks above: a stranger learns nothing from a 404

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.vary.add("HX-Request")
        return response


def _integrity(backend: Backend) -> Break | None:
    """The chain's state for this request: the new tail is re-verified before it is projected
    and before every command; while the chain is broken, on every request (so a restore or an
    acknowledgement lifts the hold at once)."""
    if backend.chain.broken is not None:
        return backend.integrity(persist=True)
    if request.method == "POST" or backend.chain.behind(backend.office.recorder.max_notification_id()):
        return backend.integrity()
    return None


def _setup_errors(app: Flask) -> None:
    def _error(status: int, title: str, message: str) -> Any:
        if wants_fragment():
            headers = {"HX-Retarget": "#flash", "HX-Reswap": "outerHTML"}
            return render_template("errors/fragment.html", message=message), status, headers
        return render_template("errors/page.html", title=title, message=message), status

    @app.errorhandler(CSRFError)
    def _csrf(_e: CSRFError) -> tuple[str, int] | Response:
        if wants_fragment() and not current_user.is_authenticated:
            return login_manager.unauthorized()
        return _error(400, "页面已过期", "页面已过期或来源不明，请刷新页面后重试。")

    @app.errorhandler(400)
    def _bad_request(_e: Exception) -> tuple[str, int]:
        return _error(400, "提交的内容有误", "提交的内容含有无效字符或格式有误，未作任何记录，请检查后重新填写。")

    @app.errorhandler(403)
    def _forbidden(_e: Exception) -> tuple[str, int]:
        return _error(403, "无权访问", "您的角色无权使用此功能。如需权限，请联系系统管理员。")

    @app.errorhandler(404)
    def _not_found(_e: Exception) -> tuple[str, int]:
        return _error(404, "页面不存在", "找不到您要的页面或记录。")

    @app.errorhandler(405)
    def _method(_e: Exception) -> tuple[str, int]:
        return _error(405, "不支持的操作", "此页面不支持这种请求方式。")

    @app.errorhandler(413)
    def _too_large(_e: Exception) -> tuple[str, int]:
        return _error(413, "提交内容过大", "提交的内容过大，请缩小后重试。")

    @app.errorhandler(503)
    def _held(_e: Exception) -> tuple[str, int]:
        broken = app.extensions["intranet"].chain.broken
        return _error(503, "系统暂停记录", _(WritesHeld.message, position=broken.position if broken else "?"))

    @app.errorhandler(500)
    def _server_error(_e: Exception) -> tuple[str, int]:
        return _error(500, "系统错误", "系统出现错误，操作未完成，请稍后重试或联系管理员。")
