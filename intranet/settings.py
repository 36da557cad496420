"""设置: every configurable value in force on a date, its history, and setting it."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from aggregates.errors import DomainError, InvalidInput
from aggregates.settings import GROUPS, SPECS
from intranet.permissions import allowed
from intranet.web import (
    backend,
    command_context,
    error_message,
    field_errors,
    form,
    page,
    parse_day,
    seen_version,
    views,
    wants_fragment,
)
from projections import settings_history

bp = Blueprint("settings", __name__)


@bp.get("/settings")
def index() -> str:
    """Every setting as it stands on a date (today unless ?on=YYYY-MM-DD)."""
    today = backend().office.today()
    problem = None
    try:
        on = parse_day(request.args.get("on"), "on") or today
    except InvalidInput as error:
        problem, on = error_message(error), today
    items = settings_history.in_force(views(), on)
    return page(
        "settings/index.html",
        "table",
        groups=[(group, [i for i in items if i.spec.group == group]) for group in GROUPS],
        on=on,
        today=today,
        problem=problem,
        unset=sum(1 for i in items if i.value is None),
        scheduled=settings_history.scheduled(views(), today),
        specs=SPECS,
    )


def _detail(key: str, errors: dict[str, str] | None = None, entered: dict[str, str] | None = None,
            notice: str | None = None) -> str:
    spec = SPECS.get(key)
    if spec is None:
        abort(404)
    today = backend().office.today()
    current = next(i for i in settings_history.in_force(views(), today) if i.spec.key == key)
    return page(
        "settings/detail.html",
        "panel",
        spec=spec,
        current=current,
        history=settings_history.history(views(), key),
        today=today,
        errors=errors or {},
        entered=entered or {},
        notice=notice,
        can_edit=allowed("settings.update", current_user.roles),
    )


@bp.get("/settings/<key>")
def detail(key: str) -> str:
    """One setting: its meaning and source, value in force, history, and the form."""
    return _detail(key)


@bp.post("/settings/<key>")
def update(key: str) -> str | Response:
    """Set a value from an effective date on, with a reason."""
    if key not in SPECS:
        abort(404)
    entered = {name: form(name) for name in ("value", "effective_from", "reason")}
    try:
        effective_from = parse_day(entered["effective_from"], "effective_from")
        if effective_from is None:
            raise InvalidInput("请填写生效日期", field="effective_from")
        backend().office.set_setting(
            command_context("set_setting"), key, entered["value"], effective_from,
            entered["reason"], seen_version=seen_version(),
        )
    except DomainError as error:
        return _detail(key, field_errors(error), entered)
    backend().read_models.catch_up()
    if not wants_fragment():
        return redirect(url_for("settings.detail", key=key))
    return _detail(key, notice=_("已保存"))
