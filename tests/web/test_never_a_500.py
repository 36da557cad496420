"""Never a 500: hostile input to every form and every page gets a clear answer and changes nothing.

One intranet is built for the whole module (its own data folder, the same configuration as the
`app` fixture of tests/conftest.py). Every POST rule of the app (logout aside) is sent, by a user
the route table lets in, a table of hostile bodies, with and without the HX-Request header:

* the whole-form table: an empty form, then every field the view reads set to one hostile value;
* the one-field table: a form the view accepts, with one parsed field (a date, a number, an id,
  a choice) swapped for each hostile value, so that the checks after the first one are reached;
* the list table: several values at once for the fields read with request.form.getlist.

The records each form points at (an enterprise, a union covering it, a second union, members in
every state a step needs, users) are real, and built again for an endpoint once a post to it has
recorded something, so every post meets them as the valid form expects. Every GET rule is then
fetched with hostile query strings, by a user allowed to see it; by then the pages also show the
hostile text the forms above were allowed to record.

Whatever comes in, the answer is never 5xx; and a body that cannot be valid (the empty form,
"abc" everywhere, NUL bytes, oversized text) records nothing, unless the case lists it under
`accepts` with the reason it is a legitimate request.
"""

from __future__ import annotations

import itertools
import re
import secrets
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import pytest
from flask import Flask, url_for
from openpyxl import load_workbook
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from aggregates.application import UnionOffice
from intranet import _setup_blueprints, create_app
from intranet.backend import Backend
from intranet.permissions import PUBLIC, ROUTES
from intranet.web import RECORD_KINDS
from projections import users
from tests import roster_helpers as helpers
from tests.conftest import (
    FAST_HASHER,
    PASSWORD,
    STAFF_ROLES,
    Clock,
    Session,
    acting,
    as_role,
    csrf_from,
    login,
    system,
)

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-03-08"  # the business date of the pinned clock (tests/conftest.py)
ANONYMOUS = "anonymous"
MEMBER_USER = "member1"
RANDOM_UUID = UUID("744ea4fc-312f-494b-a2e7-212e59928585")  # a random UUID, fixed so that a failure can be rerun

# Each hostile value, by the name it has in test ids.
HOSTILE: dict[str, str] = {
    "blank": "",
    "space": " ",
    "zero": "0",
    "minus_one": "-1",
    "abc": "abc",
    "nan": "NaN",
    "inf": "1e309",
    "nines400": "9" * 400,
    "fullwidth_date": "２０２６-０３-０８",
    "feb30": "2026-02-30",
    "sql": "'; DROP TABLE members; --",
    "script": "<script>alert(1)</script>",
    "uuid": str(RANDOM_UUID),
    "nul": "\x00",
    # Beyond the brief: digits str.isdigit() accepts and int() refuses, and text past every length limit.
    "superscript": "²⁰²⁶",
    "long2000": "长" * 2000,
}

# The one-field table leaves out what a parser reads like another value: " " is "" once trimmed, the
# SQL, the script and the NUL byte are text like "abc", and 2000 characters are past every limit like 400 nines.
PROBE_VALUES = [name for name in HOSTILE if name not in {"space", "sql", "script", "nul", "long2000"}]

# Whole-form payloads that cannot be a valid request: they must record nothing.
GARBAGE = frozenset({"empty", "all=abc", "all=nul", "all=nines400", "all=long2000"})

_serial = itertools.count(1)


def _n() -> int:
    return next(_serial)


def _born() -> date:
    """A distinct birth date per member, so the helpers' ID numbers never collide."""
    return date(1970, 1, 1) + timedelta(days=_n())


# -- the module's intranet ---------------------------------------------------------------------------


@dataclass
class World:
    """The module's app, its backend, a session per user, and the records each endpoint acts on."""

    app: Flask
    backend: Backend
    sessions: dict[str, Session] = field(default_factory=dict)
    arranged: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def office(self) -> UnionOffice:
        return self.backend.office

    def position(self) -> int:
        return self.office.recorder.max_notification_id() or 0

    def session(self, who: str) -> Session:
        if who == ANONYMOUS:  # a login that succeeds clears the session and its CSRF token: always fresh
            client = self.app.test_client()
            return Session(client, csrf_from(client.get("/login").text))
        if who not in self.sessions:
            self.sessions[who] = login(self.app.test_client(), who)
        return self.sessions[who]

    def url(self, endpoint: str, **values: Any) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **values)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir: Path = tmp_path_factory.mktemp("never_a_500") / "office"
    app = create_app({
        "TESTING": True,
        "DATA_DIR": data_dir,
        "CLOCK": Clock(),
        "TIMEZONE": "Asia/Shanghai",
        "PASSWORD_HASHER": FAST_HASHER,
        "SECRET_KEY": "test-secret",
    })
    backend: Backend = app.extensions["intranet"]
    office = backend.office
    ctx = office.system_context("test")
    admin = office.found_office(ctx, "测试街道工会工作委员会", "Asia/Shanghai", "admin", "管理员")
    backend.credentials.set_password(admin, PASSWORD)
    for role in STAFF_ROLES[1:]:
        user_id = office.register_user(ctx, role.replace("_", ""), f"{role}用户", [role])
        backend.credentials.set_password(user_id, PASSWORD)
    # Shared by every case and page: an enterprise, a union covering it, a second union, a member with a login.
    enterprise_id = helpers.enterprise(office)
    union_id = helpers.union(office, [enterprise_id])
    second_union_id = helpers.union(office)
    member_id = helpers.member(office, union_id, born=_born())
    member_user = office.register_user(ctx, MEMBER_USER, "会员甲", ["member"], member_id=member_id)
    backend.credentials.set_password(member_user, PASSWORD)
    backend.read_models.catch_up()
    world = World(app, backend, shared={"enterprise_id": enterprise_id, "union_id": union_id,
                                        "second_union_id": second_union_id, "member_id": member_id,
                                        "user_id": member_user,
                                        "key": "cash_on_hand_limit", "filename": "app.css",
                                        "kind": "cash", **_shared_book(office)})
    # Every user signs in now: the hostile login bodies later make the login throttle refuse this address.
    for who in (*(role.replace("_", "") for role in STAFF_ROLES), MEMBER_USER):
        world.session(who)
    yield world
    backend.close()


def _shared_book(office: UnionOffice) -> dict[str, Any]:
    """The own book with one voucher, for the pages of the books."""
    book_id = office.open_book(acting(office, "open_book"), name="街道工会本级", union_id=None, first_period="2026-01")
    key = office.post_voucher(acting(office, "post_voucher"), book_id, voucher_date=date(2026, 3, 2), summary="收会费",
                              lines=[{"account": "101", "debit": "100"}, {"account": "401", "credit": "100"}],
                              attachments=1)
    period, word, number = key.split("/")
    claim_id = office.submit_claim(acting(office, "submit_claim"), book_id, category="activity", purpose="活动",
                                   invoices=["FP-SHARED"],
                                   items=[{"item": "鲜花", "quantity": "1", "unit_price": "10"}],
                                   spent_on=date(2026, 3, 8))
    advance_id = office.request_advance(acting(office, "request_advance"), book_id, form_no="JK-SHARED",
                                        purpose="business_trip", amount="100",
                                        expected_return=date(2026, 3, 20), details="出差")
    return {"book_id": book_id, "period": period, "word": word, "number": int(number), "claim_id": claim_id,
            "advance_id": advance_id, "digest": office.attachments.put(b"%PDF-1.4 test"), "report": "ledger",
            "fmt": "xlsx", "asset_id": office.register_asset(acting(office, "register_asset"), book_id, kind="supplies",
                                                             name="打印纸", quantity=5,
                                                             unit_value="30", acquired_on=date(2026, 3, 8),
                                                             keeper="刘洋")}


