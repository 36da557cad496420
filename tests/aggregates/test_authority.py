"""Authority comes from the log: a command runs only for an active account holding its role, the system
only for its few commands, and no account holds two roles the finance rules keep apart (不相容职务分离).

Every test attacks the write side directly, as an insider with a Python shell would, and checks the
refusal appends nothing.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from aggregates.application import UnionOffice
from aggregates.envelope import OfficeAggregate
from aggregates.errors import InvalidInput, NotPermitted
from aggregates.event_commands import EVENT_COMMANDS
from aggregates.roles import ADMIN_DUTIES_SETTING, COMMAND_ROLES, SEPARATION, SYSTEM_COMMANDS
from aggregates.user_account import UserAccount
from tests.conftest import acting, as_role, refused, system
from tests.roster_helpers import union

TODAY = date(2026, 3, 8)
AGGREGATES = Path(__file__).resolve().parents[2] / "aggregates"


def _account(office: UnionOffice, username: str) -> UserAccount:
    return office.user(UserAccount.id_for(username))


def test_a_command_refuses_an_actor_that_is_no_account(office: UnionOffice) -> None:
    with refused(office, NotPermitted):
        office.set_setting(office.context("somebody", "chair"), "cash_on_hand_limit", "5000", TODAY, "银行核定")


def test_a_command_refuses_a_role_the_account_does_not_hold(office: UnionOffice) -> None:
    """The auditor's account claiming the chair's role is refused, whatever a read model might say."""
    auditor = _account(office, "auditor")
    with refused(office, NotPermitted):
        office.set_setting(office.context(str(auditor.id), "chair"), "cash_on_hand_limit", "5000", TODAY, "伪造")


def test_a_deactivated_account_can_run_no_command(office: UnionOffice) -> None:
    chair = _account(office, "chair")
    office.deactivate_user(acting(office, "deactivate_user"), chair.id, "调离")
    with refused(office, NotPermitted):
        office.set_setting(office.context(str(chair.id), "chair"), "cash_on_hand_limit", "5000", TODAY, "调离后")


def test_a_role_taken_away_is_gone_from_the_next_command(office: UnionOffice) -> None:
    clerk = _account(office, "office")
    union_id = union(office)
    office.change_user_roles(acting(office, "change_user_roles"), clerk.id, ["secretariat"])
    with refused(office, NotPermitted):
        office.rename_union(office.context(str(clerk.id), "office"), union_id, "新名称", "更名")


def test_the_system_may_found_the_office_and_open_accounts_and_nothing_else(office: UnionOffice) -> None:
    assert {"found_office", "register_user", "record_password_reset"} == SYSTEM_COMMANDS
    office.register_user(system(office), "newclerk", "新办事员", ["office"])
    with refused(office, NotPermitted):
        office.set_setting(system(office), "cash_on_hand_limit", "5000", TODAY, "系统设置")
    with refused(office, NotPermitted):
        office.change_user_roles(system(office), UserAccount.id_for("newclerk"), ["office", "admin"])


def test_an_actor_dressed_as_the_system_is_refused(office: UnionOffice) -> None:
    """A person's id under the system role, or a system name under a person's role, is neither."""
    chair = _account(office, "chair")
    with refused(office, NotPermitted):
        office.register_user(office.context(str(chair.id), "system"), "sneaky", "某人", ["admin"])
    with refused(office, NotPermitted):
        office.set_setting(office.context("system:cli", "chair"), "cash_on_hand_limit", "5000", TODAY, "伪装")


def test_nobody_changes_their_own_roles(office: UnionOffice) -> None:
    admin = _account(office, "admin")
    with refused(office, InvalidInput, match="不能修改自己的角色"):
        office.change_user_roles(office.context(str(admin.id), "admin"), admin.id, ["admin", "office"])


def test_another_admin_may_change_an_admins_roles(office: UnionOffice) -> None:
    second = office.register_user(system(office), "admin2", "第二管理员", ["admin"])
    first = _account(office, "admin")
    office.change_user_roles(office.context(str(second), "admin"), first.id, ["admin", "office"])
    assert _account(office, "admin").roles == ["admin", "office"]


@pytest.mark.parametrize("line", SEPARATION, ids=lambda line: f"{line.first}+{line.second}")
def test_incompatible_roles_are_refused_when_an_account_is_opened(office: UnionOffice, line) -> None:
    with refused(office, InvalidInput) as refusal:
        office.register_user(acting(office, "register_user"), "twohats", "两顶帽子", [line.first, line.second])
    assert line.source in str(refusal.value)


@pytest.mark.parametrize("line", SEPARATION, ids=lambda line: f"{line.first}+{line.second}")
def test_incompatible_roles_are_refused_when_roles_change(office: UnionOffice, line) -> None:
    user_id = office.register_user(acting(office, "register_user"), "onehat", "一顶帽子", [line.first])
    with refused(office, InvalidInput) as refusal:
        office.change_user_roles(as_role(office, "admin"), user_id, [line.first, line.second])
    assert line.rule in str(refusal.value)


def test_compatible_roles_are_held_together(office: UnionOffice) -> None:
    """The office clerk may also be the congress secretariat; the chair may also keep the roster."""
    office.register_user(acting(office, "register_user"), "clerk2", "刘洋", ["office", "secretariat"])
    office.register_user(acting(office, "register_user"), "chair2", "张建国", ["chair", "office"])
    assert _account(office, "clerk2").roles == ["office", "secretariat"]


def test_an_office_may_let_its_admin_hold_duties_only_by_a_recorded_setting(office: UnionOffice) -> None:
    """The admin line is relaxed by a setting (an event with its reason) from its effective date; the lines
    the finance rules fix (cashier with accountant) stay closed whatever the setting says."""
    with refused(office, InvalidInput):
        office.register_user(acting(office, "register_user"), "soloadmin", "唯一工作人员", ["admin", "accountant"])
    office.set_setting(as_role(office, "chair"), ADMIN_DUTIES_SETTING, "listed", TODAY, "本单位只有两名工作人员")
    office.register_user(acting(office, "register_user"), "soloadmin", "唯一工作人员", ["admin", "accountant"])
    assert _account(office, "soloadmin").roles == ["admin", "accountant"]
    with refused(office, InvalidInput, match="会计基础工作规范"):
        office.register_user(acting(office, "register_user"), "solocash", "出纳会计", ["accountant", "cashier"])


def test_only_the_admin_line_of_the_matrix_can_be_relaxed() -> None:
    relaxable = {(line.first, line.second) for line in SEPARATION if line.relaxed_by}
    assert relaxable == {("admin", "chair"), ("admin", "vice_chair"), ("admin", "accountant"), ("admin", "cashier"),
                         ("admin", "auditor")}


def _event_classes() -> set[str]:
    """Every event class the write side defines: the nested event classes of each aggregate."""
    found = set()
    for path in AGGREGATES.glob("*.py"):
        module = importlib.import_module(f"aggregates.{path.stem}")
        for aggregate in vars(module).values():
            if not (inspect.isclass(aggregate) and issubclass(aggregate, OfficeAggregate)):
                continue
            for name, inner in vars(aggregate).items():
                # Every aggregate class carries the library's own Event and Created bases: never recorded.
                recorded = inspect.isclass(inner) and issubclass(inner, OfficeAggregate.Event)
                if recorded and name not in {"Event", "Created"}:
                    found.add(f"{inner.__module__}:{inner.__qualname__}")
    return found


def test_every_event_type_is_in_the_authority_table_with_known_commands() -> None:
    assert _event_classes() <= set(EVENT_COMMANDS)
    for topic, commands in EVENT_COMMANDS.items():
        assert commands <= set(COMMAND_ROLES), topic


def _command_bodies() -> dict[str, str]:
    """command → the source of its method and of every private helper of the office it calls (transitively)."""
    functions: dict[str, str] = {}
    for path in AGGREGATES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                functions.setdefault(node.name, ast.unparse(node))

    def reach(name: str, seen: set[str]) -> str:
        body = functions.get(name, "")
        for callee in re.findall(r"self\.(_\w+)\(", body):
            if callee not in seen:
                seen.add(callee)
                body += reach(callee, seen)
        return body

    commands = {}
    for name, body in functions.items():
        if match := re.search(r"_authorise\(ctx, '(\w+)'\)", body):
            commands[match[1]] = reach(name, {name})
    return commands


@pytest.mark.parametrize(("call", "event"), [
    (r"_form_claim\(|UniqueKey\.claim\(", "Claimed"), (r"\.reclaim\(", "Reclaimed"), (r"\.release\(", "Released")])
def test_every_command_that_takes_or_frees_a_unique_key_is_listed_for_that_event(call: str, event: str) -> None:
    """Unique keys are taken by many commands (a form key, an invoice, an ID number): the table must list every
    command whose code can reach the call, or the save would be refused on a path no test happens to walk."""
    reaching = {command for command, body in _command_bodies().items() if re.search(call, body)}
    assert reaching
    assert reaching <= EVENT_COMMANDS[f"aggregates.unique_key:UniqueKey.{event}"]


def test_the_finance_settings_are_the_chairs_alone(office: UnionOffice) -> None:
    """The admin manages accounts; the money controls (and whether the admin may hold business roles) are set by
    the chair, so the admin cannot loosen the controls on what those accounts do."""
    for key, value in (("cash_on_hand_limit", "90000"), ("chair_claims_approver", "admin"),
                       (ADMIN_DUTIES_SETTING, "listed")):
        with refused(office, NotPermitted, match="只能由主席设定"):
            office.set_setting(as_role(office, "admin"), key, value, TODAY, "管理员自行设定")
    office.set_setting(as_role(office, "chair"), "cash_on_hand_limit", "5000", TODAY, "开户银行核定")
    office.set_setting(as_role(office, "admin"), "session_idle_minutes", "20", TODAY, "按等级保护要求")


def _funded_book(office: UnionOffice) -> UUID:
    book = office.open_book(as_role(office, "accountant"), name="街道工会本级", union_id=None, first_period="2026-03")
    office.post_voucher(as_role(office, "accountant"), book, voucher_date=date(2026, 3, 1), summary="期初余额",
                        attachments=0,
                        lines=[{"account": "101", "debit": "3000"}, {"account": "32205", "credit": "3000"}])
    office.set_setting(as_role(office, "chair"), "bank_transfer_threshold", "1000", TODAY, "结算起点")
    return book


def test_a_cashier_never_pays_their_own_claim(office: UnionOffice) -> None:
    book = _funded_book(office)
    cashier = as_role(office, "cashier")
    claim = office.submit_claim(cashier, book, category="office", purpose="购买办公用品", spent_on=TODAY,
                                items=[{"item": "签字笔", "quantity": "10", "unit_price": "5.00"}], invoices=["FP-C-1"])
    office.certify_claim(as_role(office, "secretariat"), claim)
    office.approve_claim(as_role(office, "chair"), claim)
    with refused(office, NotPermitted, match="不能给自己经手的报销付款"):
        office.pay_claim(cashier, claim, method="cash", paid_on=TODAY)
    second = as_role(office, "cashier", "第二出纳")
    office.pay_claim(second, claim, method="cash", paid_on=TODAY)


def test_a_cashier_never_pays_their_own_advance(office: UnionOffice) -> None:
    book = _funded_book(office)
    cashier = as_role(office, "cashier")
    advance = office.request_advance(cashier, book, form_no="JK-9", purpose="business_trip", amount="800",
                                     expected_return=date(2026, 3, 20), details="赴市总工会培训")
    office.decide_advance(as_role(office, "chair"), advance, approve=True)
    with refused(office, NotPermitted, match="不能给自己的借款付款"):
        office.pay_advance(cashier, advance, method="cash", paid_on=TODAY)
