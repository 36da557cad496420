"""Events are forever: the checked-in golden log must still decode, rebuild and verify."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from aggregates.application import UnionOffice
from aggregates.chain import Anchor, verify_sqlite
from aggregates.settings import value_on
from aggregates.user_account import UserAccount
from intranet import create_app
from intranet.summaries import summariser
from projections import ALL, audit_trail, users
from projections.engine import ReadModels
from tests.conftest import FAST_HASHER

GOLDEN = Path(__file__).resolve().parent
HEAD = Anchor.parse((GOLDEN / "HEAD").read_text())


@pytest.fixture
def golden(tmp_path: Path) -> Iterator[UnionOffice]:
    for name in ("events.sqlite", "keys.sqlite"):
        shutil.copy(GOLDEN / name, tmp_path / name)
    office = UnionOffice(tmp_path)
    yield office
    office.close()


def test_the_golden_log_verifies_against_its_recorded_head():
    report = verify_sqlite(GOLDEN / "events.sqlite", HEAD)
    assert report.ok, report.problem
    assert report.head == HEAD


def test_every_golden_event_decodes_with_the_current_code(golden: UnionOffice):
    notifications = golden.recorder.select_notifications(1, 1000)
    events = [golden.mapper.to_domain_event(n) for n in notifications]
    assert len(events) == HEAD.position
    assert all(hasattr(e, "actor") and hasattr(e, "occurred_on") for e in events)


def test_the_golden_aggregates_rebuild_to_their_recorded_state(golden: UnionOffice):
    assert golden.office().name == "金样街道总工会"
    settings = golden.settings()
    assert value_on(settings, "cash_on_hand_limit", date(2026, 3, 1)) == Decimal("5000.00")
    assert value_on(settings, "cash_on_hand_limit", date(2026, 7, 1)) == Decimal("8000.00")
    assert value_on(settings, "committee_quorum", date(2026, 3, 1)) == "3/4"
    chair = golden.user(UserAccount.id_for("chair"))
    assert golden.keys.unseal(chair.phone) == "13900000001"
    clerk = golden.user(UserAccount.id_for("clerk"))
    assert clerk.erased and clerk.phone is None


def test_the_golden_snapshot_matches_its_events(golden: UnionOffice):
    assert golden.verify_snapshots() == []


def test_every_read_model_rebuilds_from_the_golden_log(golden: UnionOffice, tmp_path: Path):
    models = ReadModels(golden, tmp_path, ALL)
    models.rebuild()
    with models.reading() as conn:
        assert audit_trail.count(conn) == HEAD.position
        accounts = {u.username: u for u in users.everyone(conn)}
    assert set(accounts) == {"admin", "chair", "clerk"}
    assert accounts["clerk"].roles == ("office", "secretariat") and accounts["clerk"].erased


@pytest.mark.usefixtures("golden")
def test_every_golden_event_has_a_sentence_in_the_audit_trail(tmp_path: Path):
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path, "SECRET_KEY": "x", "PASSWORD_HASHER": FAST_HASHER})
    try:
        with app.test_request_context(), app.extensions["intranet"].read_models.reading() as conn:
            entries = audit_trail.entries(conn, audit_trail.Filter(), limit=1000)
            summarise, _names = summariser(conn, entries)
            sentences = [summarise(e) for e in entries]
    finally:
        app.extensions["intranet"].close()
    assert len(sentences) == HEAD.position
    assert not [s for s in sentences if "." in s and s.isascii()], "an event type has no sentence"
