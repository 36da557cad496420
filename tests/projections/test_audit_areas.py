"""The audit trail tags each entry with the area of the office it belongs to and the record it is about, and
its read functions show a reader only the areas they may read and the claims they took part in."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from aggregates.application import UnionOffice
from aggregates.envelope import OfficeAggregate
from projections import ALL, audit_trail
from projections.audit_trail import AREAS, RESTRICTED, Filter
from projections.engine import ReadModels
from tests.conftest import system

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _kinds(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _kinds(sub)
    return found


def test_every_kind_of_record_of_the_office_belongs_to_an_area() -> None:
    records = {c.__name__ for c in _kinds(OfficeAggregate) if c.__module__.startswith("aggregates.")
               and "." not in c.__qualname__}
    assert records - {"UniqueKey"} <= set(AREAS), sorted(records - {"UniqueKey"} - set(AREAS))


def _areas(data_dir: Path, tmp_path: Path) -> dict[str, int]:
    office = UnionOffice(data_dir)
    try:
        (tmp_path / "views").mkdir()
        models = ReadModels(office, tmp_path / "views", ALL)
        models.rebuild()
        with models.reading() as conn:
            return dict(conn.execute("SELECT area, COUNT(*) FROM audit_events GROUP BY area").fetchall())
    finally:
        office.close()


def test_no_event_of_the_golden_logs_is_left_without_an_area(tmp_path: Path) -> None:
    for name in ("", "books"):
        source = GOLDEN / name if name else GOLDEN
        copy = tmp_path / (name or "roster")
        copy.mkdir()
        for file in ("events.sqlite", "keys.sqlite"):
            shutil.copy(source / file, copy / file)
        found = _areas(copy, copy)
        assert RESTRICTED not in found, found


def _office_with_a_claim(office: UnionOffice) -> tuple[str, str, str]:
    """A claim handed in by a clerk with an invoice number and a form key; returns (clerk, claim, book)."""
    ctx = system(office)
    accountant = office.register_user(ctx, "wang", "王会计", ["accountant"])
    clerk = office.register_user(ctx, "li", "李干事", ["office"])
    book = office.open_book(office.context(str(accountant), "accountant"), name="和平街道总工会", union_id=None,
                            first_period="2026-01")
    claim = office.submit_claim(office.context(str(clerk), "office"), book, category="activity", purpose="活动",
                                items=[{"item": "鲜花", "quantity": "1", "unit_price": "10"}], invoices=["FP-Z1"],
                                spent_on=date(2026, 3, 7), form_key="key-of-the-claim-form")
    return str(clerk), str(claim), str(book)


def test_an_invoice_number_and_a_form_key_belong_to_the_claim_they_were_taken_for(
        office: UnionOffice, read_models: ReadModels) -> None:
    _clerk, claim, _book = _office_with_a_claim(office)
    read_models.catch_up()
    with read_models.reading() as conn:
        keys = conn.execute("SELECT area, subject FROM audit_events WHERE stream_type = 'UniqueKey'").fetchall()
    assert sorted(tuple(k) for k in keys) == [("claims", claim), ("claims", claim)]


def test_a_reader_sees_only_their_areas_and_the_claims_they_took_part_in(
        office: UnionOffice, read_models: ReadModels) -> None:
    clerk, claim, book = _office_with_a_claim(office)
    read_models.catch_up()
    with read_models.reading() as conn:
        roster_only = audit_trail.entries(conn, Filter(areas=frozenset({"roster"}), reader=clerk), limit=100)
        stranger = audit_trail.entries(conn, Filter(areas=frozenset({"roster"}), reader="someone-else"), limit=100)
        books = audit_trail.entries(conn, Filter(areas=frozenset({"books"})), limit=100)
    assert {e.stream_id for e in roster_only if e.stream_type == "ExpenseClaim"} == {claim}
    assert [e for e in stranger if e.area != "roster"] == []
    assert {e.stream_id for e in books} == {book}


def test_the_actor_list_names_only_those_who_acted_in_what_the_reader_may_see(
        office: UnionOffice, read_models: ReadModels) -> None:
    clerk, _claim, _book = _office_with_a_claim(office)
    read_models.catch_up()
    with read_models.reading() as conn:
        assert clerk not in audit_trail.actors(conn, Filter(areas=frozenset({"books"})))
        assert clerk in audit_trail.actors(conn, Filter(areas=frozenset({"books"}), reader=clerk))
