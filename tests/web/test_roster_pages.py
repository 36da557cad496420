"""会员、基层工会、企业 pages: admission, a membership's steps, search, figures as of a date, founding,
registering units, and who may see and do what."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from aggregates.enterprise import Enterprise
from intranet.backend import Backend
from projections import roster
from tests import roster_helpers as helpers
from tests.conftest import PASSWORD, Clock, Session, acting, as_role, login, system

BORN = date(1990, 5, 17)
TODAY = "2026-03-08"
SLIP = "ZJ2026-001"


# -- fixtures and helpers ---------------------------------------------------------------------------


@pytest.fixture
def clerk(app: Flask) -> Session:
    """The office clerk, who keeps the roster."""
    return login(app.test_client(), "office")


@pytest.fixture
def auditor(app: Flask) -> Session:
    return login(app.test_client(), "auditor")


@pytest.fixture
def union_id(backend: Backend) -> UUID:
    """An enterprise union covering one unit of 40 workers."""
    found = helpers.union(backend.office, [helpers.enterprise(backend.office)], name="新华机械厂工会")
    backend.read_models.catch_up()
    return found


@pytest.fixture
def other_union_id(backend: Backend) -> UUID:
    found = helpers.union(backend.office, name="红星商贸工会")
    backend.read_models.catch_up()
    return found


@pytest.fixture
def member_id(backend: Backend, union_id: UUID) -> UUID:
    """张建国, an active member of 新华机械厂工会."""
    found = helpers.member(backend.office, union_id, name="张建国")
    backend.read_models.catch_up()
    return found


def _position(backend: Backend) -> int | None:
    return backend.office.recorder.max_notification_id()


def _form_key(clerk: Session) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', clerk.get("/members/new").text)
    assert match, "the admission form has no form_key"
    return match[1]


def _admission(union_id: UUID, **change: object) -> dict[str, object]:
    return {
        "name": "王小红",
        "gender": "F",
        "birth_date": BORN.isoformat(),
        "id_number": helpers.id_number(BORN, "F"),
        "union_id": str(union_id),
        "enterprise_id": "",
        "joined_on": "2015-03-01",
        "card_no": "",
        "phone": "",
        "transferred_from": "",
        **change,
    }


def _admit(clerk: Session, data: dict[str, object], form_key: str | None = None):
    return clerk.post("/members", {**data, "form_key": form_key or _form_key(clerk)}, htmx=True)


def _admitted_id(response: TestResponse) -> UUID:
    assert response.status_code == 204, response.text
    return UUID(response.headers["HX-Redirect"].removeprefix("/members/"))


def _row(backend: Backend, member_id: UUID) -> roster.Row:
    with backend.read_models.reading() as conn:
        row = roster.member(conn, str(member_id))
    assert row is not None
    return row


def _id_number_of(backend: Backend, member_id: UUID) -> str:
    number = backend.office.keys.unseal(backend.office.repository.get(member_id).id_number)
    assert number
    return number


def _status(html: str) -> str:
    match = re.search(r'id="member-status">([^<]*)<', html)
    assert match, "the member page has no status badge"
    return match[1]


def _refused(response: TestResponse, message: str) -> None:
    assert response.status_code == 200
    assert message in response.text
    assert "HX-Redirect" not in response.headers


# -- admission ---------------------------------------------------------------------------------------


def test_the_office_clerk_admits_a_member_and_is_sent_to_their_page(clerk: Session, union_id: UUID,
                                                                    backend: Backend) -> None:
    response = _admit(clerk, _admission(union_id))
    assert response.status_code == 204
    new_id = _admitted_id(response)
    assert response.headers["HX-Redirect"] == f"/members/{new_id}"
    assert _row(backend, new_id).name == "王小红"


def test_an_admitted_members_page_shows_their_name(clerk: Session, union_id: UUID) -> None:
    new_id = _admitted_id(_admit(clerk, _admission(union_id)))
    page = clerk.get(f"/members/{new_id}")
    assert page.status_code == 200
    assert "<h1>王小红 " in page.text


def test_the_auditor_sees_a_members_id_number_masked(auditor: Session, clerk: Session, union_id: UUID) -> None:
    number = helpers.id_number(BORN, "F")
    new_id = _admitted_id(_admit(clerk, _admission(union_id, id_number=number)))
    page = auditor.get(f"/members/{new_id}").text
    assert "2101**********" + number[-4:] in page
    assert number not in page


def test_the_office_clerk_sees_a_members_id_number_in_full(clerk: Session, union_id: UUID) -> None:
    number = helpers.id_number(BORN, "F")
    new_id = _admitted_id(_admit(clerk, _admission(union_id, id_number=number)))
    assert number in clerk.get(f"/members/{new_id}").text


def test_the_auditor_sees_a_members_phone_masked(auditor: Session, clerk: Session, union_id: UUID) -> None:
    new_id = _admitted_id(_admit(clerk, _admission(union_id, phone="13800138000")))
    page = auditor.get(f"/members/{new_id}").text
    assert "138****8000" in page
    assert "13800138000" not in page


def test_the_roster_list_shows_id_numbers_masked_even_to_the_office_clerk(
    clerk: Session, backend: Backend, member_id: UUID
) -> None:
    number = _id_number_of(backend, member_id)
    listing = clerk.get("/members").text
    assert "2101**********" + number[-4:] in listing
    assert number not in listing


def _bad_checksum() -> str:
    number = helpers.id_number(BORN, "F")
    return number[:17] + ("0" if number[17] != "0" else "1")


BAD_ADMISSIONS = [
    pytest.param({"name": ""}, "请填写姓名", id="empty name"),
    pytest.param({"name": "名" * 31}, "姓名不能超过30个字", id="name of 31 characters"),
    pytest.param({"id_number": _bad_checksum()}, "身份证号码校验位不正确", id="bad ID checksum"),
    pytest.param({"id_number": helpers.id_number(BORN, "F")[:17]}, "身份证号码应为18位",
                 id="ID of 17 characters"),
    pytest.param({"id_number": helpers.id_number(BORN, "F") + "1"}, "身份证号码应为18位",
                 id="ID of 19 characters"),
    pytest.param({"birth_date": "1990-05-18"}, "出生日期与身份证号码不一致", id="birth date not the ID's"),
    pytest.param({"gender": "M"}, "性别与身份证号码不一致", id="gender not the ID's"),
    pytest.param({"joined_on": "2026-03-09"}, "入会日期不能晚于今天", id="join date in the future"),
    pytest.param({"joined_on": "2006-05-16"}, "入会时须年满16周岁", id="joined before age 16"),
    pytest.param({"union_id": ""}, "请选择所在工会", id="no union chosen"),
    pytest.param({"union_id": "not-a-union"}, "请从列表中选择", id="garbage union id"),
    pytest.param({"union_id": str(uuid4())}, "找不到该工会", id="unknown union id"),
    pytest.param({"enterprise_id": str(uuid4())}, "找不到该记录", id="unknown enterprise id"),
    pytest.param({"transferred_from": "原" * 61}, "转出单位不能超过60个字",
                 id="transferred_from of 61 characters"),
    pytest.param({"birth_date": "1990/05/17"}, "日期格式应为 年-月-日", id="malformed birth date"),
    pytest.param({"joined_on": "2015-02-30"}, "日期格式应为 年-月-日", id="impossible join date"),
    pytest.param({"joined_on": ""}, "请填写日期", id="no join date"),
]


@pytest.mark.parametrize(("change", "message"), BAD_ADMISSIONS)
def test_bad_admission_input_is_refused_with_a_message_and_nothing_recorded(
    clerk: Session, backend: Backend, union_id: UUID, change: dict[str, object], message: str
) -> None:
    data = {**_admission(union_id), **change}
    before = _position(backend)
    response = _admit(clerk, data)
    _refused(response, message)
    assert "<html" not in response.text
    assert _position(backend) == before


def test_a_refused_admission_keeps_what_was_typed(clerk: Session, union_id: UUID) -> None:
    response = _admit(clerk, _admission(union_id, joined_on="2026-03-09", transferred_from="大连市某厂工会"))
    assert 'value="王小红"' in response.text
    assert 'value="大连市某厂工会"' in response.text


def test_admitting_a_known_person_again_is_refused_and_nothing_recorded(
    clerk: Session, backend: Backend, union_id: UUID
) -> None:
    number = helpers.id_number(BORN, "F")
    _admitted_id(_admit(clerk, _admission(union_id, id_number=number)))
    before = _position(backend)
    response = _admit(clerk, _admission(union_id, id_number=number, name="王晓红"))
    _refused(response, "该身份证号码已登记为会员")
    assert _position(backend) == before


def test_a_refused_known_person_is_linked_to_their_existing_record(clerk: Session, union_id: UUID) -> None:
    number = helpers.id_number(BORN, "F")
    first = _admitted_id(_admit(clerk, _admission(union_id, id_number=number)))
    response = _admit(clerk, _admission(union_id, id_number=number))
    assert f'href="/members/{first}"' in response.text


def test_the_same_admission_form_submitted_twice_records_the_member_once(
    clerk: Session, backend: Backend, union_id: UUID
) -> None:
    form_key = _form_key(clerk)
    data = _admission(union_id)
    _admitted_id(_admit(clerk, data, form_key))
    after_first = _position(backend)
    second = _admit(clerk, data, form_key)
    _refused(second, "该表单已经提交过")
    assert _position(backend) == after_first


# -- transfers -----------------------------------------------------------------------------------------


def _transfer_out(clerk: Session, member_id: UUID, to_union_id: UUID, slip_no: str = SLIP):
    return clerk.post(f"/members/{member_id}/transfer-out", {"slip_no": slip_no, "to_union_id": str(to_union_id)},
                      htmx=True)


def _receive(clerk: Session, member_id: UUID, union_id: UUID, slip_no: str = SLIP):
    return clerk.post(f"/members/{member_id}/receive", {"union_id": str(union_id), "slip_no": slip_no}, htmx=True)


def test_a_transfer_out_puts_the_member_in_transit(clerk: Session, backend: Backend, member_id: UUID,
                                                   other_union_id: UUID) -> None:
    response = _transfer_out(clerk, member_id, other_union_id)
    assert response.status_code == 200
    assert "已开具接转单" in response.text
    assert _status(response.text) == "接转中"
    assert _row(backend, member_id).status == "in_transit"


def test_a_received_transfer_moves_the_member_to_the_new_union(
    clerk: Session, backend: Backend, member_id: UUID, other_union_id: UUID
) -> None:
    _transfer_out(clerk, member_id, other_union_id)
    response = _receive(clerk, member_id, other_union_id)
    assert response.status_code == 200
    assert "已接收转入" in response.text
    assert 'id="member-union">红星商贸工会<' in response.text
    row = _row(backend, member_id)
    assert (row.union_id, row.status) == (str(other_union_id), "active")


def test_transferring_a_member_to_their_own_union_is_refused(
    clerk: Session, backend: Backend, member_id: UUID, union_id: UUID
) -> None:
    before = _position(backend)
    response = _transfer_out(clerk, member_id, union_id)
    _refused(response, "不能转入会员现在所在的工会")
    assert _position(backend) == before


def test_receiving_with_the_wrong_slip_number_is_refused(
    clerk: Session, backend: Backend, member_id: UUID, other_union_id: UUID
) -> None:
    _transfer_out(clerk, member_id, other_union_id)
    before = _position(backend)
    response = _receive(clerk, member_id, other_union_id, slip_no="ZJ2026-999")
    _refused(response, "接转单编号与转出时的编号不符")
    assert _position(backend) == before
    assert _row(backend, member_id).status == "in_transit"


def test_receiving_a_member_never_transferred_is_refused(
    clerk: Session, backend: Backend, member_id: UUID, other_union_id: UUID
) -> None:
    before = _position(backend)
    response = _receive(clerk, member_id, other_union_id)
    _refused(response, "该会员没有转出记录")
    assert _position(backend) == before


# -- retaining, withdrawing, death ---------------------------------------------------------------------------


def test_a_retired_member_is_shown_as_retained(clerk: Session, member_id: UUID) -> None:
    response = clerk.post(f"/members/{member_id}/retain", {"cause": "retirement"}, htmx=True)
    assert response.status_code == 200
    assert "已保留会籍" in response.text
    assert _status(clerk.get(f"/members/{member_id}").text) == "保留会籍"


def test_a_withdrawn_member_is_shown_as_withdrawn(clerk: Session, member_id: UUID) -> None:
    response = clerk.post(f"/members/{member_id}/withdraw", {"reason": "本人申请"}, htmx=True)
    assert "已办理退会" in response.text
    assert _status(clerk.get(f"/members/{member_id}").text) == "已退会"


OTHER = object()  # stands for the other union's id in a table of form data


def _filled(data: dict[str, object], other_union_id: UUID) -> dict[str, str]:
    return {name: str(other_union_id) if value is OTHER else str(value) for name, value in data.items()}


ENDED_ACTIONS = [
    pytest.param("transfer-out", {"slip_no": SLIP, "to_union_id": OTHER}, id="transfer out"),
    pytest.param("retain", {"cause": "retirement"}, id="retain"),
]


@pytest.mark.parametrize(("action", "data"), ENDED_ACTIONS)
def test_acting_on_a_withdrawn_member_is_refused(
    clerk: Session, backend: Backend, member_id: UUID, other_union_id: UUID, *, action: str, data: dict[str, object]
) -> None:
    clerk.post(f"/members/{member_id}/withdraw", {"reason": "本人申请"}, htmx=True)
    before = _position(backend)
    response = clerk.post(f"/members/{member_id}/{action}", _filled(data, other_union_id), htmx=True)
    _refused(response, "已退会")
    assert "不能办理此项" in response.text
    assert _position(backend) == before


def test_transferring_a_deceased_member_is_refused(
    clerk: Session, backend: Backend, member_id: UUID, other_union_id: UUID
) -> None:
    died = clerk.post(f"/members/{member_id}/death", {"died_on": "2026-03-01"}, htmx=True)
    assert "已登记去世" in died.text
    before = _position(backend)
    response = _transfer_out(clerk, member_id, other_union_id)
    _refused(response, "已去世")
    assert _position(backend) == before


# -- stale forms -----------------------------------------------------------------------------------------------


def _correct(clerk: Session, member_id: UUID, name: str, seen_version: int):
    return clerk.post(f"/members/{member_id}/correct",
                      {"name": name, "reason": "录入错误", "seen_version": str(seen_version)}, htmx=True)


def test_a_name_correction_is_recorded(clerk: Session, backend: Backend, member_id: UUID) -> None:
    response = _correct(clerk, member_id, "张建华", seen_version=1)
    assert response.status_code == 200
    assert "已更正" in response.text
    assert _row(backend, member_id).name == "张建华"


def test_a_correction_from_a_stale_page_is_refused_and_nothing_recorded(
    clerk: Session, backend: Backend, member_id: UUID
) -> None:
    _correct(clerk, member_id, "张建华", seen_version=1)
    before = _position(backend)
    response = _correct(clerk, member_id, "张建民", seen_version=1)
    _refused(response, "已被他人修改")
    assert _position(backend) == before
    assert _row(backend, member_id).name == "张建华"


# -- search ------------------------------------------------------------------------------------------------------


@pytest.fixture
def others(backend: Backend, union_id: UUID, other_union_id: UUID) -> dict[str, UUID]:
    """李明 in 新华机械厂工会 (retired) and 赵丽 in 红星商贸工会."""
    li = helpers.member(backend.office, union_id, name="李明")
    backend.office.retain_membership(acting(backend.office, "retain_membership"), li, "retirement")
    zhao = helpers.member(backend.office, other_union_id, name="赵丽", gender="F")
    backend.read_models.catch_up()
    return {"李明": li, "赵丽": zhao}


def _search(session: Session, query: str) -> str:
    response = session.get(f"/members?{query}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.text


@pytest.mark.usefixtures("others")
def test_a_search_by_pinyin_initials_answers_with_a_fragment_listing_the_member(
    clerk: Session, member_id: UUID
) -> None:
    results = _search(clerk, "q=zjg")
    assert "<html" not in results
    assert f'href="/members/{member_id}">张建国<' in results
    assert "李明" not in results
    assert "共 1 人" in results


@pytest.mark.usefixtures("others")
def test_a_search_by_the_last_four_of_the_id_number_finds_the_member(
    clerk: Session, backend: Backend, member_id: UUID
) -> None:
    results = _search(clerk, f"q={_id_number_of(backend, member_id)[-4:]}")
    assert f'href="/members/{member_id}">张建国<' in results
    assert "共 1 人" in results


@pytest.mark.usefixtures("member_id")
def test_the_status_filter_lists_only_members_of_that_status(clerk: Session, others: dict[str, UUID]) -> None:
    results = _search(clerk, "status=retained")
    assert f'href="/members/{others["李明"]}">李明<' in results
    assert "张建国" not in results
    assert "赵丽" not in results


@pytest.mark.usefixtures("member_id")
def test_the_union_filter_lists_only_members_of_that_union(
    clerk: Session, other_union_id: UUID, others: dict[str, UUID]
) -> None:
    results = _search(clerk, f"union={other_union_id}")
    assert f'href="/members/{others["赵丽"]}">赵丽<' in results
    assert "张建国" not in results
    assert "李明" not in results


def test_the_roster_as_of_a_date_before_admission_has_nobody_in_the_union(
    clerk: Session, backend: Backend, union_id: UUID
) -> None:
    backend.office.admit_member(acting(backend.office, "admit_member"), name="张建国", gender="M", birth_date=BORN,
                                id_number=helpers.id_number(BORN, "M"),
        union_id=union_id, joined_on=date(2026, 3, 8))
    backend.read_models.catch_up()
    assert "共 1 人" in _search(clerk, f"union={union_id}&on={TODAY}")
    results = _search(clerk, f"union={union_id}&on=2026-03-07")
    assert "共 0 人" in results
    assert "张建国" not in results


@pytest.mark.usefixtures("member_id")
def test_a_malformed_as_of_date_on_the_roster_is_answered_with_a_message(clerk: Session) -> None:
    results = _search(clerk, "on=2026-13-01")
    assert "日期格式应为 年-月-日" in results


# -- unions ------------------------------------------------------------------------------------------------------


@pytest.fixture
def grown(backend: Backend, clock: Clock, union_id: UUID) -> UUID:
    """新华机械厂工会: one member since 2026-03-08, a second admitted on 2026-03-18 (today, after this)."""
    helpers.member(backend.office, union_id, name="张建国")
    clock.advance(days=10)
    helpers.member(backend.office, union_id, name="李明")
    backend.read_models.catch_up()
    return union_id


def _members_in_unions_table(html: str, union_id: UUID) -> int:
    match = re.search(rf'href="/unions/{union_id}[^"]*">[^<]*</a>.*?<td class="num">(\d+)</td>', html, re.DOTALL)
    assert match, "the union is not in the table"
    return int(match[1])


def test_the_unions_page_shows_todays_member_counts(clerk: Session, grown: UUID) -> None:
    assert _members_in_unions_table(clerk.get("/unions").text, grown) == 2


def test_the_unions_page_as_of_a_date_shows_the_member_counts_then(clerk: Session, grown: UUID) -> None:
    page = clerk.get("/unions?on=2026-03-10").text
    assert _members_in_unions_table(page, grown) == 1
    assert "在会会员 1 人" in page


def _union_members(html: str) -> list[str]:
    table = re.search(r'<table class="data" id="union-members">.*?</table>', html, re.DOTALL)
    assert table, "the union page has no member list"
    return re.findall(r'<a href="/members/[^"]+">([^<]+)</a>', table[0])


def test_a_unions_page_as_of_a_date_shows_its_member_count_then(clerk: Session, grown: UUID) -> None:
    page = clerk.get(f"/unions/{grown}?on=2026-03-10").text
    assert '<div class="figure">1</div><div class="label">2026年3月10日在会会员' in page


def test_a_unions_page_as_of_a_date_lists_its_members_then(clerk: Session, grown: UUID) -> None:
    assert _union_members(clerk.get(f"/unions/{grown}?on=2026-03-10").text) == ["张建国"]


def test_a_unions_page_today_shows_its_members_now(clerk: Session, grown: UUID) -> None:
    page = clerk.get(f"/unions/{grown}").text
    assert '<div class="figure">2</div><div class="label">2026年3月18日在会会员' in page
    assert sorted(_union_members(page)) == sorted(["张建国", "李明"])


def _found(clerk: Session, **change: str):
    data = {"name": "新建工会", "kind": "enterprise", "parent_id": "", "workers": "30", "approver": "street",
            "approval_ref": "和工批2号", "term_years": "5", **change}
    return clerk.post("/unions", data, htmx=True)


def test_a_union_approved_by_the_right_body_is_founded(clerk: Session) -> None:
    response = _found(clerk)
    assert response.status_code == 204
    union = UUID(response.headers["HX-Redirect"].removeprefix("/unions/"))
    assert "新建工会" in clerk.get(f"/unions/{union}").text


WRONG_APPROVERS = [
    pytest.param("5", "street", "职工5人的单位建会应由社区工会审批", id="7 or fewer: the community union"),
    pytest.param("8", "community", "职工8人的单位建会应由街道（镇）工会审批", id="8 to 50: the street union"),
    pytest.param("50", "district", "职工50人的单位建会应由街道（镇）工会审批", id="50 belongs to the street (Q14)"),
    pytest.param("51", "street", "职工51人的单位建会应由区（县）总工会审批", id="above 50: the district federation"),
]


@pytest.mark.parametrize(("workers", "approver", "message"), WRONG_APPROVERS)
def test_founding_a_union_with_the_wrong_approver_is_refused_naming_the_right_body(
    clerk: Session, backend: Backend, workers: str, approver: str, message: str
) -> None:
    before = _position(backend)
    response = _found(clerk, workers=workers, approver=approver)
    _refused(response, message)
    assert _position(backend) == before


# -- enterprises ----------------------------------------------------------------------------------------------------


def _register(clerk: Session, **change: str):
    data = {"name": "新华印刷有限公司", "credit_code": helpers.credit_code(), "ownership": "private",
            "industry": "印刷", "community": "新华社区", "address": "", "workers": "30", "women": "10", **change}
    return clerk.post("/enterprises", data, htmx=True)


def test_the_office_clerk_registers_a_unit_and_is_sent_to_its_page(clerk: Session) -> None:
    code = helpers.credit_code()
    response = _register(clerk, credit_code=code)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/enterprises/{Enterprise.id_for(code)}"


def _bad_credit_check() -> str:
    code = helpers.credit_code()
    return code[:17] + ("1" if code[17] != "1" else "2")


BAD_CREDIT_CODES = [
    pytest.param(_bad_credit_check, "统一社会信用代码校验位不正确", id="wrong check character"),
    pytest.param(lambda: helpers.credit_code()[:17], "统一社会信用代码应为18位", id="17 characters"),
    pytest.param(lambda: "91210102MA0000001I", "统一社会信用代码应为18位", id="a letter not in the alphabet"),
    pytest.param(lambda: "", "统一社会信用代码应为18位", id="empty"),
]


@pytest.mark.parametrize(("code", "message"), BAD_CREDIT_CODES)
def test_a_bad_credit_code_is_refused_with_a_message_and_nothing_recorded(
    clerk: Session, backend: Backend, code: Callable[[], str], message: str
) -> None:
    before = _position(backend)
    response = _register(clerk, credit_code=code())
    _refused(response, message)
    assert _position(backend) == before


def test_a_credit_code_already_registered_is_refused(clerk: Session, backend: Backend) -> None:
    code = helpers.credit_code()
    assert _register(clerk, credit_code=code).status_code == 204
    before = _position(backend)
    response = _register(clerk, credit_code=code, name="另一家公司")
    _refused(response, "该统一社会信用代码已登记：新华印刷有限公司")
    assert _position(backend) == before


def test_standalone_coverage_of_a_ten_worker_unit_is_refused(clerk: Session, backend: Backend) -> None:
    small = helpers.enterprise(backend.office, workers=10)
    union = helpers.union(backend.office)
    backend.read_models.catch_up()
    before = _position(backend)
    response = clerk.post(f"/enterprises/{small}/coverage",
                          {"union_id": str(union), "mode": "standalone", "from_date": TODAY}, htmx=True)
    _refused(response, "职工25人以上的单位才单独建会")
    assert "当前登记人数：10" in response.text
    assert _position(backend) == before


@pytest.fixture
def census(backend: Backend) -> dict[str, UUID]:
    """Two units of the census: one covered by its own union, one not."""
    covered = helpers.enterprise(backend.office, name="有工会公司")
    helpers.union(backend.office, [covered])
    uncovered = helpers.enterprise(backend.office, name="无工会公司")
    backend.read_models.catch_up()
    return {"covered": covered, "uncovered": uncovered}


@pytest.mark.usefixtures("census")
def test_the_enterprises_page_shows_the_coverage_rate(clerk: Session) -> None:
    page = clerk.get("/enterprises").text
    assert '<div class="figure">50.0%</div><div class="label">建会率（目标 100%）</div>' in page


def _unit_row(html: str, enterprise_id: UUID) -> str:
    match = re.search(rf'<tr><td><a href="/enterprises/{enterprise_id}">.*?</tr>', html, re.DOTALL)
    assert match, "the unit is not in the table"
    return match[0]


def test_the_enterprises_page_badges_an_uncovered_unit(clerk: Session, census: dict[str, UUID]) -> None:
    page = clerk.get("/enterprises").text
    assert '<span class="badge warn">未建会</span>' in _unit_row(page, census["uncovered"])
    assert "未建会" not in _unit_row(page, census["covered"])


# -- permissions in practice ------------------------------------------------------------------------------------------


@pytest.fixture
def accountant(app: Flask) -> Session:
    return login(app.test_client(), "accountant")


@pytest.mark.usefixtures("member_id")
def test_an_accountant_can_read_the_roster(accountant: Session) -> None:
    response = accountant.get("/members")
    assert response.status_code == 200
    assert "张建国" in response.text


def test_an_accountant_may_not_admit_a_member(accountant: Session, backend: Backend, union_id: UUID) -> None:
    before = _position(backend)
    response = accountant.post("/members", _admission(union_id), htmx=True)
    assert response.status_code == 403
    assert _position(backend) == before


def test_an_accountant_may_not_open_the_admission_form(accountant: Session) -> None:
    assert accountant.get("/members/new").status_code == 403


@pytest.fixture
def member_user(app: Flask, backend: Backend, member_id: UUID) -> Session:
    """会员甲, a member user linked to 张建国's record."""
    user_id = backend.office.register_user(system(backend.office), "member1", "会员甲", ["member"],
                                           member_id=member_id)
    backend.credentials.set_password(user_id, PASSWORD)
    backend.read_models.catch_up()
    return login(app.test_client(), "member1")


