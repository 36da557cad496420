"""keys.sqlite holds the pepper that blinds ID numbers: a lost file stops the office instead
of minting a new pepper, and the office's files are readable by their owner only."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest

from aggregates.application import UnionOffice
from aggregates.personal_data import KeysMissing, PepperMissing
from aggregates.union import approving_level
from intranet import create_app
from tests.conftest import FAST_HASHER, Clock, acting, system
from tests.integrity_helpers import intranet, sql
from tests.roster_helpers import credit_code, id_number

NUMBER = id_number()


def _office_clerk(office: UnionOffice) -> object:
    user = office.register_user(system(office), "clerk", "刘洋", ["office"])
    return office.context(str(user), "office")


def _admit(office: UnionOffice, ctx: object) -> object:
    enterprise = office.register_enterprise(ctx, name="测试企业有限公司", credit_code=credit_code(),
                                            ownership="private", community="新华社区", workers=40, women=10)
    union = office.found_union(ctx, name="测试企业工会", kind="enterprise", parent_id=None, workers=40,
                               approver=approving_level(40, 7, 50), approval_ref="和工批1号", covers=[enterprise])
    office.admit_member(ctx, name="张建国", gender="M", birth_date=date(1990, 5, 17), id_number=NUMBER,
                        union_id=union, joined_on=office.today())
    return union


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_office_refuses_to_open_when_the_key_file_is_gone(office: UnionOffice, data_dir: Path) -> None:
    office.close()
    (data_dir / "keys.sqlite").unlink()

    with pytest.raises(KeysMissing, match=r"keys\.sqlite"):
        UnionOffice(data_dir)

    assert not (data_dir / "keys.sqlite").exists()


def test_the_office_refuses_to_open_when_the_pepper_of_claimed_id_numbers_is_deleted(
        office: UnionOffice, data_dir: Path) -> None:
    _admit(office, _office_clerk(office))
    office.close()
    sql(data_dir / "keys.sqlite", "DELETE FROM secrets WHERE name = 'pepper'")

    with pytest.raises(PepperMissing):
        UnionOffice(data_dir)

    assert sql(data_dir / "keys.sqlite", "SELECT 1 FROM secrets WHERE name = 'pepper'") == []


def test_a_missing_pepper_is_minted_while_no_id_number_was_ever_claimed(office: UnionOffice, data_dir: Path,
                                                                        clock: Clock) -> None:
    ctx = _office_clerk(office)
    office.close()
    sql(data_dir / "keys.sqlite", "DELETE FROM secrets WHERE name = 'pepper'")
    again = UnionOffice(data_dir, clock=clock)

    _admit(again, ctx)

    assert again.keys.has_pepper()
    again.close()


def test_the_event_and_key_files_are_readable_by_their_owner_only(office: UnionOffice, data_dir: Path) -> None:
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", office.today(), "理由")

    for name in ("events.sqlite", "events.sqlite-wal", "keys.sqlite"):
        if (data_dir / name).exists():
            assert _mode(data_dir / name) == 0o600, name
    assert (data_dir / "events.sqlite-wal").exists()


def test_an_event_file_copied_in_with_a_wide_mode_is_tightened_on_open(office: UnionOffice, data_dir: Path) -> None:
    office.close()
    os.chmod(data_dir / "events.sqlite", 0o644)
    os.chmod(data_dir / "keys.sqlite", 0o640)

    UnionOffice(data_dir).close()

    assert _mode(data_dir / "events.sqlite") == 0o600
    assert _mode(data_dir / "keys.sqlite") == 0o600


def test_the_stored_secret_key_is_readable_by_its_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INTRANET_SECRET_KEY", raising=False)
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "office", "PASSWORD_HASHER": FAST_HASHER})
    app.extensions["intranet"].close()

    assert _mode(tmp_path / "office" / "secret_key") == 0o600
    assert len((tmp_path / "office" / "secret_key").read_text().strip()) == 64


def test_the_app_refuses_to_start_without_the_key_file(office: UnionOffice, data_dir: Path) -> None:
    office.close()
    (data_dir / "keys.sqlite").unlink()

    with pytest.raises(KeysMissing, match="请从备份恢复该文件"):
        create_app({"TESTING": True, "DATA_DIR": data_dir, "PASSWORD_HASHER": FAST_HASHER, "SECRET_KEY": "s"})

    assert not (data_dir / "keys.sqlite").exists()


def test_the_cli_says_one_line_and_exits_nonzero_without_the_key_file(office: UnionOffice, data_dir: Path) -> None:
    office.close()
    (data_dir / "keys.sqlite").unlink()

    result = intranet(data_dir, "user", "list")

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "找不到个人信息密钥库" in result.stderr
    assert not (data_dir / "keys.sqlite").exists()


def test_a_new_office_may_still_start_without_a_key_file(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "new", "PASSWORD_HASHER": FAST_HASHER, "SECRET_KEY": "s"})
    app.extensions["intranet"].close()

    assert (tmp_path / "new" / "keys.sqlite").exists()