# -- the records each endpoint acts on, and the form it accepts ---------------------------------------
# Each builder makes fresh records and returns (the URL's values, a form the view accepts).

Built = tuple[dict[str, Any], dict[str, Any]]


def _member(w: World, state: str = "active") -> tuple[UUID, str]:
    """A fresh member of the shared union (and enterprise) in `state`, and the slip number of their transfer."""
    member_id = helpers.member(w.office, w.shared["union_id"], born=_born(), enterprise_id=w.shared["enterprise_id"])
    office, slip = w.office, f"JZ{_n():06d}"
    if state == "in_transit":
        office.transfer_member_out(acting(office, "transfer_member_out"), member_id, slip,
                                   to_union_id=w.shared["second_union_id"])
    elif state == "outside":
        office.transfer_member_out(acting(office, "transfer_member_out"), member_id, slip, to_outside="外区某工会")
    elif state == "retained":
        office.retain_membership(acting(office, "retain_membership"), member_id, "retirement")
    elif state == "withdrawn":
        office.withdraw_member(acting(office, "withdraw_member"), member_id, card_returned=True, reason="本人申请")
    return member_id, slip


def _user(w: World, *, stopped: bool = False) -> UUID:
    user_id = w.office.register_user(system(w.office), f"target{_n()}", "对象", ["office"], phone="13800138000")
    if stopped:
        w.office.deactivate_user(acting(w.office, "deactivate_user"), user_id, "离职")
    return user_id


def _link_target(w: World) -> Built:
    """An account with no member record, and a member with no account, to link them."""
    member_id = helpers.member(w.office, w.shared["union_id"], born=_born())
    return {"user_id": _user(w)}, {"member_id": str(member_id)}


def _linked_user(w: World) -> Built:
    member_id = helpers.member(w.office, w.shared["union_id"], born=_born())
    user_id = w.office.register_user(system(w.office), f"linked{_n()}", "会员乙", ["office"], member_id=member_id)
    return {"user_id": user_id}, {"reason": "关联有误"}


def _on_member(state: str, valid: Callable[[World, str], dict[str, Any]]) -> Callable[[World], Built]:
    """A fresh member in `state`; `valid` gets the slip number of their transfer."""
    def build(w: World) -> Built:
        member_id, slip = _member(w, state)
        return {"member_id": member_id}, valid(w, slip)
    return build


def _on_union(valid: Callable[[UUID], dict[str, Any]], kind: str = "enterprise") -> Callable[[World], Built]:
    """A fresh union with an active member who is a committee member and leads 第一小组; `valid` gets the member."""
    def build(w: World) -> Built:
        office = w.office
        union_id = helpers.union(office, kind=kind)
        member_id = helpers.member(office, union_id, born=_born())
        office.appoint_office_holder(acting(office, "appoint_office_holder"), union_id, "committee_member", member_id,
                                     owner_or_relative=False)
        office.form_union_group(acting(office, "form_union_group"), union_id, "第一小组")
        office.elect_group_leader(acting(office, "elect_group_leader"), union_id, "第一小组", member_id, 8)
        return {"union_id": union_id}, valid(member_id)
    return build


def _on_enterprise(valid: Callable[[World], dict[str, Any]]) -> Callable[[World], Built]:
    def build(w: World) -> Built:
        return {"enterprise_id": helpers.enterprise(w.office)}, valid(w)
    return build


def _book(w: World, first_period: str = "2026-03") -> UUID:
    """A fresh managed union's book (one book per entity)."""
    return w.office.open_book(acting(w.office, "open_book"), name=f"代管账套{_n()}", union_id=helpers.union(w.office),
                              first_period=first_period)


def _on_book(valid: Callable[[World], dict[str, Any]], first_period: str = "2026-03") -> Callable[[World], Built]:
    def build(w: World) -> Built:
        return {"book_id": _book(w, first_period)}, valid(w)
    return build


def _on_voucher(valid: dict[str, Any]) -> Callable[[World], Built]:
    def build(w: World) -> Built:
        book_id = _book(w)
        key = w.office.post_voucher(acting(w.office, "post_voucher"), book_id, voucher_date=date(2026, 3, 8),
                                    summary="收会费", lines=[{"account": "101", "debit": "100"},
                                                          {"account": "401", "credit": "100"}], attachments=1)
        period, word, number = key.split("/")
        return {"book_id": book_id, "period": period, "word": word, "number": int(number)}, dict(valid)
    return build


def _funded(w: World) -> UUID:
    """A managed book with money in the bank and in cash."""
    book_id = _book(w)
    w.office.post_voucher(acting(w.office, "post_voucher"), book_id, voucher_date=date(2026, 3, 1), summary="期初",
                          attachments=0, lines=[{"account": "101", "debit": "500"}, {"account": "102", "debit": "9000"},
                                                {"account": "32205", "credit": "9500"}])
    return book_id


def _on_claim(state: str, valid: Callable[[], dict[str, Any]]) -> Callable[[World], Built]:
    """A claim handed in by the secretariat, witnessed by the office clerk (who also posts claims.certify) and
    approved by the chair, as far as `state`."""
    def build(w: World) -> Built:
        office = w.office
        claim_id = office.submit_claim(as_role(office, "secretariat"), _funded(w), category="activity",
                                       purpose="活动", invoices=[f"FP{_n()}"], spent_on=date(2026, 3, 8),
                                       items=[{"item": "鲜花", "quantity": "2", "unit_price": "10"}])
        if state in ("certified", "approved"):
            office.certify_claim(as_role(office, "office"), claim_id)
        if state == "approved":
            office.approve_claim(as_role(office, "chair"), claim_id)
        return {"claim_id": claim_id}, valid()
    return build


def _on_advance(state: str, valid: Callable[[], dict[str, Any]]) -> Callable[[World], Built]:
    def build(w: World) -> Built:
        office = w.office
        advance_id = office.request_advance(as_role(office, "office"), _funded(w), form_no=f"JK{_n()}",
                                            purpose="business_trip", amount="100", expected_return=date(2026, 3, 20),
                                            details="出差")
        if state in ("approved", "paid"):
            office.decide_advance(as_role(office, "chair"), advance_id, approve=True)
        if state == "paid":
            office.pay_advance(acting(office, "pay_advance"), advance_id, method="bank", paid_on=date(2026, 3, 8))
        return {"advance_id": advance_id}, valid()
    return build


def _on_budget(state: str, valid: Callable[[], dict[str, Any]], year: int = 2026) -> Callable[[World], Built]:
    def build(w: World) -> Built:
        office = w.office
        book_id = _book(w, f"{year}-12" if year < 2026 else "2026-03")
        if year < 2026:
            office.close_month(acting(office, "close_month"), book_id, f"{year}-12")
        budget = office.draft_budget(acting(office, "draft_budget"), book_id, year, {"501": "1000"})
        if state in ("reviewed", "approved"):
            office.review_budget(acting(office, "review_budget"), budget, "同意")
        if state == "approved":
            office.approve_budget(acting(office, "approve_budget"), budget, "第1次常委会")
        return {"book_id": book_id}, {"year": str(year), **valid()}
    return build


def _on_closed_half(w: World) -> Built:
    """A book whose second half of 2025 is closed (a half-year is published once it is)."""
    book_id = _book(w, "2025-07")
    for month in range(7, 13):
        w.office.close_month(acting(w.office, "close_month"), book_id, f"2025-{month:02d}")
    return {"book_id": book_id}, {"year": "2025", "half": "2", "where": "公示栏"}