@pytest.fixture
def someone_else(backend: Backend, other_union_id: UUID) -> UUID:
    found = helpers.member(backend.office, other_union_id, name="赵丽", gender="F")
    backend.read_models.catch_up()
    return found


def test_a_member_user_may_not_read_the_roster(member_user: Session) -> None:
    assert member_user.get("/members").status_code == 403


def test_a_member_user_may_not_read_another_members_record(member_user: Session, someone_else: UUID) -> None:
    response = member_user.get(f"/members/{someone_else}")
    assert response.status_code == 403
    assert "赵丽" not in response.text


@pytest.mark.usefixtures("someone_else")
def test_a_member_user_reads_their_own_record(member_user: Session) -> None:
    response = member_user.get("/members/me")
    assert response.status_code == 200
    assert "<h1>张建国 " in response.text
    assert "赵丽" not in response.text


def test_a_member_user_sees_their_own_id_number_masked_and_no_actions(
    member_user: Session, backend: Backend, member_id: UUID
) -> None:
    page = member_user.get("/members/me").text
    number = _id_number_of(backend, member_id)
    assert "2101**********" + number[-4:] in page
    assert number not in page
    assert 'id="member-actions"' not in page


# -- fragments and the page itself -------------------------------------------------------------------------------------


def _section_alone(html: str) -> None:
    assert html.lstrip().startswith('<section id="member">')
    assert html.rstrip().endswith("</section>")
    assert "<html" not in html
    assert "<body" not in html


