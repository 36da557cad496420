"""The statements of 《工会会计制度》 (2021) 附录1 第四、五部分, from the ledger read model, for any book as of
any date: 资产负债表 (工会01表) and 收入支出表 (工会02表).

Rows follow the standard's 编制说明 in order; the printed forms' 行次 were not available, so rows are
numbered in that order. Rows of accounts a grassroots book does not use show zero, as on the form.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from aggregates.chart import EXPENSE, INCOME, LEVEL_ONE, root_of
from projections.ledger import movements, on_side, yuan

# (key, label, terms): terms are (account code, sign) for an account row, (row key, sign) for a total.
BALANCE_SHEET: tuple[tuple[str, str, tuple[tuple[str, int], ...]], ...] = (
    ("cash", "货币资金", (("101", 1), ("102", 1))),
    ("zero_quota", "零余额账户用款额度", (("111", 1),)),
    ("fiscal_refund", "财政应返还额度", (("121", 1),)),
    ("recv_upper", "应收上级经费", (("131", 1),)),
    ("recv_lower", "应收下级经费", (("132", 1),)),
    ("other_recv", "其他应收款", (("135", 1),)),
    ("inventory", "库存物品", (("141", 1),)),
    ("current_total", "流动资产合计", (("cash", 1), ("zero_quota", 1), ("fiscal_refund", 1), ("recv_upper", 1),
                                 ("recv_lower", 1), ("other_recv", 1), ("inventory", 1))),
    ("investment", "投资", (("151", 1),)),
    ("construction", "在建工程", (("161", 1),)),
    ("fa_cost", "固定资产原值", (("162", 1),)),
    ("fa_depreciation", "减：累计折旧", (("163", 1),)),
    ("fa_net", "固定资产净值", (("fa_cost", 1), ("fa_depreciation", -1))),
    ("ia_cost", "无形资产原值", (("171", 1),)),
    ("ia_amortisation", "减：累计摊销", (("172", 1),)),
    ("ia_net", "无形资产净值", (("ia_cost", 1), ("ia_amortisation", -1))),
    ("deferred", "长期待摊费用", (("181", 1),)),
    ("pending", "待处理财产损溢", (("182", 1),)),
    ("assets_total", "资产总计", (("current_total", 1), ("investment", 1), ("construction", 1), ("fa_net", 1),
                               ("ia_net", 1), ("deferred", 1), ("pending", 1))),
    ("payroll", "应付职工薪酬", (("201", 1),)),
    ("pay_upper", "应付上级经费", (("211", 1),)),
    ("pay_lower", "应付下级经费", (("212", 1),)),
    ("other_pay", "其他应付款", (("215", 1),)),
    ("custody", "代管经费", (("221", 1),)),
    ("liabilities_total", "负债合计", (("payroll", 1), ("pay_upper", 1), ("pay_lower", 1), ("other_pay", 1),
                                    ("custody", 1))),
    ("asset_fund", "资产基金", (("301", 1),)),
    ("special_fund", "专用基金", (("311", 1),)),
    ("carryover", "工会资金结转", (("321", 1),)),
    ("surplus", "工会资金结余", (("322", 1),)),
    ("fiscal_carryover", "财政拨款结转", (("331", 1),)),
    ("fiscal_surplus", "财政拨款结余", (("332", 1),)),
    ("stabilisation", "预算稳定调节基金", (("341", 1),)),
    ("net_assets_total", "净资产合计", (("asset_fund", 1), ("special_fund", 1), ("carryover", 1), ("surplus", 1),
                                     ("fiscal_carryover", 1), ("fiscal_surplus", 1), ("stabilisation", 1))),
    ("liabilities_and_net_assets", "负债和净资产总计", (("liabilities_total", 1), ("net_assets_total", 1))),
)
TOTALS = frozenset({"current_total", "fa_net", "ia_net", "assets_total", "liabilities_total", "net_assets_total",
                    "liabilities_and_net_assets"})

INCOME_ROWS = (("401", "会费收入"), ("402", "拨缴经费收入"), ("403", "上级补助收入"), ("404", "政府补助收入"),
               ("405", "行政补助收入"), ("406", "附属单位上缴收入"), ("407", "投资收益"), ("408", "其他收入"),
               ("411", "动用预算稳定调节基金"))
EXPENSE_ROWS = (("501", "职工活动支出"), ("502", "职工活动组织支出"), ("503", "职工服务支出"), ("504", "维权支出"),
                ("505", "业务支出"), ("506", "行政支出"), ("507", "资本性支出"), ("508", "补助下级支出"),
                ("509", "对附属单位的支出"), ("510", "其他支出"), ("521", "安排预算稳定调节基金"))


@dataclass(frozen=True)
class Row:
    number: int  # 行次, in the order of the 编制说明
    key: str
    label: str
    first: Decimal  # 年初余额 / 本月数
    second: Decimal  # 期末余额 / 本年累计数
    total: bool = False
    account: str | None = None  # the account a row links to (its ledger)


def _balances(conn: sqlite3.Connection, book_id: str, day: date) -> dict[str, Decimal]:
    """Level-1 balances on `day` on each account's normal side; income and expenditure not yet closed into
    the fund are shown within 工会资金结余 (the form has no row for them)."""
    result: dict[str, Decimal] = {}
    for code, (debit, credit) in movements(conn, book_id, None, day).items():
        root = root_of(code)
        if LEVEL_ONE[root].category in (INCOME, EXPENSE):
            result["322"] = result.get("322", Decimal("0.00")) + yuan(credit - debit)
        else:
            result[root] = result.get(root, Decimal("0.00")) + on_side(root, yuan(debit - credit))
    return result


def balance_sheet(conn: sqlite3.Connection, book_id: str, day: date) -> list[Row]:
    """资产负债表 (工会01表) on `day`: 年初余额 (the end of last year) and 期末余额."""
    opening = _balances(conn, book_id, date(day.year, 1, 1) - timedelta(days=1))
    closing = _balances(conn, book_id, day)
    values: dict[str, tuple[Decimal, Decimal]] = {}
    rows = []
    for number, (key, label, terms) in enumerate(BALANCE_SHEET, 1):
        first = second = zero = Decimal("0.00")
        for ref, sign in terms:
            a, b = values[ref] if ref in values else (opening.get(ref, zero), closing.get(ref, zero))
            first, second = first + sign * a, second + sign * b
        values[key] = (first, second)
        single = terms[0][0] if len(terms) == 1 and terms[0][0] in LEVEL_ONE else None
        rows.append(Row(number, key, label, first, second, key in TOTALS, single))
    return rows


def income_statement(conn: sqlite3.Connection, book_id: str, day: date) -> list[Row]:
    """收入支出表 (工会02表): 本月数 (the month of `day` up to it) and 本年累计数; closing vouchers left out."""
    month = flows(conn, book_id, day.replace(day=1), day)
    year = flows(conn, book_id, date(day.year, 1, 1), day)
    rows: list[Row] = []

    def add(key: str, label: str, first: Decimal, second: Decimal, *, total: bool = False,
            account: str | None = None) -> None:
        rows.append(Row(len(rows) + 1, key, label, first, second, total, account))

    zero = Decimal("0.00")
    add("income_total", "一、收入合计", sum((month.get(c, zero) for c, _ in INCOME_ROWS), zero),
        sum((year.get(c, zero) for c, _ in INCOME_ROWS), zero), total=True)
    for code, label in INCOME_ROWS:
        add(f"income_{code}", label, month.get(code, zero), year.get(code, zero), account=code)
    add("expense_total", "二、支出合计", sum((month.get(c, zero) for c, _ in EXPENSE_ROWS), zero),
        sum((year.get(c, zero) for c, _ in EXPENSE_ROWS), zero), total=True)
    for code, label in EXPENSE_ROWS:
        add(f"expense_{code}", label, month.get(code, zero), year.get(code, zero), account=code)
    add("net", "三、本期收支差额", rows[0].first - rows[len(INCOME_ROWS) + 1].first,
        rows[0].second - rows[len(INCOME_ROWS) + 1].second, total=True)
    return rows


def flows(conn: sqlite3.Connection, book_id: str, start: date, end: date) -> dict[str, Decimal]:
    """Level-1 income (credit − debit) and expenditure (debit − credit) in [start, end], before closing."""
    result: dict[str, Decimal] = {}
    for code, (debit, credit) in movements(conn, book_id, start, end, closing=False).items():
        root = root_of(code)
        category = LEVEL_ONE[root].category
        if category in (INCOME, EXPENSE):
            amount = yuan(credit - debit) if category == INCOME else yuan(debit - credit)
            result[root] = result.get(root, Decimal("0.00")) + amount
    return result
