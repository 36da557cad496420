"""Writes the golden log of the roster and the books (run once; never regenerate to make a failing test
pass).

    .venv/bin/python -m tests.golden.make_golden_books

It holds one of every event of the roster, the books, claims, prior approvals, advances and bank
statements as first stored. Later code must still decode it, rebuild every read model from it and
verify its chain.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from aggregates.application import UnionOffice
from aggregates.chain import verify_sqlite
from tests.roster_helpers import credit_code, id_number

HERE = Path(__file__).resolve().parent / "books"


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def main() -> None:
    work = Path(tempfile.mkdtemp())
    clock = _Clock()
    ids = iter(range(1, 10_000))
    app = UnionOffice(work, clock=clock, timezone="Asia/Shanghai",
                      new_id=lambda: UUID(int=next(ids), version=4))
    system = app.system_context("golden")
    admin = app.found_office(system, "金样街道工会工作委员会", "Asia/Shanghai", "admin", "管理员")
    as_admin = app.context(str(admin), "admin")
    user = {role: app.register_user(as_admin, role, f"{role}用户", [role])
            for role in ("chair", "vice_chair", "office", "accountant", "cashier")}

    def as_(role: str):
        return app.context(str(user[role]), role)

    app.set_setting(as_("chair"), "bank_transfer_threshold", "1000", date(2026, 3, 2), "结算起点")
    app.set_setting(as_("chair"), "cash_on_hand_limit", "5000", date(2026, 3, 2), "银行核定")
    app.set_setting(as_("chair"), "small_item_unit_price_limit", "200", date(2026, 3, 2), "常委会决定")
    app.set_setting(as_("chair"), "small_item_total_limit", "1000", date(2026, 3, 2), "常委会决定")
    app.set_setting(as_("chair"), "reception_meal_standard", "60", date(2026, 3, 2), "接待标准")
    app.set_setting(as_("chair"), "chair_claims_approver", "vice_chair", date(2026, 3, 2), "主席委托")
    # The roster: a unit, a union over it, a member, a worker list.
    office = as_("office")
    unit = app.register_enterprise(office, name="金样机械有限公司", credit_code=credit_code(), ownership="private",
                                   industry="制造", community="金样社区", address="金样路1号", workers=40, women=12)
    union = app.found_union(office, name="金样机械有限公司工会", kind="enterprise", parent_id=None, workers=40,
                            approver="street", approval_ref="金工批〔2026〕1号", covers=[unit])
    member = app.admit_member(office, name="王金样", gender="F", birth_date=date(1990, 5, 17),
                              id_number=id_number(date(1990, 5, 17), "F"), union_id=union, joined_on=date(2026, 3, 2))
    app.appoint_office_holder(office, union, "women_member", member, owner_or_relative=False)
    app.assess_union_compliance(office, union, 2026, "standardised", ["founding", "facilities"])
    app.file_worker_list(office, unit, date(2026, 3, 2), "王金样\n李职工")
    # The books.
    kj = as_("accountant")
    book = app.open_book(kj, name="金样街道总工会（本级）", union_id=None, first_period="2026-02")
    app.add_sub_account(kj, book, "408", "01", "捐赠收入")
    app.post_voucher(kj, book, voucher_date=date(2026, 2, 2), summary="期初余额", attachments=0,
                     lines=[{"account": "101", "debit": "3000"}, {"account": "102", "debit": "50000"},
                            {"account": "32205", "credit": "53000"}])
    wrong = app.post_voucher(kj, book, voucher_date=date(2026, 2, 3), summary="收会费", attachments=1,
                             lines=[{"account": "101", "debit": "460"}, {"account": "40801", "credit": "460"}])
    app.reverse_voucher(kj, book, wrong, on=date(2026, 2, 4), reason="科目用错")
    for key in app.book(book).vouchers:
        if not app.book(book).vouchers[key]["reviewed"]:
            app.review_voucher(kj, book, key)
    app.close_month(kj, book, "2026-02")
    # A claim under 一支笔, a meal notice and a purchase approval, an advance, a cash count, a statement.
    scan = app.attachments.put(b"%PDF-1.4 golden invoice")
    claim = app.submit_claim(as_("office"), book, category="activity", purpose="三八节活动", spent_on=date(2026, 3, 2),
                             items=[{"item": "鲜花", "quantity": "20", "unit_price": "15"}], invoices=["JY0001"],
                             files=[scan])
    app.certify_claim(as_("accountant"), claim)
    app.approve_claim(as_("chair"), claim)
    app.pay_claim(as_("cashier"), claim, method="cash", paid_on=date(2026, 3, 2))
    sent_back = app.submit_claim(as_("office"), book, category="office", purpose="办公用品", spent_on=date(2026, 3, 2),
                                 items=[{"item": "打印纸", "quantity": "2", "unit_price": "30"}], invoices=["JY0002"])
    app.certify_claim(as_("accountant"), sent_back)
    app.reject_claim(as_("chair"), sent_back, "发票抬头有误")
    app.issue_meal_notice(as_("vice_chair"), number="YC-1", on=date(2026, 3, 2), heads=4, purpose="接待调研")
    app.approve_purchase(as_("chair"), number="GZ-1", on=date(2026, 3, 2), amount="1600", purpose="书架")
    meal = app.submit_claim(as_("office"), book, category="reception", purpose="接待工作餐", spent_on=date(2026, 3, 2),
                            items=[{"item": "工作餐", "quantity": "4", "unit_price": "55"}], invoices=["JY0003"],
                            prior="YC-1")
    app.certify_claim(as_("accountant"), meal)
    app.reject_claim(as_("chair"), meal, "人数与通知单不符")
    app.submit_claim(as_("chair"), book, category="purchase", purpose="书架", spent_on=date(2026, 3, 2),
                     items=[{"item": "书架", "quantity": "2", "unit_price": "780"}], invoices=["JY0004"], prior="GZ-1")
    advance = app.request_advance(as_("office"), book, form_no="JK-1", purpose="business_trip", amount="800",
                                  expected_return=date(2026, 3, 6), details="赴市总培训")
    app.decide_advance(as_("chair"), advance, approve=True)
    app.pay_advance(as_("cashier"), advance, method="cash", paid_on=date(2026, 3, 2))
    app.record_advance_return(as_("cashier"), advance, date(2026, 3, 2))
    app.repay_advance(as_("cashier"), advance, amount="800", on=date(2026, 3, 2))
    app.count_cash(as_("cashier"), book, counted_on=date(2026, 3, 2), counted="2690", explanation="差10元待查")
    app.record_bank_statement(as_("cashier"), book, period="2026-02", closing_balance="50012.30",
                              lines=[{"day": date(2026, 2, 2), "description": "转入", "amount": "50000", "ref": "A"},
                                     {"day": date(2026, 2, 20), "description": "利息", "amount": "12.30", "ref": "B"}])
    clock.now += timedelta(hours=1)
    app.close()
    HERE.mkdir(exist_ok=True)
    for name in ("events.sqlite", "keys.sqlite"):
        conn = sqlite3.connect(work / name)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
        conn.close()
        shutil.copy(work / name, HERE / name)
    shutil.copytree(work / "attachments", HERE / "attachments", dirs_exist_ok=True)
    report = verify_sqlite(HERE / "events.sqlite")
    (HERE / "HEAD").write_text(f"{report.head}\n", encoding="ascii")
    print(f"golden log of the roster and the books: {report.events} events, head {report.head}")


if __name__ == "__main__":
    main()
