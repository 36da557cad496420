"""网格: the grid cells of union work in the communities, with their leaders, workers and duties."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from aggregates.errors import DomainError
from intranet.web import backend, command_context, field_errors, form, page, views, wants_fragment
from projections import grid

bp = Blueprint("grid", __name__)


def _page(errors: dict[str, str] | None = None, entered: dict[str, str] | None = None,
          notice: str | None = None) -> str:
    return page("grid/index.html", "grid", cells=grid.cells(views()), errors=errors or {}, entered=entered or {},
                notice=notice)


@bp.get("/grid")
def index() -> str:
    """Every grid cell and the form to set one up or reassign it (ORG-11)."""
    return _page()


@bp.post("/grid")
def assign() -> str | Response:
    """Set up a cell, or record its new leader, workers and duties."""
    entered = {n: form(n) for n in ("community", "name", "leader", "workers", "duties")}
    try:
        backend().office.assign_grid_cell(
            command_context("assign_grid_cell"), community=entered["community"], name=entered["name"],
            leader=entered["leader"], workers=re.split(r"[，,、\s]+", entered["workers"]), duties=entered["duties"])
    except DomainError as error:
        return _page(field_errors(error), entered)
    backend().read_models.catch_up()
    if not wants_fragment():
        return redirect(url_for("grid.index"))
    return _page(notice=_("已登记网格"))
