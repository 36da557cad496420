"""Every event carries the envelope: actor, role, business date, reason, corrects; recorded time from the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

from aggregates.application import UnionOffice
from aggregates.envelope import EventRef
from tests.conftest import Clock, as_role


def _last_event(office: UnionOffice):
    position = office.recorder.max_notification_id()
    (notification,) = office.recorder.select_notifications(position, 1)
    return office.mapper.to_domain_event(notification)


def test_an_event_records_who_acted_under_which_role_and_the_business_date(office: UnionOffice):
    ctx = as_role(office, "chair", actor="u-42")
    office.set_setting(ctx, "cash_on_hand_limit", "5000", date(2026, 3, 8), "银行核定")
    event = _last_event(office)
    assert (event.actor, event.actor_role) == (ctx.actor, "chair")
    assert event.occurred_on == date(2026, 3, 8)
    assert event.reason == "银行核定"
    assert event.corrects is None


def test_the_recorded_time_comes_from_the_injected_clock(office: UnionOffice, clock: Clock):
    clock.now = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
    office.set_setting(as_role(office, "chair"), "cash_on_hand_limit", "5000", date(2026, 5, 1), "x")
    assert _last_event(office).timestamp == clock.now


def test_the_business_date_is_taken_in_the_office_time_zone(office: UnionOffice, clock: Clock):
    # 20:30 UTC on 7 March is already 8 March in Shanghai.
    clock.now = datetime(2026, 3, 7, 20, 30, tzinfo=UTC)
    assert office.today() == date(2026, 3, 8)
    assert office.context("u", "chair").occurred_on == date(2026, 3, 8)


def test_an_event_ref_round_trips_through_the_store(office: UnionOffice):
    ref = EventRef(office.office().id, 1)
    encoded = office.mapper.transcoder.encode({"corrects": ref})
    assert office.mapper.transcoder.decode(encoded)["corrects"] == ref