def _on_asset(valid: Callable[[], dict[str, Any]]) -> Callable[[World], Built]:
    def build(w: World) -> Built:
        book_id = _book(w)
        asset = w.office.register_asset(acting(w.office, "register_asset"), book_id, kind="supplies", name="打印纸",
                                        quantity=10, unit_value="30", acquired_on=date(2026, 3, 8), keeper="刘洋")
        return {"book_id": book_id, "asset_id": asset}, valid()
    return build


def _on_user(valid: dict[str, Any], *, stopped: bool = False) -> Callable[[World], Built]:
    def build(w: World) -> Built:
        return {"user_id": _user(w, stopped=stopped)}, dict(valid)
    return build


def _member_admission(w: World) -> Built:
    born = _born()
    return {}, {"name": "李四", "gender": "M", "birth_date": born.isoformat(), "id_number": helpers.id_number(born),
                "phone": "13800138000", "union_id": str(w.shared["union_id"]),
                "enterprise_id": str(w.shared["enterprise_id"]),
                "joined_on": TODAY, "card_no": f"HP{_n():06d}", "transferred_from": "", "frontline": "1",
                "employment_type": "regular", "form_key": secrets.token_urlsafe(16)}


def _union_founding(w: World) -> Built:
    free = helpers.enterprise(w.office)
    return {}, {"name": f"新工会{_n()}", "kind": "enterprise", "parent_id": str(w.shared["second_union_id"]),
                "workers": "40", "approver": "street", "approval_ref": "和工批2号", "term_years": "5",
                "covers": [str(free)], "form_key": secrets.token_urlsafe(16)}


def _enterprise_registration(_w: World) -> Built:
    return {}, {"name": f"新企业{_n()}有限公司", "credit_code": helpers.credit_code(), "ownership": "private",
                "industry": "制造业", "community": "新华社区", "address": "和平路1号", "workers": "30",
                "women": "10", "form_key": secrets.token_urlsafe(16)}


def _user_registration(_w: World) -> Built:
    return {}, {"username": f"newcomer{_n()}", "display_name": "新同事", "phone": "13900139000",
                "roles": ["office"], "password": "long-enough-pw-1", "password_confirm": "long-enough-pw-1",
                "form_key": secrets.token_urlsafe(16)}


def _grid_cell(_w: World) -> Built:
    return {}, {"community": "新华社区", "name": f"第{_n()}网格", "leader": "王强", "workers": "李丽，张三",
                "duties": "走访企业"}


def _locked_user(w: World) -> Built:
    """An account locked after ten failed logins (from a documentation address, never dialled)."""
    user_id = _user(w)
    username = w.office.repository.get(user_id).username
    for _ in range(10):
        w.backend.throttle.failed(username, "192.0.2.9")
    return {"user_id": user_id}, {}


OWN_PASSWORDS = ("pale-lantern-river-41", "quiet-harbor-52")


def _own_password(w: World) -> Built:
    """secretariat's change of their own password (the last valid change, if any, is now the current one)."""
    if "own_password_next" in w.shared:
        w.shared["own_password"] = w.shared.pop("own_password_next")
    current = w.shared.get("own_password", PASSWORD)
    new = OWN_PASSWORDS[0] if current != OWN_PASSWORDS[0] else OWN_PASSWORDS[1]
    w.shared["own_password_next"] = new
    return {}, {"current_password": current, "password": new, "password_confirm": new}


def _login(_w: World) -> Built:
    return {}, {"username": "office", "password": PASSWORD, "next": "/members"}


SETTING_VALUES = {  # one key of each kind, read by no page or command: setting it changes no other test
    "cash_on_hand_limit": "5000",
    "fund_levy_rate_of_payroll": "2",
    "committee_quorum": "2/3",
    "hardship_multiplier_general": "1.5",
    "remittance_routing_headcount": "30",
    "advance_salary_deduction_after": "90",
    "fund_disclosure_months": "6",
    "delegate_term_years": "5",
    "fund_collection_period": "quarterly",
}


def _setting(key: str) -> Callable[[World], Built]:
    def build(_w: World) -> Built:
        return {"key": key}, {"value": SETTING_VALUES[key], "effective_from": TODAY, "reason": "会议决定"}
    return build


# -- the cases: every POST rule, the fields its view reads ---------------------------------------------


@dataclass(frozen=True)
class Case:
    """One POST endpoint: the fields its view reads, and how to give it real records and a valid form."""

    endpoint: str
    build: Callable[[World], Built]
    fields: tuple[str, ...] = ()  # read with form("x") / request.form.get("x")
    lists: tuple[str, ...] = ()  # read with request.form.getlist("x")
    probe: tuple[str, ...] = ()  # parsed fields, also varied one at a time on the valid form
    accepts: frozenset[str] = frozenset()  # garbage payloads that are legitimate here (each says why)
    key: str | None = None  # settings.update: the setting
    whole_form: bool = True  # part of the whole-form table

    @property
    def name(self) -> str:
        return f"{self.endpoint}[{self.key}]" if self.key else self.endpoint

    @property
    def user(self) -> str:
        if self.endpoint.startswith("users."):
            return "admin"
        if self.endpoint == "settings.update":
            return "chair"
        if self.endpoint in USERS:
            return USERS[self.endpoint]
        if self.endpoint.startswith(("books.", "oversight.")):
            return "accountant"
        if ROUTES[self.endpoint] is PUBLIC:
            return ANONYMOUS
        return "office"


# Who acts on the endpoints of the books, claims and advances (一支笔: the chair approves, the cashier pays).
USERS = {**dict.fromkeys(("claims.approve", "claims.reject", "claims.approve_advance", "claims.refuse_advance",
                          "claims.issue", "oversight.approve_budget"), "chair"),
         "oversight.review_budget": "auditor",
         "auth.password_submit": "secretariat",
         **dict.fromkeys(("oversight.register_asset", "oversight.issue_supplies", "oversight.dispose_asset"), "office"),
         **dict.fromkeys(("claims.pay", "claims.pay_advance", "claims.advance_return", "claims.repay_advance",
                          "books.count_cash", "books.record_bank"), "cashier")}

# Garbage that is a legitimate request on a given endpoint.
TEXT_ONLY = frozenset({"all=abc"})  # every field is free text (a name, a reason, a reference): "abc" is valid
NO_FIELDS = frozenset({"empty"})  # the view reads no field: the empty form is the request


def _member_case(endpoint: str, state: str, valid: Callable[[World, str], dict[str, Any]], fields: tuple[str, ...],
                 probe: tuple[str, ...] = (), **kw: Any) -> Case:
    return Case(endpoint, _on_member(state, valid), fields, probe=probe, **kw)


