"""The demo office's roster year: a census of units, grassroots unions covering them, members
admitted, moved in two steps, retired, restored, withdrawn; all through the office's commands."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from aggregates.application import UnionOffice
from aggregates.envelope import Context
from aggregates.identifiers import credit_check_char, id_check_digit
from aggregates.union import STANDARDS, approving_level

Step = tuple[int, Callable[[], None]]

COMMUNITIES = ("北市场社区", "南湖社区", "新华社区", "太原街社区", "中山社区", "西塔社区", "八经社区", "五里河社区",
               "长白社区", "集贤社区")
PLACES = ("和平", "新华", "北市", "太原", "南京", "中华", "三好", "五里", "长白", "沈阳", "盛京", "辽河", "浑河",
          "青年")
TRADES = ("科技", "商贸", "餐饮", "物业管理", "建筑工程", "医药", "文化传媒", "电子", "物流", "家政服务", "广告",
          "设计", "酒店管理", "超市", "汽车服务", "教育咨询", "印刷", "装饰", "保安服务", "健康管理")
FORMS = ("有限公司", "有限责任公司", "股份有限公司", "商行", "服务中心")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华红玉兰秀珍建国文斌志鹏宇浩然晓燕丹凤海波丽娟"
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
REGION = "210102"  # 沈阳市和平区

# The demo's member logins (listed in the README): admitted like anyone else, with fixed names so the README
# can name them. (username, name, gender, birth date); their year is scripted, never picked at random.
LOGIN_MEMBERS = (
    ("member1", "吴晓燕", "F", date(1988, 5, 12)),  # stays active in her enterprise's union
    ("member2", "郑海波", "M", date(1964, 9, 3)),  # retires mid-year: membership retained (保留会籍)
    ("member3", "冯丽娟", "F", date(1979, 2, 21)),  # moves to another union in two steps (接转)
)

SCALES = {  # enterprises, communities, joint unions, enterprise unions
    "tiny": (40, 2, 1, 4),
    "small": (300, 5, 4, 21),
    "large": (3000, 10, 30, 200),
}


@dataclass
class _Unit:
    enterprise_id: UUID
    workers: int
    community: str
    union_id: UUID | None = None


@dataclass
class _Person:
    member_id: UUID
    union_id: UUID
    enterprise_id: UUID | None
    birth: date
    gender: str = "M"
    status: str = "active"
    slip: tuple[str, UUID | None] | None = None


@dataclass
class RosterYear:
    """Plans and plays the roster's year; `ctx()` gives the office clerk's context at each step."""

    office: UnionOffice
    ctx: Callable[[], Context]
    rng: random.Random
    scale: str
    units: list[_Unit] = field(default_factory=list)
    unions: dict[UUID, str] = field(default_factory=dict)
    people: list[_Person] = field(default_factory=list)
    used_ids: set[str] = field(default_factory=set)
    slips: int = 0
    cards: int = 0
    logins: dict[str, UUID] = field(default_factory=dict)  # member login's username → their member record
    member3_slip: tuple[str, UUID] | None = None

    def plan(self) -> list[Step]:
        """(day of the demo year, action) for the roster's whole year."""
        enterprises, communities, joints, own = SCALES[self.scale]
        steps: list[Step] = [(1 + i * 10 // enterprises, self.register_unit) for i in range(enterprises)]
        steps.append((12, lambda: self.found_unions(communities, joints, own)))
        steps.append((15, self.admit_founding_members))
        steps.append((15, self.admit_login_members))
        steps += [(120, self.move_member3_out), (124, self.receive_member3), (200, self.retire_member2)]
        steps.append((16, self.appoint_chairs))
        members = max(len(SCALES), enterprises * 7)
        for n in range(members // 12):
            steps.append((30 + n * 320 // (members // 12), self.admit_newcomer))
        for n in range(max(members // 50, 4)):
            day = 40 + n * 300 // max(members // 50, 4)
            steps += [(day, self.transfer_within), (day + 1, self.retire_someone)]
        for n in range(max(members // 130, 3)):
            day = 50 + n * 290 // max(members // 130, 3)
            steps += [(day, self.withdraw_someone), (day + 2, self.receive_transfers),
                      (day + 3, self.restore_someone), (day + 4, self.transfer_outside)]
        steps += [(120, self.record_a_death), (200, self.expel_someone), (210, self.reactivate_someone),
                  (240, self.complete_outside_transfers), (250, self.correct_a_name), (260, self.rename_a_union),
                  (270, self.reelect_a_committee), (280, self.close_a_unit), (180, self.report_headcounts),
                  (300, self.found_a_new_union), (330, self.issue_cards), (350, self.receive_transfers)]
        steps += [(day, self.report_payrolls) for day in (35, 125, 215, 305)]
        steps.append((340, self.assess_unions))
        steps.append((190, self.file_worker_lists))
        steps += [(day, self.hold_activities) for day in (100, 280)]
        steps += [(22, self.set_quotas), (14, self.approve_elections), (60, self.form_groups),
                  (75, self.file_group_leaders), (20, self.draw_grid)]
        return steps

    # -- the census ---------------------------------------------------------------------------------

    def register_unit(self) -> None:
        workers = self._size()
        community = self.rng.choice(COMMUNITIES[: SCALES[self.scale][1]])
        for _ in range(20):
            name = self.rng.choice(PLACES) + self.rng.choice(PLACES[:5]) + self.rng.choice(TRADES) + \
                self.rng.choice(FORMS)
            code = "91" + REGION + "".join(self.rng.choice(CODE_CHARS) for _ in range(9))
            try:
                enterprise_id = self.office.register_enterprise(
                    self.ctx(), name=name, credit_code=code + credit_check_char(code),
                    ownership=self.rng.choice(("private",) * 8 + ("state", "collective")),
                    industry=self.rng.choice(TRADES), community=community,
                    address=f"和平区{self.rng.choice(PLACES)}路{self.rng.randrange(1, 300)}号",
                    workers=workers, women=self.rng.randrange(0, workers + 1))
            except Exception:  # noqa: S112 - a random name or code taken twice: draw again
                continue
            self.units.append(_Unit(enterprise_id, workers, community))
            return

    def _size(self) -> int:
        roll = self.rng.random()
        if roll < 0.85:
            return self.rng.randrange(2, 13)
        return self.rng.randrange(25, 46) if roll < 0.97 else self.rng.randrange(50, 91)

    # -- unions ----------------------------------------------------------------------------------------

    def _found(self, name: str, kind: str, covers: list[_Unit]) -> UUID:
        workers = max(sum(u.workers for u in covers), 1)
        union_id = self.office.found_union(
            self.ctx(), name=name, kind=kind, parent_id=None, workers=workers,
            approver=approving_level(workers, 7, 50),
            approval_ref=f"和工批〔{self.ctx().occurred_on.year}〕{len(self.unions) + 1}号",
            covers=[u.enterprise_id for u in covers])
        self.unions[union_id] = kind
        for unit in covers:
            unit.union_id = union_id
        return union_id

    def found_unions(self, communities: int, joints: int, own: int) -> None:
        big = [u for u in self.units if u.workers >= 25]
        for unit in big[:own]:
            self._found(self.office.repository.get(unit.enterprise_id).name + "工会", "enterprise", [unit])
        small = [u for u in self.units if u.workers < 25]
        self.rng.shuffle(small)
        cut = len(small) // 6
        for n in range(joints):
            cluster = small[n * cut // max(joints, 1):(n + 1) * cut // max(joints, 1)]
            if cluster:
                self._found(f"{PLACES[n % len(PLACES)]}路商户联合工会", "joint", cluster)
        uncovered = {id(u) for u in small[cut:][: len(small) // 12]}
        for community in COMMUNITIES[:communities]:
            cluster = [u for u in small[cut:] if u.community == community and id(u) not in uncovered]
            self._found(f"{community}工会联合会", "community", cluster)

    def appoint_chairs(self) -> None:
        for union_id in self.unions:
            members = [p for p in self.people if p.union_id == union_id and p.status == "active"]
            if members:
                self.office.appoint_office_holder(self.ctx(), union_id, "chair", members[0].member_id,
                                                  owner_or_relative=False)
            if len(members) > 3:
                self.office.appoint_office_holder(self.ctx(), union_id, "fund_review_member", members[1].member_id,
                                                  owner_or_relative=False)
            women = [p for p in members[2:] if p.gender == "F"]
            post = "women_committee_chair" if len(women) >= 10 else "women_member"
            if women and self.rng.random() < 0.8:  # §2.3 / Q3; a few are left to be flagged
                self.office.appoint_office_holder(self.ctx(), union_id, post, women[0].member_id,
                                                  owner_or_relative=False)

    # -- members ---------------------------------------------------------------------------------------

    def _admit(self, unit: _Unit | None, union_id: UUID, joined_on: date) -> None:
        gender = self.rng.choice("MF")
        birth = date(self.rng.randrange(1966, 2003), self.rng.randrange(1, 13), self.rng.randrange(1, 29))
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{REGION}{birth:%Y%m%d}{seq:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.used_ids:
                break
        self.used_ids.add(number)
        name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
        card = None
        if self.rng.random() < 0.85:
            self.cards += 1
            card = f"HP{self.cards:06d}"
        member_id = self.office.admit_member(
            self.ctx(), name=name, gender=gender, birth_date=birth, id_number=number, union_id=union_id,
            joined_on=max(joined_on, date(birth.year + 18, birth.month, birth.day)),
            phone=f"13{self.rng.randrange(10**9):09d}" if self.rng.random() < 0.9 else None,
            enterprise_id=unit.enterprise_id if unit else None, frontline=self.rng.random() < 0.7, card_no=card,
            employment_type="individual" if unit is None else self.rng.choice(
                ("regular",) * 12 + ("dispatched", "dispatched", "migrant", "migrant", "migrant", "temporary")))
        self.people.append(_Person(member_id, union_id, unit.enterprise_id if unit else None, birth, gender))

    def admit_founding_members(self) -> None:
        today = self.ctx().occurred_on
        for unit in self.units:
            if unit.union_id is None:
                continue
            share = self.rng.uniform(0.45, 0.95)
            for _ in range(round(unit.workers * share)):
                joined = today - timedelta(days=self.rng.randrange(200, 6000))
                self._admit(unit, unit.union_id, joined)
        communities = [u for u, kind in self.unions.items() if kind == "community"]
        for _ in range(len(self.units) // 30):  # MEM-04: individuals joining their community union
            self._admit(None, self.rng.choice(communities), today - timedelta(days=self.rng.randrange(30, 900)))

    def admit_login_members(self) -> None:
        """The members who log in to the demo, each in a union of their own enterprise."""
        covered = [u for u in self.units if u.union_id is not None]
        today = self.ctx().occurred_on
        for n, (username, name, gender, birth) in enumerate(LOGIN_MEMBERS):
            unit = covered[n % len(covered)]
            self.cards += 1
            member_id = self.office.admit_member(
                self.ctx(), name=name, gender=gender, birth_date=birth, id_number=self._free_id_number(birth, gender),
                union_id=unit.union_id, joined_on=today - timedelta(days=1500 + 700 * n),  # type: ignore[arg-type]
                phone=f"1380024{n + 1:04d}", enterprise_id=unit.enterprise_id, frontline=True,
                card_no=f"HP{self.cards:06d}")
            self.logins[username] = member_id
            self.people.append(_Person(member_id, unit.union_id, unit.enterprise_id, birth, gender,  # type: ignore[arg-type]
                                       status="scripted"))

    def _free_id_number(self, birth: date, gender: str) -> str:
        for seq in range(1 if gender == "M" else 0, 1000, 2):
            first17 = f"{REGION}{birth:%Y%m%d}{seq:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number
        raise ValueError(f"no free ID number for {birth}")

    def move_member3_out(self) -> None:
        """冯丽娟 moves to another union: the slip is issued (received a few days later)."""
        member_id = self.logins["member3"]
        union_id = self.office.repository.get(member_id).union_id
        target = next(u for u in self.unions if u != union_id)
        self.member3_slip = (self._slip(), target)
        self.office.transfer_member_out(self.ctx(), member_id, self.member3_slip[0], to_union_id=target)

    def receive_member3(self) -> None:
        slip, target = self.member3_slip  # type: ignore[misc]
        self.office.receive_member_transfer(self.ctx(), self.logins["member3"], target, slip)

    def retire_member2(self) -> None:
        """郑海波 retires: his membership is retained (保留会籍)."""
        self.office.retain_membership(self.ctx(), self.logins["member2"], "retirement", "办理退休手续")

    def admit_newcomer(self) -> None:
        covered = [u for u in self.units if u.union_id is not None]
        unit = self.rng.choice(covered)
        self._admit(unit, unit.union_id, self.ctx().occurred_on)  # type: ignore[arg-type]

    def _pick(self, status: str = "active", older_than: int | None = None) -> _Person | None:
        today = self.ctx().occurred_on
        pool = [p for p in self.people if p.status == status
                and (older_than is None or today.year - p.birth.year >= older_than)]
        return self.rng.choice(pool) if pool else None

    def _slip(self) -> str:
        self.slips += 1
        return f"和工接〔{self.ctx().occurred_on.year}〕{self.slips:03d}号"

    def transfer_within(self) -> None:
        person = self._pick()
        targets = [u for u in self.unions if person and u != person.union_id]
        if person and targets:
            to_union, slip = self.rng.choice(targets), self._slip()
            self.office.transfer_member_out(self.ctx(), person.member_id, slip, to_union_id=to_union)
            person.status, person.slip = "in_transit", (slip, to_union)

    def transfer_outside(self) -> None:
        person = self._pick()
        if person:
            slip = self._slip()
            self.office.transfer_member_out(self.ctx(), person.member_id, slip,
                                            to_outside=self.rng.choice(("皇姑区", "沈河区", "铁西区")) + "某街道工会")
            person.status, person.slip = "in_transit", (slip, None)

    def receive_transfers(self) -> None:
        waiting = [p for p in self.people if p.status == "in_transit" and p.slip and p.slip[1]]
        for person in waiting[: max(len(waiting) - 3, 0)]:  # a few stay in transit at the year's end
            slip, to_union = person.slip  # type: ignore[misc]
            self.office.receive_member_transfer(self.ctx(), person.member_id, to_union, slip)
            person.status, person.union_id, person.slip = "active", to_union, None

    def complete_outside_transfers(self) -> None:
        for person in [p for p in self.people if p.status == "in_transit" and p.slip and not p.slip[1]][:-1]:
            self.office.complete_outside_transfer(self.ctx(), person.member_id)
            person.status, person.slip = "transferred_away", None

    def retire_someone(self) -> None:
        person = self._pick(older_than=55)
        if person:
            self.office.retain_membership(self.ctx(), person.member_id, "retirement", "办理退休手续")
            person.status = "retained"

    def restore_someone(self) -> None:
        person = self._pick(status="retained")
        if person and self.rng.random() < 0.5:
            self.office.restore_membership(self.ctx(), person.member_id, "退休返聘，恢复会籍")
            person.status = "active"
        elif (person := self._pick()) is not None:
            self.office.retain_membership(self.ctx(), person.member_id, "unemployment", "企业裁员")
            person.status = "retained"

    def withdraw_someone(self) -> None:
        person = self._pick()
        if person:
            self.office.withdraw_member(self.ctx(), person.member_id, card_returned=True, reason="本人申请退会")
            person.status = "withdrawn"

    def record_a_death(self) -> None:
        person = self._pick(status="retained") or self._pick()
        if person:
            self.office.record_member_death(self.ctx(), person.member_id, self.ctx().occurred_on - timedelta(days=3))
            person.status = "deceased"

    def expel_someone(self) -> None:
        person = self._pick()
        if person:
            self.office.expel_member(self.ctx(), person.member_id, "和工委决〔2026〕2号",
                                     "严重违反工会章程，经工会委员会决定")
            person.status = "expelled"

    def reactivate_someone(self) -> None:
        person = self._pick(status="withdrawn")
        if person:
            self.office.reactivate_member(self.ctx(), person.member_id, person.union_id, person.enterprise_id,
                                          "重新就业，本人申请恢复会籍")
            person.status = "active"

    def correct_a_name(self) -> None:
        person = self._pick()
        if person:
            member = self.office.repository.get(person.member_id)
            self.office.correct_member_details(self.ctx(), person.member_id, {"name": member.name + "明"},
                                               "原登记姓名漏字，按身份证更正")

    def rename_a_union(self) -> None:
        union_id = next(u for u, kind in self.unions.items() if kind == "joint")
        name = self.office.repository.get(union_id).name
        self.office.rename_union(self.ctx(), union_id, name.replace("商户", "商圈"), "会员大会决定更名")

    def reelect_a_committee(self) -> None:
        union_id = next(iter(self.unions))
        self.office.elect_union_committee(self.ctx(), union_id, self.ctx().occurred_on, 5,
                                          ["union_committee", "fund_review_committee", "women_committee"])

    def close_a_unit(self) -> None:
        unit = next((u for u in self.units if u.union_id is None), None)
        if unit:
            self.office.close_enterprise(self.ctx(), unit.enterprise_id, "营业执照注销")
            self.units.remove(unit)

    def report_headcounts(self) -> None:
        for unit in self.units[:: 5]:
            unit.workers = max(unit.workers + self.rng.randrange(-2, 4), 1)
            self.office.report_headcount(self.ctx(), unit.enterprise_id, self.ctx().occurred_on, unit.workers,
                                         self.rng.randrange(0, unit.workers + 1))

    def found_a_new_union(self) -> None:
        unit = next((u for u in self.units if u.union_id is None and u.workers >= 25), None)
        if unit is None:
            unit = next((u for u in self.units if u.union_id is None), None)
            if unit is None:
                return
            self._found(f"{unit.community}第二联合工会", "joint", [unit])
        else:
            self._found(self.office.repository.get(unit.enterprise_id).name + "工会", "enterprise", [unit])
        for _ in range(max(round(unit.workers * 0.8), 1)):
            self._admit(unit, unit.union_id, self.ctx().occurred_on)  # type: ignore[arg-type]

    def hold_activities(self) -> None:
        """Most unions hold an activity each half-year (§2.3); a few do not and are flagged."""
        titles = ("职工健步走", "迎新春联欢会", "安全生产知识竞赛", "读书分享会", "送清凉慰问", "职工篮球赛")
        for union_id in self.unions:
            if self.rng.random() < 0.85:
                self.office.record_union_activity(self.ctx(), union_id, held_on=self.ctx().occurred_on,
                                                  title=self.rng.choice(titles),
                                                  participants=self.rng.randrange(10, 80))

    def set_quotas(self) -> None:
        """ORG-06: the higher union's yearly quotas, by community."""
        for community in COMMUNITIES[: SCALES[self.scale][1]]:
            self.office.set_community_quota(self.ctx(), year=self.ctx().occurred_on.year, community=community,
                                            new_unions=1, new_members=self.rng.choice((20, 30, 40)),
                                            reason="区总工会年度建会任务分解")

    def approve_elections(self) -> None:
        """ORG-02: the higher union approves the founding elections (one is still pending)."""
        for n, union_id in enumerate(list(self.unions)[:-1]):
            ref = f"和总工批〔{self.ctx().occurred_on.year}〕{n + 1}号"
            self.office.approve_union_election(self.ctx(), union_id, ref)

    def form_groups(self) -> None:
        """ORG-10: the larger unions form groups whose members choose their leaders."""
        for union_id, kind in self.unions.items():
            members = [p for p in self.people if p.union_id == union_id and p.status == "active"]
            if kind == "enterprise" or len(members) < 40:
                continue
            for n in range(3):
                name = f"第{'一二三'[n]}小组"
                self.office.form_union_group(self.ctx(), union_id, name)
                self.office.elect_group_leader(self.ctx(), union_id, name, members[3 + n].member_id,
                                               electors=len(members) // 3 - self.rng.randrange(3))

    def file_group_leaders(self) -> None:
        for union_id, kind in self.unions.items():
            if kind == "enterprise":
                continue
            for group in ("第一小组", "第二小组"):
                union = self.office.repository.get(union_id)
                if union.groups.get(group):
                    self.office.file_group_leader(self.ctx(), union_id, group, self.ctx().occurred_on)

    def draw_grid(self) -> None:
        """ORG-11: each community's union work is divided into grid cells."""
        communities = COMMUNITIES[: SCALES[self.scale][1]]
        for community in communities:
            for n in range(2):
                leader = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN) + self.rng.choice(GIVEN)
                workers = [self.rng.choice(SURNAMES) + self.rng.choice(GIVEN) for _ in range(3)]
                self.office.assign_grid_cell(
                    self.ctx(), community=community, name=f"第{n + 1}网格", leader=leader, workers=workers,
                    duties="走访辖区企业，掌握职工和建会情况，宣传入会，反映职工诉求")

    def assess_unions(self) -> None:
        """ORG-08: the year's 六有 and 规范化 assessments of every union."""
        year = self.ctx().occurred_on.year
        for standard in ("six_haves", "standardised"):
            items = list(STANDARDS[standard][1])
            for union_id in self.unions:
                met = [i for i in items if self.rng.random() < 0.92]
                self.office.assess_union_compliance(self.ctx(), union_id, year, standard, met)

    def file_worker_lists(self) -> None:
        """ORG-04: community unions collect the worker lists of small private units, members or not."""
        for unit in [u for u in self.units if u.workers <= 80][::6]:
            members = [self.office.repository.get(p.member_id).name for p in self.people
                       if p.enterprise_id == unit.enterprise_id and p.status == "active"]
            others = [self.rng.choice(SURNAMES) + self.rng.choice(GIVEN) for _ in range(unit.workers - len(members))]
            if members or others:
                self.office.file_worker_list(self.ctx(), unit.enterprise_id, self.ctx().occurred_on,
                                             "\n".join(members + others))

    def report_payrolls(self) -> None:
        """Covered units report last month's payroll (the base of the 2% levy)."""
        today = self.ctx().occurred_on
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        for unit in self.units:
            if unit.union_id is not None:
                wage = Decimal(self.rng.randrange(4200, 9800))
                self.office.report_payroll(self.ctx(), unit.enterprise_id, year, month, wage * unit.workers)

    def issue_cards(self) -> None:
        for person in [p for p in self.people if p.status == "active"][:: 40]:
            if self.office.repository.get(person.member_id).card_no is None:
                self.cards += 1
                self.office.issue_membership_card(self.ctx(), person.member_id, f"HP{self.cards:06d}")
