"""A member (会员): one identity for life, admitted once, moved by two-step transfers, retained,
restored, withdrawn, expelled or deceased; a returning person is reactivated, never duplicated
(「一次入会、动态接转」, 《工会会员会籍管理办法》). ID number and phone are sealed personal data."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from aggregates.enterprise import checked_text
from aggregates.envelope import Context, EventRef, OfficeAggregate
from aggregates.errors import InvalidInput, StaleEdit
from aggregates.personal_data import Sealed

STATUSES = {
    "active": "在会",
    "in_transit": "接转中",
    "retained": "保留会籍",
    "transferred_away": "已转出本街道",
    "withdrawn": "已退会",
    "expelled": "已开除会籍",
    "deceased": "已去世",
}
ENDED = frozenset({"transferred_away", "withdrawn", "expelled", "deceased"})
GENDERS = {"M": "男", "F": "女"}
RETAIN_CAUSES = {"retirement": "退休", "unemployment": "失业"}
CORRECTABLE = ("name", "gender", "birth_date", "phone", "frontline", "enterprise_id", "employment_type")
# MEM-05: dispatched workers, migrant workers and the young are the priority of recruitment.
EMPLOYMENT_TYPES = {"regular": "正式职工", "dispatched": "劳务派遣", "migrant": "农民工", "temporary": "临时用工",
                    "individual": "灵活就业（个人会员）"}
MIN_AGE = 16
_CARD = re.compile(r"^[0-9A-Za-z-]{4,24}$")
_SLIP = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff〔〕()（）-]{2,30}$")


def checked_name(name: str) -> str:
    """A person's name, 1 to 30 characters."""
    return checked_text(name, "name", "姓名", 30)


def checked_card(card_no: str) -> str:
    """A membership card number: 4 to 24 letters, digits or dashes."""
    card_no = (card_no or "").strip().upper()
    if not _CARD.match(card_no):
        raise InvalidInput("会员证号应为4到24位字母、数字或短横线", field="card_no")
    return card_no


def checked_slip(slip_no: str) -> str:
    """A transfer-slip (接转单) number."""
    slip_no = (slip_no or "").strip().upper()
    if not _SLIP.match(slip_no):
        raise InvalidInput("请填写接转单编号（2到30位）", field="slip_no")
    return slip_no


