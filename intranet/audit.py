"""审计轨迹: every recorded event, filtered by actor, record and date."""

from __future__ import annotations

from flask import Blueprint, request

from aggregates.errors import InvalidInput
from aggregates.roles import ADMIN_DUTIES_SETTING
from intranet.summaries import stream_label, summariser
from intranet.web import backend, error_message, page, page_number, parse_day, views
from projections import admin_duties, audit_trail

bp = Blueprint("audit", __name__)
PER_PAGE = 50


@bp.get("/audit")
def index() -> str:
    """The audit trail, newest first; htmx requests get only the results."""
    conn = views()
    args = request.args
    problem = None
    try:
        chosen = audit_trail.Filter(
            actor=args.get("actor") or None,
            stream_id=args.get("stream") or None,
            date_from=parse_day(args.get("from"), "from"),
            date_to=parse_day(args.get("to"), "to"),
        )
    except InvalidInput as error:
        problem, chosen = error_message(error), audit_trail.Filter()
    page_no = page_number()
    total = audit_trail.count(conn, chosen)
    shown = audit_trail.entries(conn, chosen, PER_PAGE, (page_no - 1) * PER_PAGE)
    actors = audit_trail.actors(conn)
    summary, names = summariser(conn, shown, also=actors)
    return page(
        "audit/index.html",
        "results",
        entries=shown,
        total=total,
        page_no=page_no,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        chosen=chosen,
        args=args,
        problem=problem,
        actors=actors,
        names=names,
        summary=summary,
        stream_label=stream_label,
    )


@bp.get("/audit/admin-duties")
def admin_duties_list() -> str:
    """What administrators did under a business role (listed for the fund review committee)."""
    conn = views()
    shown = admin_duties.entries(conn)
    summary, names = summariser(conn, shown)
    office = backend().office
    relaxed = ADMIN_DUTIES_SETTING in office.relaxed_separation(office.today())
    return page("audit/admin_duties.html", entries=shown, total=admin_duties.count(conn), names=names,
                summary=summary, stream_label=stream_label, relaxed=relaxed)
