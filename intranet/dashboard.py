"""首页: the office at a glance."""

from __future__ import annotations

import sqlite3
from datetime import date

from flask import Blueprint
from flask_login import current_user

from aggregates.roles import ALL_STAFF, BOOK_READERS, CLAIMANTS
from aggregates.settings import value_on
from intranet.audit import visible_to_me
from intranet.claims import claim_reader, waiting_for
from intranet.summaries import stream_label, summariser
from intranet.web import as_of, backend, page, views
from projections import audit_trail, claims, ledger, organisations, roster, settings_history, users

bp = Blueprint("dashboard", __name__)


def _money_figures(conn: sqlite3.Connection, today: date) -> dict[str, object]:
    """What waits for the signed-in user in the books and claims, and the own book's cash against its ceiling."""
    own = next((b for b in ledger.books(conn) if b.union_id is None), None)
    cash = ledger.balance(conn, own.book_id, "101", today) if own is not None else None
    deduct = value_on(backend().office.settings(), "advance_salary_deduction_after", today)
    overdue = [a for a in claims.ageing(conn, today, lambda _day: None, int(deduct) if deduct else None,
                                        reader=claim_reader()) if a.days_overdue]
    return {"own": own, "cash": cash, "ceiling": value_on(backend().office.settings(), "cash_on_hand_limit", today),
            "claims_waiting": len(waiting_for(claims.claims(conn, reader=claim_reader()))), "overdue": len(overdue),
            "unreviewed": sum(len(ledger.vouchers(conn, b.book_id, waiting=True)) for b in ledger.books(conn))
            if current_user.has_role("accountant") else None}


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
    recent = audit_trail.entries(conn, visible_to_me(), limit=10)
    summary, names = summariser(conn, recent)
    settings_aggregate = office.settings()
    minimum = int(value_on(settings_aggregate, "standalone_union_min_headcount", on) or 25)
    unions = [u for u in organisations.unions_on(conn, on) if u.dissolved_on is None or u.dissolved_on > on]
    workforce = sum(u.workforce for u in unions)
    return page(
        "dashboard/index.html",
        "roster_figures",
        money=_money_figures(conn, today) if current_user.has_role(*(BOOK_READERS | CLAIMANTS)) else None,
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
        head=backend().chain.head(),  # recomputed from the last verified head, never read from a stored row
        acknowledgements=backend().chain.checkpoints.acknowledgements(),
        recent=recent,
        names=names,
        summary=summary,
        stream_label=stream_label,
        **context,
    )
