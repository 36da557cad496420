"""`intranet verify` checks keys.sqlite against the log: a key is there for every person with
sealed data unless an erasure event says otherwise, and no erased person's key survives."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from aggregates.application import UnionOffice
from aggregates.user_account import UserAccount
from tests.integrity_helpers import demo, demo_template, intranet, sql, views_file

__all__ = ["demo", "demo_template"]  # fixtures


def _a_member(data_dir: Path) -> tuple[UUID, str]:
    (member_id, name), *_ = sql(views_file(data_dir), "SELECT member_id, name FROM members ORDER BY member_id LIMIT 1")
    return UUID(str(member_id)), str(name)


def _key_row(data_dir: Path, subject: UUID) -> list[tuple[object, ...]]:
    return sql(data_dir / "keys.sqlite", "SELECT subject_id, key, created_at FROM subject_keys WHERE subject_id = ?",
               (subject.hex,))


def test_the_demo_office_with_an_erased_cashier_passes(demo: Path) -> None:
    result = intranet(demo, "verify")

    assert result.returncode == 0, result.stderr
    assert "核验通过" in result.stdout


def test_a_deleted_member_key_row_fails_verify_naming_the_member(demo: Path) -> None:
    member_id, name = _a_member(demo)
    sql(demo / "keys.sqlite", "DELETE FROM subject_keys WHERE subject_id = ?", (member_id.hex,))

    result = intranet(demo, "verify")

    assert result.returncode == 1
    assert f"会员{name}（{member_id}）的个人信息密钥缺失" in result.stderr


def test_a_deleted_user_key_row_fails_verify_naming_the_user(demo: Path) -> None:
    office_user = UserAccount.id_for("office")  # the demo's office clerk has a phone number on record
    sql(demo / "keys.sqlite", "DELETE FROM subject_keys WHERE subject_id = ?", (office_user.hex,))

    result = intranet(demo, "verify")

    assert result.returncode == 1
    assert f"用户刘洋（{office_user}）的个人信息密钥缺失" in result.stderr


def test_an_erased_users_key_put_back_fails_verify(demo: Path) -> None:
    cashier = UserAccount.id_for("cashier")  # erased in the demo year
    sql(demo / "keys.sqlite", "INSERT INTO subject_keys VALUES (?, ?, '2026-01-01')", (cashier.hex, bytes(32)))

    result = intranet(demo, "verify")

    assert result.returncode == 1
    assert f"用户赵丽（{cashier}）的个人信息已按记录删除，但其密钥仍然存在" in result.stderr


def test_an_erased_members_key_put_back_fails_verify(demo: Path) -> None:
    member_id, name = _a_member(demo)
    saved = _key_row(demo, member_id)
    office = UnionOffice(demo)
    clerk = office.context(str(UserAccount.id_for("office")), "office")
    office.erase_member_personal_data(clerk, member_id, "本人申请删除个人信息")
    office.close()
    assert not _key_row(demo, member_id)
    sql(demo / "keys.sqlite", "INSERT INTO subject_keys VALUES (?, ?, ?)", saved[0])

    result = intranet(demo, "verify")

    assert result.returncode == 1
    assert f"会员{name}（{member_id}）的个人信息已按记录删除，但其密钥仍然存在" in result.stderr


def test_an_erased_member_without_a_key_passes(demo: Path) -> None:
    member_id, _name = _a_member(demo)
    office = UnionOffice(demo)
    office.erase_member_personal_data(office.context(str(UserAccount.id_for("office")), "office"), member_id,
                                      "本人申请删除个人信息")
    office.close()

    result = intranet(demo, "verify")

    assert result.returncode == 0, result.stderr


def test_a_deleted_pepper_fails_verify(demo: Path) -> None:
    sql(demo / "keys.sqlite", "DELETE FROM secrets WHERE name = 'pepper'")

    result = intranet(demo, "verify")

    assert result.returncode == 1
    assert "查重密钥" in result.stderr


def test_verify_with_the_key_file_deleted_says_one_line_and_exits_nonzero(demo: Path) -> None:
    (demo / "keys.sqlite").unlink()

    result = intranet(demo, "verify")

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "keys.sqlite" in result.stderr
    assert not (demo / "keys.sqlite").exists()
