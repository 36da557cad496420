"""Events are forever: the golden log of the roster and the books (tests/golden/books) must still decode,
rebuild every read model to the same figures, verify with its attachments, and read as sentences."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from aggregates.application import UnionOffice
from aggregates.chain import Anchor, verify_sqlite
from intranet import create_app
from intranet.cli import _verify_rest
from intranet.summaries import summariser
from projections import ALL, audit_trail, claims, ledger, statements
from projections.engine import ReadModels

GOLDEN = Path(__file__).resolve().parent / "books"
HEAD = Anchor.parse((GOLDEN / "HEAD").read_text())


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in ("events.sqlite", "keys.sqlite"):
        shutil.copy(GOLDEN / name, tmp_path / name)
    shutil.copytree(GOLDEN / "attachments", tmp_path / "attachments")
    return tmp_path


@pytest.fixture
def golden(copy: Path) -> Iterator[UnionOffice]:
    office = UnionOffice(copy)
    yield office
    office.close()


def test_the_books_golden_log_verifies_against_its_recorded_head():
    report = verify_sqlite(GOLDEN / "events.sqlite", HEAD)
    assert report.ok, report.problem
    assert report.head == HEAD


def test_every_books_golden_event_decodes_with_the_current_code(golden: UnionOffice):
    events = [golden.mapper.to_domain_event(n) for n in golden.recorder.select_notifications(1, 1000)]
    assert len(events) == HEAD.position
    kinds = {type(e).__qualname__ for e in events}
    assert {"Book.VoucherPosted", "Book.MonthClosed", "Book.CashCounted", "ExpenseClaim.Paid",
            "ExpenseClaim.Rejected", "PriorApproval.Freed", "CashAdvance.Repaid", "BankStatement.Recorded",
            "Enterprise.WorkerListFiled", "Union.ComplianceAssessed"} <= kinds


def test_the_books_golden_read_models_rebuild_to_the_recorded_figures(golden: UnionOffice, tmp_path: Path):
    """AUD-09: the ledgers replay from the log to the same figures."""
    (tmp_path / "views").mkdir()
    models = ReadModels(golden, tmp_path / "views", ALL)
    models.rebuild()
    with models.reading() as conn:
        book = ledger.books(conn)[0]
        assert ledger.closed_months(conn, book.book_id) == ["2026-02"]
        sheet = {r.key: r.second for r in statements.balance_sheet(conn, book.book_id, date(2026, 3, 2))}
        assert sheet["cash"] == Decimal("52700.00")  # 3,000 + 50,000 − 300 (claim)
        assert sheet["assets_total"] == sheet["liabilities_and_net_assets"]
        paid = [c for c in claims.claims(conn) if c.state == "paid"]
        assert [(c.purpose, c.total, c.voucher) for c in paid] == [
            ("三八节活动", Decimal("300.00"), "2026-03/payment/1")]
        reconciled = ledger.reconciliation(conn, book.book_id, "2026-02")
        assert reconciled.agrees and [i.description for i in reconciled.bank_only] == ["利息"]


def test_the_books_golden_attachments_verify(copy: Path):
    assert _verify_rest(copy) == []
    scan = next((copy / "attachments").rglob("*"))
    for path in (copy / "attachments").rglob("*"):
        if path.is_file():
            path.write_bytes(b"%PDF-1.4 altered")
    assert any("改动" in problem for problem in _verify_rest(copy)), scan


@pytest.mark.usefixtures("golden")
def test_every_books_golden_event_has_a_sentence_in_the_audit_trail(copy: Path):
    app = create_app({"TESTING": True, "DATA_DIR": copy, "SECRET_KEY": "x"})
    try:
        with app.test_request_context(), app.extensions["intranet"].read_models.reading() as conn:
            entries = audit_trail.entries(conn, audit_trail.Filter(), limit=1000)
            summarise, _names = summariser(conn, entries)
            sentences = [summarise(e) for e in entries]
    finally:
        app.extensions["intranet"].close()
    assert len(sentences) == HEAD.position
    assert not [s for s in sentences if "." in s and s.isascii()], "an event type has no sentence"
