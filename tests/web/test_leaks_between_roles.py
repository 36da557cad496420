"""Leaks between roles: each attack the review made, made again by a logged-in user through the pages,
and refused because each role is shown only what it may read."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask

from intranet.backend import Backend
from tests.conftest import Session, login
from tests.web.claims_world import PDF, PNG, World, acting, build_world


@pytest.fixture
def world(backend: Backend) -> World:
    return build_world(backend)


@pytest.fixture
def as_(app: Flask):
    sessions: dict[str, Session] = {}

    def session(username: str) -> Session:
        if username not in sessions:
            sessions[username] = login(app.test_client(), username)
        return sessions[username]
    return session


def _count(page: str) -> int:
    found = re.search(r"共 (\d+) 条", page)
    assert found, page
    return int(found[1])


# -- the audit trail -----------------------------------------------------------------------------


def test_the_secretariat_reads_no_voucher_or_paid_claim_through_the_audit_trail(as_, world: World) -> None:
    """The review's attack: /audit?stream=… on a book and on a paid claim."""
    secretariat = as_("secretariat")
    for stream in (world.book, world.paid):
        page = secretariat.get(f"/audit?stream={stream}").text
        assert _count(page) == 0
        assert "9,000.00" not in page and "慰问困难职工" not in page
    everything = secretariat.get("/audit").text
    assert "记账凭证" not in everything and "慰问困难职工" not in everything and "付款" not in everything


def test_the_secretariat_still_reads_the_roster_in_the_audit_trail(as_, world: World) -> None:
    page = as_("secretariat").get(f"/audit?stream={world.enterprise}").text
    assert _count(page) > 0 and "和平机械有限公司" in page


def test_the_fund_review_committee_reads_every_voucher_and_claim_in_the_audit_trail(as_, world: World) -> None:
    auditor = as_("auditor")
    assert "9,000.00" in auditor.get(f"/audit?stream={world.paid}").text
    assert "记账凭证" in auditor.get(f"/audit?stream={world.book}").text


def test_a_handler_reads_the_whole_history_of_their_claim_in_the_audit_trail_with_the_reason_it_was_sent_back(
        as_, world: World) -> None:
    page = as_("office").get(f"/audit?stream={world.rejected}").text
    assert _count(page) == 3  # submitted, certified, sent back
    assert "退回报销单" in page and "聚餐不属于工会经费开支范围" in page


def test_a_witness_reads_the_claim_they_signed_in_the_audit_trail_but_no_other(as_, world: World) -> None:
    secretariat = as_("secretariat")
    assert _count(secretariat.get(f"/audit?stream={world.certified}").text) == 2
    assert _count(secretariat.get(f"/audit?stream={world.rejected}").text) == 0


def test_only_the_admin_and_the_fund_review_committee_read_the_accounts_in_the_audit_trail(
        as_, world: World) -> None:
    stream = f"/audit?stream={world.office_user}"
    assert _count(as_("secretariat").get(stream).text) == 0
    assert _count(as_("office").get(stream).text) == 0
    assert _count(as_("auditor").get(stream).text) == 1
    assert _count(as_("admin").get(stream).text) == 1


@pytest.mark.usefixtures("world")
def test_the_dashboard_shows_the_secretariat_no_entry_of_the_books(as_) -> None:
    page = as_("secretariat").get("/").text
    assert "记账凭证" not in page and "慰问困难职工" not in page


# -- claims and advances -------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["paid", "rejected"])
def test_a_user_who_took_no_part_in_a_claim_and_reads_no_books_gets_not_found(as_, world: World,
                                                                               state: str) -> None:
    response = as_("secretariat").get(f"/claims/{getattr(world, state)}")
    assert response.status_code == 404
    assert "慰问困难职工" not in response.text and "被退回的聚餐" not in response.text


def test_a_claim_waiting_for_its_witness_is_read_by_the_staff_who_may_witness_it(as_, world: World) -> None:
    page = as_("secretariat").get(f"/claims/{world.submitted}").text
    assert "待证明的茶歇" in page and "证明人签字" in page


def test_a_witness_still_reads_the_claim_they_signed(as_, world: World) -> None:
    assert "已证明的横幅" in as_("secretariat").get(f"/claims/{world.certified}").text


@pytest.mark.usefixtures("world")
def test_the_claims_list_shows_a_user_only_the_claims_they_may_read(as_) -> None:
    page = as_("secretariat").get("/claims").text
    assert "慰问困难职工" not in page and "被退回的聚餐" not in page
    assert "已证明的横幅" in page and "待证明的茶歇" in page  # witnessed by them / waiting for a witness


def test_a_handler_sees_all_their_claims_including_the_one_sent_back_with_its_reason(as_, world: World) -> None:
    page = as_("office").get("/claims").text
    for purpose in ("待证明的茶歇", "已证明的横幅", "慰问困难职工九千元", "被退回的聚餐"):
        assert purpose in page
    assert "聚餐不属于工会经费开支范围" in page
    detail = as_("office").get(f"/claims/{world.rejected}").text
    assert "聚餐不属于工会经费开支范围" in detail


@pytest.mark.usefixtures("world")
def test_the_book_readers_see_every_claim(as_) -> None:
    page = as_("auditor").get("/claims").text
    assert "全部报销单" in page and "慰问困难职工九千元" in page and "被退回的聚餐" in page


def test_a_scan_is_served_only_to_those_who_may_read_its_claim(as_, world: World) -> None:
    url = f"/attachments/{world.paid_scan}"
    assert as_("secretariat").get(url).status_code == 404
    assert as_("office").get(url).data == PDF
    assert as_("auditor").get(url).data == PDF


def test_the_scan_of_a_claim_waiting_for_its_witness_is_served_to_a_possible_witness(
        as_, world: World, backend: Backend) -> None:
    digest = backend.office.repository.get(world.submitted).files[0]
    assert as_("secretariat").get(f"/attachments/{digest}").data == PNG


def test_the_advances_of_others_are_not_listed_or_shown(as_, world: World) -> None:
    secretariat = as_("secretariat")
    page = secretariat.get("/advances").text
    assert "JK-W1" not in page and "JK-W2" not in page and "730.00" not in page
    assert secretariat.get(f"/advances/{world.requested}").status_code == 404


def test_a_borrower_sees_their_advances_at_every_state_and_why_one_was_refused(as_, world: World) -> None:
    office = as_("office")
    page = office.get("/advances").text
    assert "JK-W1" in page and "JK-W2" in page and "JK-W3" in page
    assert "不属于因公出差" in office.get(f"/advances/{world.refused}").text


@pytest.mark.usefixtures("world")
def test_the_prior_approvals_of_others_are_not_listed(as_, backend: Backend) -> None:
    backend.office.issue_meal_notice(acting(backend, "vice_chair"), number="YC-SECRET", on=date(2026, 3, 8), heads=6,
                                     purpose="市总调研接待")
    backend.read_models.catch_up()
    assert "YC-SECRET" not in as_("secretariat").get("/claims/approvals").text
    assert "YC-SECRET" in as_("vicechair").get("/claims/approvals").text
    assert "YC-SECRET" in as_("auditor").get("/claims/approvals").text


@pytest.mark.usefixtures("world")
def test_the_purchase_approval_is_offered_only_to_the_chair(as_) -> None:
    """FIN-13: the vice-chair issues meal notices but may not approve purchases, so is not offered it."""
    assert 'value="purchase"' in as_("chair").get("/claims/approvals").text
    page = as_("vicechair").get("/claims/approvals").text
    assert 'value="meal_notice"' in page and 'value="purchase"' not in page