CASES: list[Case] = [
    Case("auth.login_submit", _login, ("username", "password", "next"), probe=("next",)),
    *(
        Case("settings.update", _setting(key), ("value", "effective_from", "reason", "seen_version"), key=key,
             probe=("value", "effective_from", "seen_version") if i == 0 else ("value",), whole_form=i == 0)
        for i, key in enumerate(SETTING_VALUES)
    ),
    Case("users.create", _user_registration,
         ("username", "display_name", "phone", "password", "password_confirm", "form_key", "member_id"), ("roles",),
         probe=("username", "phone", "password", "member_id")),
    Case("users.roles", _on_user({"roles": ["chair"]}), ("seen_version",), ("roles",), probe=("seen_version",)),
    Case("users.password", _on_user({"password": "another-pass-99", "password_confirm": "another-pass-99"}),
         ("password", "password_confirm"), probe=("password",)),
    # seen_version is optional ("abc" is read as not given): the reason alone decides.
    Case("users.deactivate", _on_user({"reason": "离职"}), ("reason", "seen_version"), probe=("seen_version",),
         accepts=TEXT_ONLY),
    Case("users.reactivate", _on_user({"reason": "复职"}, stopped=True), ("reason", "seen_version"),
         probe=("seen_version",), accepts=TEXT_ONLY),
    # An empty phone field clears the recorded number: that is what the form is for.
    Case("users.phone", _on_user({"phone": "13900139001"}), ("phone", "seen_version"),
         probe=("phone", "seen_version"), accepts=NO_FIELDS),
    Case("users.erase", _on_user({"confirm": "删除", "reason": "本人申请"}), ("confirm", "reason")),
    Case("users.link_member", _link_target, ("member_id", "seen_version"), probe=("member_id", "seen_version")),
    # seen_version is optional ("abc" is read as not given): the reason alone decides.
    Case("users.unlink_member", _linked_user, ("reason", "seen_version"), probe=("seen_version",), accepts=TEXT_ONLY),
    Case("users.unlock", _locked_user, accepts=NO_FIELDS),
    Case("auth.password_submit", _own_password, ("current_password", "password", "password_confirm"),
         probe=("password",)),
    Case("members.create", _member_admission, (
        "name", "gender", "birth_date", "id_number", "phone", "union_id", "enterprise_id", "joined_on", "card_no",
        "transferred_from", "frontline", "employment_type", "form_key"),
        probe=("gender", "birth_date", "id_number", "phone", "union_id", "enterprise_id", "joined_on", "card_no",
               "employment_type")),
    _member_case("members.transfer_out", "active",
                 lambda w, _slip: {"slip_no": f"ZC{_n():06d}", "to_union_id": str(w.shared["second_union_id"])},
                 ("slip_no", "to_union_id", "to_outside", "seen_version"), ("slip_no", "to_union_id", "seen_version")),
    _member_case("members.receive", "in_transit",
                 lambda w, slip: {"union_id": str(w.shared["second_union_id"]), "slip_no": slip},
                 ("union_id", "slip_no"), ("union_id", "slip_no")),
    _member_case("members.complete_transfer", "outside", lambda *_: {}, (), accepts=NO_FIELDS),
    _member_case("members.cancel_transfer", "in_transit", lambda *_: {"reason": "作废"}, ("reason",),
                 accepts=TEXT_ONLY),
    _member_case("members.retain", "active", lambda *_: {"cause": "retirement", "reason": "退休"},
                 ("cause", "reason", "seen_version"), ("cause", "seen_version")),
    _member_case("members.restore", "retained", lambda *_: {"reason": "返聘"}, ("reason",), accepts=TEXT_ONLY),
    # The two check boxes are on when "1" and off otherwise: with "abc" both are off, and the reason decides.
    _member_case("members.withdraw", "active", lambda *_: {"card_returned": "1", "reason": "本人申请"},
                 ("card_returned", "lapsed", "reason"), accepts=TEXT_ONLY),
    _member_case("members.expel", "active", lambda *_: {"decision_ref": "决1号", "reason": "违反章程"},
                 ("decision_ref", "reason"), accepts=TEXT_ONLY),
    _member_case("members.death", "active", lambda *_: {"died_on": TODAY}, ("died_on",), ("died_on",)),
    _member_case("members.reactivate", "withdrawn",
                 lambda w, _slip: {"union_id": str(w.shared["union_id"]),
                                   "enterprise_id": str(w.shared["enterprise_id"]), "reason": "回来"},
                 ("union_id", "enterprise_id", "reason"), ("union_id", "enterprise_id")),
    _member_case("members.card", "active", lambda *_: {"card_no": f"HP{_n():06d}"}, ("card_no",), ("card_no",)),
    _member_case("members.id_number", "active", lambda *_: {"id_number": helpers.id_number(), "reason": "录入错误"},
                 ("id_number", "reason"), ("id_number",)),
    _member_case("members.correct", "active", lambda *_: {"name": "张建国二", "reason": "更正"},
                 ("name", "gender", "birth_date", "phone", "frontline", "employment_type", "enterprise_id", "reason",
                  "seen_version"),
                 ("gender", "birth_date", "phone", "employment_type", "enterprise_id", "seen_version")),
    _member_case("members.erase", "active", lambda *_: {"confirm": "删除", "reason": "本人申请"},
                 ("confirm", "reason")),
    Case("unions.create", _union_founding,
         ("name", "kind", "parent_id", "workers", "approver", "approval_ref", "term_years", "form_key"), ("covers",),
         probe=("kind", "parent_id", "workers", "approver", "term_years")),
    Case("unions.rename", _on_union(lambda _m: {"name": f"更名工会{_n()}", "reason": "会员大会决定"}),
         ("name", "reason", "seen_version"), probe=("seen_version",), accepts=TEXT_ONLY),
    Case("unions.elect", _on_union(lambda _m: {"term_start": TODAY, "term_years": "5", "organs": [
        "union_committee", "fund_review_committee", "women_member"]}), ("term_start", "term_years"), ("organs",),
         probe=("term_start", "term_years")),
    Case("unions.appoint", _on_union(lambda member_id: {"post": "vice_chair", "member_id": str(member_id)}),
         ("post", "member_id", "owner_or_relative"), probe=("post", "member_id")),
    Case("unions.vacate", _on_union(lambda member_id: {"post": "committee_member", "member_id": str(member_id),
                                                       "reason": "离任"}),
         ("post", "member_id", "reason"), probe=("post", "member_id")),
    Case("unions.assess", _on_union(lambda _m: {"year": "2026", "standard": "six_haves",
                                                "met": ["six_haves:premises", "six_haves:rules"]}),
         ("year", "standard"), ("met",), probe=("year", "standard")),
    Case("unions.quota", lambda _w: ({}, {"year": "2026", "community": f"社区{_n()}", "new_unions": "2",
                                          "new_members": "50", "reason": "区总工会下达"}),
         ("year", "community", "new_unions", "new_members", "reason"), probe=("year", "new_unions", "new_members")),
    Case("unions.activity", _on_union(lambda _m: {"held_on": TODAY, "title": "健步走", "participants": "20"}),
         ("held_on", "title", "participants"), probe=("held_on", "participants")),
    Case("unions.transfer_away", _on_union(lambda _m: {"to_body": "沈河区总工会", "reason": "划转"}),
         ("to_body", "reason"), accepts=TEXT_ONLY),
    Case("unions.legal_person", _on_union(lambda _m: {"certificate_no": f"工法证{_n():06d}"}), ("certificate_no",),
         accepts=TEXT_ONLY),
    Case("unions.upgrade", _on_union(lambda _m: {"reason": "社区工会联合会升格"}, kind="community"), ("reason",),
         accepts=TEXT_ONLY),
    Case("unions.approve_election", _on_union(lambda _m: {"approval_ref": "和总工批1号"}), ("approval_ref",),
         accepts=TEXT_ONLY),
    Case("unions.form_group", _on_union(lambda _m: {"group": f"第{_n()}小组"}), ("group",), accepts=TEXT_ONLY),
    Case("unions.elect_leader", _on_union(lambda member_id: {"group": "第一小组", "member_id": str(member_id),
                                                             "electors": "8"}),
         ("group", "member_id", "electors"), probe=("member_id", "electors")),
    Case("unions.file_leader", _on_union(lambda _m: {"group": "第一小组", "filed_on": TODAY}), ("group", "filed_on"),
         probe=("filed_on",)),
    # A union with members is refused dissolution; this one has none.
    Case("unions.dissolve", lambda w: ({"union_id": helpers.union(w.office)}, {"reason": "企业关闭"}), ("reason",),
         accepts=TEXT_ONLY),
    Case("grid.assign", _grid_cell, ("community", "name", "leader", "workers", "duties"), probe=("workers",),
         accepts=TEXT_ONLY),
    Case("enterprises.create", _enterprise_registration,
         ("name", "credit_code", "ownership", "industry", "community", "address", "workers", "women", "form_key"),
         probe=("credit_code", "ownership", "workers", "women")),
    Case("enterprises.headcount", _on_enterprise(lambda _w: {"as_of": TODAY, "workers": "50", "women": "12"}),
         ("as_of", "workers", "women"), probe=("as_of", "workers", "women")),
    Case("books.create", lambda w: ({}, {"union_id": str(helpers.union(w.office)), "name": f"代管账套{_n()}",
                                          "first_period": "2026-03"}),
         ("union_id", "name", "first_period"), probe=("union_id", "first_period")),
    Case("books.add_account", _on_book(lambda _w: {"parent": "50404", "code": "01", "name": "大病救助"}),
         ("parent", "code", "name"), probe=("parent", "code")),
    Case("books.post_voucher", _on_book(lambda _w: {
        "voucher_date": TODAY, "summary": "收会费", "attachments": "1", "form_key": secrets.token_urlsafe(16),
        "account": ["101", "401"], "debit": ["100", ""], "credit": ["", "100"], "memo": ["", ""]}),
         ("voucher_date", "summary", "attachments", "form_key", "rows", "corrects"),
         lists=("account", "debit", "credit", "memo"),
         probe=("voucher_date", "attachments")),
    Case("books.review", _on_voucher({}), accepts=NO_FIELDS),
    Case("books.reverse", _on_voucher({"on": TODAY, "reason": "重复入账"}), ("on", "reason"), probe=("on",)),
    Case("books.close", _on_book(lambda _w: {"period": "2026-02"}, first_period="2026-02"), ("period",),
         probe=("period",)),
    Case("books.count_cash", _on_book(lambda _w: {"counted_on": TODAY, "counted": "0", "ious": "", "explanation": ""}),
         ("counted_on", "counted", "ious", "explanation"), probe=("counted_on", "counted", "ious")),
    Case("books.record_bank", _on_book(lambda _w: {"period": "2026-03", "closing_balance": "100",
                                                   "text": "交易日期,摘要,金额\n2026-03-02,收会费,100"}),
         ("period", "closing_balance", "text"), probe=("period", "closing_balance", "text")),
    Case("oversight.draft_budget", _on_book(lambda _w: {"year": "2026", "line_401": "5000", "line_501": "3000"}),
         ("year", "line_401", "line_402", "line_501", "line_504"), probe=("year", "line_401", "line_501")),
    Case("oversight.review_budget", _on_budget("drafted", lambda: {"stage": "budget", "opinion": "同意"}),
         ("year", "stage", "opinion"), accepts=TEXT_ONLY),
    Case("oversight.approve_budget", _on_budget("reviewed", lambda: {"stage": "budget", "meeting": "第1次常委会"}),
         ("year", "stage", "meeting", "line_501"), probe=("year", "stage"), accepts=TEXT_ONLY),
    Case("oversight.prepare_final", _on_budget("approved", dict, year=2025), ("year",), probe=("year",)),
    Case("oversight.publish", _on_closed_half,
         ("year", "half", "where"), probe=("year", "half")),
    Case("oversight.register_asset", _on_book(lambda _w: {
        "kind": "fixed", "name": "书架", "quantity": "2", "unit_value": "780", "acquired_on": TODAY, "keeper": "刘洋",
        "location": "职工书屋"}), ("kind", "name", "quantity", "unit_value", "acquired_on", "keeper", "location"),
         probe=("kind", "quantity", "unit_value", "acquired_on")),
    Case("oversight.issue_supplies", _on_asset(lambda: {"quantity": "2", "to": "张三"}), ("quantity", "to"),
         probe=("quantity",)),
    Case("oversight.dispose_asset", _on_asset(lambda: {"on": TODAY, "reason": "损坏"}), ("on", "reason"),
         probe=("on",)),
    Case("claims.create", lambda w: ({}, {
        "book_id": str(w.shared["book_id"]), "category": "activity", "purpose": "三八节活动", "spent_on": TODAY,
        "invoices": f"FP{_n()}", "prior": "", "advance_id": "", "account": "", "form_key": secrets.token_urlsafe(16),
        "item": ["鲜花"], "quantity": ["2"], "unit_price": ["15"]}),
         ("book_id", "category", "purpose", "spent_on", "invoices", "prior", "advance_id", "account", "form_key"),
         lists=("item", "quantity", "unit_price"), probe=("book_id", "category", "spent_on", "advance_id")),
    Case("claims.certify", _on_claim("submitted", dict), accepts=NO_FIELDS),
    Case("claims.approve", _on_claim("certified", dict), accepts=NO_FIELDS),
    Case("claims.reject", _on_claim("certified", lambda: {"reason": "票据不全"}), ("reason",), accepts=TEXT_ONLY),
    Case("claims.pay", _on_claim("approved", lambda: {"method": "bank", "paid_on": TODAY, "bank_ref": "B123",
                                                      "form_key": secrets.token_urlsafe(16)}),
         ("method", "paid_on", "bank_ref", "form_key"), probe=("method", "paid_on")),
    Case("claims.issue", lambda _w: ({}, {"kind": "meal_notice", "number": f"YC{_n()}", "on": TODAY, "heads": "4",
                                          "purpose": "接待", "amount": ""}),
         ("kind", "number", "on", "heads", "purpose", "amount"), probe=("kind", "on", "heads", "amount")),
    Case("claims.request_advance", lambda w: ({}, {
        "book_id": str(w.shared["book_id"]), "form_no": f"JK{_n()}", "purpose": "business_trip", "amount": "100",
        "expected_return": "2026-03-20", "details": "出差", "form_key": secrets.token_urlsafe(16)}),
         ("book_id", "form_no", "purpose", "amount", "expected_return", "details", "form_key"),
         probe=("book_id", "purpose", "amount", "expected_return")),
    Case("claims.approve_advance", _on_advance("requested", dict), accepts=NO_FIELDS),
    Case("claims.refuse_advance", _on_advance("requested", lambda: {"reason": "不符合规定"}), ("reason",),
         accepts=TEXT_ONLY),
    Case("claims.pay_advance", _on_advance("approved", lambda: {"method": "bank", "paid_on": TODAY,
                                                                 "form_key": secrets.token_urlsafe(16)}),
         ("method", "paid_on", "form_key"), probe=("method", "paid_on")),
    Case("claims.advance_return", _on_advance("paid", lambda: {"returned_on": TODAY}), ("returned_on",),
         probe=("returned_on",)),
    Case("claims.repay_advance", _on_advance("paid", lambda: {"amount": "50", "on": TODAY, "method": "bank",
                                                               "form_key": secrets.token_urlsafe(16)}),
         ("amount", "on", "method", "form_key"), probe=("amount", "on", "method")),
    Case("enterprises.worker_list", _on_enterprise(lambda _w: {"as_of": TODAY, "names": "张三\n李四"}),
         ("as_of", "names"), probe=("as_of",)),
    Case("enterprises.payroll", _on_enterprise(lambda _w: {"period": "2026-02", "payroll": "100000.00"}),
         ("period", "payroll"), probe=("period", "payroll")),
    Case("enterprises.coverage", _on_enterprise(lambda w: {"from_date": TODAY, "mode": "standalone",
                                                           "union_id": str(w.shared["second_union_id"])}),
         ("from_date", "union_id", "mode", "seen_version"), probe=("from_date", "union_id", "mode", "seen_version")),
    Case("enterprises.rename", _on_enterprise(lambda _w: {"name": f"更名企业{_n()}有限公司"}), ("name",),
         accepts=TEXT_ONLY),
    Case("enterprises.close", _on_enterprise(lambda _w: {"reason": "注销"}), ("reason",), accepts=TEXT_ONLY),
]
CASE_BY_NAME = {case.name: case for case in CASES}


