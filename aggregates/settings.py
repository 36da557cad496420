"""The office's settings: every configurable value of the rulebook, set over time.

Each value is set with an effective date and a reason; a lookup answers "the value in
force on date D", so a replay judges each past action by the value in force on its
date. A value never set falls back to its default when a law or a decision gives one
(with its source), otherwise it is 未配置 and an action that needs it is refused with
a message naming the setting. Keys are stored in events: never rename one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from eventsourcing.persistence import Transcoding

from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput, SettingMissing

Value = Decimal | int | str


class Kind(Enum):
    """How a setting's value is written, checked and shown."""

    MONEY = "money"  # Decimal yuan, to the fen
    RATIO = "ratio"  # Decimal fraction 0..1, entered and shown as a percentage
    FRACTION = "fraction"  # exact "n/d", for two thirds and one fifth
    MULTIPLE = "multiple"  # Decimal factor, shown as "1.5 倍"
    COUNT = "count"  # whole number
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"
    CHOICE = "choice"
    TEXT = "text"


UNITS = {
    Kind.MONEY: "元",
    Kind.RATIO: "%",
    Kind.MULTIPLE: "倍",
    Kind.COUNT: "",
    Kind.DAYS: "天",
    Kind.MONTHS: "个月",
    Kind.YEARS: "年",
}


@dataclass(frozen=True)
class Spec:
    """One configurable value: what it means, its rules, and its default or hint."""

    key: str
    group: str
    label: str
    kind: Kind
    rules: tuple[str, ...]
    default: Value | None = None
    source: str = ""  # where the default comes from, or where the value is asked for
    hint: str = ""  # shown beside 未配置
    choices: tuple[tuple[str, str], ...] = ()
    maximum: int | None = None


def _s(key: str, group: str, label: str, kind: Kind, rules: str, **kw: Any) -> Spec:
    return Spec(key, group, label, kind, tuple(rules.split()), **kw)


_FIN, _FND, _ORG, _GOV = "财务", "经费与会费", "组织与会员", "会议"
_CON, _HRD, _STU = "代表大会", "困难帮扶", "学习培训"
# The sign-in settings come from the national standard for information security (its source is named), not
# from the office's rulebook: they cite no rule ID.
_SIGN_IN = "登录与会话"
_CASH_LAW = "《现金管理暂行条例》"