ALL_ACTIONS = ("transfer-out", "receive", "complete-transfer", "cancel-transfer", "retain", "restore", "withdraw",
               "expel", "death", "reactivate", "card", "correct", "erase")


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_a_refused_member_action_answers_htmx_with_the_member_section_alone(
    clerk: Session, backend: Backend, member_id: UUID, action: str
) -> None:
    before = _position(backend)
    response = clerk.post(f"/members/{member_id}/{action}", {}, htmx=True)
    assert response.status_code == 200
    _section_alone(response.text)
    assert 'class="flash error"' in response.text
    assert _position(backend) == before


def _bring_to(state: str, backend: Backend, member_id: UUID, other_union_id: UUID) -> None:
    """Move the member (active to begin with) into `state` through the office's commands."""
    office = backend.office
    if state == "in_transit":
        office.transfer_member_out(acting(office, "transfer_member_out"), member_id, SLIP, to_union_id=other_union_id)
    elif state == "leaving":
        office.transfer_member_out(acting(office, "transfer_member_out"), member_id, SLIP,
                                   to_outside="大连市某公司工会")
    elif state == "retained":
        office.retain_membership(acting(office, "retain_membership"), member_id, "retirement")
    elif state == "withdrawn":
        office.withdraw_member(acting(office, "withdraw_member"), member_id, card_returned=True, reason="本人申请")
    else:
        assert state == "active"
    backend.read_models.catch_up()


