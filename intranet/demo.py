"""The demo office: a year of an office's life, built through the same commands as the web.

It lives in its own folder (var/demo/ by default, marked by a DEMO file) and never
mixes into a real office. Every demo user's password is DEMO_PASSWORD.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from aggregates.application import DEFAULT_TIMEZONE
from aggregates.envelope import Context
from intranet.backend import DEMO_MARKER, Backend
from intranet.demo_books import BooksYear
from intranet.demo_roster import LOGIN_MEMBERS, RosterYear
from projections import census, organisations

DEMO_PASSWORD = "demo1234"  # noqa: S105 - published in the README for the demo office only
DEMO_OFFICE = "和平街道工会工作委员会"

# (username, name, roles): one account per staff role, as in the README.
STAFF = (
    ("chair", "张建国", ["chair"]),
    ("vice", "李秀英", ["vice_chair"]),
    ("office", "刘洋", ["office"]),
    ("accountant", "王芳", ["accountant"]),
    ("cashier", "赵丽", ["cashier"]),
    ("auditor", "陈静", ["auditor"]),
    ("secretariat", "孙磊", ["secretariat"]),
)
EXTRA_STAFF = {"tiny": 0, "small": 3, "large": 12}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚")


class DemoClock:
    """A clock the builder moves forward through the demo year, in office hours."""

    def __init__(self, start: date, tz: ZoneInfo) -> None:
        self.tz = tz
        self.now = datetime.combine(start, time(9, 0), tz).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def on(self, day: date, rng: random.Random) -> None:
        """Move to a working moment of `day` (never backwards)."""
        moment = datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)), self.tz).astimezone(UTC)
        self.now = max(moment, self.now + timedelta(seconds=1))


@dataclass
class DemoResult:
    """What the builder made."""

    data_dir: Path
    events: int
    users: int
    members: int
    unions: int
    enterprises: int


def build(data_dir: Path, *, scale: str = "small", seed: int = 1, today: date | None = None,
          hasher: PasswordHasher | None = None) -> DemoResult:
    """Build the demo office in `data_dir` (which must hold no office yet)."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise FileExistsError(f"{data_dir} is not empty; the demo is built into a folder of its own")
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DEMO_MARKER).write_text("示范数据，不是真实单位。\n", encoding="utf-8")
    tz = ZoneInfo(DEFAULT_TIMEZONE)
    today = today or datetime.now(tz).date()
    start = date(today.year - 1, today.month, 1)
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    clock = DemoClock(start, tz)
    backend = Backend.open(data_dir, clock=clock, timezone=DEFAULT_TIMEZONE, hasher=hasher,
                           new_id=lambda: UUID(int=rng.getrandbits(128), version=4))
    try:
        builder = _Builder(backend, clock, rng, start, today, scale=scale)
        builder.run(EXTRA_STAFF[scale])
        backend.read_models.catch_up()
        events = backend.office.recorder.max_notification_id() or 0
    except BaseException:
        backend.close()
        shutil.rmtree(data_dir)  # never leave a half-built demo behind
        raise
    backend.close()
    roster = builder.roster
    return DemoResult(data_dir, events, builder.users, len(roster.people), len(roster.unions), len(roster.units))