CATALOGUE: tuple[Spec, ...] = (
    # Finance (财务管理制度, seed 000)
    _s("cash_on_hand_limit", _FIN, "库存现金限额", Kind.MONEY, "FIN-02",
       source="财务管理制度第二条「库存现金不得超过核定限额」",
       hint=f"由开户银行按3～5天日常零星开支核定（{_CASH_LAW}）"),
    _s("bank_transfer_threshold", _FIN, "银行转账支付标准", Kind.MONEY, "FIN-06",
       source="财务管理制度第二条「达到银行转账支付标准的一律从银行转账」",
       hint=f"{_CASH_LAW}规定的结算起点为1,000元"),
    _s("small_item_unit_price_limit", _FIN, "零星物品单价限额", Kind.MONEY, "FIN-13",
       source="财务管理制度第四条「单价在XX元以下」"),
    _s("small_item_total_limit", _FIN, "零星物品总额限额", Kind.MONEY, "FIN-13",
       source="财务管理制度第四条「总额在XX元以内」"),
    _s("reception_meal_standard", _FIN, "接待用餐标准（每人）", Kind.MONEY, "FIN-14",
       source="财务管理制度第五条「按规定标准开具用餐通知单」"),
    _s("chair_claims_approver", _FIN, "主席本人报销和借款的受托审批人（副主席用户名）", Kind.TEXT, "FIN-01",
       source="决定Q7：主席本人的报销和借款由主席委托的副主席审批，并报常委会",
       hint="填写受托副主席在本系统的用户名"),
    _s("voucher_review", _FIN, "记账凭证审核人", Kind.CHOICE, "FIN-16",
       default="anyone", source="《会计基础工作规范》：记账凭证由制单以外的人员审核；只有一名会计的单位可由其本人审核",
       choices=(("anyone", "会计均可审核（含制单人本人）"), ("another", "须由制单人以外的会计审核"))),
    _s("admin_holds_duties", _FIN, "系统管理员兼任业务角色", Kind.CHOICE, "FIN-01",
       default="separate",
       source="不相容职务分离：管理账号和角色的人不兼任主席、会计、出纳、经审会；只有一两名工作人员的单位可放宽",
       choices=(("separate", "不得兼任"), ("listed", "可以兼任，其以业务角色办理的事项列入经审会审查清单"))),
    _s("advance_overdue_rate", _FIN, "借款逾期利率（年利率）", Kind.RATIO, "FIN-10",
       source="财务管理制度第三条「逾期按银行贷款利率计收」", hint="按银行贷款利率设定"),
    _s("advance_salary_deduction_after", _FIN, "借款久欠不还转工资扣款期限", Kind.DAYS, "FIN-11",
       source="财务管理制度第三条「对久欠不还者从其工资收入中扣除」", maximum=3650),
    # Union funds and dues
    _s("fund_levy_rate_of_payroll", _FND, "工会经费拨缴比例（占工资总额）", Kind.RATIO, "FND-01",
       default=Decimal("0.02"), source="《工会法》第四十三条：按全部职工工资总额的百分之二拨缴"),
    _s("membership_dues_rate", _FND, "会费比例（占本人月标准工资）", Kind.RATIO, "FND-09",
       default=Decimal("0.005"), source="全总会费收缴规定：按本人每月工资收入的0.5%交纳，奖金津贴不计"),
    _s("membership_dues_base_unit", _FND, "会费计算基数取整单位", Kind.MONEY, "FND-09",
       default=Decimal("10.00"), source="全总会费收缴规定：工资收入不足10元的部分不计交会费"),
    _s("upward_remittance_rate", _FND, "经费上解比例", Kind.RATIO, "FND-02 FND-03",
       source="工作制度（八）「有条件时，再按比例上解」", hint="第10篇总结示例为20%"),
    _s("remittance_routing_headcount", _FND, "上解对象划分人数（以上上解区总工会）", Kind.COUNT, "FND-03",
       default=25, source="第10篇总结：25人以上企业工会上缴区总，25人以下上解街道总工会"),
    _s("fund_collection_period", _FND, "工会经费收缴周期", Kind.CHOICE, "FND-04",
       default="half_yearly", source="第10篇总结：1月份收缴上年7-12月经费",
       choices=(("monthly", "按月"), ("quarterly", "按季"), ("half_yearly", "按半年"))),
    _s("fund_disclosure_months", _FND, "会费与经费使用公布周期", Kind.MONTHS, "FIN-18",
       default=6, source="第七篇计划「每半年公布一次」", maximum=12),
    # Organisation and membership
    _s("standalone_union_min_headcount", _ORG, "单独建会职工人数", Kind.COUNT, "ORG-01",
       default=25, source="篇十一「25人以上的法人单位全部单独组建工会」"),
    _s("founding_community_max_headcount", _ORG, "社区工会审批建会人数上限（含）", Kind.COUNT, "ORG-01 ORG-02",
       default=7, source="篇九「7人以下(含7人)的由社区工会审批」；决定Q14"),
    _s("founding_street_max_headcount", _ORG, "街道（镇）工会审批建会人数上限（含）", Kind.COUNT, "ORG-01 ORG-02",
       default=50, source="篇九「8—50人的由城关镇工会审批」；决定Q14：50人归街道"),
    _s("women_committee_min_women", _ORG, "设立女职工委员会的女职工人数", Kind.COUNT, "ORG-01",
       default=10, source="篇九「女职工10人以上的应建立工会女职工委员会」；决定Q3"),
    _s("women_group_min_women", _ORG, "设立女职工小组的女职工人数", Kind.COUNT, "ORG-01",
       source="篇八：女职工50人以上建女职工委员会，3—49人建女职工小组（与篇九冲突，决定Q3采用篇九）",
       hint="采用篇八口径时设为3，并把“设立女职工委员会的女职工人数”设为50；未配置时人数不足的工会设女职工委员"),
    _s("membership_rate_target", _ORG, "职工入会率目标", Kind.RATIO, "MEM-01",
       default=Decimal("0.95"), source="六好考核标准2.3「职工入会率95%以上」；决定Q2"),
    _s("union_coverage_target", _ORG, "企业建会率目标", Kind.RATIO, "ORG-07",
       default=Decimal("1"), source="六好考核标准2.3「企业工会组建率100%」"),
    _s("six_haves_target", _ORG, "“六有”达标率目标", Kind.RATIO, "ORG-08",
       default=Decimal("0.6"), source="篇十一「实现率要力争达到60%以上」"),
    _s("annual_new_unions_quota", _ORG, "年度新建工会指标", Kind.COUNT, "ORG-06",
       source="篇十一「市总工会给我县下达的建会任务是新增工会组织50个」", hint="按上级工会下达的年度任务设定"),
    _s("annual_new_members_quota", _ORG, "年度发展会员指标", Kind.COUNT, "ORG-06",
       source="篇十一「发展新会员380名」", hint="按上级工会下达的年度任务设定"),
    _s("six_haves_community_target", _ORG, "社区（街道）工会“六有”达标率目标", Kind.RATIO, "ORG-08",
       default=Decimal("0.7"), source="篇十一「其中乡镇(街道)工会和社区工会合格率力争达到70%以上」"),
    _s("standardisation_target", _ORG, "基层工会规范化建设达标率目标", Kind.RATIO, "ORG-08",
       default=Decimal("0.8"), source="篇九「力争年底前确保80%的基层工会规范化建设达标」"),
    _s("dues_lapse_followup_months", _ORG, "连续未缴会费列入跟进的月数", Kind.MONTHS, "MEM-08",
       default=6, source="决定Q11：六个月未缴会费列入跟进，退会须另行决定", maximum=36),
    _s("union_committee_term_years", _ORG, "工会委员会任期", Kind.CHOICE, "GOV-06",
       default="5", source="决定Q10：工会章程规定每届三年或五年",
       choices=(("3", "三年"), ("5", "五年"))),
    _s("reelection_reminder_days", _ORG, "换届提前提醒天数", Kind.DAYS, "GOV-06",
       default=90, source="决定Q10", maximum=365),
    # Meetings
    _s("full_committee_min_per_year", _GOV, "全委会每年至少召开次数", Kind.COUNT, "GOV-02",
       default=2, source="六好考核标准2.5「每半年至少召开一次全体委员会会议」；决定Q1", maximum=12),
    _s("standing_committee_min_per_quarter", _GOV, "常委会每季度至少召开次数", Kind.COUNT, "GOV-03",
       default=1, source="会议制度二「原则上每个季度召开一次」", maximum=12),
    _s("chairs_meeting_min_per_year", _GOV, "基层工会主席会议每年至少次数", Kind.COUNT, "GOV-04",
       default=1, source="六好考核标准2.5", maximum=12),
    _s("committee_quorum", _GOV, "委员会会议到会比例（不低于）", Kind.FRACTION, "GOV-01",
       default="2/3", source="决定Q15：委员会会议须有三分之二委员到会"),
    _s("committee_decision_share", _GOV, "委员会决定所需赞成票（超过全体委员的）", Kind.FRACTION, "GOV-01",
       default="1/2", source="决定Q15：决定须经全体委员过半数通过"),
    # Congress and delegates
    _s("congress_kind", _CON, "街道召开的大会类型", Kind.CHOICE, "CON-01",
       default="members_congress", source="决定Q16",
       choices=(("members_congress", "会员代表大会"), ("workers_congress", "职工代表大会"))),
    _s("congress_min_per_year", _CON, "大会每年至少召开次数", Kind.COUNT, "CON-01",
       default=1, source="职代会制度3「每年至少召开一次」", maximum=12),
    _s("delegate_share_min", _CON, "职工代表占职工总数比例（下限）", Kind.RATIO, "DEL-02",
       default=Decimal("0.03"), source="实施细则第九条「3——5」按百分比理解；决定Q4"),
    _s("delegate_share_max", _CON, "职工代表占职工总数比例（上限）", Kind.RATIO, "DEL-02",
       default=Decimal("0.05"), source="实施细则第九条；决定Q4"),
    _s("members_congress_min_delegates", _CON, "会员代表大会代表最少人数", Kind.COUNT, "DEL-02",
       default=30, source="决定Q4"),
    _s("youth_share_min", _CON, "青年职工代表最低比例", Kind.RATIO, "DEL-02",
       source="实施细则第九条「也应占一定比例」", hint="仅在设置后提示"),
    _s("women_share_min", _CON, "女职工代表最低比例", Kind.RATIO, "DEL-02",
       source="实施细则第九条「也应占一定比例」", hint="仅在设置后提示"),
    _s("election_majority_rule", _CON, "“半数以上”的计算方法", Kind.CHOICE, "DEL-05 CON-02",
       default="more_than_half", source="决定Q5：《工会基层组织选举工作条例》「超过半数」",
       choices=(("more_than_half", "超过半数"), ("half_or_more", "半数及以上（含半数）"))),
    _s("delegate_term_years", _CON, "代表任期", Kind.YEARS, "DEL-08",
       default=2, source="实施细则第十一条「每两年改选一次」", maximum=10),
    _s("observer_max_share", _CON, "列席和特邀代表占代表总数上限", Kind.FRACTION, "DEL-12",
       default="1/5", source="实施细则第十三条「一般不得超过代表总数的五分之一」"),
    _s("presidium_worker_min_share", _CON, "主席团中工人须超过的比例", Kind.FRACTION, "PRE-02",
       default="1/2", source="实施细则第十八条「工人应超过半数」"),
    _s("special_committee_min_size", _CON, "专门委员会最少人数", Kind.COUNT, "SPC-03",
       default=9, source="实施细则第二十条「一般由九至十一人组成」"),
    _s("special_committee_max_size", _CON, "专门委员会最多人数", Kind.COUNT, "SPC-03",
       default=11, source="实施细则第二十条"),
    _s("proposal_answer_months", _CON, "提案答复期限", Kind.MONTHS, "PRP-06",
       default=3, source="决定Q13", maximum=12),
    _s("evaluation_min_participation", _CON, "会员评家参加人数比例（不低于）", Kind.RATIO, "EVAL-02",
       default=Decimal("0.3"), source="会员评家制度3「一般不得少于…30%」"),
    _s("evaluation_frontline_min", _CON, "会员评家一线会员比例（占参加人数）", Kind.RATIO, "EVAL-03",
       default=Decimal("0.6"), source="会员评家制度3「一般不得低于…60%」；决定Q6"),
    _s("negotiation_team_min", _CON, "平等协商每方最少人数", Kind.COUNT, "CB-02",
       default=3, source="平等协商制度二「由3—5人组成」"),
    _s("negotiation_team_max", _CON, "平等协商每方最多人数", Kind.COUNT, "CB-02",
       default=5, source="平等协商制度二"),
    _s("collective_contract_copies", _CON, "集体合同文本份数", Kind.COUNT, "CB-04",
       default=5, source="平等协商制度四「集体合同书一式五份」"),
    # Hardship assistance
    _s("subsistence_line", _HRD, "当地城市低保标准（月人均）", Kind.MONEY, "HRD-03",
       source="篇四（各市不同）", hint="按本市现行低保标准设定；篇四示例约为780元"),
    _s("hardship_multiplier_general", _HRD, "困难职工收入线倍数（一般）", Kind.MULTIPLE, "HRD-03",
       default=Decimal("1.5"), source="篇四「低于当地低保标准150%」；决定Q17"),
    _s("hardship_multiplier_special", _HRD, "困难职工收入线倍数（特殊原因）", Kind.MULTIPLE, "HRD-03",
       default=Decimal("2"), source="篇四「200%」；决定Q17"),
    _s("hardship_multiplier_illness", _HRD, "困难职工收入线倍数（大病）", Kind.MULTIPLE, "HRD-03",
       default=Decimal("3"), source="篇四「3倍」；决定Q17"),
    _s("hardship_loss_line", _HRD, "重大损失或自付医疗费认定线", Kind.MONEY, "HRD-03",
       default=Decimal("20000.00"), source="篇四「2万元以上」；决定Q17"),
    _s("default_household_size", _HRD, "家庭人口默认人数", Kind.COUNT, "HRD-04",
       default=3, source="篇四", maximum=20),
    _s("retired_cadre_solace_min", _HRD, "春节慰问离休人员每人最低", Kind.MONEY, "HRD-08",
       default=Decimal("300.00"), source="篇七「离休人员每人不少于300元」"),
    _s("retiree_solace_min", _HRD, "春节慰问退休人员每人最低", Kind.MONEY, "HRD-08",
       default=Decimal("200.00"), source="篇七「退休人员每人不少于200元」"),
    # Study and training
    _s("study_group_per_month", _STU, "每月集中学习次数", Kind.COUNT, "STU-01",
       default=1, source="学习制度1", maximum=31),
    _s("study_law_per_year", _STU, "每年专题学法次数", Kind.COUNT, "STU-01",
       default=2, source="学习制度1", maximum=52),
    _s("self_study_per_month", _STU, "每人每月自学次数", Kind.COUNT, "STU-01",
       default=2, source="学习制度1", maximum=31),
    _s("cadre_training_coverage", _STU, "基层工会干部年培训面", Kind.RATIO, "STU-07",
       default=Decimal("0.5"), source="六好考核标准4.3「年培训面达50%」"),
    # Sign-in (登录与会话)
    _s("session_idle_minutes", _SIGN_IN, "登录会话空闲超时（分钟）", Kind.COUNT, "",
       default=30, maximum=1440,
       source="GB/T 22239-2019（等保2.0）身份鉴别「登录连接超时自动退出」；无人操作30分钟后须重新登录，"
              "离开座位的电脑不再替他人开着"),
    _s("session_max_hours", _SIGN_IN, "登录会话最长时限（小时）", Kind.COUNT, "",
       default=10, maximum=168,
       source="GB/T 22239-2019（等保2.0）身份鉴别；一个工作日（10小时）后须重新登录，被盗的会话不能一直用下去"),
)

