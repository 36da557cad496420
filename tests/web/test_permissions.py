"""Who may use what: every route against every role, and every command against every role.

The route table (intranet/permissions.py) and the command table (aggregates/roles.py)
are the only places permissions are written down; these tests hold the app to them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from flask import Flask, url_for
from werkzeug.routing import Rule

from aggregates.application import UnionOffice
from aggregates.envelope import SYSTEM_ROLE, Context
from aggregates.errors import NotPermitted
from aggregates.roles import COMMAND_ROLES, ROLES
from intranet.backend import Backend
from intranet.permissions import PUBLIC, ROUTES
from tests import roster_helpers as helpers
from tests.conftest import PASSWORD, Session, acting, as_role, csrf_from, login, system, username_of

ANONYMOUS = "anonymous"
MEMBER_USERNAME = "member1"

# Placeholder values for the variable parts of rules.
KEY_PLACEHOLDER = "cash_on_hand_limit"
STATIC_PLACEHOLDER = "app.css"


@pytest.fixture
def member(app: Flask, backend: Backend) -> UUID:
    """A member user, linked to a member record, who can log in."""
    office = backend.office
    enterprise_id = helpers.enterprise(backend.office)
    union_id = helpers.union(backend.office, [enterprise_id])
    member_id = helpers.member(backend.office, union_id)
    book_id = backend.office.open_book(acting(office, "open_book"), name="街道工会本级", union_id=None,
                                       first_period="2026-01")
    claim_id = backend.office.submit_claim(acting(office, "submit_claim"), book_id, category="activity", purpose="活动",
                                           invoices=["FP-PERM"],
                                           items=[{"item": "鲜花", "quantity": "1", "unit_price": "10"}],
                                           spent_on=date(2026, 3, 8))
    advance_id = backend.office.request_advance(acting(office, "request_advance"), book_id, form_no="JK-PERM",
                                                purpose="business_trip", amount="100",
                                                expected_return=date(2026, 3, 20), details="出差")
    app.config["ROSTER_RECORDS"] = {"enterprise_id": enterprise_id, "union_id": union_id, "member_id": member_id,
                                    "book_id": book_id, "period": "2026-03", "word": "receipt", "number": 1,
                                    "kind": "cash", "claim_id": claim_id, "advance_id": advance_id,
                                    "digest": "0" * 64, "report": "trial-balance", "fmt": "csv",
                                    "asset_id": backend.office.register_asset(
                                        acting(office, "register_asset"), book_id, kind="supplies", name="打印纸",
                                        quantity=10, unit_value="30", acquired_on=date(2026, 3, 8), keeper="刘洋")}
    user_id = backend.office.register_user(acting(office, "register_user"), MEMBER_USERNAME, "会员甲", ["member"],
                                           member_id=member_id)
    backend.credentials.set_password(user_id, PASSWORD)
    backend.read_models.catch_up()
    return user_id


def _rules(app: Flask) -> list[Rule]:
    """Every rule of the app, logout last (it ends the session the other requests use)."""
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule))


def _url(app: Flask, rule: Rule, user_id: UUID) -> str:
    values: dict[str, Any] = {}
    records = app.config["ROSTER_RECORDS"]
    for argument in rule.arguments:
        values[argument] = {"user_id": user_id, "key": KEY_PLACEHOLDER, "filename": STATIC_PLACEHOLDER,
                            **records}[argument]
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _method(rule: Rule) -> str:
    return "GET" if "GET" in (rule.methods or set()) else "POST"


def _session_for(app: Flask, who: str) -> Session:
    client = app.test_client()
    if who == ANONYMOUS:
        return Session(client, csrf_from(client.get("/login").text))
    return login(client, MEMBER_USERNAME if who == "member" else username_of(who))


def _fetch(session: Session, method: str, url: str):
    if method == "GET":
        return session.get(url)
    return session.post(url, {})


def test_every_route_of_the_app_is_in_the_permission_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ROUTES))
    assert not missing, f"routes missing from intranet.permissions.ROUTES: {missing}"


def test_the_permission_table_names_no_route_the_app_does_not_have(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(set(ROUTES) - endpoints) == []


@pytest.mark.parametrize("role", list(ROLES))
def test_a_role_reaches_exactly_the_routes_the_table_allows_it(
    app: Flask, member: UUID, role: str
) -> None:
    session = _session_for(app, role)
    wrong = []
    for rule in _rules(app):
        method = _method(rule)
        url = _url(app, rule, member)
        response = _fetch(session, method, url)
        status = response.status_code
        response.close()
        permitted = ROUTES.get(rule.endpoint, frozenset())
        expected_allowed = permitted is PUBLIC or role in permitted
        if expected_allowed and status == 403:
            wrong.append(f"{method} {url}: allowed for {role} but got 403")
        if not expected_allowed and status != 403:
            wrong.append(f"{method} {url}: not allowed for {role} but got {status}")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_login_from_every_route_that_is_not_public(
    app: Flask, member: UUID
) -> None:
    session = _session_for(app, ANONYMOUS)
    wrong = []
    for rule in _rules(app):
        method = _method(rule)
        url = _url(app, rule, member)
        response = _fetch(session, method, url)
        response.close()
        location = response.headers.get("Location", "")
        sent_to_login = response.status_code == 302 and location.startswith("/login")
        if ROUTES.get(rule.endpoint) is PUBLIC:
            if sent_to_login or response.status_code in (401, 403):
                wrong.append(f"{method} {url}: public but got {response.status_code} {location}")
        elif not sent_to_login:
            wrong.append(f"{method} {url}: expected 302 to /login, got {response.status_code} {location}")
    assert not wrong, "\n".join(wrong)


# -- commands ------------------------------------------------------------------------------------


def _takes_context(function: Callable[..., Any]) -> bool:
    parameters = list(inspect.signature(function).parameters.values())
    return len(parameters) > 1 and parameters[1].annotation in (Context, "Context")


COMMANDS = sorted(
    name
    for name, function in inspect.getmembers(UnionOffice, inspect.isfunction)
    if not name.startswith("_") and _takes_context(function)
)


def test_the_commands_of_the_office_are_found_by_their_context_argument() -> None:
    assert {"found_office", "set_setting", "register_user", "erase_user_personal_data"} <= set(COMMANDS)


def test_every_command_of_the_office_is_in_the_command_table() -> None:
    missing = sorted(set(COMMANDS) - set(COMMAND_ROLES))
    assert not missing, f"commands missing from aggregates.roles.COMMAND_ROLES: {missing}"


def test_the_command_table_names_no_command_the_office_does_not_have() -> None:
    assert sorted(set(COMMAND_ROLES) - set(COMMANDS)) == []


def _member(office: UnionOffice, status: str = "active") -> UUID:
    union_id = helpers.union(office, [helpers.enterprise(office)])
    member_id = helpers.member(office, union_id)
    if status == "in_transit":
        office.transfer_member_out(acting(office, "transfer_member_out"), member_id, "JZ-001",
                                   to_union_id=helpers.union(office))
    elif status == "retained":
        office.retain_membership(acting(office, "retain_membership"), member_id, "retirement")
    elif status == "withdrawn":
        office.withdraw_member(acting(office, "withdraw_member"), member_id, card_returned=True, reason="本人申请")
    return member_id


def _union_of(office: UnionOffice, member_id: UUID) -> UUID:
    return office.repository.get(member_id).union_id


ROSTER_ARGUMENTS: dict[str, Callable[[UnionOffice], tuple[Any, ...]]] = {
    "register_enterprise": lambda _o: ({"name": "新企业有限公司", "credit_code": helpers.credit_code(),
                                        "ownership": "private"},),
    "rename_enterprise": lambda o: (helpers.enterprise(o), "新名称有限公司"),
    "report_headcount": lambda o: (helpers.enterprise(o), date(2026, 3, 8), 50, 10),
    "file_worker_list": lambda o: (helpers.enterprise(o), date(2026, 3, 8), "张三\n李四"),
    "report_payroll": lambda o: (helpers.enterprise(o), 2026, 2, Decimal("100000.00")),
    "change_coverage": lambda o: (helpers.enterprise(o), {"union_id": helpers.union(o), "mode": "standalone",
                                                          "from_date": date(2026, 3, 8)}),
    "close_enterprise": lambda o: (helpers.enterprise(o), "注销"),
    "found_union": lambda _o: ({"name": "新工会", "kind": "enterprise", "parent_id": None, "workers": 40,
                                "approver": "street", "approval_ref": "批1号"},),
    "rename_union": lambda o: (helpers.union(o), "新名称工会", "决定"),
    "elect_union_committee": lambda o: (helpers.union(o), date(2026, 3, 8), 5,
                                        ["union_committee", "fund_review_committee", "women_member"]),
    "appoint_office_holder": lambda o: (
        (m := _member(o)) and _union_of(o, m), "chair", m, {"owner_or_relative": False}),
    "vacate_office_holder": lambda o: (helpers.union(o), "chair", uuid4(), "离任"),
    "dissolve_union": lambda o: (helpers.union(o), "注销"),
    "assess_union_compliance": lambda o: (helpers.union(o), 2026, "six_haves", ["premises"]),
    "approve_union_election": lambda o: (helpers.union(o), "和总工批1号"),
    "upgrade_union": lambda o: (helpers.union(o, kind="community", workers=5), "升格"),
    "correct_member_id_number": lambda o: (_member(o), helpers.id_number(), "登记有误"),
    "register_union_legal_person": lambda o: (helpers.union(o), "工法证2026001"),
    "transfer_union_away": lambda o: (helpers.union(o), "沈河区总工会", "划转", []),
    "record_union_activity": lambda o: (helpers.union(o), {"held_on": date(2026, 3, 1), "title": "健步走",
                                                           "participants": 20}),
    "set_community_quota": lambda _o: ({"year": 2026, "community": "新华社区", "new_unions": 2, "new_members": 50,
                                        "reason": "区总工会下达"},),
    "record_census_check": lambda _o: ({"source": "tax", "file_sha256": "0" * 64, "counts": {
        "register_rows": 1, "census_units": 1, "missing_from_census": 0, "not_in_register": 0,
        "name_differences": 0, "headcount_differences": 0}},),
    "form_union_group": lambda o: (helpers.union(o), "第一小组"),
    "elect_group_leader": lambda o: (
        (m := _member(o)) and _union_of(o, m), "第一小组", m, 8),
    "file_group_leader": lambda o: (helpers.union(o), "第一小组", date(2026, 3, 8)),
    "assign_grid_cell": lambda _o: ({"community": "新华社区", "name": "第1网格", "leader": "王强",
                                     "workers": ["李丽"], "duties": "走访企业"},),
    "admit_member": lambda o: ({"name": "李四", "gender": "M", "birth_date": date(1990, 5, 17),
                                "id_number": helpers.id_number(), "union_id": helpers.union(o),
                                "joined_on": date(2020, 1, 1)},),
    "correct_member_details": lambda o: (_member(o), {"name": "张建国二"}, "更正"),
    "issue_membership_card": lambda o: (_member(o), "HP999999"),
    "transfer_member_out": lambda o: (_member(o), "JZ-999", {"to_union_id": helpers.union(o)}),
    "receive_member_transfer": lambda o: (
        (m := _member(o, "in_transit")), o.repository.get(m).transfer["to_union_id"], "JZ-001"),
    "complete_outside_transfer": lambda o: (_member(o),),
    "cancel_member_transfer": lambda o: (_member(o, "in_transit"), "作废"),
    "retain_membership": lambda o: (_member(o), "retirement"),
    "restore_membership": lambda o: (_member(o, "retained"), "返聘"),
    "withdraw_member": lambda o: (_member(o), {"card_returned": True, "reason": "本人申请"}),
    "expel_member": lambda o: (_member(o), "决1号", "违反章程"),
    "record_member_death": lambda o: (_member(o), date(2026, 3, 1)),
    "reactivate_member": lambda o: ((m := _member(o, "withdrawn")), _union_of(o, m), None, "回来"),
    "erase_member_personal_data": lambda o: (_member(o), "本人申请"),
}


def _target(office: UnionOffice) -> UUID:
    return office.register_user(system(office), "target", "对象", ["office"], phone="13800138000")


def _stopped(office: UnionOffice) -> UUID:
    user_id = office.register_user(system(office), "stopped", "已停用者", ["office"])
    office.deactivate_user(acting(office, "deactivate_user"), user_id, "离职")
    return user_id


def _own_book(office: UnionOffice) -> UUID:
    return office.open_book(acting(office, "open_book"), name="街道工会本级", union_id=None, first_period="2026-01")


def _posted(office: UnionOffice) -> tuple[UUID, str]:
    book = _own_book(office)
    key = office.post_voucher(acting(office, "post_voucher"), book, voucher_date=date(2026, 3, 2), summary="收会费",
                              lines=[{"account": "101", "debit": "10"}, {"account": "401", "credit": "10"}],
                              attachments=1)
    return book, key


BOOK_ARGUMENTS: dict[str, Callable[[UnionOffice], tuple[Any, ...]]] = {
    "open_book": lambda _o: ({"name": "街道工会本级", "union_id": None, "first_period": "2026-01"},),
    "add_sub_account": lambda o: (_own_book(o), "50404", "01", "大病救助"),
    "post_voucher": lambda o: (_own_book(o), {
        "voucher_date": date(2026, 3, 2), "summary": "收会费", "attachments": 1,
        "lines": [{"account": "101", "debit": "10"}, {"account": "401", "credit": "10"}]}),
    "review_voucher": _posted,
    "reverse_voucher": lambda o: (*_posted(o), {"on": date(2026, 3, 8), "reason": "错账"}),
    "close_month": lambda o: (_own_book(o), "2026-01"),
    "issue_meal_notice": lambda _o: ({"number": "YC-1", "on": date(2026, 3, 8), "heads": 4, "purpose": "接待"},),
    "approve_purchase": lambda _o: ({"number": "GZ-1", "on": date(2026, 3, 8), "amount": "800", "purpose": "打印机"},),
    "submit_claim": lambda o: (_own_book(o), _CLAIM),
    "certify_claim": lambda o: (_claim(o),),
    "approve_claim": lambda o: (_claim(o, "certified"),),
    "reject_claim": lambda o: (_claim(o, "certified"), "票据不全"),
    "pay_claim": lambda o: (_claim(o, "approved"), {"method": "bank", "paid_on": date(2026, 3, 8), "bank_ref": "B1"}),
    "request_advance": lambda o: (_own_book(o), _ADVANCE),
    "decide_advance": lambda o: (_advance(o), {"approve": True}),
    "pay_advance": lambda o: (_advance(o, "approved"), {"method": "bank", "paid_on": date(2026, 3, 8)}),
    "record_advance_return": lambda o: (_advance(o, "paid"), date(2026, 3, 8)),
    "repay_advance": lambda o: (_advance(o, "paid"), {"amount": "50", "on": date(2026, 3, 8), "method": "bank"}),
    "count_cash": lambda o: (_own_book(o), {"counted_on": date(2026, 3, 8), "counted": "0"}),
    "record_bank_statement": lambda o: (_own_book(o), {"period": "2026-03", "closing_balance": "0", "lines": []}),
    "draft_budget": lambda o: (_own_book(o), 2026, {"lines": {"501": "1000"}}),
    "review_budget": lambda o: (_budget(o), "同意"),
    "approve_budget": lambda o: (_budget(o, "reviewed"), "2026年第1次常委会"),
    "adjust_budget": lambda o: (_budget(o, "approved"), {"501": "2000"}, "2026年第2次常委会"),
    "prepare_final_accounts": lambda o: (_budget(o, "approved"),),
    "review_final_accounts": lambda o: (_budget(o, "approved"), "同意"),
    "approve_final_accounts": lambda o: (_budget(o, "approved"), "2027年第1次常委会"),
    "publish_disclosure": lambda o: (_own_book(o), {"year": 2025, "half": 2, "where": "公示栏"}),
    "register_asset": lambda o: (_own_book(o), {"kind": "fixed", "name": "书架", "quantity": 1, "unit_value": "780",
                                                "acquired_on": date(2026, 3, 8), "keeper": "刘洋"}),
    "issue_supplies": lambda o: (_asset(o), 1, "张三"),
    "dispose_asset": lambda o: (_asset(o), date(2026, 3, 8), "损坏"),
}
_CLAIM = {"category": "activity", "purpose": "活动", "invoices": ["FP-1"], "spent_on": date(2026, 3, 8),
          "items": [{"item": "鲜花", "quantity": "1", "unit_price": "10"}]}
_ADVANCE = {"form_no": "JK-1", "purpose": "business_trip", "amount": "100", "expected_return": date(2026, 3, 20),
            "details": "出差"}


def _budget(office: UnionOffice, state: str = "drafted") -> UUID:
    budget = office.draft_budget(acting(office, "draft_budget"), _own_book(office), 2026, {"501": "1000"})
    if state in ("reviewed", "approved"):
        office.review_budget(acting(office, "review_budget"), budget, "同意")
    if state == "approved":
        office.approve_budget(acting(office, "approve_budget"), budget, "2026年第1次常委会")
    return budget


def _asset(office: UnionOffice) -> UUID:
    return office.register_asset(acting(office, "register_asset"), _own_book(office), kind="supplies", name="打印纸",
                                 quantity=10,
                                 unit_value="30", acquired_on=date(2026, 3, 8), keeper="刘洋")


def _funded_book(office: UnionOffice) -> UUID:
    book = _own_book(office)
    office.post_voucher(acting(office, "post_voucher"), book, voucher_date=date(2026, 3, 1), summary="期初",
                        attachments=0,
                        lines=[{"account": "102", "debit": "1000"}, {"account": "32205", "credit": "1000"}])
    return book


def _claim(office: UnionOffice, state: str = "submitted") -> UUID:
    """A claim handed in by the office clerk, witnessed by the secretariat and approved by the chair."""
    claim = office.submit_claim(as_role(office, "office"), _funded_book(office), **_CLAIM)
    if state in ("certified", "approved"):
        office.certify_claim(as_role(office, "secretariat"), claim)
    if state == "approved":
        office.approve_claim(as_role(office, "chair"), claim)
    return claim


def _advance(office: UnionOffice, state: str = "requested") -> UUID:
    advance = office.request_advance(acting(office, "request_advance"), _funded_book(office), **_ADVANCE)
    if state in ("approved", "paid"):
        office.decide_advance(acting(office, "decide_advance"), advance, approve=True)
    if state == "paid":
        office.pay_advance(acting(office, "pay_advance"), advance, method="bank", paid_on=date(2026, 3, 8))
    return advance


# Arguments that would succeed (or fail only for a reason other than the role) if the
# command let the role through: the role check is the only thing that may stop them.
ARGUMENTS: dict[str, Callable[[UnionOffice], tuple[Any, ...]]] = {
    "found_office": lambda _office: ("另一个单位", "Asia/Shanghai", "admin2", "管理员二"),
    "rename_office": lambda _office: ("新名称工会", "会议决定"),
    "set_setting": lambda _office: ("cash_on_hand_limit", Decimal("5000"), date(2026, 3, 8), "银行核定"),
    "register_user": lambda _office: ("newcomer", "新同事", ["office"]),
    "change_user_roles": lambda o: (_target(o), ["chair"]),
    "deactivate_user": lambda o: (_target(o), "离职"),
    "reactivate_user": lambda o: (_stopped(o), "复职"),
    "record_password_reset": lambda o: (_target(o),),
    "change_user_phone": lambda o: (_target(o), "13900139000"),
    "erase_user_personal_data": lambda o: (_target(o), "本人申请"),
    "link_user_to_member": lambda o: (_target(o), _member(o)),
    "unlink_user_from_member": lambda o: (o.register_user(system(o), "linked", "会员乙", ["office"],
                                                          member_id=_member(o)), "关联有误"),
    "record_own_password_change": lambda o: (_target(o),),
    "lift_login_lockout": lambda o: (_target(o),),
    **ROSTER_ARGUMENTS,
    **BOOK_ARGUMENTS,
}

REFUSALS = [
    (command, role)
    for command in COMMANDS
    for role in ROLES
    if role not in COMMAND_ROLES.get(command, frozenset())
]


def test_every_command_has_arguments_for_the_refusal_test() -> None:
    assert sorted(ARGUMENTS) == COMMANDS


@pytest.mark.parametrize(("command", "role"), REFUSALS, ids=[f"{c}-{r}" for c, r in REFUSALS])
def test_a_role_not_listed_for_a_command_is_refused_and_nothing_is_recorded(
    office: UnionOffice, command: str, role: str
) -> None:
    arguments = ARGUMENTS[command](office)
    # A real account holding `role`, so the refusal is the role's, not an unknown actor's.
    ctx = helpers.member_context(office) if role == "member" else as_role(office, role)
    before = office.recorder.max_notification_id()
    keywords = arguments[-1] if arguments and isinstance(arguments[-1], dict) else {}
    positional = arguments[:-1] if keywords else arguments
    with pytest.raises(NotPermitted):
        getattr(office, command)(ctx, *positional, **keywords)
    assert office.recorder.max_notification_id() == before


def test_the_system_role_is_not_one_of_the_roles_a_user_can_hold() -> None:
    assert SYSTEM_ROLE not in ROLES
