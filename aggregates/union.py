"""A grassroots union (基层工会) of the subdistrict: founded with the approval of the body its
headcount calls for, renamed, its committee re-elected for a term, its office-holders
appointed and vacated, dissolved."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from aggregates.enterprise import checked_text
from aggregates.envelope import Context, EventRef, OfficeAggregate
from aggregates.errors import InvalidInput

KINDS = {
    "enterprise": "企业（单位）工会",
    "joint": "联合基层工会",
    "community": "社区工会联合会",
    "building": "楼宇工会联合会",
    "industry": "行业工会联合会",
    "regional": "区域工会联合会",
    "office_staff": "机关事业单位工会",
    "community_general": "社区总工会",
}
# §5.8 / [001 篇10]: a community union federation may be upgraded to a community general union.
UPGRADES = {"community": "community_general"}
# ORG-01 / Q14: who approves a new union, by the workforce it will cover.
APPROVERS = {"community": "社区工会", "street": "街道（镇）工会", "district": "区（县）总工会"}
POSTS = {
    "chair": "主席",
    "vice_chair": "副主席",
    "committee_member": "委员",
    "fund_review_chair": "经审会主任",
    "fund_review_member": "经审会委员",
    "women_committee_chair": "女职工委员会主任",
    "women_group_leader": "女职工小组组长",
    "women_member": "女职工委员",
}
# §2.3: organs formed together at each election (同步组建), one women's organ among them; which
# one a union needs follows from its women members (see women_organ_needed).
ORGANS = {
    "union_committee": "工会委员会",
    "fund_review_committee": "经费审查委员会",
    "women_committee": "女职工委员会",
    "women_group": "女职工小组",
    "women_member": "女职工委员",
}
WOMEN_ORGANS = ("women_committee", "women_group", "women_member")  # strongest first
# The post whose holder shows a women's organ is in place.
WOMEN_ORGAN_POSTS = {"women_committee": "women_committee_chair", "women_group": "women_group_leader",
                     "women_member": "women_member"}
# ORG-08 and §2.3: the checklists a union is assessed against each year.
STANDARDS: dict[str, tuple[str, dict[str, str]]] = {
    "three_haves": ("三有", {"organisation": "有组织", "activities": "有活动", "contact": "有联系"}),
    "six_haves": ("六有", {
        "premises": "有开展工作的场所设施", "elected_chair": "有依法选举的工会主席", "organs": "有独立健全的组织机构",
        "activities": "有服务职工的活动载体", "rules": "有效能完善的制度机制", "performance": "有会员满意的工作绩效"}),
    "eight_haves": ("八有", {
        "sign": "有牌子", "approval": "有批复", "seal": "有印章", "funds": "有经费", "premises": "有场所",
        "rules": "有制度", "activities": "有活动", "archives": "有档案"}),
    # 规范化建设 (ORG-08's 80%): the five aspects of seed 001's 社区联合工会规范化建设 and its five archives.
    "standardised": ("规范化", {
        "founding": "规范组建标准", "facilities": "完善服务设施", "duties": "明确工作职责",
        "mechanisms": "健全运行机制", "cadres": "加强队伍建设",
        "archives": "档案规范（会议纪要、文件、组织、活动、机制建设五个档案）"}),
}
SINGLE_HOLDER = frozenset({"chair", "fund_review_chair", "women_committee_chair", "women_group_leader"})
# §2.3 owner exclusion: 民营企业主及其近亲属不能担任工会主席和经审委员会主任及经审委员.
OWNER_EXCLUDED = frozenset({"chair", "fund_review_chair", "fund_review_member"})


def women_organ_needed(women: int, committee_min: int | None, group_min: int | None) -> str | None:
    """§2.3 / Q3: the women's organ a union with `women` women members needs. `committee_min` women or
    more: a women's committee. When `group_min` is configured (seed 篇八: 50 → committee, 3–49 → group),
    `group_min` up to the committee threshold: a women's group (女职工小组). Any other union with women:
    a women's committee member (Q3). None when no women's organ is needed or no threshold is set."""
    if committee_min is None or women <= 0:
        return None
    if women >= committee_min:
        return "women_committee"
    if group_min is not None and women >= group_min:
        return "women_group"
    return "women_member"


def women_organ_met(needed: str | None, posts: set[str]) -> bool:
    """Whether the union's current posts show the needed women's organ (or a stronger one) in place."""
    if needed is None:
        return True
    stronger = WOMEN_ORGANS[:WOMEN_ORGANS.index(needed) + 1]
    return any(WOMEN_ORGAN_POSTS[organ] in posts for organ in stronger)


def approving_level(workers: int, community_max: int, street_max: int) -> str:
    """ORG-01 / Q14: ≤ community_max → community union; ≤ street_max → street; above → district."""
    if workers <= community_max:
        return "community"
    if workers <= street_max:
        return "street"
    return "district"


class Union(OfficeAggregate):
    """One grassroots union."""

    class Founded(OfficeAggregate.Created):
        name: str
        kind: str
        parent_id: UUID | None
        workers: int
        approver: str
        approval_ref: str
        term_years: int

        def apply(self, aggregate: Union) -> None:
            aggregate.name = self.name
            aggregate.kind = self.kind
            aggregate.parent_id = self.parent_id
            aggregate.term_end = add_years(self.occurred_on, self.term_years)
            aggregate.holders: dict[str, list[UUID]] = {}
            aggregate.dissolved = False
            aggregate.established = False
            aggregate.groups: dict[str, UUID | None] = {}

    class Renamed(OfficeAggregate.Event):
        name: str

        def apply(self, aggregate: Union) -> None:
            aggregate.name = self.name

    class CommitteeElected(OfficeAggregate.Event):
        term_start: date
        term_years: int
        organs: list[str]

        def apply(self, aggregate: Union) -> None:
            aggregate.term_end = add_years(self.term_start, self.term_years)

    class OfficeHolderAppointed(OfficeAggregate.Event):
        post: str
        member_id: UUID

        def apply(self, aggregate: Union) -> None:
            aggregate.holders.setdefault(self.post, []).append(self.member_id)

    class OfficeHolderVacated(OfficeAggregate.Event):
        post: str
        member_id: UUID

        def apply(self, aggregate: Union) -> None:
            aggregate.holders[self.post].remove(self.member_id)

    class Dissolved(OfficeAggregate.Event):
        def apply(self, aggregate: Union) -> None:
            aggregate.dissolved = True

    class TransferredAway(OfficeAggregate.Event):
        """转出: the union now belongs to a body outside the subdistrict; its members went with it."""

        to_body: str
        members: int

        def apply(self, aggregate: Union) -> None:
            aggregate.dissolved = True  # closed to the office's commands, like a dissolved union

    class LegalPersonRegistered(OfficeAggregate.Event):
        """§2.3: the union's legal-person status registered, or its certificate changed (法人资格登记、变更)."""

        certificate_no: str

        def apply(self, aggregate: Union) -> None:
            aggregate.certificate_no = self.certificate_no

    class Upgraded(OfficeAggregate.Event):
        """升格, e.g. a community union federation becomes a community general union."""

        from_kind: str
        to_kind: str

        def apply(self, aggregate: Union) -> None:
            aggregate.kind = self.to_kind

    class ElectionResultApproved(OfficeAggregate.Event):
        """ORG-02 step 8: the higher union approved the founding election; the union is established."""

        approval_ref: str

        def apply(self, aggregate: Union) -> None:
            aggregate.established = True

    class GroupFormed(OfficeAggregate.Event):
        group: str

        def apply(self, aggregate: Union) -> None:
            aggregate.groups[self.group] = None

    class GroupLeaderElected(OfficeAggregate.Event):
        """ORG-10: a union group's leader, chosen by all the group's members."""

        group: str
        member_id: UUID
        electors: int

        def apply(self, aggregate: Union) -> None:
            aggregate.groups[self.group] = self.member_id

    class GroupLeaderFiled(OfficeAggregate.Event):
        """ORG-10: the leader was filed with the higher union (报上级工会备案)."""

        group: str
        filed_on: date

    class ActivityHeld(OfficeAggregate.Event):
        """A union activity (§2.3: a union of 25 or more workers holds at least one every half-year)."""

        held_on: date
        title: str
        participants: int

    class ComplianceAssessed(OfficeAggregate.Event):
        year: int
        standard: str
        checklist: dict[str, bool]

        def apply(self, aggregate: Union) -> None:
            assessed = getattr(aggregate, "assessed", {})
            assessed[f"{self.year}:{self.standard}"] = self.originator_version
            aggregate.assessed = assessed

    @classmethod
    def found(
        cls, ctx: Context, *, union_id: UUID, name: str, kind: str, parent_id: UUID | None, workers: int,
        approver: str, approval_ref: str, term_years: int, bands: tuple[int, int],
    ) -> Union:
        """Found a union approved by the body its workforce calls for (ORG-01, ORG-02)."""
        if kind not in KINDS:
            raise InvalidInput("请选择工会类型", field="kind")
        if not 1 <= workers <= 1_000_000:
            raise InvalidInput("请填写建会时覆盖的职工人数", field="workers")
        expected = approving_level(workers, *bands)
        if approver != expected:
            community, street = bands
            raise InvalidInput(
                "职工%(w)s人的单位建会应由%(body)s审批（%(c)s人以下由社区工会、%(c1)s—%(s)s人由街道（镇）工会、"
                "%(s1)s人以上由区（县）总工会审批）",
                field="approver", w=workers, body=APPROVERS[expected], c=community, c1=community + 1, s=street,
                s1=street + 1)
        if term_years not in (3, 5):
            raise InvalidInput("任期应为三年或五年", field="term_years")
        return cls._found(
            cls.Founded, ctx, id=union_id, name=checked_text(name, "name", "工会名称", 60), kind=kind,
            parent_id=parent_id, workers=workers, approver=approver,
            approval_ref=checked_text(approval_ref, "approval_ref", "批复文号", 40), term_years=term_years,
        )

    def check_open(self) -> None:
        """Refuse to act on a dissolved union."""
        if self.dissolved:
            raise InvalidInput("该工会已注销", field="union_id")

    def rename(self, ctx: Context, name: str, reason: str) -> None:
        """Record the union's new name (更名)."""
        self.check_open()
        name = checked_text(name, "name", "工会名称", 60)
        if name == self.name:
            raise InvalidInput("新名称与现名称相同", field="name")
        self._record(self.Renamed, ctx, reason=checked_text(reason, "reason", "理由", 200), name=name)

    def elect_committee(self, ctx: Context, term_start: date, term_years: int, organs: list[str]) -> None:
        """Record a re-election (换届) and the new term (GOV-06), with the organs formed at the same
        time: the committee, the fund review committee and the women's organ (§2.3)."""
        self.check_open()
        organs = [o for o in ORGANS if o in organs]
        women = set(WOMEN_ORGANS) & set(organs)
        if not {"union_committee", "fund_review_committee"} <= set(organs) or len(women) != 1:
            raise InvalidInput(
                "换届须同步组建工会委员会、经费审查委员会和一个女职工组织（女职工委员会、女职工小组或女职工委员）",
                field="organs")
        if term_years not in (3, 5):
            raise InvalidInput("任期应为三年或五年", field="term_years")
        if term_start > ctx.occurred_on:
            raise InvalidInput("换届日期不能晚于今天", field="term_start")
        self._record(self.CommitteeElected, ctx, term_start=term_start, term_years=term_years, organs=organs)

    def appoint(self, ctx: Context, post: str, member_id: UUID, *, owner_or_relative: bool) -> None:
        """Record an office-holder; the owner and close relatives may not hold OWNER_EXCLUDED posts."""
        self.check_open()
        if post not in POSTS:
            raise InvalidInput("请选择职务", field="post")
        if owner_or_relative and post in OWNER_EXCLUDED:
            raise InvalidInput("民营企业主及其近亲属不能担任工会主席、经审会主任或经审会委员", field="post")
        if post in SINGLE_HOLDER and self.holders.get(post):
            raise InvalidInput("该职务已有人担任，请先办理离任", field="post")
        if member_id in self.holders.get(post, []):
            raise InvalidInput("此人已担任该职务", field="post")
        self._record(self.OfficeHolderAppointed, ctx, post=post, member_id=member_id)

    def vacate(self, ctx: Context, post: str, member_id: UUID, reason: str) -> None:
        """Record that an office-holder left the post."""
        if member_id not in self.holders.get(post, []):
            raise InvalidInput("此人没有担任该职务", field="post")
        self._record(self.OfficeHolderVacated, ctx, reason=checked_text(reason, "reason", "理由", 200),
                     post=post, member_id=member_id)

    def register_legal_person(self, ctx: Context, certificate_no: str) -> None:
        """Record the legal-person certificate (first registration or a change)."""
        self.check_open()
        number = checked_text(certificate_no, "certificate_no", "法人资格证书编号", 40)
        if number == getattr(self, "certificate_no", None):
            raise InvalidInput("证书编号没有变化", field="certificate_no")
        self._record(self.LegalPersonRegistered, ctx, certificate_no=number)

    def upgrade(self, ctx: Context, reason: str) -> None:
        """Record the union's upgrade (升格) to the kind above its own."""
        self.check_open()
        if self.kind not in UPGRADES:
            raise InvalidInput("此类工会不能升格", field="kind")
        self._record(self.Upgraded, ctx, reason=checked_text(reason, "reason", "理由", 200), from_kind=self.kind,
                     to_kind=UPGRADES[self.kind])

    def approve_election(self, ctx: Context, approval_ref: str) -> None:
        """Record the higher union's approval of the founding election (ORG-02 step 8)."""
        self.check_open()
        if self.established:
            raise InvalidInput("该工会的选举结果已经批准", field="approval_ref")
        self._record(self.ElectionResultApproved, ctx,
                     approval_ref=checked_text(approval_ref, "approval_ref", "批复文号", 40))

    def form_group(self, ctx: Context, group: str) -> None:
        """Record a union group (工会小组) of this union."""
        self.check_open()
        group = checked_text(group, "group", "小组名称", 30)
        if group in self.groups:
            raise InvalidInput("已有同名的工会小组", field="group")
        self._record(self.GroupFormed, ctx, group=group)

    def elect_group_leader(self, ctx: Context, group: str, member_id: UUID, electors: int) -> None:
        """ORG-10: the group's members choose its leader (a member of this union)."""
        self.check_open()
        if group not in self.groups:
            raise InvalidInput("没有这个工会小组", field="group")
        if not 1 <= electors <= 10_000:
            raise InvalidInput("请填写参加推选的小组会员人数", field="electors")
        self._record(self.GroupLeaderElected, ctx, group=group, member_id=member_id, electors=electors)

    def file_group_leader(self, ctx: Context, group: str, filed_on: date) -> None:
        """ORG-10: record that the leader was filed with the higher union."""
        if self.groups.get(group) is None:
            raise InvalidInput("该小组尚未推选组长", field="group")
        if filed_on > ctx.occurred_on:
            raise InvalidInput("备案日期不能晚于今天", field="filed_on")
        self._record(self.GroupLeaderFiled, ctx, group=group, filed_on=filed_on)

    def hold_activity(self, ctx: Context, held_on: date, title: str, participants: int) -> None:
        """Record an activity the union held."""
        self.check_open()
        if held_on > ctx.occurred_on:
            raise InvalidInput("活动日期不能晚于今天", field="held_on")
        if not 1 <= participants <= 100_000:
            raise InvalidInput("请填写参加人数", field="participants")
        self._record(self.ActivityHeld, ctx, held_on=held_on, title=checked_text(title, "title", "活动名称", 60),
                     participants=participants)

    def assess(self, ctx: Context, year: int, standard: str, met: list[str]) -> None:
        """Record the year's assessment against a checklist (ORG-08); a later one for the same
        year and standard corrects the earlier."""
        self.check_open()
        if standard not in STANDARDS:
            raise InvalidInput("请选择评定标准", field="standard")
        if not 2000 <= year <= ctx.occurred_on.year:
            raise InvalidInput("评定年度无效", field="year")
        items = STANDARDS[standard][1]
        if set(met) - set(items):
            raise InvalidInput("评定项目无效", field="met")
        earlier = getattr(self, "assessed", {}).get(f"{year}:{standard}")
        self._record(self.ComplianceAssessed, ctx, corrects=EventRef(self.id, earlier) if earlier else None,
                     year=year, standard=standard, checklist={item: item in met for item in items})

    def transfer_away(self, ctx: Context, to_body: str, reason: str, members: int) -> None:
        """Record that the union moved to a body outside the subdistrict, with `members` members."""
        self.check_open()
        self._record(self.TransferredAway, ctx, reason=checked_text(reason, "reason", "理由", 200),
                     to_body=checked_text(to_body, "to_body", "接收的上级工会", 60), members=members)

    def dissolve(self, ctx: Context, reason: str) -> None:
        """Record that the union was deregistered (注销)."""
        self.check_open()
        self._record(self.Dissolved, ctx, reason=checked_text(reason, "reason", "理由", 200))


def add_years(day: date, years: int) -> date:
    """The same date `years` later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