SPECS: dict[str, Spec] = {spec.key: spec for spec in CATALOGUE}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(spec.group for spec in CATALOGUE))

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_MAX_MONEY = Decimal("1000000000000")


# The finance and funds settings are the office's money controls (the cash ceiling, the bank-transfer threshold,
# who approves the chair's own claims, whether the admin may hold business roles…): only the chair sets them, so
# the admin, who manages accounts, cannot also loosen the controls on what those accounts do.
CHAIR_ONLY_GROUPS = frozenset({_FIN, _FND})


def chair_only(spec: Spec) -> bool:
    """Whether only the chair may set this value."""
    return spec.group in CHAIR_ONLY_GROUPS


def spec_for(key: str) -> Spec:
    """The catalogue entry of `key`, or a clear refusal."""
    try:
        return SPECS[key]
    except KeyError:
        raise InvalidInput("没有名为 %(key)s 的设置项", field="key", key=key) from None


def parse(spec: Spec, text: str) -> Value:
    """Read a value typed into a form (percentages for ratios) and check it."""
    text = (text or "").strip().replace(",", "").replace("，", "")
    if not text:
        raise InvalidInput("请填写“%(label)s”的值", field="value", label=spec.label)
    if spec.kind in (Kind.CHOICE, Kind.TEXT, Kind.FRACTION):
        return check(spec, text)
    if spec.kind is Kind.RATIO:
        text = text.removesuffix("%")
    if not _NUMBER.match(text):
        raise InvalidInput("“%(label)s”须填写数字", field="value", label=spec.label)
    number = Decimal(text)
    if spec.kind is Kind.RATIO:
        number = number / 100
    elif spec.kind not in (Kind.MONEY, Kind.MULTIPLE):
        if number != number.to_integral_value():
            raise InvalidInput("“%(label)s”须为整数", field="value", label=spec.label)
        return check(spec, int(number))
    return check(spec, number)