# -- the payload tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    case: str
    name: str
    make: Callable[[dict[str, Any]], dict[str, Any]]  # the valid form → the body to post

    @property
    def garbage(self) -> bool:
        return self.name in GARBAGE and self.name not in CASE_BY_NAME[self.case].accepts


def _whole_form(case: Case, value: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda _valid: {**dict.fromkeys(case.fields, value), **{name: [value] for name in case.lists}}


def _one_field(name: str, value: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda valid: {**valid, name: value}


def _lists(case: Case, values: Callable[[list[str]], list[str]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda valid: {**valid, **{name: values(list(valid.get(name, []))) for name in case.lists}}


LIST_TABLE: dict[str, Callable[[list[str]], list[str]]] = {
    "valid+hostile": lambda good: [*good, "", " ", "abc", str(RANDOM_UUID), "\x00", "9" * 400, "<script>x</script>"],
    "duplicates": lambda good: good * 5,
    "many": lambda good: [*good, *(f"x{i}" for i in range(300))],
    "all_hostile": lambda _good: list(HOSTILE.values()),
    "only_blank": lambda _good: ["", ""],
}


def _payloads() -> list[Payload]:
    table: list[Payload] = []
    for case in CASES:
        if case.whole_form:
            table.append(Payload(case.name, "empty", lambda _valid: {}))
            if case.fields or case.lists:
                table += [Payload(case.name, f"all={v}", _whole_form(case, HOSTILE[v])) for v in HOSTILE]
        for name in case.probe:
            table += [Payload(case.name, f"{name}={v}", _one_field(name, HOSTILE[v])) for v in PROBE_VALUES]
        for name, values in LIST_TABLE.items() if case.lists else ():
            table.append(Payload(case.name, f"lists={name}", _lists(case, values)))
    return table


PAYLOADS = _payloads()


# -- the tests -------------------------------------------------------------------------------------------------


# File uploads have their own hostile-input tests (tests/web/test_census_check.py, test_bank_statements.py);
# the bank statement is a case for its typed fields and its pasted text.
UPLOADS = {"enterprises.check_submit"}


def _post_rules(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or set()) and rule.endpoint != "auth.logout" and rule.endpoint not in UPLOADS}


def test_every_post_rule_of_the_app_has_a_case_and_a_user_the_route_table_lets_in(world: World) -> None:
    assert _post_rules(world.app) == {case.endpoint for case in CASES}
    for case in CASES:
        assert ROUTES[case.endpoint] is PUBLIC or case.user in ROUTES[case.endpoint], case.name


def _arranged(world: World, case: Case) -> Built:
    if case.name not in world.arranged:
        world.arranged[case.name] = case.build(world)
        world.backend.read_models.catch_up()
    return world.arranged[case.name]


def _last_frames(error: BaseException, count: int = 3) -> str:
    """The exception and the last frames of the project's code it went through, innermost first."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.startswith(str(ROOT))
              and "site-packages" not in frame.filename]
    where = " <- ".join(f"{Path(frame.filename).relative_to(ROOT)}:{frame.lineno} {frame.name}"
                        for frame in reversed(frames[-count:]))
    return f"{type(error).__name__}: {str(error)[:120]!r} at {where}"


def _answer(send: Callable[[], TestResponse]) -> tuple[int, str]:
    """(status, what went wrong): with TESTING the app lets an exception out; in production it is a 500."""
    try:
        response = send()
    except Exception as error:  # any exception is the finding
        return 500, _last_frames(error)
    response.close()
    return response.status_code, ""


def _post(world: World, case: Case, body: dict[str, Any], *, htmx: bool) -> tuple[int, int, str]:
    """Post `body` to the case's endpoint: (status, events recorded, error). Records used up are built again."""
    values, _valid = _arranged(world, case)
    url = world.url(case.endpoint, **values)
    session = world.session(case.user)
    before = world.position()
    status, error = _answer(lambda: session.post(url, body, htmx=htmx))
    recorded = world.position() - before
    if recorded:
        del world.arranged[case.name]
    return status, recorded, error


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_valid_form_of_each_case_is_accepted(world: World, case: Case) -> None:
    """The forms the one-field table starts from are valid: a change to one field is what is tested."""
    _values, valid = _arranged(world, case)
    status, recorded, error = _post(world, case, valid, htmx=False)
    assert status == 302, f"{case.name}: the valid form was refused ({status}) {error}"
    assert recorded or case.endpoint == "auth.login_submit", f"{case.name}: the valid form recorded nothing"


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"{p.case}-{p.name}" for p in PAYLOADS])
def test_hostile_form_bodies_never_get_a_500(world: World, payload: Payload, htmx: bool) -> None:
    case = CASE_BY_NAME[payload.case]
    _values, valid = _arranged(world, case)
    status, recorded, error = _post(world, case, payload.make(valid), htmx=htmx)
    assert status < 500, f"{case.name} answered {status} to {payload.name}: {error}"
    if payload.garbage:
        assert not recorded, f"{case.name} recorded {recorded} event(s) for {payload.name} (status {status})"


# -- GET pages -------------------------------------------------------------------------------------------------

QUERIES: dict[str, dict[str, str]] = {
    "on=abc": {"on": "abc"},
    "on=feb30": {"on": "2026-02-30"},
    "page=-5": {"page": "-5"},
    "page=abc": {"page": "abc"},
    "q=2000chars": {"q": "张" * 2000},
    "union=not-a-uuid": {"union": "not-a-uuid"},
    "status=bogus": {"status": "bogus"},
    "birthday=13": {"birthday": "13"},
    "age=bogus": {"age": "bogus"},
    "covered=maybe": {"covered": "maybe"},
    "member_q=hostile": {"member_q": "%_\x00" + "张" * 2000},
    # Beyond the brief: the edges of the calendar and of SQLite's integers, digits int() refuses, NUL bytes.
    "on=9999-12-31": {"on": "9999-12-31"},
    "on=0001-01-01": {"on": "0001-01-01"},
    "on=nul": {"on": "\x00"},
    "page=huge": {"page": "9" * 30},
    "page=superscript": {"page": "²"},
    "birthday=superscript": {"birthday": "²"},
    "from_to=bogus": {"from": "abc", "to": "2026-02-30", "stream": "not-a-uuid", "actor": "'; --"},
    # url_for's own arguments: a link that carried the whole query would hand them to url_for.
    "endpoint=x": {"endpoint": "x"},
    "_method=POST": {"_method": "POST"},
    "_external=1": {"_external": "1", "_scheme": "javascript"},
    "_anchor=x": {"_anchor": "x\"><script>", "_cls": "x"},
    "everything": {"on": "2026-02-30", "page": "-5", "q": "<script>", "union": "x", "status": "bogus",
                   "birthday": "0", "age": "bogus", "covered": "maybe", "frontline": "x", "employment": "x",
                   "all": "1", "next": "//evil.example", "endpoint": "x", "_method": "POST"},
    "books_filters=bogus": {"start": "abc", "end": "9999-99-99", "period": "2026-13", "account": "'; --",
                            "year": "9" * 30, "state": "bogus", "rows": "9" * 30, "corrects": "长" * 100},
}


def _get_rules(app: Flask) -> list[Rule]:
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set())),
                  key=lambda rule: rule.rule)