SUCCESSES = [
    pytest.param("transfer-out", "active", {"slip_no": SLIP, "to_union_id": OTHER}, "已开具接转单", id="transfer-out"),
    pytest.param("receive", "in_transit", {"slip_no": SLIP, "union_id": OTHER}, "已接收转入", id="receive"),
    pytest.param("complete-transfer", "leaving", {}, "已转出本街道", id="complete-transfer"),
    pytest.param("cancel-transfer", "in_transit", {"reason": "填错工会"}, "已撤销接转", id="cancel-transfer"),
    pytest.param("retain", "active", {"cause": "unemployment"}, "已保留会籍", id="retain"),
    pytest.param("restore", "retained", {"reason": "再就业"}, "已恢复会籍", id="restore"),
    pytest.param("withdraw", "active", {"reason": "本人申请", "card_returned": "1"}, "已办理退会", id="withdraw"),
    pytest.param("expel", "active", {"decision_ref": "工委决〔2026〕1号", "reason": "严重违纪"}, "已开除会籍",
                 id="expel"),
    pytest.param("death", "active", {"died_on": "2026-03-01"}, "已登记去世", id="death"),
    pytest.param("reactivate", "withdrawn", {"union_id": OTHER, "reason": "重新就业"}, "已重新入会", id="reactivate"),
    pytest.param("card", "active", {"card_no": "HP000123"}, "已登记会员证", id="card"),
    pytest.param("correct", "active", {"name": "张建华", "reason": "录入错误"}, "已更正", id="correct"),
    pytest.param("erase", "active", {"reason": "本人申请", "confirm": "删除"}, "个人信息已删除", id="erase"),
]


