"""Writes the golden log (run once; never regenerate to make a failing test pass).

    .venv/bin/python -m tests.golden.make_golden

The log it wrote is checked in beside it. Later code must still decode it, rebuild
every read model from it and verify its chain: events are forever.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aggregates.application import UnionOffice
from aggregates.chain import verify_sqlite
from aggregates.settings import Settings

HERE = Path(__file__).resolve().parent


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=7)
        return self.now


def main() -> None:
    work = Path(tempfile.mkdtemp())
    app = UnionOffice(work, clock=_Clock(), timezone="Asia/Shanghai")
    system = app.system_context("golden")
    admin = app.found_office(system, "金样街道工会工作委员会", "Asia/Shanghai", "admin", "管理员")
    as_admin = app.context(str(admin), "admin")
    chair = app.register_user(as_admin, "chair", "张主席", ["chair"], phone="13900000001", form_key="golden-form-1")
    clerk = app.register_user(as_admin, "clerk", "李文员", ["office"], phone="02412345678")
    as_chair = app.context(str(chair), "chair")
    day = as_chair.occurred_on
    app.set_setting(as_chair, "cash_on_hand_limit", "5000", day, "经开户银行核定")
    app.set_setting(as_chair, "advance_overdue_rate", "3.45", day, "一年期贷款利率")
    app.set_setting(as_chair, "committee_quorum", "3/4", day, "常委会决定")
    app.set_setting(as_chair, "election_majority_rule", "half_or_more", day, "按民法典理解")
    app.set_setting(as_chair, "delegate_term_years", "3", day + timedelta(days=30), "大会决定")
    app.set_setting(as_chair, "cash_on_hand_limit", "8000", date(2026, 7, 1), "下半年重新核定")
    app.take_snapshot(Settings.ID)
    app.change_user_roles(as_admin, clerk, ["office", "secretariat"], seen_version=1)
    app.change_user_phone(as_admin, clerk, "13700000002")
    app.record_password_reset(as_admin, clerk)
    app.deactivate_user(as_admin, clerk, "调离")
    app.reactivate_user(as_admin, clerk, "调回")
    app.erase_user_personal_data(as_admin, clerk, "本人申请删除")
    app.rename_office(as_admin, "金样街道总工会", "升格为街道总工会")
    app.close()
    for name in ("events.sqlite", "keys.sqlite"):
        conn = sqlite3.connect(work / name)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
        conn.close()
        shutil.copy(work / name, HERE / name)
    report = verify_sqlite(HERE / "events.sqlite")
    (HERE / "HEAD").write_text(f"{report.head}\n", encoding="ascii")
    print(f"golden log: {report.events} events, head {report.head}")


if __name__ == "__main__":
    main()
