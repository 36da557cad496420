"""What the read models answer: settings as of a date, the audit trail, the users."""

from __future__ import annotations

import json
from datetime import date, timedelta

from aggregates.application import UnionOffice
from aggregates.settings import CATALOGUE, value_on
from projections import audit_trail, settings_history, users
from projections.engine import ReadModels
from tests.conftest import Clock, acting, as_role, system

TODAY = date(2026, 3, 8)


def test_settings_in_force_agree_with_the_write_side_on_every_date(office: UnionOffice, read_models: ReadModels):
    ctx = acting(office, "set_setting")
    office.set_setting(ctx, "cash_on_hand_limit", "5000", TODAY, "a")
    office.set_setting(ctx, "cash_on_hand_limit", "8000", TODAY + timedelta(days=20), "b")
    office.set_setting(ctx, "membership_rate_target", "90", TODAY + timedelta(days=5), "c")
    office.set_setting(ctx, "cash_on_hand_limit", "7000", TODAY + timedelta(days=20), "更正")
    read_models.catch_up()
    settings = office.settings()
    with read_models.reading() as conn:
        for offset in (0, 4, 5, 19, 20, 40):
            day = TODAY + timedelta(days=offset)
            shown = {i.spec.key: i.value for i in settings_history.in_force(conn, day)}
            assert shown == {s.key: value_on(settings, s.key, day) for s in CATALOGUE}, day


def test_a_never_set_value_without_default_is_shown_unset(read_models: ReadModels):
    with read_models.reading() as conn:
        item = next(i for i in settings_history.in_force(conn, TODAY) if i.spec.key == "bank_transfer_threshold")
    assert item.value is None and not item.recorded


def test_the_audit_trail_holds_every_event_with_its_envelope(office: UnionOffice, read_models: ReadModels):
    chair = as_role(office, "chair", actor="u-7")
    office.set_setting(chair, "cash_on_hand_limit", "5000", TODAY, "银行核定")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert audit_trail.count(conn) == office.recorder.max_notification_id()
        (entry,) = audit_trail.entries(conn, audit_trail.Filter(actor=chair.actor))
    assert (entry.actor_role, entry.stream_type, entry.event_type) == ("chair", "Settings", "ValueSet")
    assert entry.occurred_on == TODAY and entry.reason == "银行核定"
    assert entry.facts == {"key": "cash_on_hand_limit", "value": "5000.00", "effective_from": "2026-03-08"}


def test_the_audit_trail_never_holds_personal_data(office: UnionOffice, read_models: ReadModels):
    office.register_user(system(office), "wang", "王芳", ["accountant"], phone="13800138000")
    read_models.catch_up()
    with read_models.reading() as conn:
        facts = [json.dumps(e.facts) for e in audit_trail.entries(conn, audit_trail.Filter())]
    assert not any("13800138000" in f for f in facts)
    assert any('"sealed": true' in f for f in facts)


def test_the_audit_trail_filters_by_stream_and_business_date(office: UnionOffice, read_models: ReadModels,
                                                             clock: Clock):
    user_id = office.register_user(system(office), "wang", "王芳", ["accountant"])
    clock.advance(days=3)
    office.change_user_roles(acting(office, "change_user_roles"), user_id, ["cashier"])
    read_models.catch_up()
    with read_models.reading() as conn:
        history = audit_trail.stream(conn, str(user_id))
        later = audit_trail.entries(conn, audit_trail.Filter(date_from=TODAY + timedelta(days=1)))
    assert [e.event_type for e in history] == ["Registered", "RolesChanged"]
    assert [e.event_type for e in later] == ["RolesChanged"]


def test_the_users_view_follows_the_account(office: UnionOffice, read_models: ReadModels):
    user_id = office.register_user(system(office), "wang", "王芳", ["accountant"], phone="13800138000")
    office.deactivate_user(acting(office, "deactivate_user"), user_id, "调离")
    office.erase_user_personal_data(acting(office, "erase_user_personal_data"), user_id, "本人申请")
    read_models.catch_up()
    with read_models.reading() as conn:
        account = users.by_username(conn, "WANG")
    assert account is not None
    assert (account.active, account.erased, account.phone, account.version) == (False, True, None, 3)