def _reader(endpoint: str) -> str:
    """A user the route table lets see `endpoint`: the roster keeper where allowed (they see the most)."""
    permitted = ROUTES[endpoint]
    if permitted is PUBLIC:
        return ANONYMOUS
    for who, role in (("office", "office"), ("admin", "admin"), (MEMBER_USER, "member"), ("accountant", "accountant")):
        if role in permitted:
            return who
    raise AssertionError(f"no fixture user may see {endpoint}")


GET_ENDPOINTS = ["auth.login", "static", "dashboard.index", "audit.index", "audit.admin_duties_list", "settings.index",
                 "settings.detail", "auth.password",
                 "users.index", "users.new", "users.detail", "members.index", "members.new", "members.detail",
                 "users.member_choices",
                 "members.me", "members.transfers", "unions.index", "unions.new", "unions.detail",
                 "unions.export_members", "unions.cadres",
                 "grid.index", "enterprises.index", "enterprises.export", "enterprises.new", "enterprises.detail",
                 "enterprises.check",
                 "books.index", "books.detail", "books.accounts", "books.new_voucher", "books.voucher",
                 "books.trial_balance", "books.account_ledger", "books.journal", "books.general_ledger",
                 "books.statement", "books.cash_counts", "books.bank", "books.export", "claims.index", "claims.new",
                 "claims.detail", "claims.approvals", "claims.advances", "claims.new_advance", "claims.advance",
                 "claims.attachment", "oversight.budget", "oversight.disclosure", "oversight.assets"]


