"""首页: the office at a glance."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from aggregates.chain import sqlite_head
from aggregates.roles import ALL_STAFF
from aggregates.settings import value_on
from intranet.summaries import stream_label, summariser
from intranet.web import as_of, backend, page, views
from projections import audit_trail, organisations, roster, settings_history, users

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index() -> str:
    """The dashboard: figures and recent activity for staff, one's own account for members."""
    office = backend().office
    today = office.today()
    context = {"office": office.office(), "today": today}
    if not current_user.has_role(*ALL_STAFF):
        return page("dashboard/index.html", staff=False, **context)
    conn = views()
    on, _today, problem = as_of()
    settings = settings_history.in_force(conn, today)
    recent = audit_trail.entries(conn, audit_trail.Filter(), limit=10)
    summary, names = summariser(conn, recent)
    settings_aggregate = office.settings()
    minimum = int(value_on(settings_aggregate, "standalone_union_min_headcount", on) or 25)
    unions = [u for u in organisations.unions_on(conn, on) if u.dissolved_on is None or u.dissolved_on > on]
    workforce = sum(u.workforce for u in unions)
    return page(
        "dashboard/index.html",
        "roster_figures",
        staff=True,
        on=on,
        problem=problem,
        totals=roster.totals(conn, on),
        unions=len(unions),
        coverage=organisations.coverage_on(conn, on, minimum),
        membership_rate=sum(u.members for u in unions) / workforce if workforce else None,
        target=value_on(settings_aggregate, "membership_rate_target", on),
        new_unions=sum(1 for u in unions if u.founded_on.year == on.year),
        new_members=roster.newcomers_in(conn, on.year, on),
        unions_quota=value_on(settings_aggregate, "annual_new_unions_quota", on),
        members_quota=value_on(settings_aggregate, "annual_new_members_quota", on),
        active_users=users.active_count(conn),
        events_total=audit_trail.count(conn),
        events_today=audit_trail.count(conn, audit_trail.Filter(date_from=today, date_to=today)),
        unset=[s for s in settings if s.value is None],
        head=sqlite_head(office.data_dir / "events.sqlite"),
        recent=recent,
        names=names,
        summary=summary,
        stream_label=stream_label,
        **context,
    )