class _Builder:
    def __init__(self, backend: Backend, clock: DemoClock, rng: random.Random, start: date, today: date, *,
                 scale: str):
        self.backend, self.office, self.clock, self.rng = backend, backend.office, clock, rng
        self.start, self.today, self.scale = start, today, scale
        self.ids: dict[str, UUID] = {}
        self.users = 0

    def at(self, offset_days: int) -> date:
        day = min(self.start + timedelta(days=offset_days), self.today)
        while day.weekday() >= 5 and day < self.today:
            day += timedelta(days=1)
        self.clock.on(day, self.rng)
        return day

    def as_user(self, username: str, role: str) -> Context:
        return self.office.context(str(self.ids[username]), role)

    def run(self, extra_staff: int) -> None:
        """Found the office, then play the year's actions in date order."""
        self.at(0)
        admin = self.office.found_office(self.office.system_context("demo"), DEMO_OFFICE, DEFAULT_TIMEZONE,
                                         "admin", "系统管理员")
        self.backend.credentials.set_demo_password(admin, DEMO_PASSWORD)
        self.ids["admin"], self.users = admin, 1
        for offset, action in sorted(self.plan(extra_staff), key=lambda item: item[0]):
            self.at(offset)
            action()

    def plan(self, extra_staff: int) -> list[tuple[int, Callable[[], None]]]:
        """(day of the demo year, action) for everything after the founding."""
        steps: list[tuple[int, Callable[[], None]]] = []
        for n, (username, name, roles) in enumerate(STAFF):
            phone = f"139{self.rng.randrange(10**8):08d}"
            steps.append((1 + n // 3, partial(self.account, username, name, roles, phone)))
        for n in range(extra_staff):
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN) + self.rng.choice(("", *GIVEN))
            steps.append((30 + 9 * n, partial(self.account, f"staff{n + 1:02d}", name, ["office"], None)))
        roster = RosterYear(self.office, lambda: self.as_user("office", "office"), self.rng, self.scale)
        self.roster = roster
        steps += [(20 + n, partial(self.member_account, username, name))  # after their admission on day 15
                  for n, (username, name, *_details) in enumerate(LOGIN_MEMBERS)]
        self.books = BooksYear(self.office, self.as_user, self.backend.read_models, self.rng, self.start, self.today,
                               managed_union=lambda: next(iter(roster.unions), None))
        return (steps + self.settings() + self.staff_changes() + roster.plan() + [(100, self.check_census)]
                + self.books.plan())

    def check_census(self) -> None:
        """ORG-05: the clerk checks the census against the tax register (an extract made up here)."""
        models = self.backend.read_models
        models.catch_up()
        today = self.office.today()
        with models.reading() as conn:
            units = organisations.units_on(conn, today)
            listed = [census.RegisterRow(u.credit_code, u.name if n % 17 else u.name + "（分公司）",
                                         (u.workers or 0) * (2 if n % 23 == 0 else 1))
                      for n, u in enumerate(units) if n % 29]
            result = census.compare(conn, listed, today)
        lines = [f"{r.credit_code},{r.name},{r.workers}\n" for r in listed]
        extract = ("统一社会信用代码,名称,职工人数\n" + "".join(lines)).encode()
        self.office.record_census_check(self.as_user("office", "office"), source="tax",
                                        file_sha256=hashlib.sha256(extract).hexdigest(), counts=result.counts())

    def account(self, username: str, name: str, roles: list[str], phone: str | None,
                member_id: UUID | None = None) -> None:
        user_id = self.office.register_user(self.as_user("admin", "admin"), username, name, roles, phone=phone,
                                            member_id=member_id)
        self.backend.credentials.set_demo_password(user_id, DEMO_PASSWORD)
        self.ids[username] = user_id
        self.users += 1

    def member_account(self, username: str, name: str) -> None:
        """A member's own login, linked to their record (the admin opens it as on the users page)."""
        self.account(username, name, ["member"], None, member_id=self.roster.logins[username])

    def setting(self, key: str, value: str, reason: str, effective_in: int = 0) -> None:
        ctx = self.as_user("chair", "chair")
        self.office.set_setting(ctx, key, value, ctx.occurred_on + timedelta(days=effective_in), reason)

    def settings(self) -> list[tuple[int, Callable[[], None]]]:
        bank = "经开户银行核定"
        return [(day, partial(self.setting, *args)) for day, *args in (
            (5, "cash_on_hand_limit", "5000", f"{bank}（按5天日常零星开支）"),
            (5, "bank_transfer_threshold", "1000", "按《现金管理暂行条例》结算起点"),
            (6, "small_item_unit_price_limit", "200", "常委会第1次会议决定"),
            (6, "small_item_total_limit", "1000", "常委会第1次会议决定"),
            (6, "reception_meal_standard", "60", "按区机关接待标准"),
            (8, "advance_overdue_rate", "3.45", "按一年期贷款市场报价利率"),
            (8, "advance_salary_deduction_after", "90", "常委会第1次会议决定"),
            (12, "upward_remittance_rate", "20", "区总工会文件"),
            (20, "subsistence_line", "780", "市民政局公布的低保标准"),
            (21, "annual_new_members_quota", "200", "区总工会下达年度任务"),
            (21, "annual_new_unions_quota", "3", "区总工会下达年度任务"),
            (180, "cash_on_hand_limit", "8000", f"{bank}：下半年慰问支出增加", 3),
            (200, "subsistence_line", "820", "市民政局调整低保标准", 14),
            (330, "reception_meal_standard", "50", "常委会决定压减接待开支", 40),
        )]

    def staff_changes(self) -> list[tuple[int, Callable[[], None]]]:
        office, admin = self.office, partial(self.as_user, "admin", "admin")
        return [
            (90, lambda: office.change_user_phone(admin(), self.ids["office"], "13912345678")),
            (150, lambda: office.deactivate_user(admin(), self.ids["cashier"], "原出纳调离")),
            (150, partial(self.account, "cashier2", "周敏", ["cashier"], "13698765432")),
            (151, lambda: office.record_password_reset(admin(), self.ids["cashier2"])),
            (200, lambda: office.erase_user_personal_data(admin(), self.ids["cashier"], "本人离职后申请删除个人信息")),
            (240, lambda: office.change_user_roles(admin(), self.ids["office"], ["office", "secretariat"])),
        ]
