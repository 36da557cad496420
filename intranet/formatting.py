"""How money, dates, settings and people are shown: ¥1,234.50, 2026年3月8日."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_decimal

from aggregates.book import WORDS
from aggregates.roles import ROLES
from aggregates.settings import UNITS, Kind, Spec, Value

# Parsed once: Babel re-parses a locale name on every call, which dominated page time.
LOCALE = Locale.parse("zh_CN")


def money(value: Decimal | int | None) -> str:
    """¥1,234.50 (empty for None)."""
    if value is None:
        return ""
    amount = Decimal(value)
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,.2f}"


def amount(value: Decimal | None) -> str:
    """1,234.50 for a ledger column; empty for None or zero."""
    if not value:
        return ""
    return f"{value:,.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def capital(value: Decimal) -> str:
    """An amount in capital numerals (人民币大写), as a voucher's total is written: 壹仟零伍元伍角整."""
    value = Decimal(value).quantize(Decimal("0.01"))
    whole, rest = divmod(int(abs(value) * 100), 100)
    jiao, fen = divmod(rest, 10)
    text = _capital_whole(whole) + "元" if whole else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif fen and whole:
        text += "零"
    text += _DIGITS[fen] + "分" if fen else "整"
    if not whole and not rest:
        text = "零元整"
    return ("负" if value < 0 else "") + text


def _capital_whole(number: int) -> str:
    groups = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    text, gap = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if not group:
            gap = True
            continue
        if text and (gap or group < 1000):
            text += "零"
        text += _capital_group(group) + ("", "万", "亿", "万亿")[index]
        gap = False
    return text


def _capital_group(group: int) -> str:
    text, zero = "", False
    for digit, unit in zip(f"{group:04d}", ("仟", "佰", "拾", ""), strict=True):
        if digit == "0":
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[int(digit)] + unit
    return text


def voucher_label(key: str | None) -> str:
    """2026-03/payment/4 → 2026年03月 付字第4号."""
    if not key:
        return ""
    parts = key.split("/")
    if len(parts) != 3 or len(parts[0]) != 7:
        return key
    period, word, number = parts
    return f"{period[:4]}年{period[5:]}月 {WORDS.get(word, word)}字第{number}号"


def day(value: date | str | None) -> str:
    """2026年3月8日."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


def moment(value: datetime | None, tz: ZoneInfo) -> str:
    """2026年3月8日 09:30:15, in the office's time zone."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    return f"{day(local.date())} {local:%H:%M:%S}"


def percent(value: Decimal) -> str:
    """0.005 → 0.5%; 0.02 → 2%."""
    return f"{format_decimal((value * 100).normalize(), locale=LOCALE)}%"


def setting_value(spec: Spec, value: Value | None) -> str:
    """A setting's value as an office clerk reads it."""
    if value is None:
        return "未配置"
    if spec.kind is Kind.MONEY:
        return money(Decimal(value))
    if spec.kind is Kind.RATIO:
        return percent(Decimal(value))
    if spec.kind is Kind.CHOICE:
        return dict(spec.choices).get(str(value), str(value))
    if spec.kind in (Kind.FRACTION, Kind.TEXT):
        return str(value)
    unit = UNITS.get(spec.kind, "")
    return f"{value} {unit}".strip()


def setting_input(spec: Spec, value: Value | None) -> str:
    """A setting's value as typed into its form (ratios as percentages)."""
    if value is None:
        return ""
    if spec.kind is Kind.RATIO:
        return format((Decimal(value) * 100).normalize(), "f")
    return str(value)


def role_label(role: str) -> str:
    """系统管理员, 主席, … (system work shows as 系统)."""
    return ROLES.get(role, "系统" if role == "system" else role)


def short_hash(value: str | bytes, length: int = 16) -> str:
    """The first hex digits of a hash, for tables (the full hash is shown where it matters)."""
    text = value.hex() if isinstance(value, bytes) else value
    return text[:length]
