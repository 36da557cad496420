"""`intranet user add NAME --role member --member <card or ID number>`: the CLI finds the member, the command
checks on the write side that they exist and have no account yet; every refusal is one line and exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from aggregates.application import UnionOffice
from aggregates.union import approving_level
from aggregates.user_account import UserAccount
from intranet import create_app
from tests import roster_helpers as helpers

INTRANET = str(Path(sys.executable).with_name("intranet"))
CARD = "HP000123"


def _run(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INTRANET_DATA_DIR": str(data_dir)}
    return subprocess.run([INTRANET, *args], input=stdin, capture_output=True, text=True, env=env,  # noqa: S603
                          timeout=120, check=False)


def _member_user(data_dir: Path, username: str, reference: str) -> subprocess.CompletedProcess[str]:
    return _run(data_dir, "user", "add", username, "--role", "member", "--member", reference, "--password-stdin",
                stdin="amber-willow-canal-73\n")


@pytest.fixture(scope="module")
def office_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, UUID, str]:
    """An office founded by `intranet init`, with a clerk who admitted one member (card HP000123)."""
    data_dir = tmp_path_factory.mktemp("cli") / "office"
    founded = _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin="pale-lantern-river-41\n")
    assert founded.returncode == 0
    office = UnionOffice(data_dir)
    try:
        admin = office.context(str(UserAccount.id_for("admin")), "admin")
        clerk = office.context(str(office.register_user(admin, "clerk", "刘洋", ["office"])), "office")
        union_id = office.found_union(clerk, name="甲工会", kind="joint", parent_id=None, workers=30,
                                      approver=approving_level(30, 7, 50), approval_ref="和工批1号", covers=[])
        number = helpers.id_number(date(1988, 4, 2), "F")
        member_id = office.admit_member(clerk, name="吴晓燕", gender="F", birth_date=date(1988, 4, 2),
                                        id_number=number, union_id=union_id, joined_on=date(2020, 1, 1),
                                        card_no=CARD)
    finally:
        office.close()
    return data_dir, member_id, number


def _account(data_dir: Path, username: str) -> UserAccount | None:
    office = UnionOffice(data_dir)
    try:
        user_id = UserAccount.id_for(username)
        return office.user(user_id) if user_id in office.repository else None
    finally:
        office.close()


def _head(data_dir: Path) -> int:
    office = UnionOffice(data_dir)
    try:
        return office.recorder.max_notification_id() or 0
    finally:
        office.close()


def test_a_member_account_is_opened_by_card_number_with_the_members_name(office_dir) -> None:
    data_dir, member_id, _number = office_dir
    result = _member_user(data_dir, "wuxy", CARD.lower())
    assert result.returncode == 0, result.stderr
    account = _account(data_dir, "wuxy")
    assert account is not None
    assert (account.member_id, account.display_name, account.roles) == (member_id, "吴晓燕", ["member"])


def test_the_member_account_opened_on_the_cli_logs_in_and_reads_its_own_record(office_dir) -> None:
    data_dir, member_id, _number = office_dir
    if _account(data_dir, "wuxy") is None:
        assert _member_user(data_dir, "wuxy", CARD).returncode == 0
    app = create_app({"DATA_DIR": data_dir, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False})
    try:
        client = app.test_client()
        given = "amber-willow-canal-73"
        assert client.post("/login", data={"username": "wuxy", "password": given}).headers["Location"] == "/password"
        own = "wuxy-own-quiet-ridge-8"
        assert client.post("/password", data={"current_password": given, "password": own,
                                              "password_confirm": own}).status_code == 302
        page = client.get("/members/me")
        assert page.status_code == 200
        assert "吴晓燕" in page.text
        assert client.get(f"/members/{member_id}").status_code == 403
    finally:
        app.extensions["intranet"].close()


def test_a_second_account_for_the_same_member_is_refused_by_id_number(office_dir) -> None:
    data_dir, _member_id, number = office_dir
    if _account(data_dir, "wuxy") is None:
        assert _member_user(data_dir, "wuxy", CARD).returncode == 0
    before = _head(data_dir)
    result = _member_user(data_dir, "wuxy2", number)
    assert result.returncode == 1
    assert "已有登录账号" in result.stderr
    assert "Traceback" not in result.stderr
    assert _head(data_dir) == before


@pytest.mark.parametrize("reference", ["HP999999", "210102199001010000", "张三"])
def test_a_member_nobody_holds_that_number_is_one_clear_line_and_nothing_recorded(office_dir, reference) -> None:
    data_dir, _member_id, _number = office_dir
    before = _head(data_dir)
    result = _member_user(data_dir, "nobody", reference)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"Error: 找不到会员证号或身份证号为“{reference}”的会员"
    assert "Traceback" not in result.stderr
    assert _head(data_dir) == before
    assert _account(data_dir, "nobody") is None


def test_a_member_role_without_a_member_is_refused_with_the_reason(office_dir) -> None:
    data_dir, _member_id, _number = office_dir
    result = _run(data_dir, "user", "add", "lonely", "--role", "member", "--password-stdin",
                  stdin="amber-willow-canal-73\n")
    assert result.returncode == 1
    assert "会员账号须关联本人的会员档案" in result.stderr
