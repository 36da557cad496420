"""Settings are events with effective dates: the value in force on a date, defaults with sources, 未配置."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from aggregates.application import UnionOffice
from aggregates.errors import InvalidInput, NotPermitted, SettingMissing, StaleEdit
from aggregates.settings import CATALOGUE, SPECS, Kind, parse, require, value_on
from tests.conftest import acting, as_role

TODAY = date(2026, 3, 8)


def test_every_setting_cites_a_rule_and_a_source_or_hint():
    """Every value of the rulebook names its rule; the sign-in settings, from the national standard, its source."""
    for spec in CATALOGUE:
        assert spec.source or spec.hint, spec.key
        if spec.group == "登录与会话":
            assert not spec.rules and "GB/T 22239" in spec.source, spec.key
            continue
        assert spec.rules, spec.key


def test_placeholder_values_of_the_seeds_have_no_default():
    """[XX] values (FIN-02 cash ceiling, FIN-06 bank threshold, FIN-13 limits…) must be set by the office."""
    for key in ("cash_on_hand_limit", "bank_transfer_threshold", "small_item_unit_price_limit",
                "small_item_total_limit", "reception_meal_standard", "advance_overdue_rate",
                "advance_salary_deduction_after", "upward_remittance_rate", "subsistence_line"):
        assert SPECS[key].default is None, key


def test_the_levy_rate_defaults_to_two_percent_of_payroll_citing_the_trade_union_law():
    """FND-01: 工会法 第四十三条."""
    spec = SPECS["fund_levy_rate_of_payroll"]
    assert spec.default == Decimal("0.02")
    assert "第四十三条" in spec.source


def test_an_unset_setting_is_refused_with_a_message_naming_it(office: UnionOffice):
    """FIN-02: an action needing the cash ceiling is refused until the office sets it."""
    with pytest.raises(SettingMissing) as refused:
        require(office.settings(), "cash_on_hand_limit", TODAY)
    assert "库存现金限额" in refused.value.text()


def test_a_value_applies_from_its_effective_date_and_not_before(office: UnionOffice):
    """FIN-06: the bank-transfer threshold in force on each date."""
    office.set_setting(acting(office, "set_setting"), "bank_transfer_threshold", "1000", TODAY + timedelta(days=10),
                       "银行规定")
    settings = office.settings()
    assert value_on(settings, "bank_transfer_threshold", TODAY + timedelta(days=9)) is None
    assert value_on(settings, "bank_transfer_threshold", TODAY + timedelta(days=10)) == Decimal("1000.00")


def test_a_replay_judges_each_date_by_the_value_then_in_force(office: UnionOffice, clock):
    """FIN-02: raising the cash ceiling later does not change what was in force before."""
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", TODAY, "银行核定")
    clock.advance(days=30)
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "8000", TODAY + timedelta(days=31),
                       "重新核定")
    settings = office.settings()
    assert value_on(settings, "cash_on_hand_limit", TODAY + timedelta(days=20)) == Decimal("5000.00")
    assert value_on(settings, "cash_on_hand_limit", TODAY + timedelta(days=31)) == Decimal("8000.00")


def test_on_the_same_effective_date_the_later_record_corrects_the_earlier(office: UnionOffice):
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", TODAY, "银行核定")
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "4000", TODAY, "更正：核定额为4000元")
    assert value_on(office.settings(), "cash_on_hand_limit", TODAY) == Decimal("4000.00")


def test_a_setting_cannot_take_effect_before_the_business_date(office: UnionOffice):
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput) as refused:
        office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", TODAY - timedelta(days=1),
                           "补登")
    assert refused.value.field == "effective_from"
    assert office.recorder.max_notification_id() == before


def test_a_reason_is_required(office: UnionOffice):
    with pytest.raises(InvalidInput) as refused:
        office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", TODAY, "  ")
    assert refused.value.field == "reason"


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("cash_on_hand_limit", "-1"),
        ("cash_on_hand_limit", "12.345"),
        ("cash_on_hand_limit", "NaN"),
        ("cash_on_hand_limit", "Infinity"),
        ("cash_on_hand_limit", "1e3"),
        ("cash_on_hand_limit", "五千"),
        ("cash_on_hand_limit", ""),
        ("advance_overdue_rate", "101"),
        ("delegate_term_years", "0"),
        ("delegate_term_years", "2.5"),
        ("committee_quorum", "3/2"),
        ("committee_quorum", "0/3"),
        ("election_majority_rule", "most"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_recorded(office: UnionOffice, key: str, text: str):
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        office.set_setting(acting(office, "set_setting"), key, text, TODAY, "理由")
    assert office.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    ("key", "text", "stored"),
    [
        ("cash_on_hand_limit", "5,000", Decimal("5000.00")),
        ("cash_on_hand_limit", "5000.5", Decimal("5000.50")),
        ("advance_overdue_rate", "3.45", Decimal("0.0345")),
        ("advance_overdue_rate", "3.45%", Decimal("0.0345")),
        ("membership_rate_target", "95", Decimal("0.95")),
        ("delegate_term_years", "3", 3),
        ("committee_quorum", " 2 / 3 ", "2/3"),
        ("hardship_multiplier_general", "1.5", Decimal("1.50")),
    ],
)
def test_form_text_is_read_into_its_canonical_stored_value(key: str, text: str, stored: object):
    assert parse(SPECS[key], text) == stored


def test_money_is_stored_quantized_to_the_fen_so_equal_amounts_store_equal_bytes(office: UnionOffice):
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", TODAY, "a")
    office.set_setting(acting(office, "set_setting"), "bank_transfer_threshold", "5000.00", TODAY, "b")
    states = [n.state for n in office.recorder.select_notifications(1, 100)]
    assert sum(b'"_data_":"5000.00"' in s for s in states) == 2


def test_only_admin_and_chair_may_set_values(office: UnionOffice):
    with pytest.raises(NotPermitted):
        office.set_setting(as_role(office, "accountant"), "cash_on_hand_limit", "5000", TODAY, "理由")
    office.set_setting(as_role(office, "chair"), "cash_on_hand_limit", "5000", TODAY, "理由")


def test_a_form_built_before_someone_else_changed_the_key_is_refused(office: UnionOffice):
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", TODAY, "a")
    seen = office.settings().last_version_of("cash_on_hand_limit")
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "6000", TODAY, "b", seen_version=seen)
    with pytest.raises(StaleEdit):
        office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "7000", TODAY, "c", seen_version=seen)


def test_changing_another_key_does_not_make_a_form_stale(office: UnionOffice):
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", TODAY, "a")
    seen = office.settings().last_version_of("cash_on_hand_limit")
    office.set_setting(acting(office, "set_setting"), "bank_transfer_threshold", "1000", TODAY, "b")
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "6000", TODAY, "c", seen_version=seen)
    assert value_on(office.settings(), "cash_on_hand_limit", TODAY) == Decimal("6000.00")


def test_ratio_settings_are_fractions_between_zero_and_one():
    ratios = [s for s in CATALOGUE if s.kind is Kind.RATIO and s.default is not None]
    assert ratios
    for spec in ratios:
        assert Decimal(0) <= spec.default <= 1, spec.key


def test_the_election_threshold_defaults_to_strictly_more_than_half():
    """DEL-05 / Q5: 「半数以上」 read as 超过半数 by default."""
    assert SPECS["election_majority_rule"].default == "more_than_half"