@pytest.mark.parametrize(("action", "state", "data", "notice"), SUCCESSES)
def test_a_member_action_done_answers_htmx_with_the_member_section_alone(
    clerk: Session, backend: Backend, member_id: UUID, other_union_id: UUID, *, action: str, state: str,
    data: dict[str, object], notice: str
) -> None:
    _bring_to(state, backend, member_id, other_union_id)
    before = _position(backend)
    response = clerk.post(f"/members/{member_id}/{action}", _filled(data, other_union_id), htmx=True)
    assert response.status_code == 200
    _section_alone(response.text)
    assert f'<div class="flash ok" role="status">{notice}' in response.text
    assert _position(backend) != before


@pytest.mark.parametrize("state", ["active", "in_transit", "leaving", "retained", "withdrawn"])
def test_the_member_page_has_no_inline_script_or_style(
    clerk: Session, backend: Backend, member_id: UUID, other_union_id: UUID, state: str
) -> None:
    _bring_to(state, backend, member_id, other_union_id)
    page = clerk.get(f"/members/{member_id}").text
    assert "<html" in page
    scripts = re.findall(r"<script\b[^>]*>", page, re.IGNORECASE)
    assert scripts
    assert [s for s in scripts if not re.search(r"\ssrc=", s)] == []
    assert not re.search(r"<style\b", page, re.IGNORECASE)
    assert not re.search(r"\sstyle=", page, re.IGNORECASE)
    assert not re.search(r"\son[a-z]+=", page, re.IGNORECASE)


