"""The roster's commands on UnionOffice: enterprises, grassroots unions, members.

Each is load → check → act → save, with everything one fact touches (the member and the
claim on their ID number, say) in one save(), so a refused command appends nothing.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from aggregates.census_check import CensusCheck
from aggregates.enterprise import COVERAGE, Enterprise, checked_worker_names
from aggregates.envelope import Context
from aggregates.errors import AlreadyExists, InvalidInput, NotFound
from aggregates.grid_cell import GridCell
from aggregates.identifiers import IdNumber, checked_id_number
from aggregates.member import Member, checked_card, checked_slip
from aggregates.personal_data import Sealed
from aggregates.quota_plan import QuotaPlan
from aggregates.settings import require
from aggregates.union import Union
from aggregates.unique_key import UniqueKey
from aggregates.user_account import checked_phone

if TYPE_CHECKING:
    from aggregates.application import UnionOffice

# Which kinds of union may cover a unit in each coverage mode.
COVERING_KINDS = {
    "standalone": {"enterprise", "office_staff"},
    "joint": {"joint"},
    "community": {"community", "community_general", "building", "industry", "regional"},
}


class KnownPerson(AlreadyExists):
    """The ID number belongs to a member already on record (one identity for life)."""

    message = "该身份证号码已登记为会员，同一人不能重复入会；如其已退会或转出，请在其档案中办理“重新入会”"

    def __init__(self, member_id: UUID) -> None:
        self.member_id = member_id
        super().__init__()


def _agrees_with(person: IdNumber, birth_date: date, gender: str) -> None:
    """The birth date and gender recorded must be the ones the ID number encodes."""
    if person.birth_date != birth_date:
        raise InvalidInput("出生日期与身份证号码不一致", field="birth_date")
    if person.gender != gender:
        raise InvalidInput("性别与身份证号码不一致", field="gender")


class RosterCommands:
    """Mixed into UnionOffice."""

    # -- enterprises ------------------------------------------------------------------------

    def register_enterprise(
        self: UnionOffice, ctx: Context, *, name: str, credit_code: str, ownership: str, industry: str = "",
        community: str = "", address: str = "", workers: int | None = None, women: int | None = None,
        form_key: str | None = None,
    ) -> UUID:
        """Register a unit of the census, with its first headcount if known."""
        self._authorise(ctx, "register_enterprise")
        self._refuse_repeated_form(form_key)
        enterprise_id = Enterprise.id_for(credit_code)
        existing = self._get_or_none(enterprise_id)
        if existing is not None:
            raise AlreadyExists("该统一社会信用代码已登记：%(name)s", name=existing.name)
        enterprise = Enterprise.register(ctx, name=name, credit_code=credit_code, ownership=ownership,
                                         industry=industry, community=community, address=address)
        if workers is not None:
            enterprise.report_headcount(ctx, ctx.occurred_on, workers, women or 0)
        self._save(enterprise, *self._form_claim(ctx, form_key, enterprise_id))
        return enterprise_id

    def rename_enterprise(self: UnionOffice, ctx: Context, enterprise_id: UUID, name: str,
                          seen_version: int | None = None) -> None:
        """Record a unit's new name."""
        self._authorise(ctx, "rename_enterprise")
        enterprise = self._load(enterprise_id, Enterprise, seen_version)
        enterprise.rename(ctx, name)
        self._save(enterprise)

    def report_headcount(self: UnionOffice, ctx: Context, enterprise_id: UUID, as_of: date, workers: int,
                         women: int) -> None:
        """Record a unit's workforce on a date."""
        self._authorise(ctx, "report_headcount")
        enterprise = self._load(enterprise_id, Enterprise)
        enterprise.report_headcount(ctx, as_of, workers, women)
        self._save(enterprise)

    def file_worker_list(self: UnionOffice, ctx: Context, enterprise_id: UUID, as_of: date, names: str) -> None:
        """ORG-04: file a unit's worker list (one name per line); the names are sealed under a key of
        their own, so the list can be erased without touching the unit's other records."""
        self._authorise(ctx, "file_worker_list")
        enterprise = self._load(enterprise_id, Enterprise)
        listed = checked_worker_names(names)
        enterprise.file_worker_list(ctx, as_of, self.keys.seal(self.new_id(), json.dumps(listed, ensure_ascii=False)),
                                    len(listed))
        self._save(enterprise)

    def worker_list(self: UnionOffice, enterprise_id: UUID, day: date) -> tuple[date, list[str] | None] | None:
        """The unit's latest worker list filed as of `day`: its date and names (None once erased)."""
        enterprise = self._load(enterprise_id, Enterprise)
        latest: tuple[date, Sealed] | None = None
        for entry in getattr(enterprise, "worker_lists", []):  # a later list of the same date replaces
            if entry[0] <= day and (latest is None or entry[0] >= latest[0]):
                latest = entry
        if latest is None:
            return None
        as_of, sealed = latest
        plain = self.keys.unseal(sealed)
        return as_of, json.loads(plain) if plain is not None else None

    def report_payroll(self: UnionOffice, ctx: Context, enterprise_id: UUID, year: int, month: int,
                       payroll: Decimal | str) -> None:
        """Record a unit's total payroll for a month."""
        self._authorise(ctx, "report_payroll")
        enterprise = self._load(enterprise_id, Enterprise)
        enterprise.report_payroll(ctx, year, month, payroll)
        self._save(enterprise)

    def change_coverage(
        self: UnionOffice, ctx: Context, enterprise_id: UUID, *, union_id: UUID | None, mode: str | None,
        from_date: date, seen_version: int | None = None,
    ) -> None:
        """Record which union covers a unit from a date on (None: not covered)."""
        self._authorise(ctx, "change_coverage")
        enterprise = self._load(enterprise_id, Enterprise, seen_version)
        self._check_covering(union_id, mode)
        minimum = int(require(self.settings(), "standalone_union_min_headcount", from_date))
        enterprise.cover(ctx, union_id, mode, from_date, minimum)
        self._save(enterprise)

    def close_enterprise(self: UnionOffice, ctx: Context, enterprise_id: UUID, reason: str) -> None:
        """Record that a unit closed down."""
        self._authorise(ctx, "close_enterprise")
        enterprise = self._load(enterprise_id, Enterprise)
        enterprise.close(ctx, reason)
        self._save(enterprise)

    def _check_covering(self: UnionOffice, union_id: UUID | None, mode: str | None) -> None:
        if union_id is None:
            return
        union = self._open_union(union_id)
        if mode in COVERAGE and union.kind not in COVERING_KINDS[mode]:
            raise InvalidInput("所选工会的类型与覆盖方式不符（单独建会须为企业工会，联合覆盖须为联合基层工会）",
                               field="mode")

    # -- grassroots unions ---------------------------------------------------------------------

    def found_union(
        self: UnionOffice, ctx: Context, *, name: str, kind: str, parent_id: UUID | None, workers: int,
        approver: str, approval_ref: str, term_years: int = 5, covers: list[UUID] | None = None,
        form_key: str | None = None,
    ) -> UUID:
        """Found a grassroots union, approved by the body its workforce calls for, covering its units."""
        self._authorise(ctx, "found_union")
        self._refuse_repeated_form(form_key)
        settings = self.settings()
        bands = (int(require(settings, "founding_community_max_headcount", ctx.occurred_on)),
                 int(require(settings, "founding_street_max_headcount", ctx.occurred_on)))
        if parent_id is not None:
            self._open_union(parent_id)
        union = Union.found(ctx, union_id=self.new_id(), name=name, kind=kind, parent_id=parent_id, workers=workers,
                            approver=approver, approval_ref=approval_ref, term_years=term_years, bands=bands)
        mode = next(m for m, kinds in COVERING_KINDS.items() if kind in kinds) if covers else None
        minimum = int(require(settings, "standalone_union_min_headcount", ctx.occurred_on))
        enterprises = [self._load(e, Enterprise) for e in dict.fromkeys(covers or [])]
        for enterprise in enterprises:
            enterprise.cover(ctx, union.id, mode, ctx.occurred_on, minimum)
        self._save(union, *enterprises, *self._form_claim(ctx, form_key, union.id))
        return union.id

    def rename_union(self: UnionOffice, ctx: Context, union_id: UUID, name: str, reason: str,
                     seen_version: int | None = None) -> None:
        """Record a union's new name."""
        self._authorise(ctx, "rename_union")
        union = self._load(union_id, Union, seen_version)
        union.rename(ctx, name, reason)
        self._save(union)

    def elect_union_committee(self: UnionOffice, ctx: Context, union_id: UUID, term_start: date,
                              term_years: int, organs: list[str]) -> None:
        """Record a union's re-election (换届), its new term and the organs formed with it."""
        self._authorise(ctx, "elect_union_committee")
        union = self._load(union_id, Union)
        union.elect_committee(ctx, term_start, term_years, organs)
        self._save(union)

    def appoint_office_holder(self: UnionOffice, ctx: Context, union_id: UUID, post: str, member_id: UUID, *,
                              owner_or_relative: bool) -> None:
        """Record an office-holder of a union: an active member of that union."""
        self._authorise(ctx, "appoint_office_holder")
        union = self._load(union_id, Union)
        member = self._load(member_id, Member)
        if member.status != "active" or member.union_id != union_id:
            raise InvalidInput("担任职务的须是本工会在会会员", field="member_id")
        union.appoint(ctx, post, member_id, owner_or_relative=owner_or_relative)
        self._save(union)

    def vacate_office_holder(self: UnionOffice, ctx: Context, union_id: UUID, post: str, member_id: UUID,
                             reason: str) -> None:
        """Record that an office-holder left the post."""
        self._authorise(ctx, "vacate_office_holder")
        union = self._load(union_id, Union)
        union.vacate(ctx, post, member_id, reason)
        self._save(union)

    def register_union_legal_person(self: UnionOffice, ctx: Context, union_id: UUID, certificate_no: str) -> None:
        """Record a union's legal-person certificate, or its change."""
        self._authorise(ctx, "register_union_legal_person")
        union = self._load(union_id, Union)
        union.register_legal_person(ctx, certificate_no)
        self._save(union)

    def upgrade_union(self: UnionOffice, ctx: Context, union_id: UUID, reason: str) -> None:
        """Record a union's upgrade (升格), e.g. to a community general union."""
        self._authorise(ctx, "upgrade_union")
        union = self._load(union_id, Union)
        union.upgrade(ctx, reason)
        self._save(union)

    def approve_union_election(self: UnionOffice, ctx: Context, union_id: UUID, approval_ref: str) -> None:
        """The higher union approved the founding election: the union is formally established (ORG-02)."""
        self._authorise(ctx, "approve_union_election")
        union = self._load(union_id, Union)
        union.approve_election(ctx, approval_ref)
        self._save(union)

    def form_union_group(self: UnionOffice, ctx: Context, union_id: UUID, group: str) -> None:
        """Record a union group (工会小组)."""
        self._authorise(ctx, "form_union_group")
        union = self._load(union_id, Union)
        union.form_group(ctx, group)
        self._save(union)

    def elect_group_leader(self: UnionOffice, ctx: Context, union_id: UUID, group: str, member_id: UUID,
                           electors: int) -> None:
        """ORG-10: a group's members choose its leader, an active member of the union."""
        self._authorise(ctx, "elect_group_leader")
        union = self._load(union_id, Union)
        member = self._load(member_id, Member)
        if member.status != "active" or member.union_id != union_id:
            raise InvalidInput("组长须是本工会在会会员", field="member_id")
        union.elect_group_leader(ctx, group, member_id, electors)
        self._save(union)

    def file_group_leader(self: UnionOffice, ctx: Context, union_id: UUID, group: str, filed_on: date) -> None:
        """ORG-10: the leader was filed with the higher union."""
        self._authorise(ctx, "file_group_leader")
        union = self._load(union_id, Union)
        union.file_group_leader(ctx, group, filed_on)
        self._save(union)

    def assess_union_compliance(self: UnionOffice, ctx: Context, union_id: UUID, year: int, standard: str,
                                met: list[str]) -> None:
        """Record a union's yearly assessment against 三有 / 六有 / 八有 (ORG-08)."""
        self._authorise(ctx, "assess_union_compliance")
        union = self._load(union_id, Union)
        union.assess(ctx, year, standard, met)
        self._save(union)

    def assign_grid_cell(self: UnionOffice, ctx: Context, *, community: str, name: str, leader: str,
                         workers: list[str], duties: str) -> UUID:
        """Set up a grid cell, or record its new leader, workers and duties (ORG-11)."""
        self._authorise(ctx, "assign_grid_cell")
        cell = self._get_or_none(GridCell.id_for(community, name))
        if cell is None:
            cell = GridCell.assign(ctx, community, name, leader=leader, workers=workers, duties=duties)
        else:
            cell.reassign(ctx, leader, workers, duties)
        self._save(cell)
        return cell.id

    def record_census_check(self: UnionOffice, ctx: Context, *, source: str, file_sha256: str,
                            counts: dict[str, int]) -> UUID:
        """Record that the census was checked against a register extract, and what was found (ORG-05)."""
        self._authorise(ctx, "record_census_check")
        check = CensusCheck.record(ctx, self.new_id(), source=source, file_sha256=file_sha256, counts=counts)
        self._save(check)
        return check.id

    def transfer_union_away(self: UnionOffice, ctx: Context, union_id: UUID, to_body: str, reason: str,
                            member_ids: list[UUID]) -> None:
        """转出: the union and its members (active and retained, as listed on the form) leave the subdistrict."""
        self._authorise(ctx, "transfer_union_away")
        union = self._load(union_id, Union)
        members = [self._load(member_id, Member) for member_id in dict.fromkeys(member_ids)]
        union.transfer_away(ctx, to_body, reason, len(members))
        for member in members:
            member.leave_with_union(ctx, union_id, to_body.strip())
        self._save(union, *members)

    def record_union_activity(self: UnionOffice, ctx: Context, union_id: UUID, *, held_on: date, title: str,
                              participants: int) -> None:
        """Record an activity a union held (§2.3: at least one every half-year for 25 or more workers)."""
        self._authorise(ctx, "record_union_activity")
        union = self._load(union_id, Union)
        union.hold_activity(ctx, held_on, title, participants)
        self._save(union)

    def set_community_quota(self: UnionOffice, ctx: Context, *, year: int, community: str, new_unions: int,
                            new_members: int, reason: str) -> None:
        """Set a community's share of the year's quotas for new unions and new members (ORG-06)."""
        self._authorise(ctx, "set_community_quota")
        plan = self._get_or_none(QuotaPlan.id_for(year)) or QuotaPlan.start(ctx, year)
        plan.set(ctx, community, new_unions, new_members, reason)
        self._save(plan)

    def dissolve_union(self: UnionOffice, ctx: Context, union_id: UUID, reason: str,
                       member_ids: list[UUID] | None = None) -> None:
        """Record that a union was deregistered; refused while any of its listed members is still in it."""
        self._authorise(ctx, "dissolve_union")
        union = self._load(union_id, Union)
        remaining = [m for m in (self._get_or_none(i) for i in member_ids or [])
                     if isinstance(m, Member) and m.union_id == union_id and m.status in ("active", "retained")]
        if remaining:
            raise InvalidInput("该工会还有会员 %(n)s 人，请先为他们办理接转，再注销工会", field="reason",
                               n=len(remaining))
        union.dissolve(ctx, reason)
        self._save(union)

    def _open_union(self: UnionOffice, union_id: UUID) -> Union:
        union = self._get_or_none(union_id)
        if not isinstance(union, Union):
            raise NotFound("找不到该工会")
        union.check_open()
        return union

    # -- members ------------------------------------------------------------------------------------

    def admit_member(
        self: UnionOffice, ctx: Context, *, name: str, gender: str, birth_date: date, id_number: str,
        union_id: UUID, joined_on: date, phone: str | None = None, enterprise_id: UUID | None = None,
        frontline: bool = False, employment_type: str = "regular", card_no: str | None = None,
        transferred_from: str | None = None, form_key: str | None = None,
    ) -> UUID:
        """Admit a person once for life: a known ID number is refused (offered as reactivation)."""
        self._authorise(ctx, "admit_member")
        self._refuse_repeated_form(form_key)
        person = checked_id_number(id_number)
        _agrees_with(person, birth_date, gender)
        Member.check_admission(ctx, gender, birth_date, joined_on)
        self._open_union(union_id)
        if enterprise_id is not None:
            self._load(enterprise_id, Enterprise)
        claim_id = UniqueKey.id_for("id_number", self.keys.blind("id_number", person.number))
        known = self._get_or_none(claim_id)
        if known is not None and not known.released:
            raise KnownPerson(known.owner_id)
        member_id = self.new_id()
        if known is None:
            claim = UniqueKey._found(UniqueKey.Claimed, ctx, id=claim_id, kind="id_number", owner_id=member_id)
        else:
            claim = known
            claim.reclaim(ctx, member_id)
        claims = [claim]
        claims += self._card_claim(ctx, card_no, member_id)
        member = Member.admit(
            ctx, member_id=member_id, name=name, gender=gender, birth_date=birth_date,
            id_number=self.keys.seal(member_id, person.number),
            phone=self.keys.seal(member_id, checked_phone(phone)) if phone else None,
            union_id=union_id, enterprise_id=enterprise_id, frontline=frontline, employment_type=employment_type,
            joined_on=joined_on,
            card_no=card_no, transferred_from=transferred_from,
        )
        self._save(member, *claims, *self._form_claim(ctx, form_key, member_id))
        return member_id

    def _card_claim(self: UnionOffice, ctx: Context, card_no: str | None, member_id: UUID) -> list[UniqueKey]:
        if not card_no:
            return []
        card = checked_card(card_no)
        if UniqueKey.id_for("card_no", card) in self.repository:
            raise AlreadyExists("会员证号“%(card)s”已被使用", card=card)
        return [UniqueKey.claim(ctx, "card_no", card, member_id)]

    def correct_member_details(self: UnionOffice, ctx: Context, member_id: UUID, changes: dict[str, Any],
                               reason: str, seen_version: int | None = None) -> None:
        """Correct a member's recorded details by a compensating event."""
        self._authorise(ctx, "correct_member_details")
        member = self._load(member_id, Member, seen_version)
        changes = dict(changes)
        if "phone" in changes and member.erased:
            raise InvalidInput("该会员的个人信息已删除，不能再录入", field="phone")
        if {"birth_date", "gender"} & set(changes) and not member.erased:
            person = checked_id_number(self.keys.unseal(member.id_number) or "")
            _agrees_with(person, changes.get("birth_date", member.birth_date), changes.get("gender", member.gender))
        if "phone" in changes:
            current = self.keys.unseal(member.phone) if member.phone else None
            new = checked_phone(changes["phone"]) if changes["phone"] else None
            if new == current:
                del changes["phone"]
            else:
                changes["phone"] = self.keys.seal(member_id, new) if new else None
        if changes.get("enterprise_id") is not None:
            self._load(changes["enterprise_id"], Enterprise)
        member.correct(ctx, changes, reason)
        self._save(member)

    def correct_member_id_number(self: UnionOffice, ctx: Context, member_id: UUID, id_number: str,
                                 reason: str) -> None:
        """Correct a wrongly recorded ID number: the old claim is released, the new one taken, at once."""
        self._authorise(ctx, "correct_member_id_number")
        member = self._load(member_id, Member)
        person = checked_id_number(id_number)
        old_number = self.keys.unseal(member.id_number) if not member.erased else None
        if old_number == person.number:
            raise InvalidInput("新号码与原号码相同", field="id_number")
        new_id = UniqueKey.id_for("id_number", self.keys.blind("id_number", person.number))
        new_claim = self._get_or_none(new_id)
        if new_claim is not None and not new_claim.released:
            raise KnownPerson(new_claim.owner_id)
        if new_claim is None:
            new_claim = UniqueKey._found(UniqueKey.Claimed, ctx, id=new_id, kind="id_number", owner_id=member_id)
        else:
            new_claim.reclaim(ctx, member_id)
        member.correct_id_number(ctx, self.keys.seal(member_id, person.number), person.birth_date, person.gender,
                                 reason)
        claims = [new_claim]
        if old_number is not None:
            old_claim = self._get_or_none(UniqueKey.id_for("id_number", self.keys.blind("id_number", old_number)))
            if old_claim is not None:
                old_claim.release(ctx, reason)
                claims.append(old_claim)
        self._save(member, *claims)

    def issue_membership_card(self: UnionOffice, ctx: Context, member_id: UUID, card_no: str) -> None:
        """Record a member's card number (MEM-06), unique in the office."""
        self._authorise(ctx, "issue_membership_card")
        member = self._load(member_id, Member)
        claims = self._card_claim(ctx, card_no, member_id)
        member.issue_card(ctx, card_no)
        self._save(member, *claims)

    def transfer_member_out(
        self: UnionOffice, ctx: Context, member_id: UUID, slip_no: str, *, to_union_id: UUID | None = None,
        to_outside: str | None = None, seen_version: int | None = None,
    ) -> None:
        """Step one of a transfer (会籍转出): issue the slip; the member is in transit."""
        self._authorise(ctx, "transfer_member_out")
        member = self._load(member_id, Member, seen_version)
        if to_union_id is not None:
            self._open_union(to_union_id)
        slip = checked_slip(slip_no)
        if UniqueKey.id_for("transfer_slip", slip) in self.repository:
            raise AlreadyExists("接转单编号“%(slip)s”已经使用过", slip=slip)
        member.transfer_out(ctx, slip, to_union_id, to_outside)
        self._save(member, UniqueKey.claim(ctx, "transfer_slip", slip, member_id))

    def receive_member_transfer(self: UnionOffice, ctx: Context, member_id: UUID, union_id: UUID,
                                slip_no: str) -> None:
        """Step two (接收): the union named on the slip receives the member."""
        self._authorise(ctx, "receive_member_transfer")
        member = self._load(member_id, Member)
        self._open_union(union_id)
        member.receive(ctx, union_id, slip_no)
        self._save(member)

    def complete_outside_transfer(self: UnionOffice, ctx: Context, member_id: UUID) -> None:
        """A transfer out of the subdistrict is confirmed by the receipt."""
        self._authorise(ctx, "complete_outside_transfer")
        member = self._load(member_id, Member)
        member.complete_outside(ctx)
        self._save(member)

    def cancel_member_transfer(self: UnionOffice, ctx: Context, member_id: UUID, reason: str) -> None:
        """Void a transfer in progress; the member stays where they were."""
        self._authorise(ctx, "cancel_member_transfer")
        member = self._load(member_id, Member)
        member.cancel_transfer(ctx, reason)
        self._save(member)

    def retain_membership(self: UnionOffice, ctx: Context, member_id: UUID, cause: str, reason: str = "",
                          seen_version: int | None = None) -> None:
        """保留会籍 on retirement or unemployment."""
        self._authorise(ctx, "retain_membership")
        member = self._load(member_id, Member, seen_version)
        member.retain(ctx, cause, reason)
        self._save(member)

    def restore_membership(self: UnionOffice, ctx: Context, member_id: UUID, reason: str) -> None:
        """A retained member becomes active again."""
        self._authorise(ctx, "restore_membership")
        member = self._load(member_id, Member)
        member.restore(ctx, reason)
        self._save(member)

    def withdraw_member(self: UnionOffice, ctx: Context, member_id: UUID, *, card_returned: bool,
                        lapsed: bool = False, reason: str) -> None:
        """退会 (on request, or by decision after six months without dues)."""
        self._authorise(ctx, "withdraw_member")
        member = self._load(member_id, Member)
        member.withdraw(ctx, card_returned=card_returned, lapsed=lapsed, reason=reason)
        self._save(member)

    def expel_member(self: UnionOffice, ctx: Context, member_id: UUID, decision_ref: str, reason: str) -> None:
        """开除会籍 by the union committee's decision."""
        self._authorise(ctx, "expel_member")
        member = self._load(member_id, Member)
        member.expel(ctx, decision_ref, reason)
        self._save(member)

    def record_member_death(self: UnionOffice, ctx: Context, member_id: UUID, died_on: date) -> None:
        """Record that a member died."""
        self._authorise(ctx, "record_member_death")
        member = self._load(member_id, Member)
        member.record_death(ctx, died_on)
        self._save(member)

    def reactivate_member(self: UnionOffice, ctx: Context, member_id: UUID, union_id: UUID,
                          enterprise_id: UUID | None, reason: str) -> None:
        """A returning person: the same member, active again in a union."""
        self._authorise(ctx, "reactivate_member")
        member = self._load(member_id, Member)
        self._open_union(union_id)
        if enterprise_id is not None:
            self._load(enterprise_id, Enterprise)
        member.reactivate(ctx, union_id, enterprise_id, reason)
        self._save(member)

    def erase_member_personal_data(self: UnionOffice, ctx: Context, member_id: UUID, reason: str) -> None:
        """Erase a member's sealed data (PIPL): record it, then destroy the key."""
        self._authorise(ctx, "erase_member_personal_data")
        member = self._load(member_id, Member)
        member.erase_personal_data(ctx, reason)
        self._save(member)
        self.keys.erase(member_id)
