"""Uploads are stored only once the request is authorised and validated: every refused claim leaves no file
in the attachments folder, and nothing in the log."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from pathlib import Path
from uuid import UUID

import pytest
from flask import Flask

from intranet.backend import Backend
from tests.conftest import Session, login
from tests.web.claims_world import acting

PDF = b"%PDF-1.4\n% a scan that must not stay behind\n"


@pytest.fixture
def book(backend: Backend) -> UUID:
    book_id = backend.office.open_book(acting(backend, "accountant"), name="和平街道总工会", union_id=None,
                                       first_period="2026-01")
    backend.read_models.catch_up()
    return book_id


def _stored(data_dir: Path) -> list[Path]:
    folder = data_dir / "attachments"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _form_key(session: Session) -> str:
    found = re.search(r'name="form_key" value="([^"]+)"', session.get("/claims/new").text)
    return found[1] if found else "no-form-for-this-role"


def _submit(session: Session, book: UUID, **change: object):
    data = {"book_id": str(book), "category": "activity", "purpose": "三八节活动", "spent_on": "2026-03-07",
            "item": ["鲜花"], "quantity": ["2"], "unit_price": ["15"], "invoices": "FP-U1", "prior": "",
            "advance_id": "", "form_key": _form_key(session), "files": [(BytesIO(PDF), "invoice.pdf")], **change}
    return session.post("/claims", data, content_type="multipart/form-data")


def _refused_and_left_nothing(backend: Backend, data_dir: Path, send) -> str:
    before = backend.office.recorder.max_notification_id()
    response = send()
    assert response.status_code in (200, 403), response.status_code
    assert backend.office.recorder.max_notification_id() == before
    assert _stored(data_dir) == []
    return response.text


def test_an_accepted_claim_stores_its_scan_once_under_its_hash(app: Flask, backend: Backend, data_dir: Path,
                                                              book: UUID) -> None:
    response = _submit(login(app.test_client(), "office"), book)
    assert response.status_code == 302
    claim = backend.office.repository.get(UUID(response.headers["Location"].rsplit("/", 1)[1]))
    assert [p.name for p in _stored(data_dir)] == claim.files


def test_a_role_that_may_not_hand_in_claims_leaves_no_file(app: Flask, backend: Backend, data_dir: Path,
                                                          book: UUID) -> None:
    auditor = login(app.test_client(), "auditor")
    _refused_and_left_nothing(backend, data_dir, lambda: _submit(auditor, book))


@pytest.mark.parametrize("case", [
    ({"spent_on": ""}, "请填写支出日期"),
    ({"spent_on": "2026-02-30"}, "日期格式"),
    ({"book_id": "not-a-book"}, "请从列表中选择账套"),
    ({"category": "holiday"}, "请选择报销类别"),
    ({"unit_price": ["abc"]}, ""),
    ({"invoices": ""}, ""),
], ids=["no-date", "bad-date", "bad-book", "bad-category", "bad-price", "no-invoice"])
def test_an_invalid_claim_form_leaves_no_file(app: Flask, backend: Backend, data_dir: Path, book: UUID,
                                             case: tuple[dict[str, object], str]) -> None:
    change, message = case
    office = login(app.test_client(), "office")
    text = _refused_and_left_nothing(backend, data_dir, lambda: _submit(office, book, **change))
    assert message in text


def test_a_claim_with_an_invoice_already_claimed_leaves_no_file(app: Flask, backend: Backend, data_dir: Path,
                                                               book: UUID) -> None:
    office = login(app.test_client(), "office")
    assert _submit(office, book, files=[]).status_code == 302  # FP-U1 is claimed, with no scan
    text = _refused_and_left_nothing(backend, data_dir, lambda: _submit(office, book))
    assert "已经报销过" in text


def test_a_form_submitted_twice_leaves_no_second_file(app: Flask, backend: Backend, data_dir: Path,
                                                     book: UUID) -> None:
    office = login(app.test_client(), "office")
    key = _form_key(office)
    assert _submit(office, book, form_key=key, files=[]).status_code == 302
    _refused_and_left_nothing(backend, data_dir, lambda: _submit(office, book, form_key=key, invoices="FP-U2"))


def test_a_good_scan_beside_a_file_that_is_not_a_scan_leaves_neither(app: Flask, backend: Backend, data_dir: Path,
                                                                    book: UUID) -> None:
    office = login(app.test_client(), "office")
    files = [(BytesIO(PDF), "invoice.pdf"), (BytesIO(b"MZ\x90\x00"), "virus.exe")]
    text = _refused_and_left_nothing(backend, data_dir, lambda: _submit(office, book, files=files))
    assert "PDF、JPG或PNG" in text


def test_a_claim_refused_by_the_command_after_the_form_is_read_leaves_no_file(
        backend: Backend, data_dir: Path, book: UUID) -> None:
    """The command itself stores the scans last: a claim charged to an account the book lacks is refused
    after the scans were read, and none is written."""
    before = backend.office.recorder.max_notification_id()
    with pytest.raises(Exception, match="支出科目"):
        backend.office.submit_claim(acting(backend, "office"), book, category="activity", purpose="活动",
                                    items=[{"item": "鲜花", "quantity": "1", "unit_price": "10"}],
                                    invoices=["FP-U9"], spent_on=date(2026, 3, 7), account="99999", scans=[PDF])
    assert backend.office.recorder.max_notification_id() == before
    assert _stored(data_dir) == []