def test_the_transfer_register_lists_closed_transfers_with_their_outcome(
        clerk: Session, member_id: UUID, other_union_id: UUID) -> None:
    """ORG-03: 会员组织关系接转登记表 keeps every slip, received ones too."""
    _transfer_out(clerk, member_id, other_union_id)
    _receive(clerk, member_id, other_union_id)
    in_transit = clerk.get("/members/transfers").text
    register = clerk.get("/members/transfers?all=1").text
    assert SLIP not in in_transit
    assert SLIP in register
    assert "已接收" in register


def test_members_can_be_listed_by_birthday_month(clerk: Session, backend: Backend, union_id: UUID) -> None:
    """MEM-07: birthdays are kept for greetings; the roster lists a month's birthdays."""
    helpers.member(backend.office, union_id, name="五月生", born=date(1990, 5, 17))
    helpers.member(backend.office, union_id, name="九月生", born=date(1991, 9, 2))
    backend.read_models.catch_up()
    may = clerk.get("/members?birthday=5", headers={"HX-Request": "true"}).text
    assert "五月生" in may
    assert "九月生" not in may


def test_a_union_awaiting_its_election_approval_says_so_until_the_clerk_records_it(
        clerk: Session, union_id: UUID) -> None:
    """ORG-02: the union is formally established once the higher union approves the election."""
    before = clerk.get(f"/unions/{union_id}").text
    after = clerk.post(f"/unions/{union_id}/approve-election", {"approval_ref": "和总工批〔2026〕9号"}, htmx=True).text
    assert "选举结果尚待上级工会批准" in before
    assert "选举结果尚待上级工会批准" not in after
    assert "已登记选举结果批复" in after