def test_every_get_rule_of_the_app_is_fetched(world: World) -> None:
    assert sorted({rule.endpoint for rule in _get_rules(world.app)}) == sorted(GET_ENDPOINTS)


@pytest.mark.parametrize("query", list(QUERIES))
@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_hostile_query_strings_never_get_a_500(world: World, endpoint: str, query: str) -> None:
    """A whole page renders every block an htmx request would get, so one fetch covers both."""
    rule = next(rule for rule in world.app.url_map.iter_rules() if rule.endpoint == endpoint)
    url = world.url(endpoint, **{argument: world.shared[argument] for argument in rule.arguments})
    session = world.session(_reader(endpoint))
    before = world.position()
    status, error = _answer(lambda: session.get(f"{url}?{urlencode(QUERIES[query])}"))
    assert status < 500, f"GET {endpoint} answered {status} to {query}: {error}"
    assert world.position() == before, f"GET {endpoint} recorded something"


# -- every part of every URL -----------------------------------------------------------------------------------
# Generated from the URL map: each <uuid:…> part is given an id no record has and the id of another kind of
# record (a 404, nothing recorded); every other part (a period, a word, a number, a key…) something it never is.

RECORD_ARGUMENTS = ("member_id", "union_id", "enterprise_id", "user_id", "book_id", "claim_id", "advance_id",
                    "asset_id")


def _wrong_kind(argument: str) -> str:
    """The URL part whose record is of another kind (a union's id where a member's goes, and so on)."""
    return RECORD_ARGUMENTS[(RECORD_ARGUMENTS.index(argument) + 1) % len(RECORD_ARGUMENTS)]


_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# What each kind of URL part is given instead of a real value.
HOSTILE_PARTS: dict[str, dict[str, str]] = {
    "uuid": {"unknown": str(RANDOM_UUID), "wrong_kind": ""},  # "": the id of another kind of record (_wrong_kind)
    "int": {"zero": "0", "huge": "9" * 30},  # past SQLite's integers
    "default": {"unknown": "nothing-here", "dots": "..", "long": "长" * 300},
}


