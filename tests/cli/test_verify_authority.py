"""`intranet verify` replays authority: an event appended at the tail with a perfectly valid chain link, but
made by someone not entitled to make it, fails verify naming its position.

The forger here has the database file and knows the chain format (the README publishes it): they append a
stored event and its chain row in one transaction, exactly as the recorder would.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from uuid import UUID

from aggregates.application import UnionOffice
from aggregates.chain import link_hash
from aggregates.user_account import UserAccount
from tests.cli.test_verify import _verify
from tests.conftest import acting

ROLES_CHANGED = "aggregates.user_account:UserAccount.RolesChanged"
SETTING_CHANGED = "aggregates.settings:Settings.ValueChanged"


def _state(**facts: object) -> dict[str, object]:
    return {"timestamp": {"_type_": "datetime_iso", "_data_": "2026-03-08T02:00:00+00:00"},
            "occurred_on": {"_type_": "date", "_data_": "2026-03-08"}, "reason": None, "corrects": None, **facts}


def _append_forged(data_dir: Path, stream: UUID, topic: str, state: dict[str, object]) -> int:
    """Append one event to the end of the log with a valid chain link; returns its position."""
    conn = sqlite3.connect(data_dir / "events.sqlite", isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        version = conn.execute("SELECT COALESCE(MAX(originator_version), 0) + 1 FROM stored_events"
                               " WHERE originator_id = ?", (stream.hex,)).fetchone()[0]
        position, prev = conn.execute("SELECT position + 1, hash FROM event_chain ORDER BY position DESC LIMIT 1"
                                      ).fetchone()
        body = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
        conn.execute("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state)"
                     " VALUES (?, ?, ?, ?, ?)", (position, stream.hex, version, topic, body))
        conn.execute("INSERT INTO event_chain VALUES (?, ?, ?)",
                     (position, prev, link_hash(bytes(prev), position, stream, version, topic, body)))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return position


def _closed(office: UnionOffice) -> Path:
    office.close()
    return office.data_dir


def test_an_honest_office_passes_the_authority_replay(office: UnionOffice) -> None:
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", office.today(), "银行核定")
    clerk = UserAccount.id_for("office")
    office.change_user_roles(acting(office, "change_user_roles"), clerk, ["office", "secretariat"])
    office.deactivate_user(acting(office, "deactivate_user"), UserAccount.id_for("cashier"), "调离")
    assert _verify(_closed(office)).returncode == 0


def test_a_role_change_forged_by_an_account_that_is_not_admin_fails(office: UnionOffice) -> None:
    clerk = UserAccount.id_for("office")
    data_dir = _closed(office)
    position = _append_forged(data_dir, clerk, ROLES_CHANGED,
                              _state(actor=str(clerk), actor_role="office", roles=["admin", "office"]))
    result = _verify(data_dir)
    assert result.returncode == 1
    assert f"第 {position} 条" in result.stderr and "“办公室”无权办理此类事项" in result.stderr


def test_an_event_under_a_role_its_actor_never_held_fails(office: UnionOffice) -> None:
    clerk = UserAccount.id_for("office")
    data_dir = _closed(office)
    position = _append_forged(data_dir, clerk, ROLES_CHANGED,
                              _state(actor=str(clerk), actor_role="admin", roles=["admin", "office"]))
    result = _verify(data_dir)
    assert result.returncode == 1
    assert f"第 {position} 条" in result.stderr and "当时不担任“系统管理员”" in result.stderr


def test_an_event_by_a_deactivated_account_fails(office: UnionOffice) -> None:
    chair = UserAccount.id_for("chair")
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", office.today(), "银行核定")
    office.deactivate_user(acting(office, "deactivate_user"), chair, "调离")
    settings_id = office.settings().id
    data_dir = _closed(office)
    position = _append_forged(data_dir, settings_id, SETTING_CHANGED, _state(
        actor=str(chair), actor_role="chair", key="cash_on_hand_limit",
        value="90000.00", effective_from={"_type_": "date", "_data_": "2026-03-08"}))
    result = _verify(data_dir)
    assert result.returncode == 1
    assert f"第 {position} 条" in result.stderr and "账号当时已停用" in result.stderr


def test_an_event_by_an_unknown_actor_fails(office: UnionOffice) -> None:
    data_dir = _closed(office)
    stranger = UUID("12345678-1234-5678-1234-567812345678")
    position = _append_forged(data_dir, UserAccount.id_for("office"), ROLES_CHANGED,
                              _state(actor=str(stranger), actor_role="admin", roles=["admin"]))
    result = _verify(data_dir)
    assert result.returncode == 1
    assert f"第 {position} 条" in result.stderr and "不是本系统的账号" in result.stderr


def test_a_system_actor_running_a_command_the_table_does_not_give_it_fails(office: UnionOffice) -> None:
    data_dir = _closed(office)
    position = _append_forged(data_dir, UserAccount.id_for("office"), ROLES_CHANGED,
                              _state(actor="system:cli", actor_role="system", roles=["admin", "office"]))
    result = _verify(data_dir)
    assert result.returncode == 1
    assert f"第 {position} 条" in result.stderr and "系统账号 system:cli 不能办理此类事项" in result.stderr


def test_an_account_forged_with_every_role_fails(office: UnionOffice) -> None:
    """`intranet user add` may open accounts as the system, but never one holding incompatible roles."""
    data_dir = _closed(office)
    forged = UserAccount.id_for("everything")
    position = _append_forged(data_dir, forged, "aggregates.user_account:UserAccount.Registered", _state(
        actor="system:cli", actor_role="system", username="everything", display_name="全能", member_id=None,
        phone=None, roles=["admin", "chair", "accountant", "cashier", "auditor"]))
    result = _verify(data_dir)
    assert result.returncode == 1
    assert f"第 {position} 条" in result.stderr and "兼任" in result.stderr


def test_an_admin_forged_giving_themself_roles_fails(office: UnionOffice) -> None:
    admin = UserAccount.id_for("admin")
    data_dir = _closed(office)
    position = _append_forged(data_dir, admin, ROLES_CHANGED,
                              _state(actor=str(admin), actor_role="admin", roles=["admin", "office"]))
    result = _verify(data_dir)
    assert result.returncode == 1
    assert f"第 {position} 条" in result.stderr and "修改了自己的角色" in result.stderr


def test_a_second_founding_of_the_office_fails(office: UnionOffice) -> None:
    data_dir = _closed(office)
    elsewhere = UUID("22222222-2222-2222-2222-222222222222")
    position = _append_forged(data_dir, elsewhere, "aggregates.office:Office.Founded", _state(
        actor="system:init", actor_role="system", name="另一个单位", timezone="UTC"))
    result = _verify(data_dir)
    assert result.returncode == 1
    assert f"第 {position} 条" in result.stderr and "不能再次初始化" in result.stderr


def test_an_admin_holding_duties_passes_only_while_the_office_has_relaxed_the_line(office: UnionOffice) -> None:
    office.set_setting(acting(office, "set_setting"), "admin_holds_duties", "listed", office.today(), "两名工作人员")
    office.register_user(acting(office, "register_user"), "soloadmin", "赵一", ["admin", "accountant"])
    assert _verify(_closed(office)).returncode == 0