def test_the_clerk_records_a_grid_cell_on_the_grid_page(clerk: Session) -> None:
    """ORG-11."""
    response = clerk.post("/grid", {"community": "新华社区", "name": "第1网格", "leader": "王强",
                                    "workers": "李丽、赵敏", "duties": "走访辖区企业"}, htmx=True)
    assert "已登记网格" in response.text
    assert "李丽、赵敏" in clerk.get("/grid").text


def test_a_grid_cell_without_workers_is_refused_with_a_message(clerk: Session, backend: Backend) -> None:
    before = _position(backend)
    response = clerk.post("/grid", {"community": "新华社区", "name": "第1网格", "leader": "王强", "workers": "",
                                    "duties": "走访"}, htmx=True)
    assert "请至少填写一名网格员" in response.text
    assert _position(backend) == before


def test_the_dashboards_roster_figures_can_be_shown_as_of_a_past_date(
        clerk: Session, backend: Backend, union_id: UUID, clock: Clock) -> None:
    """Every roster figure as of a past date: the dashboard too."""
    helpers.member(backend.office, union_id, name="早入会的")
    clock.advance(days=10)
    helpers.member(backend.office, union_id, name="后入会的")
    backend.read_models.catch_up()
    now = clerk.get("/", headers={"HX-Request": "true"}).text
    then = clerk.get("/?on=2026-03-08", headers={"HX-Request": "true"}).text
    figure = re.compile(r'<div class="figure">(\d+)</div><div class="label">在会会员')
    assert figure.search(now)[1] == "2"
    assert figure.search(then)[1] == "1"
    assert "<html" not in then


def test_the_unions_page_shows_the_six_haves_rate_of_community_unions_against_its_own_target(
        clerk: Session, backend: Backend) -> None:
    """ORG-08: 六有 ≥ 60% overall and ≥ 70% for community (street) unions."""
    community = helpers.union(backend.office, kind="community", workers=5)
    backend.office.assess_union_compliance(acting(backend.office, "assess_union_compliance"), community, 2026,
                                           "six_haves",
                                           ["premises", "elected_chair", "organs", "activities", "rules",
                                            "performance"])
    backend.read_models.catch_up()
    assert _rate_row(clerk.get("/unions").text, "其中社区工会“六有”达标率") == ["1", "1", "100.0%", "70%"]