def _employment(kind: str) -> str:
    if kind not in EMPLOYMENT_TYPES:
        raise InvalidInput("请选择用工形式", field="employment_type")
    return kind


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class Member(OfficeAggregate):
    """One person's membership, for life."""

    class Admitted(OfficeAggregate.Created):
        name: str
        gender: str
        birth_date: date
        id_number: Sealed
        phone: Sealed | None
        union_id: UUID
        enterprise_id: UUID | None
        frontline: bool
        employment_type: str
        joined_on: date
        card_no: str | None
        transferred_from: str | None

        def apply(self, aggregate: Member) -> None:
            aggregate.name = self.name
            aggregate.gender = self.gender
            aggregate.birth_date = self.birth_date
            aggregate.union_id = self.union_id
            aggregate.card_no = self.card_no
            aggregate.id_number = self.id_number
            aggregate.phone = self.phone
            aggregate.enterprise_id = self.enterprise_id
            aggregate.frontline = self.frontline
            aggregate.employment_type = self.employment_type
            aggregate.set_at = dict.fromkeys(CORRECTABLE, self.originator_version)
            aggregate.status = "active"
            aggregate.transfer: dict[str, Any] | None = None
            aggregate.erased = False

    class DetailsCorrected(OfficeAggregate.Event):
        changes: dict[str, Any]

        def apply(self, aggregate: Member) -> None:
            for field, value in self.changes.items():
                setattr(aggregate, field, value)
                aggregate.set_at[field] = self.originator_version

    class IdNumberCorrected(OfficeAggregate.Event):
        """The ID number was recorded wrongly; the birth date and gender it encodes come with it."""

        id_number: Sealed
        birth_date: date
        gender: str

        def apply(self, aggregate: Member) -> None:
            aggregate.id_number, aggregate.birth_date, aggregate.gender = self.id_number, self.birth_date, self.gender
            aggregate.set_at["birth_date"] = aggregate.set_at["gender"] = self.originator_version

    class CardIssued(OfficeAggregate.Event):
        card_no: str

        def apply(self, aggregate: Member) -> None:
            aggregate.card_no = self.card_no

    class TransferredOut(OfficeAggregate.Event):
        slip_no: str
        to_union_id: UUID | None
        to_outside: str | None

        def apply(self, aggregate: Member) -> None:
            aggregate.status = "in_transit"
            aggregate.transfer = {"slip_no": self.slip_no, "to_union_id": self.to_union_id,
                                  "to_outside": self.to_outside, "from_union_id": aggregate.union_id}

    class TransferReceived(OfficeAggregate.Event):
        union_id: UUID
        slip_no: str

        def apply(self, aggregate: Member) -> None:
            aggregate.status, aggregate.union_id, aggregate.transfer = "active", self.union_id, None

    class TransferCompleted(OfficeAggregate.Event):
        """The receiving union outside the subdistrict returned the slip's receipt."""

        slip_no: str

        def apply(self, aggregate: Member) -> None:
            aggregate.status, aggregate.transfer = "transferred_away", None

    class TransferCancelled(OfficeAggregate.Event):
        slip_no: str

        def apply(self, aggregate: Member) -> None:
            aggregate.status, aggregate.transfer = "active", None

    class MembershipRetained(OfficeAggregate.Event):
        cause: str

        def apply(self, aggregate: Member) -> None:
            aggregate.status = "retained"

    class MembershipRestored(OfficeAggregate.Event):
        def apply(self, aggregate: Member) -> None:
            aggregate.status = "active"

    class Withdrawn(OfficeAggregate.Event):
        card_returned: bool
        lapsed: bool  # Q11: after six months without dues and follow-up, by decision

        def apply(self, aggregate: Member) -> None:
            aggregate.status = "withdrawn"

    class Expelled(OfficeAggregate.Event):
        decision_ref: str

        def apply(self, aggregate: Member) -> None:
            aggregate.status = "expelled"

    class DeathRecorded(OfficeAggregate.Event):
        died_on: date

        def apply(self, aggregate: Member) -> None:
            aggregate.status, aggregate.transfer = "deceased", None

    class Reactivated(OfficeAggregate.Event):
        union_id: UUID
        enterprise_id: UUID | None

        def apply(self, aggregate: Member) -> None:
            aggregate.status, aggregate.union_id = "active", self.union_id
            aggregate.enterprise_id = self.enterprise_id
            aggregate.set_at["enterprise_id"] = self.originator_version

    class LeftWithUnion(OfficeAggregate.Event):
        """The member's union moved out of the subdistrict and the member went with it."""

        to_body: str

        def apply(self, aggregate: Member) -> None:
            aggregate.status = "transferred_away"

    class PersonalDataErased(OfficeAggregate.Event):
        def apply(self, aggregate: Member) -> None:
            aggregate.erased = True
            aggregate.phone = None

    # -- commands ----------------------------------------------------------------------------

    @staticmethod
    def check_admission(ctx: Context, gender: str, birth_date: date, joined_on: date) -> None:
        """What admission checks before anything is sealed."""
        if gender not in GENDERS:
            raise InvalidInput("请选择性别", field="gender")
        _check_dates(ctx, birth_date, joined_on)

    @classmethod
    def admit(
        cls, ctx: Context, *, member_id: UUID, name: str, gender: str, birth_date: date, id_number: Sealed,
        phone: Sealed | None, union_id: UUID, enterprise_id: UUID | None, frontline: bool, employment_type: str,
        joined_on: date,
        card_no: str | None, transferred_from: str | None,
    ) -> Member:
        """Admit a person (MEM-04 voluntary joining; MEM-06 card; MEM-07 profile)."""
        if gender not in GENDERS:
            raise InvalidInput("请选择性别", field="gender")
        _check_dates(ctx, birth_date, joined_on)
        return cls._found(
            cls.Admitted, ctx, id=member_id, name=checked_name(name), gender=gender, birth_date=birth_date,
            id_number=id_number, phone=phone, union_id=union_id, enterprise_id=enterprise_id,
            frontline=bool(frontline), employment_type=_employment(employment_type), joined_on=joined_on,
            card_no=checked_card(card_no) if card_no else None,
            transferred_from=checked_text(transferred_from or "", "transferred_from", "转出单位", 60,
                                          required=False) or None,
        )

    def _require(self, *statuses: str) -> None:
        if self.status not in statuses:
            raise InvalidInput("该会员当前状态为“%(status)s”，不能办理此项", field="status",
                               status=STATUSES[self.status])

    def correct(self, ctx: Context, changes: dict[str, Any], reason: str) -> None:
        """Correct recorded details by a compensating event (never an edit); it names the
        latest event that set any of the corrected fields."""
        changes = {k: v for k, v in changes.items() if k == "phone" or getattr(self, k, object()) != v}
        unknown = set(changes) - set(CORRECTABLE)
        if unknown or not changes:
            raise InvalidInput("没有需要更正的内容", field="changes")
        if "name" in changes:
            changes["name"] = checked_name(changes["name"])
        if "employment_type" in changes:
            _employment(changes["employment_type"])
        if changes.get("gender", "M") not in GENDERS:
            raise InvalidInput("请选择性别", field="gender")
        if "birth_date" in changes:
            _check_dates(ctx, changes["birth_date"], None)
        if "phone" in changes and self.erased:
            raise InvalidInput("该会员的个人信息已删除，不能再录入", field="phone")
        corrected = EventRef(self.id, max(self.set_at[field] for field in changes))
        self._record(self.DetailsCorrected, ctx, reason=checked_text(reason, "reason", "更正理由", 200),
                     corrects=corrected, changes=changes)

    def correct_id_number(self, ctx: Context, id_number: Sealed, birth_date: date, gender: str, reason: str) -> None:
        """Replace a wrongly recorded ID number (a compensating event naming the admission)."""
        if self.erased:
            raise InvalidInput("该会员的个人信息已删除，不能再录入", field="id_number")
        _check_dates(ctx, birth_date, None)
        self._record(self.IdNumberCorrected, ctx, reason=checked_text(reason, "reason", "更正理由", 200),
                     corrects=EventRef(self.id, 1), id_number=id_number, birth_date=birth_date, gender=gender)

    def issue_card(self, ctx: Context, card_no: str) -> None:
        """Record the membership card issued (MEM-06)."""
        self._require("active", "retained")
        self._record(self.CardIssued, ctx, card_no=checked_card(card_no))

    def transfer_out(self, ctx: Context, slip_no: str, to_union_id: UUID | None, to_outside: str | None) -> None:
        """Step one of a transfer: the slip is issued and the member is in transit."""
        self._require("active")
        if (to_union_id is None) == (not (to_outside or "").strip()):
            raise InvalidInput("请选择转入的本街道工会，或填写本街道以外的接收单位（二选一）", field="to_union_id")
        if to_union_id == self.union_id:
            raise InvalidInput("不能转入会员现在所在的工会", field="to_union_id")
        outside = checked_text(to_outside or "", "to_outside", "接收单位", 60, required=False) or None
        self._record(self.TransferredOut, ctx, slip_no=checked_slip(slip_no), to_union_id=to_union_id,
                     to_outside=outside)

    def receive(self, ctx: Context, union_id: UUID, slip_no: str) -> None:
        """Step two: the union named on the slip receives the member."""
        if self.status != "in_transit" or self.transfer is None:
            raise InvalidInput("该会员没有转出记录，不能办理接收", field="slip_no")
        if checked_slip(slip_no) != self.transfer["slip_no"]:
            raise InvalidInput("接转单编号与转出时的编号不符", field="slip_no")
        if self.transfer["to_union_id"] != union_id:
            raise InvalidInput("接收工会与接转单上的工会不一致", field="union_id")
        self._record(self.TransferReceived, ctx, union_id=union_id, slip_no=self.transfer["slip_no"])

    def complete_outside(self, ctx: Context) -> None:
        """A transfer out of the subdistrict is confirmed by the receiving union's receipt."""
        if self.status != "in_transit" or self.transfer is None or not self.transfer["to_outside"]:
            raise InvalidInput("该会员没有转往本街道以外的接转记录", field="status")
        self._record(self.TransferCompleted, ctx, slip_no=self.transfer["slip_no"])

    def cancel_transfer(self, ctx: Context, reason: str) -> None:
        """The slip is void; the member stays in the union they were in."""
        if self.status != "in_transit" or self.transfer is None:
            raise InvalidInput("该会员没有正在办理的接转", field="status")
        self._record(self.TransferCancelled, ctx, reason=checked_text(reason, "reason", "理由", 200),
                     slip_no=self.transfer["slip_no"])

    def retain(self, ctx: Context, cause: str, reason: str) -> None:
        """Retained membership (保留会籍) on retirement or unemployment: no dues, no election rights."""
        self._require("active")
        if cause not in RETAIN_CAUSES:
            raise InvalidInput("请选择保留会籍的原因（退休或失业）", field="cause")
        self._record(self.MembershipRetained, ctx, reason=checked_text(reason, "reason", "说明", 200,
                                                                          required=False) or None, cause=cause)

    def restore(self, ctx: Context, reason: str) -> None:
        """A retained member is an active member again (e.g. re-employed)."""
        self._require("retained")
        self._record(self.MembershipRestored, ctx, reason=checked_text(reason, "reason", "理由", 200))

    def withdraw(self, ctx: Context, *, card_returned: bool, lapsed: bool, reason: str) -> None:
        """退会: on the member's request, or by decision after six months without dues (never automatic)."""
        self._require("active", "retained")
        self._record(self.Withdrawn, ctx, reason=checked_text(reason, "reason", "理由", 200),
                     card_returned=card_returned, lapsed=lapsed)

    def expel(self, ctx: Context, decision_ref: str, reason: str) -> None:
        """开除会籍, by the union committee's decision, with reasons (reported upward)."""
        self._require("active", "retained")
        self._record(self.Expelled, ctx, reason=checked_text(reason, "reason", "理由", 500),
                     decision_ref=checked_text(decision_ref, "decision_ref", "决定文号", 40))

    def record_death(self, ctx: Context, died_on: date) -> None:
        """Record the member's death."""
        self._require("active", "retained", "in_transit")
        if died_on > ctx.occurred_on or died_on < self.birth_date:
            raise InvalidInput("去世日期无效", field="died_on")
        self._record(self.DeathRecorded, ctx, died_on=died_on)

    def reactivate(self, ctx: Context, union_id: UUID, enterprise_id: UUID | None, reason: str) -> None:
        """A person who left comes back: the same identity, a new spell of membership."""
        self._require("withdrawn", "transferred_away")
        self._record(self.Reactivated, ctx, reason=checked_text(reason, "reason", "理由", 200),
                     union_id=union_id, enterprise_id=enterprise_id)

    def leave_with_union(self, ctx: Context, union_id: UUID, to_body: str) -> None:
        """Go with one's union when it moves out of the subdistrict."""
        if self.union_id != union_id or self.status not in ("active", "retained"):
            raise StaleEdit("会员名单已有变化，请刷新页面后重试")
        self._record(self.LeftWithUnion, ctx, to_body=to_body)

    def erase_personal_data(self, ctx: Context, reason: str) -> None:
        """Record that the person's sealed data is erased (the key is destroyed after)."""
        if self.erased:
            raise InvalidInput("该会员的个人信息已经删除")
        self._record(self.PersonalDataErased, ctx, reason=checked_text(reason, "reason", "理由", 200))


def _check_dates(ctx: Context, birth_date: date, joined_on: date | None) -> None:
    if birth_date > ctx.occurred_on:
        raise InvalidInput("出生日期不能晚于今天", field="birth_date")
    if _age_on(birth_date, ctx.occurred_on) > 120:
        raise InvalidInput("出生日期有误", field="birth_date")
    if joined_on is None:
        return
    if joined_on > ctx.occurred_on:
        raise InvalidInput("入会日期不能晚于今天", field="joined_on")
    if _age_on(birth_date, joined_on) < MIN_AGE:
        raise InvalidInput("入会时须年满%(n)s周岁", field="joined_on", n=MIN_AGE)
