"""A role is shown only the forms, buttons and links it may use, and the route table agrees with the command
table: a route that runs a command admits only roles the command admits (the auditor was offered the claim
and advance forms, then refused by the command)."""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from itertools import product
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from aggregates.roles import COMMAND_ROLES, ROLES
from intranet.backend import Backend
from intranet.permissions import ROUTES, allowed
from tests.conftest import Session, login, username_of
from tests.web.claims_world import MEMBER_USERNAME, World, build_world

_CALL = re.compile(r"(?<![.\w])([A-Za-z_]\w*)\(")
_COMMAND = re.compile(r"command_context\(\s*\"(\w+)\"")


def _commands_run_by(view: Callable[..., Any]) -> frozenset[str]:
    """The commands a view runs: each `command_context("…")` in its body or in the functions of its module it
    calls (its helpers), followed transitively."""
    module = inspect.getmodule(view)
    found: set[str] = set()
    seen: set[Callable[..., Any]] = set()
    todo = [view]
    while todo:
        function = todo.pop()
        if function in seen:
            continue
        seen.add(function)
        source = inspect.getsource(function)
        found.update(_COMMAND.findall(source))
        for name in _CALL.findall(source):
            helper = vars(module).get(name)
            if isinstance(helper, types.FunctionType) and helper.__module__ == module.__name__:
                todo.append(helper)
    return frozenset(found)


def route_commands(app: Flask) -> dict[str, frozenset[str]]:
    """The one route → command map: every endpoint of the app that runs a command, and the commands it runs."""
    return {endpoint: commands for endpoint, view in app.view_functions.items()
            if (commands := _commands_run_by(view))}


def test_the_route_command_map_finds_the_commands_behind_the_routes(app: Flask) -> None:
    found = route_commands(app)
    assert found["claims.create"] == {"submit_claim"}
    assert found["claims.certify"] == {"certify_claim"}
    assert found["claims.request_advance"] == {"request_advance"}
    assert found["claims.issue"] == {"issue_meal_notice", "approve_purchase"}
    assert "review_voucher" in found["books.review"]  # through the helper the review and reversal share
    assert "claims.index" not in found and "books.index" not in found


def test_every_route_that_runs_a_command_admits_only_roles_the_command_admits(app: Flask) -> None:
    wrong = []
    for endpoint, commands in sorted(route_commands(app).items()):
        may_run = frozenset().union(*(COMMAND_ROLES[c] for c in commands))
        if extra := ROUTES[endpoint] - may_run:
            wrong.append(f"{endpoint} admits {sorted(extra)}, who may not run {sorted(commands)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("page", "form"), [("claims.new", "claims.create"),
                                             ("claims.new_advance", "claims.request_advance")])
def test_a_form_page_admits_exactly_the_roles_its_form_admits(page: str, form: str) -> None:
    assert ROUTES[page] == ROUTES[form]


# -- what each role is shown -------------------------------------------------------------------------


class _Targets(HTMLParser):
    """Every place a page sends the browser: links, forms and htmx requests, as (method, url)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href"):
            self.found.append(("GET", values["href"]))
        if tag == "form":
            self.found.append(((values.get("method") or "get").upper(), values.get("action") or ""))
        for verb in ("get", "post", "put", "patch", "delete"):
            if values.get(f"hx-{verb}"):
                self.found.append((verb.upper(), values[f"hx-{verb}"]))


def _targets(html: str) -> list[tuple[str, str]]:
    parser = _Targets()
    parser.feed(html)
    return parser.found


def _values(world: World, voucher: str) -> dict[str, list[Any]]:
    period, word, number = voucher.split("/")
    return {
        "book_id": [world.book], "claim_id": [world.submitted, world.certified, world.paid, world.rejected],
        "advance_id": [world.requested, world.approved, world.refused], "enterprise_id": [world.enterprise],
        "union_id": [world.union], "member_id": [world.member], "user_id": [world.office_user],
        "digest": [world.paid_scan], "key": ["cash_on_hand_limit"], "period": [period], "word": [word],
        "number": [int(number)], "kind": ["cash"], "report": ["trial-balance"], "fmt": ["csv"],
    }


def _pages(app: Flask, world: World, voucher: str) -> Iterator[str]:
    """Every page of the app with its variable parts filled from the world (each claim and advance)."""
    values = _values(world, voucher)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or set()) or rule.endpoint in ("static", "auth.logout"):
            continue
        arguments = sorted(rule.arguments)
        for chosen in product(*(values[a] for a in arguments)):
            with app.test_request_context():
                yield url_for(rule.endpoint, **dict(zip(arguments, chosen, strict=True)))


def _endpoint(app: Flask, method: str, url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        endpoint, _args = app.url_map.bind("localhost").match(parts.path, method=method)
    except (HTTPException, RequestRedirect):
        return None
    return endpoint


@pytest.fixture
def world(backend: Backend) -> World:
    return build_world(backend)


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_offers_a_role_a_form_button_or_link_to_a_route_it_may_not_use(
        app: Flask, world: World, role: str) -> None:
    session: Session = login(app.test_client(), MEMBER_USERNAME if role == "member" else username_of(role))
    wrong = set()
    for page in _pages(app, world, world.voucher):
        response = session.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for method, target in _targets(response.text):
            endpoint = _endpoint(app, method, target)
            if endpoint is not None and not allowed(endpoint, [role]):
                wrong.add(f"{page} offers {method} {target} ({endpoint})")
    assert not wrong, "\n".join(sorted(wrong))


def test_the_crawl_sees_the_forms_a_role_may_use(app: Flask, world: World) -> None:
    """The crawl is not blind: the chair's page of a claim waiting for approval offers the approval form."""
    chair = login(app.test_client(), "chair")
    certified = [t for t in _targets(chair.get(f"/claims/{world.certified}").text) if t[0] == "POST"]
    assert any(_endpoint(app, m, t) == "claims.approve" for m, t in certified)