def _url_parts() -> list[tuple[str, str, str, str]]:
    """(method, endpoint, URL part, its converter) for every part of every rule of the intranet's URL map."""
    bare = Flask("url_map", static_folder=str(ROOT / "static"))  # the same rules, without an office behind them
    _setup_blueprints(bare)  # the app factory's own list of areas
    parts = []
    for rule in sorted(bare.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
        for converter, argument in _PART.findall(rule.rule):
            parts += [(method, rule.endpoint, argument, converter or "default")
                      for method in sorted({"GET", "POST"} & (rule.methods or set()))]
    return parts


URL_PARTS = _url_parts()


def test_every_id_in_a_url_names_a_kind_of_record_the_intranet_checks() -> None:
    """A new <uuid:…> part without a kind would reach its view unchecked."""
    assert {argument for _m, _e, argument, converter in URL_PARTS if converter == "uuid"} == set(RECORD_KINDS)
    assert set(RECORD_ARGUMENTS) == set(RECORD_KINDS)


def _valid_request(world: World, method: str, endpoint: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(who, the URL's real values, the body) of a request the route accepts."""
    if method == "GET":
        return _reader(endpoint), dict(world.shared), {}
    case = next(case for case in CASES if case.endpoint == endpoint)
    values, valid = _arranged(world, case)
    return case.user, {**world.shared, **values}, valid


@pytest.mark.parametrize(("method", "endpoint", "argument", "converter"), URL_PARTS,
                         ids=[f"{m}-{e}-{a}" for m, e, a, _c in URL_PARTS])
def test_every_url_part_given_an_unknown_or_wrong_kind_of_value_never_gets_a_500(
        world: World, method: str, endpoint: str, argument: str, converter: str) -> None:
    """An id no record has, or another kind's, is a 404; any other unknown part is refused; nothing is recorded."""
    who, values, body = _valid_request(world, method, endpoint)
    problems = []
    for name, hostile in HOSTILE_PARTS.get(converter, HOSTILE_PARTS["default"]).items():
        value = hostile or world.shared[_wrong_kind(argument)]
        url = world.url(endpoint, **{**{a: values[a] for a in _arguments(world, endpoint)}, argument: value})
        before = world.position()
        send = world.session(who).get if method == "GET" else world.session(who).post
        status, error = _answer(lambda url=url, send=send: send(url, body) if method == "POST" else send(url))
        if not 400 <= status < 500 or world.position() != before or (converter == "uuid" and status != 404):
            problems.append(f"{name}: {status}, {world.position() - before} recorded {error}")
    assert not problems, f"{method} {endpoint} <{argument}>: {problems}"


def _arguments(world: World, endpoint: str) -> set[str]:
    return next(rule.arguments for rule in world.app.url_map.iter_rules() if rule.endpoint == endpoint)


# -- every number typed into a form ------------------------------------------------------------------------------
# Generated from the cases: every field whose name says it holds an amount or a count is given numbers no
# parser should take (Decimal reads 1e309 and sNaN; quantize() and SQLite's integers cannot hold them).

NUMBER_FIELD = re.compile(r"(^|_)(amount|balance|price|value|counted|ious|payroll|debit|credit|quantity|workers|women"
                          r"|heads|participants|electors|years?|attachments)$|^line_|^new_")
NOT_NUMBERS = {
    ("grid.assign", "workers"),  # the grid's workers are the names of people
    ("oversight.approve_budget", "line_501"),  # read for an adjustment; the valid form approves the budget
    ("claims.issue", "amount"),  # read for a purchase; the valid form issues a meal notice
}
HUGE_NUMBERS = {"1e309": "1e309", "-1e309": "-1e309", "1e99999999999": "1e99999999999", "Infinity": "Infinity",
                "-inf": "-inf", "sNaN": "sNaN", "nines30": "9" * 30, "1e-400": "1e-400", "hex": "0x10",
                "underscores": "1_000"}


def _number_fields(case: Case) -> list[str]:
    return [name for name in (*case.fields, *case.lists)
            if NUMBER_FIELD.search(name) and (case.endpoint, name) not in NOT_NUMBERS]


NUMBER_CASES = [(case.name, name) for case in CASES for name in _number_fields(case)]


def test_the_number_table_reaches_the_money_of_the_books_claims_and_census() -> None:
    """The name pattern finds the amounts, so a new amount field named like the others is tested too."""
    assert {("books.record_bank", "closing_balance"), ("books.post_voucher", "debit"), ("claims.repay_advance",
            "amount"), ("enterprises.payroll", "payroll"), ("oversight.draft_budget", "line_504")} <= set(NUMBER_CASES)


@pytest.mark.parametrize(("case_name", "name"), NUMBER_CASES, ids=[f"{c}-{n}" for c, n in NUMBER_CASES])
def test_a_huge_or_non_finite_number_in_any_number_field_is_refused_never_a_500(world: World, case_name: str,
                                                                                name: str) -> None:
    case = CASE_BY_NAME[case_name]
    problems = []
    for label, number in HUGE_NUMBERS.items():
        _values, valid = _arranged(world, case)
        body = {**valid, name: [number, *valid.get(name, [])[1:]] if name in case.lists else number}
        status, recorded, error = _post(world, case, body, htmx=False)
        if status >= 500 or recorded:
            problems.append(f"{label}: {status}, {recorded} recorded {error}")
    assert not problems, f"{case_name} {name}: {problems}"


# -- the one-request 500s the hostile review found ------------------------------------------------------------


def _acting(w: World, username: str, role: str) -> Any:
    """A context for the fixture user `username` acting under `role` (a real account, not the system)."""
    with w.backend.read_models.reading() as conn:
        user = users.by_username(conn, username)
    assert user is not None
    return w.office.context(str(user.user_id), role)


def _second_book(w: World, name: str) -> UUID:
    """A managed union's book named `name`, opened by the accountant (the books pages then switch between books)."""
    union_id = w.office.found_union(_acting(w, "office", "office"), name=f"工会{_n()}", kind="enterprise",
                                    parent_id=None, workers=40, approver="street", approval_ref="和工批1号", covers=[])
    book_id = w.office.open_book(_acting(w, "accountant", "accountant"), name=name, union_id=union_id,
                                 first_period="2026-03")
    w.backend.read_models.catch_up()
    return book_id


@pytest.mark.parametrize("path", ["ledger", "journal/cash", "journal/bank", "trial-balance", "general-ledger",
                                  "statements/income", "accounts", "cash-count", "bank", "budget", "assets"])
def test_a_book_page_of_an_unknown_book_is_not_found(world: World, path: str) -> None:
    status, error = _answer(lambda: world.session("accountant").get(f"/books/{RANDOM_UUID}/{path}"))
    assert status == 404, f"/books/<unknown>/{path} answered {status} {error}"


@pytest.mark.parametrize("who", ["unknown", "a_book"])
def test_a_correction_posted_for_an_id_that_is_not_a_member_is_not_found(world: World, who: str) -> None:
    target = RANDOM_UUID if who == "unknown" else world.shared["book_id"]
    before = world.position()
    status, error = _answer(lambda: world.session("office").post(
        f"/members/{target}/correct", {"name": "张建国二", "reason": "更正"}))
    assert (status, world.position()) == (404, before), error


URL_FOR_WORDS = ["endpoint=x", "_method=POST", "_external=1", "_anchor=x", "_scheme=javascript", "_cls=x"]


@pytest.mark.parametrize("query", URL_FOR_WORDS)
def test_url_building_words_in_the_query_of_a_paginated_page_stay_out_of_its_page_links(world: World,
                                                                                       query: str) -> None:
    """The audit trail's page links keep its filters (here the date) and drop url_for's own arguments."""
    while world.position() <= 2 * 50:  # three pages of entries
        _second_book(world, f"代管账套{_n()}")
    status, error = _answer(lambda: world.session("admin").get(f"/audit?{query}&from=2026-01-01&page=2"))
    assert status == 200, f"/audit?{query} answered {status} {error}"
    text = world.session("admin").get(f"/audit?{query}&from=2026-01-01").text
    links = [link for link in re.findall(r'href="([^"]*)"', text) if "page=" in link]
    assert links and all("from=2026-01-01" in link and query.partition("=")[0] not in link for link in links), links


@pytest.mark.parametrize("query", URL_FOR_WORDS)
def test_url_building_words_in_the_query_of_a_book_page_stay_out_of_the_book_switcher(world: World,
                                                                                      query: str) -> None:
    """The switcher links to the same page of every other book, with the same span, and nothing else."""
    if "second_book" not in world.shared:
        world.shared["second_book"] = _second_book(world, "第二个代管账套")
    url = f"/books/{world.shared['book_id']}/ledger?{query}&start=2026-03-01"
    status, error = _answer(lambda: world.session("accountant").get(url))
    assert status == 200, f"{url} answered {status} {error}"
    other = f"/books/{world.shared['second_book']}/ledger?"
    links = [link for link in re.findall(r'href="([^"]*)"', world.session("accountant").get(url).text)
             if link.startswith(other)]
    assert links and all("start=2026-03-01" in link and query.partition("=")[0] not in link for link in links), links


@pytest.mark.parametrize("amount", ["1e309", "-1e309", "9" * 400, "Infinity", "NaN", "sNaN", "1e-400"])
def test_a_bank_statement_line_of_an_absurd_amount_is_refused_in_chinese(world: World, amount: str) -> None:
    """The pasted statement is read by the same money parser as every amount: refused by line, nothing recorded."""
    url = f"/books/{world.shared['book_id']}/bank"
    before = world.position()
    status, error = _answer(lambda: world.session("cashier").post(url, {
        "period": "2026-03", "closing_balance": "100", "text": f"交易日期,摘要,金额\n2026-03-02,收会费,{amount}"}))
    assert (status, world.position()) == (200, before), error
    assert "第2行的金额" in world.session("cashier").post(url, {
        "period": "2026-03", "closing_balance": "100", "text": f"交易日期,摘要,金额\n2026-03-02,收会费,{amount}"}).text


@pytest.mark.parametrize("balance", ["1e309", "-1e309", "9" * 400, "-Infinity", "NaN"])
def test_a_bank_closing_balance_of_an_absurd_amount_is_refused_in_chinese(world: World, balance: str) -> None:
    url = f"/books/{world.shared['book_id']}/bank"
    before = world.position()
    response = world.session("cashier").post(url, {"period": "2026-03", "closing_balance": balance, "text": ""})
    assert (response.status_code, world.position()) == (200, before)
    assert "金额" in response.text


@pytest.mark.parametrize("name", ["工会:账套", "账套[2026]", "a/b\\c?d*e", "'引号'", '=HYPERLINK("http://x")',
                                  "长" * 60])
def test_a_book_whose_name_breaks_sheet_title_rules_exports_to_xlsx(world: World, name: str) -> None:
    book_id = _second_book(world, name)
    status, error = _answer(lambda: world.session("accountant").get(f"/books/{book_id}/export/trial-balance/xlsx"))
    assert status == 200, f"the export of a book named {name!r} answered {status} {error}"
    sheet = load_workbook(BytesIO(world.session("accountant").get(
        f"/books/{book_id}/export/trial-balance/xlsx").data)).active
    assert str(sheet["A1"].value).startswith(name)


def test_the_xlsx_title_cell_of_a_book_named_like_a_formula_is_text(world: World) -> None:
    book_id = _second_book(world, "=1+2")
    response = world.session("accountant").get(f"/books/{book_id}/export/trial-balance/xlsx")
    title = load_workbook(BytesIO(response.data)).active["A1"]
    assert (title.data_type, title.value.split()[0]) == ("s", "=1+2")  # shown as typed, as text: never run
