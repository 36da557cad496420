"""The census and a union's member list at a real office's size: a page at a time, the figures over
the whole list, and an export holding exactly what the filter shows, every row of it."""

from __future__ import annotations

import csv
import io
import re
from uuid import UUID

import pytest
from flask import Flask

from intranet.backend import Backend
from projections import organisations
from tests import roster_helpers as helpers
from tests.conftest import Session, acting, login

UNITS = 57  # more than one page of 50
MEMBERS = 53


@pytest.fixture
def clerk(app: Flask) -> Session:
    return login(app.test_client(), "office")


@pytest.fixture
def census(backend: Backend) -> list[UUID]:
    """57 units, every third one in 东风社区; the first 20 covered by one joint union."""
    office = backend.office
    units = [office.register_enterprise(acting(office, "register_enterprise"), name=f"测试企业{n:03d}有限公司",
                                        credit_code=helpers.credit_code(), ownership="private",
                                        community="东风社区" if n % 3 == 0 else "新华社区", workers=10 + n, women=n)
             for n in range(UNITS)]
    helpers.union(office, units[:20], kind="joint", name="东风联合工会")
    backend.read_models.catch_up()
    return units


def _listed(html: str) -> list[str]:
    table = re.search(r'<table class="data" id="enterprises-table">.*?</table>', html, re.DOTALL)
    assert table, "the census page has no unit list"
    return re.findall(r'<a href="/enterprises/[^"]+">([^<]+)</a>', table[0])


def _csv_rows(data: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return rows[2:]  # the title and the header first


@pytest.mark.usefixtures("census")
def test_the_census_lists_fifty_units_a_page_and_the_rest_on_the_next(clerk: Session) -> None:
    first, second = clerk.get("/enterprises").text, clerk.get("/enterprises?page=2").text
    names = _listed(first) + _listed(second)
    assert len(_listed(first)) == 50
    assert names == sorted(names) and len(set(names)) == UNITS
    assert f"共 {UNITS} 家" in first
    assert '<div class="figure">57</div>' in first  # the figures count the whole census, not the page


@pytest.mark.usefixtures("census")
def test_the_census_export_holds_every_unit_the_filter_shows(clerk: Session) -> None:
    response = clerk.get("/enterprises/export/csv?q=东风社区&covered=no")
    assert response.status_code == 200
    rows = _csv_rows(response.data)
    expected = sorted(f"测试企业{n:03d}有限公司" for n in range(20, UNITS) if n % 3 == 0)
    assert [row[0] for row in rows] == expected
    assert all(row[3] == "东风社区" and row[6] == "未建会" for row in rows)
    page = clerk.get("/enterprises?q=东风社区&covered=no").text
    assert _listed(page) == expected
    assert "/enterprises/export/xlsx?" in page and "covered=no" in page


def test_an_unknown_export_format_is_not_found(clerk: Session) -> None:
    assert clerk.get("/enterprises/export/pdf").status_code == 404


@pytest.fixture
def big_union(backend: Backend) -> UUID:
    union_id = helpers.union(backend.office, name="新华机械厂工会")
    for n in range(MEMBERS):
        helpers.member(backend.office, union_id, name=f"会员{n:02d}")
    backend.read_models.catch_up()
    return union_id


def _members(html: str) -> list[str]:
    table = re.search(r'<table class="data" id="union-members">.*?</table>', html, re.DOTALL)
    assert table, "the union page has no member list"
    return re.findall(r'<a href="/members/[^"]+">([^<]+)</a>', table[0])


def test_a_unions_page_lists_its_members_a_page_at_a_time(clerk: Session, big_union: UUID) -> None:
    first = clerk.get(f"/unions/{big_union}").text
    second = clerk.get(f"/unions/{big_union}?page=2").text
    assert len(_members(first)) == 50 and len(_members(second)) == MEMBERS - 50
    assert sorted(_members(first) + _members(second)) == [f"会员{n:02d}" for n in range(MEMBERS)]
    assert f"{MEMBERS} 人" in first


def test_a_unions_member_export_holds_every_member_on_the_date(clerk: Session, big_union: UUID) -> None:
    response = clerk.get(f"/unions/{big_union}/members/export/csv")
    assert response.status_code == 200
    rows = _csv_rows(response.data)
    assert sorted(row[0] for row in rows) == [f"会员{n:02d}" for n in range(MEMBERS)]
    assert all("*" in row[1] for row in rows)  # the ID number masked, as on the page
    before = clerk.get(f"/unions/{big_union}/members/export/csv?on=2020-01-01")
    assert _csv_rows(before.data) == []


# -- naming one member of a large union ---------------------------------------------------------------------------


@pytest.fixture
def union_with_namesakes(backend: Backend, big_union: UUID) -> UUID:
    """big_union, plus two members both called 王芳 (one holding card HP000777) and one 李娜 of another union."""
    helpers.member(backend.office, big_union, name="王芳", gender="F")
    helpers.member(backend.office, big_union, name="王芳", gender="F", card_no="HP000777")
    helpers.member(backend.office, helpers.union(backend.office, name="红星商贸工会"), name="李娜", gender="F")
    backend.read_models.catch_up()
    return big_union


def _holders(backend: Backend, union_id: UUID) -> list[tuple[str, str]]:
    backend.read_models.catch_up()
    with backend.read_models.reading() as conn:
        return [(h.post, h.name) for h in organisations.holders_on(conn, str(union_id), backend.office.today())]


def test_a_unions_page_asks_for_an_office_holder_by_name_not_from_a_list_of_everyone(
        clerk: Session, union_with_namesakes: UUID) -> None:
    page = clerk.get(f"/unions/{union_with_namesakes}").text
    assert 'name="member"' in page and "会员07</option>" not in page


def test_an_office_holder_named_by_a_unique_name_is_appointed(
        clerk: Session, backend: Backend, union_with_namesakes: UUID) -> None:
    response = clerk.post(f"/unions/{union_with_namesakes}/appoint", {"post": "vice_chair", "member": " 会员07 "},
                          htmx=True)
    assert response.status_code == 200 and "已登记任职" in response.text
    assert _holders(backend, union_with_namesakes) == [("vice_chair", "会员07")]


def test_a_name_two_members_share_is_refused_until_the_card_number_tells_them_apart(
        clerk: Session, backend: Backend, union_with_namesakes: UUID) -> None:
    before = backend.office.recorder.max_notification_id()
    refused = clerk.post(f"/unions/{union_with_namesakes}/appoint", {"post": "vice_chair", "member": "王芳"},
                         htmx=True)
    assert "本工会有2位名为“王芳”的会员，请填写会员证号" in refused.text
    assert backend.office.recorder.max_notification_id() == before
    chosen = clerk.post(f"/unions/{union_with_namesakes}/appoint", {"post": "vice_chair", "member": "hp000777"},
                        htmx=True)
    assert "已登记任职" in chosen.text
    assert _holders(backend, union_with_namesakes) == [("vice_chair", "王芳")]


@pytest.mark.parametrize("named", ["李娜", "无此人", ""])
def test_a_name_that_is_no_active_member_of_this_union_changes_nothing(
        clerk: Session, backend: Backend, union_with_namesakes: UUID, named: str) -> None:
    before = backend.office.recorder.max_notification_id()
    refused = clerk.post(f"/unions/{union_with_namesakes}/appoint", {"post": "vice_chair", "member": named},
                         htmx=True)
    assert refused.status_code == 200
    assert ("没有姓名或会员证号为" if named else "请填写会员姓名或会员证号") in refused.text
    assert backend.office.recorder.max_notification_id() == before