def check(spec: Spec, value: Value) -> Value:
    """Validate a typed value for `spec` and return its canonical stored form."""
    checker = _CHECKERS[spec.kind]
    return checker(spec, value)


def _bad(spec: Spec, why: str) -> InvalidInput:
    return InvalidInput("“%(label)s”" + why, field="value", label=spec.label)


def _decimal(spec: Spec, value: Value, places: int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise _bad(spec, "须为数字")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _bad(spec, "须为数字") from None
    if not number.is_finite():
        raise _bad(spec, "须为有限的数字")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise _bad(spec, f"最多保留{places}位小数")
    if number < 0:
        raise _bad(spec, "不能为负数")
    if number.adjusted() > 15:
        raise _bad(spec, "数值过大")
    return number.quantize(Decimal(1).scaleb(-places))


def _money(spec: Spec, value: Value) -> Decimal:
    number = _decimal(spec, value, 2)
    if number > _MAX_MONEY:
        raise _bad(spec, "金额过大")
    return number


def _ratio(spec: Spec, value: Value) -> Decimal:
    number = _decimal(spec, value, 4)
    if number > 1:
        raise _bad(spec, "不能超过100%%")
    return number.normalize() if number else Decimal(0)


def _multiple(spec: Spec, value: Value) -> Decimal:
    number = _decimal(spec, value, 2)
    if number == 0 or number > 100:
        raise _bad(spec, "须在0到100倍之间")
    return number


def _whole(spec: Spec, value: Value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(spec, "须为整数")
    lowest = 1 if spec.kind is Kind.YEARS else 0
    highest = spec.maximum if spec.maximum is not None else 1_000_000
    if not lowest <= value <= highest:
        raise _bad(spec, f"须在{lowest}到{highest}之间")
    return value


def _fraction(spec: Spec, value: Value) -> str:
    match = re.fullmatch(r"\s*(\d{1,4})\s*/\s*(\d{1,4})\s*", str(value))
    if not match or not 0 < int(match[1]) <= int(match[2]):
        raise _bad(spec, "须写成分数，如 2/3")
    return f"{int(match[1])}/{int(match[2])}"


def _choice(spec: Spec, value: Value) -> str:
    if str(value) not in dict(spec.choices):
        raise _bad(spec, "不是可选的值")
    return str(value)


def _text(spec: Spec, value: Value) -> str:
    text = str(value).strip()
    if not text or len(text) > 200:
        raise _bad(spec, "须为1到200个字")
    return text


_CHECKERS = {
    Kind.MONEY: _money,
    Kind.RATIO: _ratio,
    Kind.MULTIPLE: _multiple,
    Kind.COUNT: _whole,
    Kind.DAYS: _whole,
    Kind.MONTHS: _whole,
    Kind.YEARS: _whole,
    Kind.FRACTION: _fraction,
    Kind.CHOICE: _choice,
    Kind.TEXT: _text,
}


@dataclass(frozen=True)
class Change:
    """One recorded setting of one key."""

    value: Value
    effective_from: date
    version: int


class ChangeAsDict(Transcoding):
    """Stores a Change inside a snapshot of the settings (`"_type_": "setting_change"`)."""

    type = Change
    name = "setting_change"

    def encode(self, obj: Change) -> dict[str, Any]:
        return {"value": obj.value, "effective_from": obj.effective_from, "version": obj.version}

    def decode(self, data: dict[str, Any]) -> Change:
        return Change(data["value"], data["effective_from"], data["version"])


class Settings(OfficeAggregate):
    """The one settings aggregate of the office: every key's recorded values over time."""

    ID = derived_id("settings", "office")

    class ValueSet(OfficeAggregate.Created):
        key: str
        value: Value
        effective_from: date

        def apply(self, aggregate: Settings) -> None:
            aggregate._note(self.key, self.value, self.effective_from, self.originator_version)

    class ValueChanged(OfficeAggregate.Event):
        key: str
        value: Value
        effective_from: date

        def apply(self, aggregate: Settings) -> None:
            aggregate._note(self.key, self.value, self.effective_from, self.originator_version)

    def _note(self, key: str, value: Value, effective_from: date, version: int) -> None:
        if not hasattr(self, "changes"):
            self.changes: dict[str, list[Change]] = {}
        self.changes.setdefault(key, []).append(Change(value, effective_from, version))

    @classmethod
    def start(cls, ctx: Context, key: str, value: Value, effective_from: date, reason: str) -> Settings:
        """The first value ever set creates the settings aggregate."""
        spec = spec_for(key)
        value = _checked_change(ctx, spec, value, effective_from, reason)
        return cls._found(
            cls.ValueSet, ctx, id=cls.ID, reason=reason.strip(),
            key=key, value=value, effective_from=effective_from,
        )

    def set(self, ctx: Context, key: str, value: Value, effective_from: date, reason: str) -> None:
        """Set `key` to `value` from `effective_from` on (never before the business date)."""
        spec = spec_for(key)
        value = _checked_change(ctx, spec, value, effective_from, reason)
        self._record(
            self.ValueChanged, ctx, reason=reason.strip(),
            key=key, value=value, effective_from=effective_from,
        )

    def last_version_of(self, key: str) -> int:
        """The aggregate version at which `key` was last set (0 when never)."""
        history = getattr(self, "changes", {}).get(key, [])
        return history[-1].version if history else 0

    def recorded_on(self, key: str, day: date) -> Value | None:
        """The value recorded for `key` in force on `day`, ignoring defaults."""
        in_force = [c for c in getattr(self, "changes", {}).get(key, []) if c.effective_from <= day]
        if not in_force:
            return None
        # The latest effective date wins; on the same date the later record corrects the earlier.
        return max(in_force, key=lambda c: (c.effective_from, c.version)).value


def _checked_change(ctx: Context, spec: Spec, value: Value, effective_from: date, reason: str) -> Value:
    if not (reason or "").strip():
        raise InvalidInput("请填写设置的理由（如会议决定或文件）", field="reason")
    if len(reason.strip()) > 500:
        raise InvalidInput("理由不能超过500字", field="reason")
    if effective_from < ctx.occurred_on:
        raise InvalidInput(
            "生效日期不能早于今天（%(today)s）：过去的业务按当时有效的设置评判",
            field="effective_from", today=ctx.occurred_on.isoformat(),
        )
    return check(spec, value)


def value_on(settings: Settings | None, key: str, day: date) -> Value | None:
    """The value of `key` in force on `day`: recorded, else its default, else None (未配置)."""
    recorded = settings.recorded_on(key, day) if settings else None
    return recorded if recorded is not None else spec_for(key).default


def require(settings: Settings | None, key: str, day: date) -> Value:
    """The value in force on `day`, or a refusal naming the setting to make."""
    value = value_on(settings, key, day)
    if value is None:
        raise SettingMissing(label=spec_for(key).label)
    return value

