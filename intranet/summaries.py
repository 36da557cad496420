"""The sentence shown for each audit-trail entry, rendered at display time.

The audit trail stores structured facts; this module turns them into words in the
reader's language (Chinese today; an English catalogue can come later through _()).
Ids in the facts are shown by name, looked up when the page is rendered.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from aggregates.asset import KINDS as ASSET_KINDS
from aggregates.census_check import SOURCES
from aggregates.claim import METHODS, PRIOR_KINDS
from aggregates.enterprise import COVERAGE, OWNERSHIP
from aggregates.member import GENDERS, RETAIN_CAUSES
from aggregates.settings import SPECS
from aggregates.union import APPROVERS, KINDS, ORGANS, POSTS, STANDARDS
from intranet.formatting import day, money, role_label, setting_value, voucher_label
from projections.audit_trail import Entry
from projections.settings_history import typed_value

Facts = dict[str, Any]
Names = Mapping[str, str]
Summary = Callable[[Facts, Names], str]


def _roles(facts: Facts) -> str:
    return "、".join(role_label(r) for r in facts.get("roles", []))


def _setting(facts: Facts, _names: Names) -> str:
    spec = SPECS.get(facts["key"])
    if spec is None:
        return _("设置 %(key)s 为 %(value)s", key=facts["key"], value=facts["value"])
    value = setting_value(spec, typed_value(spec, str(facts["value"])))
    return _("设置“%(label)s”为 %(value)s，自%(day)s起生效",
             label=spec.label, value=value, day=day(facts["effective_from"]))


def _name(names: Names, key: str | None, unknown: str = "") -> str:
    return names.get(key or "", unknown or (key or ""))


def _admitted(f: Facts, n: Names) -> str:
    text = _("接收 %(name)s（%(gender)s）入会，入会日期%(joined)s，所在工会：%(union)s",
             name=f["name"], gender=GENDERS.get(f["gender"], ""), joined=day(f["joined_on"]),
             union=_name(n, f["union_id"]))
    if f.get("transferred_from"):
        text += _("（自%(org)s转入）", org=f["transferred_from"])
    return text


def _registered_user(f: Facts, n: Names) -> str:
    text = _("开设用户 %(username)s（%(name)s），角色：%(roles)s",
             username=f["username"], name=f["display_name"], roles=_roles(f))
    if f.get("member_id"):
        text += _("，关联会员档案：%(member)s", member=_name(n, f["member_id"]))
    return text


def _corrected(f: Facts, _n: Names) -> str:
    labels = {"name": "姓名", "gender": "性别", "birth_date": "出生日期", "phone": "电话", "frontline": "一线职工",
              "enterprise_id": "所在单位"}
    return _("更正：%(fields)s", fields="、".join(labels.get(k, k) for k in f["changes"]))


def _transferred_out(f: Facts, n: Names) -> str:
    target = _name(n, f["to_union_id"]) if f.get("to_union_id") else f.get("to_outside")
    return _("转出会籍（接转单 %(slip)s），转往：%(to)s", slip=f["slip_no"], to=target)


def _money(value: object) -> str:
    return money(Decimal(str(value)))


def _voucher(f: Facts, _n: Names) -> str:
    total = sum(Decimal(str(line["debit"])) for line in f["lines"])
    label = voucher_label(f"{f['period']}/{f['word']}/{f['number']}")
    if f.get("reverses"):
        return _("编制红字冲销凭证 %(label)s，冲销 %(key)s", label=label, key=voucher_label(f["reverses"]))
    return _("记账凭证 %(label)s：%(summary)s，金额 %(amount)s", label=label, summary=f["summary"], amount=money(total))


SUMMARIES: dict[tuple[str, str], Summary] = {
    ("Book", "Opened"): lambda f, _n: _("建立账套“%(name)s”，自%(p)s启用", name=f["name"], p=f["first_period"]),
    ("Book", "SubAccountAdded"): lambda f, _n: _("增设明细科目 %(code)s %(name)s", code=f["code"], name=f["name"]),
    ("Book", "VoucherPosted"): _voucher,
    ("Book", "VoucherReviewed"): lambda f, _n: _("审核凭证 %(key)s", key=voucher_label(f["key"])),
    ("Book", "MonthClosed"): lambda f, _n: _("%(p)s结账", p=f["period"]),
    ("Book", "CashCounted"): lambda f, _n: _("现金盘点：实存 %(c)s，账面 %(b)s", c=_money(f["counted"]),
                                             b=_money(f["book_balance"])),
    ("ExpenseClaim", "Submitted"): lambda f, _n: _(
        "提交报销单“%(p)s”，金额 %(a)s", p=f["purpose"], a=_money(f["total"])),
    ("ExpenseClaim", "Certified"): lambda _f, _n: _("证明人签字"),
    ("ExpenseClaim", "Approved"): lambda _f, _n: _("审批同意（一支笔）"),
    ("ExpenseClaim", "Rejected"): lambda _f, _n: _("退回报销单"),
    ("ExpenseClaim", "Paid"): lambda f, _n: _("付款（%(m)s），凭证 %(v)s", m=METHODS.get(f["method"], ""),
                                               v=voucher_label(f["voucher"])),
    ("PriorApproval", "Issued"): lambda f, _n: _("签发%(k)s %(n)s：%(p)s", k=PRIOR_KINDS.get(f["kind"], ""),
                                                n=f["number"], p=f["purpose"]),
    ("PriorApproval", "Used"): lambda _f, _n: _("用于报销"),
    ("PriorApproval", "Freed"): lambda _f, _n: _("报销单退回，重新可用"),
    ("Budget", "Drafted"): lambda f, _n: _("编制%(y)s年度预算", y=f["year"]),
    ("Budget", "Redrafted"): lambda _f, _n: _("修改预算草案"),
    ("Budget", "Reviewed"): lambda f, _n: _("经审会审查预算：%(o)s", o=f["opinion"]),
    ("Budget", "Approved"): lambda f, _n: _("预算经%(m)s批准", m=f["meeting"]),
    ("Budget", "Adjusted"): lambda f, _n: _("预算经%(m)s调整", m=f["meeting"]),
    ("Budget", "FinalAccountsPrepared"): lambda _f, _n: _("编制决算"),
    ("Budget", "FinalAccountsReviewed"): lambda f, _n: _("经审会审查决算：%(o)s", o=f["opinion"]),
    ("Budget", "FinalAccountsApproved"): lambda f, _n: _("决算经%(m)s批准", m=f["meeting"]),
    ("Disclosure", "Published"): lambda f, _n: _("公布%(y)s年%(h)s半年会费和经费使用情况（%(w)s）", y=f["year"],
                                               h="上" if f["half"] == 1 else "下", w=f["where"]),
    ("Asset", "Registered"): lambda f, _n: _("登记%(k)s“%(n)s” %(q)s件，单价 %(v)s", k=ASSET_KINDS.get(f["kind"], ""),
                                            n=f["name"], q=f["quantity"], v=_money(f["unit_value"])),
    ("Asset", "Issued"): lambda f, _n: _("领用 %(q)s 件（%(t)s）", q=f["quantity"], t=f["to"]),
    ("Asset", "Disposed"): lambda f, _n: _("处置（%(d)s）", d=day(f["on"])),
    ("BankStatement", "Recorded"): lambda f, _n: _("登记%(p)s银行对账单，期末余额 %(b)s", p=f["period"],
                                                 b=_money(f["closing_balance"])),
    ("BankStatement", "Replaced"): lambda f, _n: _("重新登记银行对账单，期末余额 %(b)s",
                                                 b=_money(f["closing_balance"])),
    ("CashAdvance", "Requested"): lambda f, _n: _(
        "申请借款（四联单%(n)s），金额 %(a)s", n=f["form_no"], a=_money(f["amount"])),
    ("CashAdvance", "Approved"): lambda _f, _n: _("批准借款"),
    ("CashAdvance", "Rejected"): lambda _f, _n: _("不予批准借款"),
    ("CashAdvance", "Paid"): lambda f, _n: _("借款付出，凭证 %(v)s", v=voucher_label(f["voucher"])),
    ("CashAdvance", "Returned"): lambda f, _n: _("登记返回日期 %(d)s", d=day(f["returned_on"])),
    ("CashAdvance", "Repaid"): lambda f, _n: _("归还借款 %(a)s", a=_money(f["amount"])),
    ("Office", "Founded"): lambda f, _n: _("建立单位“%(name)s”（时区 %(tz)s）", name=f["name"], tz=f["timezone"]),
    ("Office", "Renamed"): lambda f, _n: _("单位更名为“%(name)s”", name=f["name"]),
    ("Settings", "ValueSet"): _setting,
    ("Settings", "ValueChanged"): _setting,
    ("UserAccount", "Registered"): _registered_user,
    ("UserAccount", "RolesChanged"): lambda f, _n: _("角色改为：%(roles)s", roles=_roles(f)),
    ("UserAccount", "Deactivated"): lambda _f, _n: _("停用账号"),
    ("UserAccount", "Reactivated"): lambda _f, _n: _("恢复使用账号"),
    ("UserAccount", "PasswordReset"): lambda _f, _n: _("设置新密码"),
    ("UserAccount", "PasswordChangedByOwner"): lambda _f, _n: _("本人修改密码"),
    ("UserAccount", "LoginLockoutLifted"): lambda _f, _n: _("解除登录锁定"),
    ("UserAccount", "PhoneChanged"): lambda f, _n: _("更新电话号码") if f.get("phone") else _("清除电话号码"),
    ("UserAccount", "PersonalDataErased"): lambda _f, _n: _("删除个人信息（密钥已销毁）"),
    ("UserAccount", "MemberLinked"): lambda f, n: _("关联会员档案：%(name)s", name=_name(n, f["member_id"])),
    ("UserAccount", "MemberUnlinked"): lambda f, n: _("解除与会员档案的关联：%(name)s", name=_name(n, f["member_id"])),
    ("UniqueKey", "Claimed"): lambda f, _n: _("登记唯一标识（%(kind)s）", kind=f["kind"]),
    ("Enterprise", "Registered"): lambda f, _n: _(
        "登记单位“%(name)s”（%(ownership)s，统一社会信用代码 %(code)s）",
        name=f["name"], ownership=OWNERSHIP.get(f["ownership"], ""), code=f["credit_code"]),
    ("Enterprise", "Renamed"): lambda f, _n: _("单位更名为“%(name)s”", name=f["name"]),
    ("Enterprise", "HeadcountReported"): lambda f, _n: _(
        "报告%(day)s职工人数 %(w)s 人（女职工 %(women)s 人）", day=day(f["as_of"]), w=f["workers"], women=f["women"]),
    ("Enterprise", "WorkerListFiled"): lambda f, _n: _(
        "报送%(day)s职工名单 %(n)s 人", day=day(f["as_of"]), n=f["count"]),
    ("Enterprise", "PayrollReported"): lambda f, _n: _(
        "报告%(y)s年%(m)s月工资总额 %(amount)s", y=f["year"], m=f["month"], amount=money(f["payroll"])),
    ("Enterprise", "CoverageChanged"): lambda f, n: _(
        "自%(day)s起由%(union)s覆盖（%(mode)s）", day=day(f["from_date"]), union=_name(n, f["union_id"]),
        mode=COVERAGE.get(f["mode"] or "", "")) if f.get("union_id") else _(
        "自%(day)s起不再由工会覆盖", day=day(f["from_date"])),
    ("Enterprise", "Closed"): lambda _f, _n: _("单位注销"),
    ("Union", "Founded"): lambda f, _n: _(
        "成立%(kind)s“%(name)s”，覆盖职工 %(w)s 人，经%(body)s批复（%(ref)s），任期 %(years)s 年",
        kind=KINDS.get(f["kind"], ""), name=f["name"], w=f["workers"], body=APPROVERS.get(f["approver"], ""),
        ref=f["approval_ref"], years=f["term_years"]),
    ("Union", "Renamed"): lambda f, _n: _("工会更名为“%(name)s”", name=f["name"]),
    ("Union", "CommitteeElected"): lambda f, _n: _(
        "换届选举，新一届自%(day)s起，任期 %(years)s 年，同步组建：%(organs)s", day=day(f["term_start"]),
        years=f["term_years"], organs="、".join(ORGANS.get(o, o) for o in f.get("organs", []))),
    ("Union", "OfficeHolderAppointed"): lambda f, n: _(
        "%(person)s任%(post)s", person=_name(n, f["member_id"]), post=POSTS.get(f["post"], "")),
    ("Union", "OfficeHolderVacated"): lambda f, n: _(
        "%(person)s不再担任%(post)s", person=_name(n, f["member_id"]), post=POSTS.get(f["post"], "")),
    ("Union", "Dissolved"): lambda _f, _n: _("工会注销"),
    ("Union", "ActivityHeld"): lambda f, _n: _(
        "%(day)s开展活动“%(title)s”，参加 %(n)s 人", day=day(f["held_on"]), title=f["title"], n=f["participants"]),
    ("QuotaPlan", "Started"): lambda f, _n: _("建立%(year)s年度建会和发展会员任务", year=f["year"]),
    ("QuotaPlan", "QuotaSet"): lambda f, _n: _(
        "%(year)s年度%(community)s任务：新建工会 %(u)s 个，发展会员 %(m)s 名", year=f["year"],
        community=f["community"], u=f["new_unions"], m=f["new_members"]),
    ("Union", "TransferredAway"): lambda f, _n: _(
        "工会转出本街道，转至%(body)s，会员 %(n)s 人随同转出", body=f["to_body"], n=f["members"]),
    ("Member", "LeftWithUnion"): lambda f, _n: _("随所在工会转出本街道（转至%(body)s）", body=f["to_body"]),
    ("Union", "LegalPersonRegistered"): lambda f, _n: _("登记工会法人资格，证书编号 %(no)s", no=f["certificate_no"]),
    ("Union", "Upgraded"): lambda f, _n: _(
        "由%(old)s升格为%(new)s", old=KINDS.get(f["from_kind"], ""), new=KINDS.get(f["to_kind"], "")),
    ("Union", "ElectionResultApproved"): lambda f, _n: _(
        "上级工会批准选举结果（%(ref)s），工会正式成立", ref=f["approval_ref"]),
    ("Union", "GroupFormed"): lambda f, _n: _("设立工会小组“%(group)s”", group=f["group"]),
    ("Union", "GroupLeaderElected"): lambda f, n: _(
        "“%(group)s”小组会员 %(n)s 人推选%(person)s为组长", group=f["group"], n=f["electors"],
        person=_name(n, f["member_id"])),
    ("Union", "GroupLeaderFiled"): lambda f, _n: _(
        "“%(group)s”组长于%(day)s报上级工会备案", group=f["group"], day=day(f["filed_on"])),
    ("GridCell", "Assigned"): lambda f, _n: _(
        "划定网格“%(community)s·%(name)s”，网格长%(leader)s，网格员%(workers)s",
        community=f["community"], name=f["name"], leader=f["leader"], workers="、".join(f["workers"])),
    ("GridCell", "Reassigned"): lambda f, _n: _(
        "调整网格：网格长%(leader)s，网格员%(workers)s", leader=f["leader"], workers="、".join(f["workers"])),
    ("CensusCheck", "Recorded"): lambda f, _n: _(
        "与%(source)s核对名录：名录 %(rows)s 家，名录中有而未登记 %(missing)s 家，已登记而名录中没有 %(extra)s 家，"
        "名称不一致 %(names)s 家，人数差异较大 %(heads)s 家", source=SOURCES.get(f["source"], ""),
        rows=f["register_rows"], missing=f["missing_from_census"], extra=f["not_in_register"],
        names=f["name_differences"], heads=f["headcount_differences"]),
    ("Union", "ComplianceAssessed"): lambda f, _n: _(
        "%(year)s年度“%(standard)s”评定：%(met)s/%(total)s 项达标", year=f["year"],
        standard=STANDARDS.get(f["standard"], ("",))[0], met=sum(1 for v in f["checklist"].values() if v),
        total=len(f["checklist"])),
    ("Member", "Admitted"): _admitted,
    ("Member", "DetailsCorrected"): _corrected,
    ("Member", "IdNumberCorrected"): lambda _f, _n: _("更正身份证号码（出生日期、性别随之更正）"),
    ("UniqueKey", "Released"): lambda _f, _n: _("释放唯一标识（登记有误）"),
    ("UniqueKey", "Reclaimed"): lambda _f, _n: _("重新登记唯一标识"),
    ("Member", "CardIssued"): lambda f, _n: _("发放会员证，证号 %(card)s", card=f["card_no"]),
    ("Member", "TransferredOut"): _transferred_out,
    ("Member", "TransferReceived"): lambda f, n: _(
        "%(union)s接收转入（接转单 %(slip)s）", union=_name(n, f["union_id"]), slip=f["slip_no"]),
    ("Member", "TransferCompleted"): lambda f, _n: _(
        "接收单位回执已到，转出本街道（接转单 %(slip)s）", slip=f["slip_no"]),
    ("Member", "TransferCancelled"): lambda f, _n: _("撤销接转（接转单 %(slip)s）", slip=f["slip_no"]),
    ("Member", "MembershipRetained"): lambda f, _n: _("因%(cause)s保留会籍", cause=RETAIN_CAUSES.get(f["cause"], "")),
    ("Member", "MembershipRestored"): lambda _f, _n: _("恢复会籍"),
    ("Member", "Withdrawn"): lambda f, _n: (_("经决定办理退会（连续未缴会费）") if f.get("lapsed") else _("退会")) + (
        _("，已交回会员证") if f.get("card_returned") else ""),
    ("Member", "Expelled"): lambda f, _n: _("开除会籍（%(ref)s）", ref=f["decision_ref"]),
    ("Member", "DeathRecorded"): lambda f, _n: _("登记去世，日期%(day)s", day=day(f["died_on"])),
    ("Member", "Reactivated"): lambda f, n: _("重新入会，所在工会：%(union)s", union=_name(n, f["union_id"])),
    ("Member", "PersonalDataErased"): lambda _f, _n: _("删除个人信息（密钥已销毁）"),
}

STREAM_LABELS = {
    "Office": "单位设置",
    "Settings": "设置",
    "UserAccount": "用户",
    "UniqueKey": "唯一标识",
    "Enterprise": "企业（单位）",
    "Union": "基层工会",
    "Member": "会员",
    "GridCell": "网格",
    "CensusCheck": "名录核对",
    "QuotaPlan": "年度任务",
    "Book": "账套",
    "ExpenseClaim": "报销单",
    "PriorApproval": "事前审批",
    "CashAdvance": "借款",
    "BankStatement": "银行对账单",
    "Budget": "预决算",
    "Disclosure": "经费公开",
    "Asset": "资产登记",
}


def summary(entry: Entry, names: Names) -> str:
    """The sentence for one audit entry."""
    render = SUMMARIES.get((entry.stream_type, entry.event_type))
    if render is None:
        return f"{entry.stream_type}.{entry.event_type}"
    return render(entry.facts, names)


def stream_label(stream_type: str) -> str:
    """单位, 设置, 用户, …"""
    return _(STREAM_LABELS.get(stream_type, stream_type))


_NAMED = (("members", "member_id", "name"), ("enterprises", "enterprise_id", "name"),
          ("unions", "union_id", "name"), ("users", "user_id", "display_name"))


def names_for(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    """id → name of the users, unions, units and members among `ids` (only those: a page of the
    audit trail must not read every member of the office)."""
    wanted = sorted({i for i in ids if i})
    names: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for table, key, column in _NAMED:
            names.update(conn.execute(
                f'SELECT {key}, {column} FROM "{table}" WHERE {key} IN ({marks})', chunk).fetchall())  # noqa: S608
    return names


def _ids_in(entry: Entry) -> list[str]:
    """The actor and every id among the entry's facts (the keys ending in _id)."""
    found = [entry.actor]
    for key, value in entry.facts.items():
        if key.endswith("_id") and isinstance(value, str):
            found.append(value)
    return found


def summariser(conn: sqlite3.Connection, entries: Iterable[Entry],
               also: Iterable[str] = ()) -> tuple[Callable[[Entry], str], dict[str, str]]:
    """A `summary(entry)` for templates, and the names of everyone and everything `entries` mention
    (plus the ids in `also`)."""
    names = names_for(conn, [i for e in entries for i in _ids_in(e)] + list(also))
    return (lambda entry: summary(entry, names)), names
