"""银行对账: a month's statement entered or imported from the bank's CSV and reconciled against the bank
journal; hostile files refused with a message, nothing recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from uuid import UUID

import pytest
from flask import Flask

from aggregates.bank_statement import read_statement_csv
from aggregates.errors import InvalidInput
from intranet.backend import Backend
from tests.conftest import Session, acting, login


@pytest.fixture
def cashier(app: Flask) -> Session:
    return login(app.test_client(), "cashier")


@pytest.fixture
def book_id(backend: Backend) -> UUID:
    """The own book: 50,000 brought forward, 8,000 levy received on 3/2, 1,200 paid on 3/5."""
    office = backend.office
    ctx = acting(office, "open_book")  # the accountant, who also posts
    book = office.open_book(ctx, name="和平街道总工会", union_id=None, first_period="2026-03")
    for day, lines in ((1, [("102", "50000", ""), ("32205", "", "50000")]), (2, [("102", "8000", ""),
                                                                               ("402", "", "8000")]),
                       (5, [("50404", "1200", ""), ("102", "", "1200")])):
        office.post_voucher(ctx, book, voucher_date=date(2026, 3, day), summary="业务", attachments=1,
                            lines=[{"account": a, "debit": d, "credit": c} for a, d, c in lines])
    backend.read_models.catch_up()
    return book


def _record(cashier: Session, book: UUID, text: str = "", file: bytes | None = None, balance: str = "58000"):
    data: dict[str, object] = {"period": "2026-03", "closing_balance": balance, "text": text}
    if file is not None:
        data["file"] = (BytesIO(file), "statement.csv")
    return cashier.post(f"/books/{book}/bank", data, content_type="multipart/form-data")


def test_a_statement_with_a_cheque_not_yet_cleared_reconciles(cashier: Session, book_id: UUID) -> None:
    """银行存款余额调节表: the 1,200 paid on 3/5 is not on the statement; both sides adjust to 56,800."""
    csv = "交易日期,摘要,金额,流水号\n2026-03-01,期初,50000,A1\n2026-03-02,拨缴经费,8000,A2\n"
    response = _record(cashier, book_id, csv)
    assert response.status_code == 302, response.text
    page = cashier.get(f"/books/{book_id}/bank?period=2026-03").text
    assert 'id="adjusted-bank">56,800.00<' in page and 'id="adjusted-book">56,800.00<' in page
    assert "调节后余额相符" in page and "单位已记，银行未记" in page


def test_a_gbk_file_with_income_and_expense_columns_is_imported(cashier: Session, book_id: UUID) -> None:
    csv = ("交易日期,摘要,收入,支出\n2026/03/01,转入,50000.00,\n2026/03/02,拨缴经费,8000.00,\n"
           "2026/03/06,付款,,1200.00\n2026-03-20,利息,12.30,\n")
    response = _record(cashier, book_id, file=csv.encode("gbk"), balance="56812.30")
    assert response.status_code == 302, response.text
    page = cashier.get(f"/books/{book_id}/bank?period=2026-03").text
    assert "银行已记，单位未记" in page and "利息" in page and "调节后余额相符" in page


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff\xfe\x00garbage", "编码"),
    (b"name,value\nx,1\n", "交易日期"),
    ("交易日期,金额\n2026-13-01,5\n".encode(), "日期"),
    ("交易日期,金额\n2026-03-01,NaN\n".encode(), "金额"),
    ("交易日期,金额\n2026-03-01,1.005\n".encode(), "金额"),
    ("交易日期,金额\n2026-04-01,5\n".encode(), "不在2026-03"),
    ("交易日期,金额\n2026-03-01,0\n".encode(), "金额为0"),
])
def test_a_bad_statement_file_is_refused_with_a_message_and_nothing_recorded(
        cashier: Session, backend: Backend, book_id: UUID, content: bytes, message: str) -> None:
    before = backend.office.recorder.max_notification_id()
    response = _record(cashier, book_id, file=content)
    assert response.status_code == 200
    assert message in response.text
    assert backend.office.recorder.max_notification_id() == before


def test_a_bad_closing_balance_is_refused(cashier: Session, backend: Backend, book_id: UUID) -> None:
    before = backend.office.recorder.max_notification_id()
    assert "金额" in _record(cashier, book_id, "交易日期,金额\n2026-03-01,5\n", balance="abc").text
    assert backend.office.recorder.max_notification_id() == before


def test_a_second_statement_of_the_month_replaces_the_first(cashier: Session, book_id: UUID) -> None:
    _record(cashier, book_id, "交易日期,金额\n2026-03-01,50000\n", balance="50000")
    _record(cashier, book_id, "交易日期,金额\n2026-03-01,50000\n2026-03-02,8000\n2026-03-05,-1200\n", balance="56800")
    page = cashier.get(f"/books/{book_id}/bank?period=2026-03").text
    assert "没有未达账项" in page and "已核对 3 笔" in page


def test_the_auditor_reads_the_reconciliation_but_cannot_enter_a_statement(app: Flask, book_id: UUID) -> None:
    auditor = login(app.test_client(), "auditor")
    assert auditor.get(f"/books/{book_id}/bank").status_code == 200
    assert _record(auditor, book_id, "交易日期,金额\n2026-03-01,5\n").status_code == 403


def test_the_csv_reader_takes_a_signed_amount_column_and_a_bom() -> None:
    lines = read_statement_csv('\ufeff交易日期,摘要,金额,流水号\n2026-03-01,付款,"-1,200.00",X\n'.encode())
    assert [(line["day"], line["amount"], line["ref"]) for line in lines] == [
        (date(2026, 3, 1), Decimal("-1200.00"), "X")]
    with pytest.raises(InvalidInput):
        read_statement_csv(b"")
