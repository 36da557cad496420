"""报销与借款 pages: a claim from the handler through the witness, the chair and the cashier, with its
scan and its payment voucher; prior approvals; advances and their ageing; cash counts."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from uuid import UUID

import pytest
from flask import Flask

from intranet.backend import Backend
from tests.conftest import PASSWORD, Clock, Session, acting, as_role, login

PDF = b"%PDF-1.4\n% a scanned invoice\n"


@pytest.fixture
def sessions(app: Flask) -> dict[str, Session]:
    return {role: login(app.test_client(), role) for role in ("office", "accountant", "chair", "cashier",
                                                               "vicechair", "auditor")}


@pytest.fixture
def book_id(backend: Backend) -> UUID:
    """The own book with 3,000 in cash and 50,000 in the bank; the bank-transfer threshold 1,000."""
    office = backend.office
    ctx = acting(office, "open_book")  # the accountant, who also posts
    book = office.open_book(ctx, name="和平街道总工会", union_id=None, first_period="2026-01")
    office.post_voucher(ctx, book, voucher_date=date(2026, 3, 1), summary="期初余额", attachments=0,
                        lines=[{"account": "101", "debit": "3000"}, {"account": "102", "debit": "50000"},
                               {"account": "32205", "credit": "53000"}])
    office.set_setting(as_role(office, "chair"), "bank_transfer_threshold", "1000", date(2026, 3, 8),
                       "《现金管理暂行条例》结算起点")
    backend.read_models.catch_up()
    return book


def _key(page: str) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', page)
    assert match
    return match[1]


def _submit(office: Session, book: UUID, **change: object):
    data = {"book_id": str(book), "category": "activity", "purpose": "三八节女职工活动", "spent_on": "2026-03-07",
            "item": ["鲜花", "茶点"], "quantity": ["20", "1"], "unit_price": ["15", "120.50"],
            "invoices": "FP2026001\nFP2026002", "prior": "", "advance_id": "",
            "form_key": _key(office.get("/claims/new").text), **change}
    return office.post("/claims", data, content_type="multipart/form-data")


def _claim_url(response) -> str:
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def test_fin01_a_claim_goes_from_handler_to_witness_to_chair_to_cashier_and_into_the_cash_journal(
        sessions: dict[str, Session], book_id: UUID) -> None:
    """FIN-01 一支笔: handler, witness and the chair sign before the cashier pays; the payment voucher
    appears in the cash journal."""
    url = _claim_url(_submit(sessions["office"], book_id, files=[(BytesIO(PDF), "invoice.pdf")]))
    page = sessions["office"].get(url).text
    assert "待证明" in page and "¥420.50" in page and "肆佰贰拾元伍角整" in page
    scan = re.search(r'href="(/attachments/[0-9a-f]{64})"', page)
    assert scan and sessions["auditor"].get(scan[1]).data == PDF
    assert "证明人签字" not in page  # the handler cannot witness their own claim
    assert "已证明" in sessions["accountant"].post(f"{url}/certify", htmx=True).text
    assert "已审批" in sessions["chair"].post(f"{url}/approve", htmx=True).text
    paid = sessions["cashier"].post(f"{url}/pay", {"method": "cash", "paid_on": "2026-03-08", "bank_ref": "",
                                                  "form_key": "pay-1"}, htmx=True).text
    assert "已付款并生成付款凭证" in paid and "2026年03月 付字第1号" in paid
    journal = sessions["cashier"].get(f"/books/{book_id}/journal/cash?start=2026-03-01&end=2026-03-08").text
    assert "报销：三八节女职工活动" in journal and "2,579.50" in journal


def test_fin06_a_cash_payment_at_the_bank_transfer_threshold_is_refused(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    """FIN-06: at or above the threshold the money goes by bank."""
    url = _claim_url(_submit(sessions["office"], book_id, item=["音响"], quantity=["1"], unit_price=["1000"],
                             invoices="FP2026009"))
    sessions["accountant"].post(f"{url}/certify", htmx=True)
    sessions["chair"].post(f"{url}/approve", htmx=True)
    before = backend.office.recorder.max_notification_id()
    refused = sessions["cashier"].post(f"{url}/pay", {"method": "cash", "paid_on": "2026-03-08", "bank_ref": "",
                                                     "form_key": "pay-2"}, htmx=True).text
    assert "须从银行转账" in refused
    assert backend.office.recorder.max_notification_id() == before
    paid = sessions["cashier"].post(f"{url}/pay", {"method": "bank", "paid_on": "2026-03-08", "bank_ref": "HX0308",
                                                  "form_key": "pay-3"}, htmx=True).text
    assert "已付款" in paid


def test_fin01_the_vice_chair_cannot_approve_an_ordinary_claim(sessions: dict[str, Session], backend: Backend,
                                                              book_id: UUID) -> None:
    url = _claim_url(_submit(sessions["office"], book_id))
    sessions["accountant"].post(f"{url}/certify", htmx=True)
    before = backend.office.recorder.max_notification_id()
    assert "由主席审批" in sessions["vicechair"].post(f"{url}/approve", htmx=True).text
    assert backend.office.recorder.max_notification_id() == before


def test_the_same_invoice_in_a_second_claim_is_refused_and_what_was_typed_is_kept(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    _claim_url(_submit(sessions["office"], book_id))
    before = backend.office.recorder.max_notification_id()
    again = _submit(sessions["office"], book_id, purpose="重复报销", invoices="fp2026001")
    assert again.status_code == 200 and "已经报销过" in again.text and "重复报销" in again.text
    assert backend.office.recorder.max_notification_id() == before


def test_an_upload_that_is_not_a_scan_is_refused(sessions: dict[str, Session], backend: Backend,
                                                book_id: UUID) -> None:
    before = backend.office.recorder.max_notification_id()
    response = _submit(sessions["office"], book_id, files=[(BytesIO(b"MZ\x90\x00"), "virus.exe")])
    assert "PDF、JPG或PNG" in response.text
    assert backend.office.recorder.max_notification_id() == before


def test_fin14_a_reception_claim_needs_the_meal_notice_and_keeps_to_the_standard(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    """FIN-14: the leader in charge issues the notice; the claim stays within heads × standard."""
    backend.office.set_setting(as_role(backend.office, "chair"), "reception_meal_standard", "60",
                               date(2026, 3, 8), "接待标准")
    issued = sessions["vicechair"].post("/claims/approvals", {"kind": "meal_notice", "number": "YC-001",
                                                              "on": "2026-03-08", "heads": "4", "purpose": "市总调研",
                                                              "amount": ""}, htmx=True).text
    assert "已登记" in issued and "YC-001" in issued
    no_notice = _submit(sessions["office"], book_id, category="reception", spent_on="2026-03-08", item=["工作餐"],
                        quantity=["1"], unit_price=["200"], invoices="FP-R1")
    assert "用餐通知单" in no_notice.text
    too_much = _submit(sessions["office"], book_id, category="reception", spent_on="2026-03-08", item=["工作餐"],
                       quantity=["1"], unit_price=["260"], invoices="FP-R1", prior="YC-001")
    assert "最多240" in too_much.text
    _claim_url(_submit(sessions["office"], book_id, category="reception", spent_on="2026-03-08", item=["工作餐"],
                       quantity=["1"], unit_price=["200"], invoices="FP-R1", prior="YC-001"))
    assert "已用于报销" in sessions["office"].get("/claims/approvals").text


def test_fin09_fin10_an_overdue_advance_shows_its_interest_and_salary_deduction(
        sessions: dict[str, Session], backend: Backend, book_id: UUID, clock: Clock) -> None:
    """FIN-09…FIN-11: due at the end of the month of return; interest at the rate in force after it;
    marked for salary deduction when long unpaid."""
    office = backend.office
    office.set_setting(as_role(office, "chair"), "advance_overdue_rate", "3.65%", date(2026, 3, 8), "贷款利率")
    office.set_setting(as_role(office, "chair"), "advance_salary_deduction_after", "10", date(2026, 3, 8),
                       "常委会决定")
    form_key = _key(sessions["office"].get("/advances/new").text)
    created = sessions["office"].post("/advances", {"book_id": str(book_id), "form_no": "JK-2026-01",
                                                    "purpose": "business_trip", "amount": "730",
                                                    "expected_return": "2026-03-12", "details": "赴市总培训",
                                                    "form_key": form_key}, htmx=True)
    url = created.headers["HX-Redirect"]
    assert "已批准" in sessions["chair"].post(f"{url}/approve", htmx=True).text
    assert "已付款" in sessions["cashier"].post(f"{url}/pay", {"method": "cash", "paid_on": "2026-03-08",
                                                              "form_key": "adv-pay"}, htmx=True).text
    clock.advance(days=4)
    sessions["cashier"].post(f"{url}/return", {"returned_on": "2026-03-12"}, htmx=True)
    clock.advance(days=30)  # 2026-04-11: eleven days past 2026-03-31
    page = sessions["office"].get("/advances").text
    row = page[page.index("JK-2026-01"):]
    row = row[:row.index("</tr>")]
    assert "2026年3月31日" in row and ">11<" in row
    assert "¥0.80" in row  # 730 × 3.65% × 11 / 365 = 0.803
    assert "转工资扣款" in row
    back = sessions["cashier"].post(f"{url}/repay", {"amount": "730", "on": "2026-04-11", "method": "cash",
                                                    "form_key": "adv-back"}, htmx=True).text
    assert "已结清" in back


def test_fin04_a_cash_count_that_differs_needs_an_explanation(sessions: dict[str, Session], backend: Backend,
                                                             book_id: UUID) -> None:
    """FIN-03 / FIN-04: counted against the book; IOUs never count."""
    before = backend.office.recorder.max_notification_id()
    refused = sessions["cashier"].post(f"/books/{book_id}/cash-count", {"counted_on": "2026-03-08",
                                                                      "counted": "2900", "ious": "100",
                                                                      "explanation": ""}, htmx=True).text
    assert "请说明差异原因" in refused
    assert backend.office.recorder.max_notification_id() == before
    count = {"counted_on": "2026-03-08", "counted": "2900", "ious": "100", "explanation": "发现白条100元，已退回"}
    done = sessions["cashier"].post(f"/books/{book_id}/cash-count", count, htmx=True).text
    assert "已登记现金盘点" in done and "-100.00" in done and "发现白条100元" in done


def test_the_dashboard_shows_each_user_what_waits_for_them_and_the_cash_on_hand(
        sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    backend.office.set_setting(as_role(backend.office, "chair"), "cash_on_hand_limit", "2000",
                               date(2026, 3, 8), "银行核定")
    url = _claim_url(_submit(sessions["office"], book_id))
    sessions["accountant"].post(f"{url}/certify", htmx=True)

    def card(who: str, label: str) -> str:
        page = sessions[who].get("/").text
        found = re.search(r'<div class="figure">([^<]*)</div><div class="label">' + label, page)
        assert found, (who, label)
        return found[1]
    assert card("chair", "待我办理的报销") == "1"
    assert card("cashier", "待我办理的报销") == "0"
    assert card("accountant", "待审核凭证") == "1"  # the balances brought forward
    page = sessions["cashier"].get("/").text
    assert "¥3,000.00" in page and "超限额" in page


def test_fin01_a_chair_who_also_administers_finds_their_claim_waiting_for_the_vice_chair(
        app: Flask, sessions: dict[str, Session], backend: Backend, book_id: UUID) -> None:
    """Q7: the chair's own claim goes to the entrusted vice-chair even when the chair acted under another role."""
    office = backend.office
    office.set_setting(as_role(office, "chair"), "chair_claims_approver", "vicechair", date(2026, 3, 8), "委托")
    # An admin may hold the chair's role only where the office lets its admin hold duties.
    office.set_setting(as_role(office, "chair"), "admin_holds_duties", "listed", date(2026, 3, 8), "人手不足")
    zhang = office.register_user(acting(office, "register_user"), "zhang", "张主席", ["admin", "chair"])
    backend.credentials.set_password(zhang, PASSWORD)
    backend.read_models.catch_up()
    url = _claim_url(_submit(login(app.test_client(), "zhang"), book_id, purpose="主席出差报销"))
    sessions["accountant"].post(f"{url}/certify", htmx=True)
    assert "主席出差报销" in sessions["vicechair"].get("/claims").text.split('id="todo"')[1].split("</div>")[0]
    assert "主席出差报销" not in sessions["chair"].get("/claims").text.split('id="todo"')[1].split("</div>")[0]
    assert "已审批" in sessions["vicechair"].post(f"{url}/approve", htmx=True).text


def test_an_ageing_date_far_in_the_future_is_refused_with_a_message_not_computed(
        sessions: dict[str, Session]) -> None:
    """The ageing accrues interest day by day: a date in the year 9999 would tie up the server for seconds."""
    page = sessions["accountant"].get("/advances?on=9999-12-31").text
    assert "日期不能晚于今天一年以上" in page
