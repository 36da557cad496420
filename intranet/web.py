"""What every view shares: the backend, the read-model connection, fragment-or-page,
the context a command runs in, and the one place domain errors become messages."""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_htmx import HTMX
from flask_login import current_user
from jinja2_fragments.flask import render_block
from werkzeug.wrappers import Response

from aggregates.advance import CashAdvance
from aggregates.asset import Asset
from aggregates.book import Book
from aggregates.claim import ExpenseClaim
from aggregates.enterprise import Enterprise
from aggregates.envelope import Context, OfficeAggregate
from aggregates.errors import DomainError, InvalidInput, NotPermitted
from aggregates.member import Member
from aggregates.union import Union
from aggregates.user_account import UserAccount
from intranet.backend import Backend
from intranet.permissions import acting_role

htmx = HTMX()
A = TypeVar("A", bound=OfficeAggregate)


def backend() -> Backend:
    """The process's backend."""
    return current_app.extensions["intranet"]


def views() -> sqlite3.Connection:
    """This request's connection to the read models (closed on teardown)."""
    if "views" not in g:
        g.views = backend().read_models.connect_current()
    return g.views


def close_views(_exc: BaseException | None = None) -> None:
    """Teardown: close the request's read-model connection."""
    conn = g.pop("views", None)
    if conn is not None:
        conn.close()


def wants_fragment() -> bool:
    """An htmx request that is not a history restore gets a fragment, never a page."""
    return bool(htmx) and not htmx.history_restore_request


def page(template: str, block: str | None = None, **context: Any) -> str:
    """Render the whole page, or only `block` for an htmx request."""
    if block and wants_fragment():
        return render_block(template, block, **context)
    return render_template(template, **context)


def command_context(command: str, occurred_on: date | None = None) -> Context:
    """The context for the signed-in user to run `command` under their fitting role."""
    role = acting_role(current_user.roles, command)
    if role is None:
        raise NotPermitted(role="、".join(current_user.roles))
    return backend().office.context(str(current_user.user_id), role, occurred_on)


def error_message(error: DomainError) -> str:
    """The refusal as the user reads it."""
    return _(error.template, **error.params) if error.params else _(error.template)


def field_errors(error: DomainError) -> dict[str, str]:
    """field name → message, for re-rendering a form beside the fields."""
    field = error.field if isinstance(error, InvalidInput) else None
    return {field or "_form": error_message(error)}


def new_form_key() -> str:
    """A fresh idempotency key for a form that creates something."""
    return secrets.token_urlsafe(16)


def parse_day(text: str | None, field: str) -> date | None:
    """A date typed as YYYY-MM-DD (empty: None)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("日期格式应为 年-月-日，如 2026-03-08", field=field) from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WHOLE = re.compile(r"[0-9]{1,9}")


def clean(text: str | None) -> str:
    """Text as typed, trimmed, without control characters (a NUL is never data)."""
    return _CONTROL.sub("", text or "").strip()


def has_control_characters() -> bool:
    """Whether a submitted form holds control characters (refused before any view runs)."""
    return any(_CONTROL.search(value) for value in request.form.values())


def act(action: Callable[[], object], render: Callable[..., str], *, done: str, notice: str) -> str | Response:
    """Run one command for a record's page: on refusal re-render with the message (status 200,
    nothing recorded); on success catch up and show the page again (htmx) or redirect to `done`."""
    try:
        action()
    except DomainError as error:
        return render(errors=field_errors(error))
    backend().read_models.catch_up()
    if not wants_fragment():
        return redirect(done)
    return render(notice=notice)


def go(target: str) -> Response:
    """Send the browser to `target` after a create: HX-Redirect for htmx, a redirect otherwise."""
    if wants_fragment():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target)


# How far ahead an "as of" date may look: the ageing of advances accrues interest day by day up to it, and a
# date in the year 9999 would keep a request busy for seconds per advance.
AS_OF_AHEAD = timedelta(days=366)


def as_of() -> tuple[date, date, str | None]:
    """(the date asked for in ?on=, today, a message if ?on= was not a date or too far ahead)."""
    today = backend().office.today()
    try:
        day = parse_day(request.args.get("on"), "on") or today
    except InvalidInput as error:
        return today, today, error_message(error)
    if day > today + AS_OF_AHEAD:
        return today, today, _("日期不能晚于今天一年以上，已按今天显示")
    return day, today, None


def form(name: str) -> str:
    """A submitted form field, cleaned ('' when absent)."""
    return clean(request.form.get(name))


def whole(text: str | None) -> int | None:
    """A whole number typed in ASCII digits (at most nine), or None: never an exception."""
    text = clean(text)
    return int(text) if _WHOLE.fullmatch(text) else None


def seen_version() -> int | None:
    """The version of the record the form was built from."""
    return whole(request.form.get("seen_version"))


def page_number() -> int:
    """The page asked for in ?page= (1 when absent or not a sensible number)."""
    return max(whole(request.args.get("page")) or 1, 1)


# -- the records a URL names ------------------------------------------------------------------------------

# The kind of record each id part of a URL names (<uuid:book_id> is a Book, ...).
RECORD_KINDS: dict[str, type[OfficeAggregate]] = {
    "member_id": Member, "union_id": Union, "enterprise_id": Enterprise, "user_id": UserAccount, "book_id": Book,
    "claim_id": ExpenseClaim, "advance_id": CashAdvance, "asset_id": Asset,
}


def record(kind: type[A], record_id: UUID, *, first_only: bool = False) -> A:
    """The record of `kind` with this id as recorded now (or only its first event, enough to know its kind);
    404 for an unknown id or the id of another kind of record."""
    try:
        found = backend().office.repository.get(record_id, version=1 if first_only else None)
    except AggregateNotFoundError:
        abort(404)
    if not isinstance(found, kind):
        abort(404)
    return found


def refuse_unknown_records() -> None:
    """Before every view: each id in the URL names a record of the kind its name says, else 404."""
    for name, value in (request.view_args or {}).items():
        if name in RECORD_KINDS:
            record(RECORD_KINDS[name], value, first_only=True)


# -- links that keep a page's filters ---------------------------------------------------------------------

# The query arguments pages read as filters: the only ones a link carries over. Never the whole query:
# url_for reads endpoint, _method, _external, _anchor, _scheme as its own arguments.
FILTERS = frozenset({"on", "start", "end", "period", "account", "q", "union", "status", "frontline", "employment",
                     "birthday", "age", "covered", "stream", "actor", "from", "to", "all", "state", "year"})


def filters() -> dict[str, str]:
    """The current request's filters, by name (unknown query arguments dropped)."""
    return {name: value for name, value in request.args.items() if name in FILTERS}


def this_page(**changes: Any) -> str:
    """A link to this page keeping its filters, with `changes` (another page number, another book...)."""
    return url_for(request.endpoint or "dashboard.index", **{**filters(), **(request.view_args or {}), **changes})
