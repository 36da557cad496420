"""The demo's member logins: real demo members with accounts opened through the same commands, who log in and
read their own record, and whom the README lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregates.application import UnionOffice
from aggregates.user_account import UserAccount
from intranet import create_app
from intranet.demo import DEMO_PASSWORD, build
from intranet.demo_roster import LOGIN_MEMBERS
from tests.conftest import FAST_HASHER

README = Path(__file__).parents[2] / "README.md"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "office"
    build(path, scale="tiny", seed=3, hasher=FAST_HASHER)
    return path


@pytest.fixture(scope="module")
def office(demo_dir: Path):
    app = UnionOffice(demo_dir)
    yield app
    app.close()


@pytest.mark.parametrize(("username", "name"), [(u, n) for u, n, *_ in LOGIN_MEMBERS])
def test_each_member_login_is_linked_to_the_demo_member_of_that_name(office: UnionOffice, username: str,
                                                                     name: str) -> None:
    account = office.user(UserAccount.id_for(username))
    assert account.roles == ["member"]
    assert office.repository.get(account.member_id).name == name


def test_the_member_logins_had_the_year_the_readme_says(office: UnionOffice) -> None:
    members = {u: office.repository.get(office.user(UserAccount.id_for(u)).member_id) for u, *_ in LOGIN_MEMBERS}
    assert [members[u].status for u in ("member1", "member2", "member3")] == ["active", "retained", "active"]
    assert members["member3"].transfer is None  # received by the new union, not left in transit


def test_a_demo_member_logs_in_and_reads_their_own_record(demo_dir: Path) -> None:
    app = create_app({"DATA_DIR": demo_dir, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASHER": FAST_HASHER})
    try:
        client = app.test_client()
        assert client.post("/login", data={"username": "member3", "password": DEMO_PASSWORD}).status_code == 302
        page = client.get("/members/me")
        assert page.status_code == 200
        assert "<h1>冯丽娟 " in page.text
        assert "接收转入（接转单" in page.text
        assert client.get("/members").status_code == 403
    finally:
        app.extensions["intranet"].close()


@pytest.mark.parametrize(("username", "name"), [(u, n) for u, n, *_ in LOGIN_MEMBERS])
def test_the_readme_lists_each_member_login(username: str, name: str) -> None:
    assert f"| `{username}` | {name} | 会员 member" in README.read_text(encoding="utf-8")
