"""设置 pages: setting a value from an effective date on, refusals, and looking back in time.

The pinned clock makes today 2026-03-08 (Asia/Shanghai).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intranet.backend import Backend
from tests.conftest import PASSWORD, Clock, Session, as_role, login

TODAY = "2026-03-08"
CASH = "cash_on_hand_limit"  # FIN-02, money, no default
TRANSFER = "bank_transfer_threshold"  # FIN-06, money, no default
OVERDUE_RATE = "advance_overdue_rate"  # FIN-10, ratio (entered as a percentage), no default


def _seen_version(session: Session, key: str) -> str:
    match = re.search(r'name="seen_version" value="(\d+)"', session.get(f"/settings/{key}").text)
    assert match, "the setting page has no seen_version"
    return match[1]


def _set(session: Session, key: str, value: str, effective_from: str = TODAY,
         reason: str = "银行核定", *, htmx: bool = True, seen: str | None = None):
    data = {
        "value": value,
        "effective_from": effective_from,
        "reason": reason,
        "seen_version": _seen_version(session, key) if seen is None else seen,
    }
    return session.post(f"/settings/{key}", data, htmx=htmx)


def _position(backend: Backend) -> int | None:
    return backend.office.recorder.max_notification_id()


def _row(html: str, key: str) -> str:
    match = re.search(rf'<tr id="setting-{key}">(.*?)</tr>', html, re.DOTALL)
    assert match, f"no row for {key}"
    return match[1]


@pytest.fixture
def chair(client: FlaskClient) -> Session:
    return login(client, "chair")


def test_chair_sets_the_cash_ceiling_from_today_fin_02(chair: Session, backend: Backend) -> None:
    """FIN-02: the cash-on-hand ceiling is configurable, with an effective date and a reason."""
    response = _set(chair, CASH, "5000")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "¥5,000.00" in response.text
    settings = backend.office.settings()
    assert settings is not None
    assert settings.recorded_on(CASH, date(2026, 3, 8)) == Decimal("5000.00")


def test_a_saved_setting_is_confirmed_with_a_saved_notice(chair: Session) -> None:
    response = _set(chair, CASH, "5000")
    assert response.status_code == 200
    assert re.search(r'role="status">\s*已保存\s*<', response.text), response.text[:400]


def test_a_refused_setting_shows_no_success_notice(chair: Session) -> None:
    response = _set(chair, CASH, "abc")
    assert response.status_code == 200
    assert 'class="flash ok"' not in response.text


def test_a_setting_page_opened_without_saving_shows_no_notice(chair: Session) -> None:
    response = chair.get(f"/settings/{CASH}")
    assert response.status_code == 200
    assert 'class="flash ok"' not in response.text


def test_a_saved_setting_appears_in_the_audit_trail(chair: Session) -> None:
    _set(chair, CASH, "5000", reason="开户银行核定")
    audit = chair.get("/audit").text
    assert "设置“库存现金限额”为 ¥5,000.00，自2026年3月8日起生效" in audit
    assert "开户银行核定" in audit


def test_the_bank_transfer_threshold_is_configurable_with_its_effective_date_fin_06(
    chair: Session, backend: Backend
) -> None:
    """FIN-06: the bank-transfer threshold is configurable from a date on."""
    response = _set(chair, TRANSFER, "1000", effective_from="2026-04-01")
    assert response.status_code == 200
    settings = backend.office.settings()
    assert settings is not None
    assert settings.recorded_on(TRANSFER, date(2026, 4, 1)) == Decimal("1000.00")
    assert settings.recorded_on(TRANSFER, date(2026, 3, 31)) is None


def test_a_ratio_entered_as_a_percentage_is_stored_as_a_fraction(chair: Session, backend: Backend) -> None:
    _set(chair, OVERDUE_RATE, "3.5")
    settings = backend.office.settings()
    assert settings is not None
    assert settings.recorded_on(OVERDUE_RATE, date(2026, 3, 8)) == Decimal("0.035")


def test_a_ratio_is_shown_as_a_percentage(chair: Session) -> None:
    response = _set(chair, OVERDUE_RATE, "3.5")
    assert re.search(r'id="current-value">\s*<strong>3\.5%</strong>', response.text)
    assert "3.5%" in _row(chair.get("/settings").text, OVERDUE_RATE)


BAD_INPUT = [
    pytest.param(CASH, {"value": ""}, "请填写“库存现金限额”的值", id="empty value"),
    pytest.param(CASH, {"value": "abc"}, "须填写数字", id="not a number"),
    pytest.param(CASH, {"value": "-1"}, "不能为负数", id="negative"),
    pytest.param(CASH, {"value": "NaN"}, "须填写数字", id="NaN"),
    pytest.param(CASH, {"value": "Infinity"}, "须填写数字", id="infinity"),
    pytest.param(CASH, {"value": "1e3"}, "须填写数字", id="exponent"),
    pytest.param(CASH, {"value": "12.345"}, "最多保留2位小数", id="money to a tenth of a fen"),
    pytest.param(OVERDUE_RATE, {"value": "150"}, "不能超过100%", id="ratio over 100 percent"),
    pytest.param(CASH, {"effective_from": "2026-03-07"}, "生效日期不能早于今天", id="effective yesterday"),
    pytest.param(CASH, {"effective_from": ""}, "请填写生效日期", id="no effective date"),
    pytest.param(CASH, {"effective_from": "2026-02-30"}, "日期格式应为", id="impossible date"),
    pytest.param(CASH, {"effective_from": "08/03/2026"}, "日期格式应为", id="malformed date"),
    pytest.param(CASH, {"reason": ""}, "请填写设置的理由", id="empty reason"),
    pytest.param(CASH, {"reason": "   "}, "请填写设置的理由", id="blank reason"),
    pytest.param(CASH, {"reason": "理" * 501}, "理由不能超过500字", id="reason too long"),
]


@pytest.mark.parametrize(("key", "change", "message"), BAD_INPUT)
def test_bad_setting_input_is_refused_with_a_message_and_nothing_recorded(
    chair: Session, backend: Backend, key: str, change: dict[str, str], message: str
) -> None:
    fields = {"value": "5000", "effective_from": TODAY, "reason": "银行核定", **change}
    before = _position(backend)
    response = _set(chair, key, fields["value"], fields["effective_from"], fields["reason"])
    assert response.status_code == 200
    assert message in response.text
    assert "<html" not in response.text
    assert _position(backend) == before


def test_a_stale_form_is_refused_after_someone_else_changed_the_same_setting(
    app_client_pair: tuple[Session, Session], backend: Backend
) -> None:
    chair, other = app_client_pair
    stale = _seen_version(chair, CASH)
    _set(other, CASH, "3000")
    before = _position(backend)
    response = _set(chair, CASH, "5000", seen=stale)
    assert response.status_code == 200
    assert "已被他人修改" in response.text
    assert _position(backend) == before


def test_a_change_to_another_setting_does_not_make_a_form_stale(
    app_client_pair: tuple[Session, Session], backend: Backend
) -> None:
    chair, other = app_client_pair
    _set(other, CASH, "3000")
    seen = _seen_version(chair, TRANSFER)
    _set(other, CASH, "4000")
    response = _set(chair, TRANSFER, "1000", seen=seen)
    assert response.status_code == 200
    settings = backend.office.settings()
    assert settings is not None
    assert settings.recorded_on(TRANSFER, date(2026, 3, 8)) == Decimal("1000.00")


@pytest.fixture
def app_client_pair(app: Flask, backend: Backend, chair: Session) -> tuple[Session, Session]:
    """The chair and, in another browser, a second chair (the finance settings are the chair's alone)."""
    second = backend.office.register_user(as_role(backend.office, "admin"), "chair2", "第二主席", ["chair"])
    backend.credentials.set_password(second, PASSWORD)
    backend.read_models.catch_up()
    return chair, login(app.test_client(), "chair2")


@pytest.mark.parametrize(
    ("key", "old", "new"),
    [
        pytest.param(CASH, "¥3,000.00", "¥5,000.00", id="FIN-02 cash ceiling"),
        pytest.param(TRANSFER, "¥1,000.00", "¥2,000.00", id="FIN-06 bank transfer threshold"),
    ],
)
def test_the_settings_page_on_a_date_shows_the_value_in_force_then_fin_02_fin_06(
    chair: Session, key: str, old: str, new: str
) -> None:
    """FIN-02, FIN-06: a value set from a later date applies only from that date."""
    _set(chair, key, old.lstrip("¥").replace(",", ""))
    _set(chair, key, new.lstrip("¥").replace(",", ""), effective_from="2026-04-01")
    before = _row(chair.get("/settings?on=2026-03-20").text, key)
    after = _row(chair.get("/settings?on=2026-04-02").text, key)
    assert old in before
    assert new not in before
    assert new in after
    assert "2026年4月1日" in after


def test_a_value_set_for_a_later_date_is_not_in_force_today_fin_02(chair: Session) -> None:
    """FIN-02: a ceiling recorded for April is not yet the ceiling in March."""
    _set(chair, CASH, "5000", effective_from="2026-04-01")
    row = _row(chair.get("/settings").text, CASH)
    assert "未配置" in row
    assert "¥5,000.00" not in row


def test_a_value_set_for_a_later_date_comes_into_force_on_that_day_fin_02(
    chair: Session, clock: Clock
) -> None:
    """FIN-02: when the day comes, the scheduled ceiling is the one in force."""
    _set(chair, CASH, "5000", effective_from="2026-04-01")
    clock.advance(days=24)
    row = _row(chair.get("/settings").text, CASH)
    assert "¥5,000.00" in row


def test_a_setting_with_a_default_shows_the_default_until_set(chair: Session) -> None:
    row = _row(chair.get("/settings").text, "fund_levy_rate_of_payroll")
    assert "2%" in row
    assert "默认" in row


def test_an_unset_setting_shows_unconfigured_and_its_hint(chair: Session) -> None:
    row = _row(chair.get("/settings").text, TRANSFER)
    assert "未配置" in row
    assert "《现金管理暂行条例》规定的结算起点为1,000元" in row


def test_an_unset_setting_page_shows_unconfigured_and_its_hint(chair: Session) -> None:
    page = chair.get(f"/settings/{TRANSFER}").text
    current = re.search(r'id="current-value">(.*?)</p>', page, re.DOTALL)
    assert current
    assert "未配置" in current[1]
    assert "《现金管理暂行条例》规定的结算起点为1,000元" in current[1]


def test_a_malformed_date_to_look_back_on_is_refused_with_a_message(chair: Session) -> None:
    response = chair.get("/settings?on=yesterday")
    assert response.status_code == 200
    assert "日期格式应为" in response.text


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain form"])
def test_an_office_user_may_not_set_a_setting(
    app: Flask, backend: Backend, htmx: bool
) -> None:
    office = login(app.test_client(), "office")
    before = _position(backend)
    response = office.post(
        f"/settings/{CASH}",
        {"value": "5000", "effective_from": TODAY, "reason": "想改", "seen_version": "0"},
        htmx=htmx,
    )
    assert response.status_code == 403
    assert "无权" in response.text
    assert _position(backend) == before


def test_an_office_user_sees_the_setting_without_the_form(app: Flask) -> None:
    office = login(app.test_client(), "office")
    page = office.get(f"/settings/{CASH}").text
    assert "库存现金限额" in page
    assert 'name="seen_version"' not in page


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_setting_is_not_found(chair: Session, backend: Backend, method: str) -> None:
    before = _position(backend)
    if method == "GET":
        response = chair.get("/settings/no_such_setting")
    else:
        data = {"value": "1", "effective_from": TODAY, "reason": "试试", "seen_version": "0"}
        response = chair.post("/settings/no_such_setting", data)
    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert _position(backend) == before


def test_a_plain_form_post_redirects_to_the_setting_page(chair: Session, backend: Backend) -> None:
    response = _set(chair, CASH, "5000", htmx=False)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/settings/{CASH}"
    settings = backend.office.settings()
    assert settings is not None
    assert settings.recorded_on(CASH, date(2026, 3, 8)) == Decimal("5000.00")


def test_a_refused_plain_form_post_shows_the_page_with_the_message(chair: Session) -> None:
    response = _set(chair, CASH, "abc", htmx=False)
    assert response.status_code == 200
    assert "<html" in response.text
    assert "须填写数字" in response.text
