"""Member accounts on the 用户 pages, and the member role end to end: the admin finds the member by name or card
number (never by an id shown on the page), opens or links their account; the member logs in and reads 我的会籍,
their own record and nothing of anyone else's."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID, uuid4

import pytest
from flask import Flask

from aggregates.envelope import Context
from aggregates.union import approving_level
from aggregates.user_account import UserAccount
from intranet.backend import Backend
from tests import roster_helpers as helpers
from tests.conftest import Session, first_login, login, user_id_of

MEMBER_PASSWORD = "amber-willow-canal-73"


def _clerk(backend: Backend) -> Context:
    return backend.office.context(str(user_id_of(backend, "office")), "office")


def _admit(backend: Backend, union_id: UUID, name: str, card: str, born: date = date(1988, 4, 2)) -> UUID:
    member_id = backend.office.admit_member(
        _clerk(backend), name=name, gender="F", birth_date=born, id_number=helpers.id_number(born, "F"),
        union_id=union_id, joined_on=date(2020, 1, 1), card_no=card)
    backend.read_models.catch_up()
    return member_id


@pytest.fixture
def union_id(backend: Backend) -> UUID:
    return backend.office.found_union(_clerk(backend), name="新华联合工会", kind="joint", parent_id=None, workers=30,
                                      approver=approving_level(30, 7, 50), approval_ref="和工批1号", covers=[])


@pytest.fixture
def wu(backend: Backend, union_id: UUID) -> UUID:
    """吴晓燕, card HP000123: the member who is to get an account."""
    return _admit(backend, union_id, "吴晓燕", "HP000123")


@pytest.fixture
def zheng(backend: Backend, union_id: UUID) -> UUID:
    """郑海波: another member of the same union, whose record the member user must never see."""
    return _admit(backend, union_id, "郑海波", "HP000456", born=date(1975, 9, 3))


@pytest.fixture
def admin(app: Flask) -> Session:
    return login(app.test_client(), "admin")


def _position(backend: Backend) -> int:
    return backend.office.recorder.max_notification_id() or 0


def _new_member_user(member_id: object, **change: object) -> dict[str, object]:
    return {"username": "wuxy", "display_name": "吴晓燕", "roles": ["member"], "member_id": str(member_id),
            "password": MEMBER_PASSWORD, "password_confirm": MEMBER_PASSWORD, **change}


def _id_number(backend: Backend, member_id: UUID) -> str:
    return backend.office.keys.unseal(backend.office.repository.get(member_id).id_number)


@pytest.fixture
def member_session(app: Flask, admin: Session, wu: UUID) -> Session:
    """吴晓燕 logged in with the member account the admin opened for her on the users page."""
    assert admin.post("/users", _new_member_user(wu)).status_code == 302
    return first_login(app.test_client(), "wuxy", MEMBER_PASSWORD, "wuxy-own-quiet-ridge-8")


# -- the picker ----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("zheng")
@pytest.mark.parametrize("query", ["吴晓", "wxy", "hp000123"])
def test_the_admin_finds_the_member_by_name_initials_or_card_number(admin: Session, wu: UUID, query: str) -> None:
    page = admin.get(f"/users/new?member_q={query}").text
    assert f'name="member_id" value="{wu}"' in page
    assert "吴晓燕" in page
    assert "郑海波" not in page


def test_the_picker_shows_no_id_number_and_no_id_as_content(admin: Session, backend: Backend, wu: UUID) -> None:
    fragment = admin.get("/users/member-choices?member_q=吴", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<fieldset class="field" id="member-choices">')
    assert "<html" not in fragment
    assert _id_number(backend, wu)[-4:] not in fragment
    text = re.sub(r"<[^>]+>", " ", fragment)  # what the admin reads, without the markup
    assert str(wu) not in text
    assert "吴晓燕" in text and "HP000123" in text
    assert "1988" not in text  # a birth year beside the join date narrows a masked ID number (intranet/masking.py)


@pytest.mark.usefixtures("wu")
@pytest.mark.parametrize("query", ["\x00", "张" * 2000, "' OR 1=1 --", "HP00012399"])
def test_a_hostile_search_in_the_picker_finds_nobody_and_never_fails(admin: Session, query: str) -> None:
    response = admin.get("/users/member-choices", query_string={"member_q": query}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "吴晓燕" not in response.text


def test_the_picker_asked_for_as_a_whole_page_sends_the_admin_to_the_form(admin: Session) -> None:
    response = admin.get("/users/member-choices?member_q=吴")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/users/new?member_q=")


def test_a_member_who_already_has_an_account_is_shown_but_cannot_be_picked(
    admin: Session, wu: UUID
) -> None:
    assert admin.post("/users", _new_member_user(wu)).status_code == 302
    page = admin.get("/users/new?member_q=吴晓燕").text
    assert re.search(rf'value="{wu}"\s+disabled', page)
    assert "已有账号" in page


# -- opening and linking ---------------------------------------------------------------------------------------------


def test_the_admin_opens_a_member_account_for_the_member_picked(admin: Session, backend: Backend, wu: UUID) -> None:
    response = admin.post("/users", _new_member_user(wu))
    assert response.status_code == 302
    account = backend.office.user(UserAccount.id_for("wuxy"))
    assert (account.member_id, account.roles) == (wu, ["member"])
    detail = admin.get(response.headers["Location"]).text
    assert f'href="/members/{wu}">吴晓燕</a>' in detail


@pytest.mark.parametrize(("member_id", "message"), [
    (uuid4(), "找不到该会员"),
    ("not-a-member", "请从查找结果中选择会员"),
    ("", "会员账号须关联本人的会员档案"),
])
def test_a_member_account_naming_no_real_member_is_refused_and_nothing_recorded(
    admin: Session, backend: Backend, member_id: object, message: str
) -> None:
    before = _position(backend)
    response = admin.post("/users", _new_member_user(member_id), htmx=True)
    assert response.status_code == 200
    assert message in response.text
    assert _position(backend) == before


def test_a_second_account_for_a_member_is_refused_on_the_page(admin: Session, backend: Backend, wu: UUID) -> None:
    assert admin.post("/users", _new_member_user(wu)).status_code == 302
    before = _position(backend)
    response = admin.post("/users", _new_member_user(wu, username="wuxy2"), htmx=True)
    assert "该会员已有登录账号" in response.text
    assert _position(backend) == before


def test_a_refused_form_keeps_the_member_that_was_picked(admin: Session, wu: UUID) -> None:
    response = admin.post("/users", _new_member_user(wu, username="1bad"), htmx=True)
    assert re.search(rf'value="{wu}"\s+checked', response.text)


def test_the_admin_links_an_existing_account_and_then_gives_it_the_member_role(
    app: Flask, admin: Session, backend: Backend, wu: UUID
) -> None:
    user_id = backend.office.register_user(backend.office.context(str(user_id_of(backend, "admin")), "admin"),
                                           "wuxy", "吴晓燕", ["secretariat"])
    backend.credentials.set_password(user_id, MEMBER_PASSWORD)
    backend.read_models.catch_up()
    assert f'value="{wu}"' in admin.get(f"/users/{user_id}?member_q=HP000123").text
    linked = admin.post(f"/users/{user_id}/member", {"member_id": str(wu), "seen_version": "1"}, htmx=True)
    assert "已关联会员档案" in linked.text
    assert "关联会员档案：吴晓燕" in linked.text  # the account's history names the member
    admin.post(f"/users/{user_id}/roles", {"roles": ["secretariat", "member"], "seen_version": "2"})
    member = login(app.test_client(), "wuxy", MEMBER_PASSWORD)
    assert "<h1>吴晓燕 " in member.get("/members/me").text


def test_linking_without_picking_a_member_asks_for_one(admin: Session, backend: Backend) -> None:
    user_id = user_id_of(backend, "secretariat")
    before = _position(backend)
    response = admin.post(f"/users/{user_id}/member", {"member_id": ""}, htmx=True)
    assert "请先查找并选择会员" in response.text
    assert _position(backend) == before


def test_the_link_of_an_account_holding_the_member_role_is_kept(
    admin: Session, backend: Backend, wu: UUID
) -> None:
    assert admin.post("/users", _new_member_user(wu)).status_code == 302
    user_id = UserAccount.id_for("wuxy")
    page = admin.get(f"/users/{user_id}").text
    assert f"/users/{user_id}/unlink-member" not in page  # no button the command would refuse
    before = _position(backend)
    response = admin.post(f"/users/{user_id}/unlink-member", {"reason": "关联有误"}, htmx=True)
    assert "须先取消会员角色" in response.text
    assert _position(backend) == before


def test_an_unlinked_member_can_be_given_the_right_account(
    admin: Session, backend: Backend, wu: UUID
) -> None:
    assert admin.post("/users", _new_member_user(wu, roles=["secretariat"], username="wrong")).status_code == 302
    wrong = UserAccount.id_for("wrong")
    response = admin.post(f"/users/{wrong}/unlink-member", {"reason": "关联错了人"}, htmx=True)
    assert "已解除与会员档案的关联" in response.text
    assert admin.post("/users", _new_member_user(wu)).status_code == 302
    assert backend.office.user(UserAccount.id_for("wuxy")).member_id == wu
    assert backend.office.user(wrong).member_id is None


@pytest.mark.parametrize("role", ["office", "chair", "auditor"])
def test_only_the_admin_may_link_an_account_to_a_member(
    app: Flask, backend: Backend, wu: UUID, role: str
) -> None:
    session = login(app.test_client(), role)
    target = user_id_of(backend, "secretariat")
    before = _position(backend)
    assert session.post(f"/users/{target}/member", {"member_id": str(wu)}).status_code == 403
    assert session.get("/users/member-choices?member_q=吴", headers={"HX-Request": "true"}).status_code == 403
    assert _position(backend) == before


# -- the member, logged in -----------------------------------------------------------------------------------------


def test_the_member_reads_their_own_record_in_my_membership(member_session: Session) -> None:
    page = member_session.get("/members/me")
    assert page.status_code == 200
    assert "<h1>吴晓燕 " in page.text
    assert "HP000123" in page.text
    assert 'id="member-actions"' not in page.text


def test_the_members_home_page_leads_to_my_membership(member_session: Session) -> None:
    assert 'id="my-membership" href="/members/me"' in member_session.get("/").text


@pytest.mark.parametrize("path", [
    "/members/{other}", "/members/{own}", "/members?q=郑", "/audit?stream={other}", "/audit", "/users",
    "/unions/{union}", "/members/transfers",
])
def test_the_member_reads_nothing_of_anyone_elses(
    member_session: Session, wu: UUID, zheng: UUID, union_id: UUID, path: str
) -> None:
    response = member_session.get(path.format(other=zheng, own=wu, union=union_id))
    assert response.status_code in (403, 404)
    assert "郑海波" not in response.text


def test_the_member_cannot_act_on_their_own_record(member_session: Session, backend: Backend, wu: UUID) -> None:
    before = _position(backend)
    response = member_session.post(f"/members/{wu}/correct", {"name": "吴晓燕改", "reason": "本人要求"})
    assert response.status_code == 403
    assert _position(backend) == before