def _rate_row(html: str, label: str) -> list[str]:
    table = html[html.index('id="compliance-rates"'):]
    row = table[table.index(f"<td>{label}</td>"):]
    row = row[:row.index("</tr>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<td class="num">(.*?)</td>', row, re.S)]


def test_org08_the_standardisation_rate_is_shown_against_its_80_percent_target(
        clerk: Session, backend: Backend) -> None:
    """ORG-08 (篇九): 80% of grassroots unions meet the 规范化建设 standard by year end; below it is flagged."""
    office = backend.office
    done, half = helpers.union(office, name="规范工会"), helpers.union(office, name="未规范工会")
    office.assess_union_compliance(acting(office, "assess_union_compliance"), done, 2026, "standardised",
                                   ["founding", "facilities", "duties", "mechanisms", "cadres", "archives"])
    office.assess_union_compliance(acting(office, "assess_union_compliance"), half, 2026, "standardised",
                                   ["founding", "facilities"])
    backend.read_models.catch_up()
    assert _rate_row(clerk.get("/unions").text, "规范化建设达标率") == ["1", "2", "50.0% 未达目标", "80%"]
    assert _rate_row(clerk.get("/unions?on=2025-12-31").text, "规范化建设达标率") == ["0", "0", "—", "80%"]


def test_page_links_of_the_roster_keep_the_search_and_filters(clerk: Session, backend: Backend,
                                                              union_id: UUID) -> None:
    for n in range(55):
        helpers.member(backend.office, union_id, name=f"会员{n:02d}", born=date(1980, 1, 1 + n % 28))
    backend.read_models.catch_up()
    page = clerk.get(f"/members?union={union_id}&status=active&q=hy").text
    links = re.findall(r'<a href="(/members\?[^"]*page=2[^"]*)"', page)
    assert links
    assert f"union={union_id}" in links[0].replace("&amp;", "&")
    assert "q=hy" in links[0]


# -- the women's organ (§2.3, Q3) --------------------------------------------------------------------


def _women(backend: Backend, union_id: UUID, count: int) -> list[UUID]:
    return [helpers.member(backend.office, union_id, name=f"女会员{n}", gender="F", born=date(1985, 2, n + 1))
            for n in range(count)]


def test_q3_a_union_with_few_women_and_no_women_member_is_told_to_appoint_one(
        clerk: Session, backend: Backend, union_id: UUID) -> None:
    """Q3 (default): fewer than 10 women members → a women's committee member (女职工委员)."""
    woman = _women(backend, union_id, 1)[0]
    backend.read_models.catch_up()
    assert "应设女职工委员" in clerk.get(f"/unions/{union_id}").text
    assert "应设女职工委员" in clerk.get("/unions").text
    backend.office.appoint_office_holder(acting(backend.office, "appoint_office_holder"), union_id, "women_member",
                                         woman,
                                         owner_or_relative=False)
    backend.read_models.catch_up()
    assert "应设女职工委员" not in clerk.get(f"/unions/{union_id}").text
    assert "应设女职工委员" not in clerk.get("/unions").text


def test_org01_with_the_seed_thresholds_three_women_need_a_women_group(
        clerk: Session, backend: Backend, union_id: UUID) -> None:
    """ORG-01 (篇八) selected by settings: 50 women → committee, 3–49 → a women's group (女职工小组)."""
    office = backend.office
    chair = as_role(office, "chair")
    office.set_setting(chair, "women_committee_min_women", "50", date(2026, 3, 8), "采用篇八口径")
    office.set_setting(chair, "women_group_min_women", "3", date(2026, 3, 8), "采用篇八口径")
    women = _women(backend, union_id, 3)
    backend.read_models.catch_up()
    page = clerk.get(f"/unions/{union_id}").text
    assert "应设女职工小组" in page and "尚无人任女职工小组组长" in page
    office.appoint_office_holder(acting(office, "appoint_office_holder"), union_id, "women_group_leader", women[0],
                                 owner_or_relative=False)
    backend.read_models.catch_up()
    assert "应设女职工" not in clerk.get(f"/unions/{union_id}").text
    assert "应设女职工" not in clerk.get("/unions").text


# -- ORG-04 worker lists -----------------------------------------------------------------------------


def test_org04_the_clerk_files_a_worker_list_and_sees_members_and_non_members(
        clerk: Session, auditor: Session, backend: Backend) -> None:
    """ORG-04: a private unit's worker list, members marked; the community census counts units with a list."""
    office = backend.office
    unit = helpers.enterprise(office, workers=30)
    home = helpers.union(office, [unit])
    helpers.member(office, home, name="张建国", enterprise_id=unit)
    backend.read_models.catch_up()
    assert "尚未报送职工名单" in clerk.get(f"/enterprises/{unit}").text
    response = clerk.post(f"/enterprises/{unit}/workers", {"as_of": TODAY, "names": "张建国\n李小梅\n王大力"},
                          htmx=True)
    assert "已报送职工名单" in response.text
    page = clerk.get(f"/enterprises/{unit}").text
    assert "名单 3 人，其中会员 1 人，非会员 2 人" in page and "与登记职工人数（30）不符" in page
    assert re.search(r"<li>张建国 <span class=\"badge ok\">会员</span></li>", page)
    assert "<li>李小梅</li>" in page
    census = clerk.get("/enterprises").text
    assert re.search(r"<td class=\"num\">1/1</td>", census)
    seen_by_auditor = auditor.get(f"/enterprises/{unit}").text
    assert "非会员 2 人" in seen_by_auditor and "李小梅" not in seen_by_auditor


def test_org04_a_worker_list_differing_from_the_reported_headcount_is_flagged(
        clerk: Session, backend: Backend) -> None:
    unit = helpers.enterprise(backend.office, workers=5)
    backend.read_models.catch_up()
    clerk.post(f"/enterprises/{unit}/workers", {"as_of": TODAY, "names": "甲\n乙"}, htmx=True)
    assert "与登记职工人数（5）不符" in clerk.get(f"/enterprises/{unit}").text


def test_org04_an_empty_worker_list_is_refused_with_a_message_and_nothing_recorded(
        clerk: Session, backend: Backend) -> None:
    unit = helpers.enterprise(backend.office)
    backend.read_models.catch_up()
    before = _position(backend)
    _refused(clerk.post(f"/enterprises/{unit}/workers", {"as_of": TODAY, "names": " "}, htmx=True), "请填写职工名单")
    assert _position(backend) == before
