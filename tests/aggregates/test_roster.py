"""The roster's write side: units, unions and members, through UnionOffice's own commands.

Rules proved here: ORG-01 / ORG-02 / Q14 (25-person rule, approval bands), §2.3 owner
exclusion, MEM-06 (cards), MEM-08 / Q11 (retained membership, withdrawal, nothing
automatic), one identity for life (《工会会员会籍管理办法》「一次入会、动态接转」), the
two-step transfer, compensating corrections and the erasure of personal data (PIPL).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from aggregates.application import UnionOffice
from aggregates.chain import verify_sqlite
from aggregates.errors import AlreadyExists, DomainError, InvalidInput
from aggregates.identifiers import checked_id_number, id_check_digit
from aggregates.member import Member
from aggregates.roster_commands import KnownPerson
from aggregates.union import Union, women_organ_met, women_organ_needed
from tests.conftest import Clock, acting, as_role, refused
from tests.roster_helpers import credit_code, enterprise, id_number, member, union

TODAY = date(2026, 3, 8)


def ctx_of(office: UnionOffice):
    """The roster keeper (办公室) acting today."""
    return as_role(office, "office")


def found(office: UnionOffice, workers: int, approver: str, kind: str = "enterprise") -> UUID:
    return office.found_union(ctx_of(office), name=f"新建工会{workers}", kind=kind, parent_id=None,
                              workers=workers, approver=approver, approval_ref="和工批2026-1号")


def set_value(office: UnionOffice, key: str, value: int, effective_from: date = TODAY) -> None:
    office.set_setting(acting(office, "set_setting"), key, value, effective_from, "区总工会通知")


def admit(office: UnionOffice, union_id: UUID, number: str, *, born: date = date(1990, 5, 17),
          gender: str = "M", joined_on: date = date(2015, 3, 1), name: str = "张建国", **extra: object) -> UUID:
    return office.admit_member(ctx_of(office), name=name, gender=gender, birth_date=born, id_number=number,
                               union_id=union_id, joined_on=joined_on, **extra)  # type: ignore[arg-type]


def get_member(office: UnionOffice, member_id: UUID) -> Member:
    found_member = office.repository.get(member_id)
    assert isinstance(found_member, Member)
    return found_member


def events_of(office: UnionOffice, stream_id: UUID) -> list:
    return list(office.events.get(stream_id))


# -- ORG-01: the 25-person rule ----------------------------------------------------------------------


def test_org01_a_unit_of_24_workers_cannot_be_covered_standalone(office: UnionOffice):
    unit = enterprise(office, workers=24)
    own = union(office)
    with refused(office, match="25人以上"):
        office.change_coverage(ctx_of(office), unit, union_id=own, mode="standalone", from_date=TODAY)
    assert office.repository.get(unit).covered_by is None


def test_org01_a_unit_of_25_workers_may_be_covered_standalone(office: UnionOffice):
    unit = enterprise(office, workers=25)
    own = union(office)
    office.change_coverage(ctx_of(office), unit, union_id=own, mode="standalone", from_date=TODAY)
    covered = office.repository.get(unit)
    assert (covered.covered_by, covered.coverage, covered.coverage_from) == (own, "standalone", TODAY)


def test_org01_founding_an_enterprise_union_over_a_unit_under_25_is_refused_and_records_no_union(
        office: UnionOffice):
    unit = enterprise(office, workers=10)
    with refused(office, match="25人以上"):
        union(office, covers=[unit], workers=10)


def test_org01_a_unit_with_no_reported_headcount_cannot_stand_alone(office: UnionOffice):
    unit = office.register_enterprise(acting(office, "register_enterprise"), name="未报人数公司",
                                      credit_code=credit_code(),
                                      ownership="private")
    own = union(office)
    with refused(office, match="未登记"):
        office.change_coverage(ctx_of(office), unit, union_id=own, mode="standalone", from_date=TODAY)


def test_org01_the_standalone_threshold_follows_the_setting_in_force(office: UnionOffice):
    unit = enterprise(office, workers=22)
    own = union(office)
    with refused(office, match="25人以上"):
        office.change_coverage(ctx_of(office), unit, union_id=own, mode="standalone", from_date=TODAY)
    set_value(office, "standalone_union_min_headcount", 20)
    office.change_coverage(ctx_of(office), unit, union_id=own, mode="standalone", from_date=TODAY)
    assert office.repository.get(unit).coverage == "standalone"


def test_org01_a_threshold_set_for_a_later_date_is_not_yet_in_force(office: UnionOffice, clock: Clock):
    unit = enterprise(office, workers=22)
    own = union(office)
    set_value(office, "standalone_union_min_headcount", 20, TODAY + timedelta(days=10))
    clock.advance(days=10)
    with refused(office, match="25人以上"):
        office.change_coverage(ctx_of(office), unit, union_id=own, mode="standalone",
                               from_date=TODAY + timedelta(days=9))
    office.change_coverage(ctx_of(office), unit, union_id=own, mode="standalone",
                           from_date=TODAY + timedelta(days=10))
    assert office.repository.get(unit).coverage_from == TODAY + timedelta(days=10)


def test_org01_a_same_day_corrected_headcount_is_the_one_the_25_person_rule_judges(office: UnionOffice):
    """ORG-01: the unit first reported 30 workers, then corrected today's figure to 20; the latest report for a
    date stands (as the read model shows it), so the unit may not found its own union."""
    unit = enterprise(office, workers=30)
    office.report_headcount(ctx_of(office), unit, TODAY, 20, 5)
    own = union(office)
    with refused(office, match="25人以上"):
        office.change_coverage(ctx_of(office), unit, union_id=own, mode="standalone", from_date=TODAY)


# -- ORG-01 / ORG-02 / Q14: who approves a new union ------------------------------------------------------


@pytest.mark.parametrize(("workers", "approver"), [
    (1, "community"), (7, "community"), (8, "street"), (50, "street"), (51, "district"), (5000, "district"),
])
def test_org01_org02_q14_a_union_is_founded_with_the_approval_its_workforce_calls_for(
        office: UnionOffice, workers: int, approver: str):
    union_id = found(office, workers, approver)
    founded = office.repository.get(union_id)
    assert isinstance(founded, Union) and founded.name == f"新建工会{workers}"
    (first,) = events_of(office, union_id)
    assert (first.workers, first.approver) == (workers, approver)


@pytest.mark.parametrize(("workers", "wrong", "body"), [
    (7, "street", "社区工会"),
    (8, "community", "街道（镇）工会"),
    (50, "district", "街道（镇）工会"),
    (51, "street", "区（县）总工会"),
])
def test_org01_org02_q14_founding_with_the_wrong_approver_is_refused_naming_the_right_body(
        office: UnionOffice, workers: int, wrong: str, body: str):
    with refused(office) as info:
        found(office, workers, wrong)
    assert info.value.field == "approver"
    assert body in str(info.value)


def test_org01_q14_the_approval_bands_follow_the_settings(office: UnionOffice):
    set_value(office, "founding_community_max_headcount", 10)
    set_value(office, "founding_street_max_headcount", 60)
    assert office.repository.get(found(office, 10, "community")).kind == "enterprise"
    assert office.repository.get(found(office, 60, "street")).kind == "enterprise"
    assert office.repository.get(found(office, 61, "district")).kind == "enterprise"
    with refused(office, match="社区工会"):
        found(office, 9, "street")


def test_org01_q14_the_wrong_approver_refusal_states_the_bands_in_force(office: UnionOffice):
    """ORG-01 / Q14: once the bands are set to 10 and 60, the refusal must not tell the user the default
    7 / 50 bands."""
    set_value(office, "founding_community_max_headcount", 10)
    set_value(office, "founding_street_max_headcount", 60)
    with refused(office) as info:
        found(office, 9, "street")
    assert "7人以下" not in str(info.value)
    assert "10" in str(info.value) and "60" in str(info.value)


# -- §2.3 owner exclusion and office-holders ---------------------------------------------------------


@pytest.mark.parametrize("post", ["chair", "fund_review_chair", "fund_review_member"])
def test_s2_3_owner_exclusion_the_owner_or_a_close_relative_may_not_hold_the_post(office: UnionOffice, post: str):
    own = union(office)
    owner = member(office, own)
    with refused(office, match="民营企业主及其近亲属"):
        office.appoint_office_holder(ctx_of(office), own, post, owner, owner_or_relative=True)
    assert office.repository.get(own).holders.get(post, []) == []


def test_s2_3_owner_exclusion_the_owner_may_be_an_ordinary_committee_member(office: UnionOffice):
    own = union(office)
    owner = member(office, own)
    office.appoint_office_holder(ctx_of(office), own, "committee_member", owner, owner_or_relative=True)
    assert office.repository.get(own).holders["committee_member"] == [owner]


def test_s2_3_a_worker_who_is_not_the_owner_may_be_chair(office: UnionOffice):
    own = union(office)
    worker = member(office, own)
    office.appoint_office_holder(ctx_of(office), own, "chair", worker, owner_or_relative=False)
    assert office.repository.get(own).holders["chair"] == [worker]


def test_an_office_holder_must_be_a_member_of_that_union(office: UnionOffice):
    own, other = union(office), union(office)
    outsider = member(office, other)
    with refused(office, match="本工会在会会员"):
        office.appoint_office_holder(ctx_of(office), own, "chair", outsider, owner_or_relative=False)


def test_an_office_holder_must_be_an_active_member(office: UnionOffice):
    own = union(office)
    retired = member(office, own)
    office.retain_membership(ctx_of(office), retired, "retirement", "退休")
    with refused(office, match="本工会在会会员"):
        office.appoint_office_holder(ctx_of(office), own, "committee_member", retired, owner_or_relative=False)


# -- coverage mode and union kind ----------------------------------------------------------------------


def test_standalone_coverage_needs_an_enterprise_union(office: UnionOffice):
    unit = enterprise(office, workers=40)
    joint = union(office, kind="joint", workers=30)
    with refused(office, match="单独建会须为企业工会"):
        office.change_coverage(ctx_of(office), unit, union_id=joint, mode="standalone", from_date=TODAY)


def test_joint_coverage_needs_a_joint_union(office: UnionOffice):
    unit = enterprise(office, workers=12)
    own = union(office)
    with refused(office, match="联合覆盖须为联合基层工会"):
        office.change_coverage(ctx_of(office), unit, union_id=own, mode="joint", from_date=TODAY)


def test_a_small_unit_is_covered_by_a_joint_union(office: UnionOffice):
    unit = enterprise(office, workers=12)
    joint = union(office, kind="joint", workers=30)
    office.change_coverage(ctx_of(office), unit, union_id=joint, mode="joint", from_date=TODAY)
    covered = office.repository.get(unit)
    assert (covered.covered_by, covered.coverage) == (joint, "joint")


# -- one identity for life -------------------------------------------------------------------------------


def test_the_same_id_number_is_admitted_once_and_the_refusal_names_the_first_member(office: UnionOffice):
    own, other = union(office), union(office)
    number = id_number()
    first = admit(office, own, number)
    with refused(office, KnownPerson) as info:
        admit(office, other, number, name="张建")
    assert info.value.member_id == first
    assert isinstance(info.value, AlreadyExists)


def test_the_same_id_number_written_with_a_lower_case_x_is_the_same_person(office: UnionOffice):
    own = union(office)
    number = next(n for n in (id_number() for _ in range(200)) if n.endswith("X"))
    first = admit(office, own, number)
    with refused(office, KnownPerson) as info:
        admit(office, own, number.lower())
    assert info.value.member_id == first


def test_a_withdrawn_member_who_returns_is_reactivated_under_the_same_identity(office: UnionOffice):
    old, new = union(office), union(office)
    number = id_number()
    person = admit(office, old, number)
    office.withdraw_member(ctx_of(office), person, card_returned=True, reason="本人申请")
    with refused(office, KnownPerson) as info:
        admit(office, new, number)
    assert info.value.member_id == person
    office.reactivate_member(ctx_of(office), person, new, None, "重新入会")
    back = get_member(office, person)
    assert (back.id, back.status, back.union_id) == (person, "active", new)


def test_an_active_member_cannot_be_reactivated(office: UnionOffice):
    own, other = union(office), union(office)
    person = member(office, own)
    with refused(office, match="在会"):
        office.reactivate_member(ctx_of(office), person, other, None, "重新入会")


# -- ID number and dates ---------------------------------------------------------------------------------


def _with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


_GOOD = _with_check("21010219900517123")
_WRONG_CHECK = _GOOD[:17] + ("0" if _GOOD[17] != "0" else "1")


@pytest.mark.parametrize(("number", "message"), [
    (_WRONG_CHECK, "校验位"),
    (_with_check("21010219900230123"), "出生日期无效"),
    (_with_check("21010219901317123"), "出生日期无效"),
    (_GOOD[:17], "18位"),
    (_GOOD + "1", "18位"),
    ("21010219900517A23" + _GOOD[17], "18位"),
    ("", "18位"),
])
def test_a_malformed_id_number_is_refused(office: UnionOffice, number: str, message: str):
    own = union(office)
    with refused(office, match=message) as info:
        admit(office, own, number)
    assert info.value.field == "id_number"


def test_the_id_number_check_accepts_a_valid_number_and_reads_birth_and_gender():
    person = checked_id_number(_GOOD)
    assert (person.birth_date, person.gender, person.tail) == (date(1990, 5, 17), "M", _GOOD[-4:])


def test_a_birth_date_that_differs_from_the_id_number_is_refused(office: UnionOffice):
    own = union(office)
    with refused(office, match="出生日期与身份证号码不一致") as info:
        admit(office, own, id_number(date(1990, 5, 17)), born=date(1990, 5, 18))
    assert info.value.field == "birth_date"


def test_a_gender_that_differs_from_the_id_number_is_refused(office: UnionOffice):
    own = union(office)
    with refused(office, match="性别与身份证号码不一致") as info:
        admit(office, own, id_number(gender="M"), gender="F")
    assert info.value.field == "gender"


def test_a_birth_date_in_the_future_is_refused(office: UnionOffice):
    own = union(office)
    tomorrow = TODAY + timedelta(days=1)
    with refused(office, match="出生日期不能晚于今天"):
        admit(office, own, id_number(tomorrow), born=tomorrow, joined_on=TODAY)


def test_a_joining_date_in_the_future_is_refused(office: UnionOffice):
    own = union(office)
    with refused(office, match="入会日期不能晚于今天") as info:
        admit(office, own, id_number(), joined_on=TODAY + timedelta(days=1))
    assert info.value.field == "joined_on"


def test_joining_before_the_sixteenth_birthday_is_refused(office: UnionOffice):
    own = union(office)
    born = date(2000, 5, 17)
    with refused(office, match="16周岁") as info:
        admit(office, own, id_number(born), born=born, joined_on=date(2016, 5, 16))
    assert info.value.field == "joined_on"


def test_joining_on_the_sixteenth_birthday_is_allowed(office: UnionOffice):
    own = union(office)
    born = date(2000, 5, 17)
    person = admit(office, own, id_number(born), born=born, joined_on=date(2016, 5, 17))
    assert get_member(office, person).status == "active"


# -- MEM-06: membership cards ---------------------------------------------------------------------


def test_mem06_a_card_number_belongs_to_one_member(office: UnionOffice):
    own = union(office)
    first = member(office, own, card_no="HX-0001")
    assert get_member(office, first).card_no == "HX-0001"
    with refused(office, AlreadyExists, match="HX-0001"):
        member(office, own, name="李梅", gender="F", card_no="hx-0001")


def test_mem06_a_card_is_issued_after_admission(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    assert get_member(office, person).card_no is None
    office.issue_membership_card(ctx_of(office), person, "hx-0002")
    assert get_member(office, person).card_no == "HX-0002"


def test_mem06_a_card_issued_later_cannot_reuse_a_number(office: UnionOffice):
    own = union(office)
    member(office, own, card_no="HX-0003")
    person = member(office, own, name="李梅", gender="F")
    with refused(office, AlreadyExists, match="HX-0003"):
        office.issue_membership_card(ctx_of(office), person, "HX-0003")
    assert get_member(office, person).card_no is None


# -- two-step transfer -------------------------------------------------------------------------------


def test_transferring_out_puts_the_member_in_transit_in_their_old_union(office: UnionOffice):
    old, new = union(office), union(office)
    person = member(office, old)
    office.transfer_member_out(ctx_of(office), person, "ZJ-2026-001", to_union_id=new)
    moving = get_member(office, person)
    assert (moving.status, moving.union_id) == ("in_transit", old)
    assert moving.transfer == {"slip_no": "ZJ-2026-001", "to_union_id": new, "to_outside": None,
                               "from_union_id": old}


def test_the_union_named_on_the_slip_receives_the_member_with_the_slip_number_in_any_case(office: UnionOffice):
    old, new = union(office), union(office)
    person = member(office, old)
    office.transfer_member_out(ctx_of(office), person, "ZJ-2026-002", to_union_id=new)
    office.receive_member_transfer(ctx_of(office), person, new, "zj-2026-002")
    arrived = get_member(office, person)
    assert (arrived.status, arrived.union_id, arrived.transfer) == ("active", new, None)


def test_receiving_with_a_different_slip_number_is_refused(office: UnionOffice):
    old, new = union(office), union(office)
    person = member(office, old)
    office.transfer_member_out(ctx_of(office), person, "ZJ-2026-003", to_union_id=new)
    with refused(office, match="编号不符"):
        office.receive_member_transfer(ctx_of(office), person, new, "ZJ-2026-004")


def test_receiving_at_a_union_not_named_on_the_slip_is_refused(office: UnionOffice):
    old, new, third = union(office), union(office), union(office)
    person = member(office, old)
    office.transfer_member_out(ctx_of(office), person, "ZJ-2026-005", to_union_id=new)
    with refused(office, match="接收工会与接转单上的工会不一致"):
        office.receive_member_transfer(ctx_of(office), person, third, "ZJ-2026-005")
    assert get_member(office, person).status == "in_transit"


def test_receiving_a_member_who_was_never_transferred_out_is_refused(office: UnionOffice):
    old, new = union(office), union(office)
    person = member(office, old)
    with refused(office, match="没有转出记录"):
        office.receive_member_transfer(ctx_of(office), person, new, "ZJ-2026-006")


def test_a_slip_number_is_used_once(office: UnionOffice):
    old, new = union(office), union(office)
    first, second = member(office, old), member(office, old, name="李梅", gender="F")
    office.transfer_member_out(ctx_of(office), first, "ZJ-2026-007", to_union_id=new)
    office.receive_member_transfer(ctx_of(office), first, new, "ZJ-2026-007")
    with refused(office, AlreadyExists, match="ZJ-2026-007"):
        office.transfer_member_out(ctx_of(office), second, "zj-2026-007", to_union_id=new)
    assert get_member(office, second).status == "active"


def test_a_cancelled_slip_number_is_not_used_again(office: UnionOffice):
    old, new = union(office), union(office)
    person = member(office, old)
    office.transfer_member_out(ctx_of(office), person, "ZJ-2026-008", to_union_id=new)
    office.cancel_member_transfer(ctx_of(office), person, "填错")
    with refused(office, AlreadyExists):
        office.transfer_member_out(ctx_of(office), person, "ZJ-2026-008", to_union_id=new)


def test_transferring_a_member_to_their_own_union_is_refused(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    with refused(office, match="不能转入会员现在所在的工会"):
        office.transfer_member_out(ctx_of(office), person, "ZJ-2026-009", to_union_id=own)


def test_a_transfer_names_either_a_union_here_or_one_outside(office: UnionOffice):
    old, new = union(office), union(office)
    person = member(office, old)
    with refused(office, match="二选一"):
        office.transfer_member_out(ctx_of(office), person, "ZJ-2026-010")
    with refused(office, match="二选一"):
        office.transfer_member_out(ctx_of(office), person, "ZJ-2026-010", to_union_id=new, to_outside="外区工会")


def test_a_transfer_out_of_the_subdistrict_completes_on_the_receipt(office: UnionOffice):
    old = union(office)
    person = member(office, old)
    office.transfer_member_out(ctx_of(office), person, "ZJ-2026-011", to_outside="外区某公司工会")
    assert get_member(office, person).status == "in_transit"
    office.complete_outside_transfer(ctx_of(office), person)
    left = get_member(office, person)
    assert (left.status, left.transfer) == ("transferred_away", None)


def test_a_transfer_inside_the_subdistrict_cannot_be_completed_as_an_outside_one(office: UnionOffice):
    old, new = union(office), union(office)
    person = member(office, old)
    office.transfer_member_out(ctx_of(office), person, "ZJ-2026-012", to_union_id=new)
    with refused(office, match="本街道以外"):
        office.complete_outside_transfer(ctx_of(office), person)


def test_cancelling_a_transfer_leaves_the_member_active_in_their_original_union(office: UnionOffice):
    old, new = union(office), union(office)
    person = member(office, old)
    office.transfer_member_out(ctx_of(office), person, "ZJ-2026-013", to_union_id=new)
    office.cancel_member_transfer(ctx_of(office), person, "本人放弃调动")
    stayed = get_member(office, person)
    assert (stayed.status, stayed.union_id, stayed.transfer) == ("active", old, None)


def test_a_cancelled_transfer_can_no_longer_be_received(office: UnionOffice):
    old, new = union(office), union(office)
    person = member(office, old)
    office.transfer_member_out(ctx_of(office), person, "ZJ-2026-014", to_union_id=new)
    office.cancel_member_transfer(ctx_of(office), person, "本人放弃调动")
    with refused(office, match="没有转出记录"):
        office.receive_member_transfer(ctx_of(office), person, new, "ZJ-2026-014")


# -- MEM-08 / Q11: retained membership, withdrawal, nothing automatic --------------------------------------


@pytest.mark.parametrize("cause", ["retirement", "unemployment"])
def test_mem08_q11_retirement_or_unemployment_gives_retained_membership(office: UnionOffice, cause: str):
    own = union(office)
    person = member(office, own)
    office.retain_membership(ctx_of(office), person, cause)
    kept = get_member(office, person)
    assert (kept.status, kept.union_id) == ("retained", own)
    assert events_of(office, person)[-1].cause == cause


def test_mem08_q11_membership_is_retained_only_for_retirement_or_unemployment(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    with refused(office, match="退休或失业") as info:
        office.retain_membership(ctx_of(office), person, "moved_away")
    assert info.value.field == "cause"


def test_mem08_q11_a_retained_member_is_restored_to_active(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    office.retain_membership(ctx_of(office), person, "unemployment")
    office.restore_membership(ctx_of(office), person, "重新就业")
    assert get_member(office, person).status == "active"


def test_mem08_q11_only_a_retained_member_is_restored(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    with refused(office, match="在会"):
        office.restore_membership(ctx_of(office), person, "重新就业")


@pytest.mark.parametrize(("card_returned", "lapsed"), [(True, False), (False, True)])
def test_mem08_q11_a_withdrawal_records_whether_the_card_was_returned_and_whether_it_lapsed(
        office: UnionOffice, card_returned: bool, lapsed: bool):
    own = union(office)
    person = member(office, own)
    office.withdraw_member(ctx_of(office), person, card_returned=card_returned, lapsed=lapsed,
                           reason="六个月未缴会费，经跟进后委员会决定" if lapsed else "本人申请")
    assert get_member(office, person).status == "withdrawn"
    withdrawn = events_of(office, person)[-1]
    assert isinstance(withdrawn, Member.Withdrawn)
    assert (withdrawn.card_returned, withdrawn.lapsed) == (card_returned, lapsed)


def test_mem08_q11_a_withdrawal_needs_a_reason(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    with refused(office, match="理由") as info:
        office.withdraw_member(ctx_of(office), person, card_returned=False, lapsed=True, reason=" ")
    assert info.value.field == "reason"


def test_mem08_q11_nothing_changes_a_members_status_without_a_command(office: UnionOffice, clock: Clock):
    """Q11: six months without dues lists a member for follow-up; withdrawal is only ever a recorded decision."""
    own = union(office)
    person = member(office, own)
    retired = member(office, own, name="李梅", gender="F")
    office.retain_membership(ctx_of(office), retired, "retirement")
    before = office.recorder.max_notification_id()
    clock.advance(days=213)  # seven months
    assert office.today() == date(2026, 10, 7)
    assert get_member(office, person).status == "active"
    assert get_member(office, retired).status == "retained"
    assert office.recorder.max_notification_id() == before


# -- expulsion, death, and acting on an ended membership ---------------------------------------------


def test_expulsion_needs_the_committees_decision_reference(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    with refused(office, match="决定文号") as info:
        office.expel_member(ctx_of(office), person, "  ", "严重违反章程")
    assert info.value.field == "decision_ref"
    assert get_member(office, person).status == "active"


def test_expulsion_with_a_decision_reference_is_recorded(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    office.expel_member(ctx_of(office), person, "工委〔2026〕3号", "严重违反章程")
    assert get_member(office, person).status == "expelled"
    assert events_of(office, person)[-1].decision_ref == "工委〔2026〕3号"


def _end(office: UnionOffice, person: UUID, status: str) -> None:
    if status == "withdrawn":
        office.withdraw_member(ctx_of(office), person, card_returned=True, reason="本人申请")
    else:
        office.record_member_death(ctx_of(office), person, TODAY - timedelta(days=1))


@pytest.mark.parametrize(("status", "shown"), [("withdrawn", "已退会"), ("deceased", "已去世")])
@pytest.mark.parametrize("action", ["transfer", "retain", "card"])
def test_acting_on_an_ended_membership_is_refused_naming_its_status(
        office: UnionOffice, status: str, shown: str, action: str):
    old, new = union(office), union(office)
    person = member(office, old)
    _end(office, person, status)
    with refused(office, match=f"当前状态为“{shown}”"):
        if action == "transfer":
            office.transfer_member_out(ctx_of(office), person, "ZJ-2026-020", to_union_id=new)
        elif action == "retain":
            office.retain_membership(ctx_of(office), person, "retirement")
        else:
            office.issue_membership_card(ctx_of(office), person, "HX-0020")
    assert get_member(office, person).status == status


def test_a_death_is_recorded(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    office.record_member_death(ctx_of(office), person, TODAY)
    assert get_member(office, person).status == "deceased"
    assert events_of(office, person)[-1].died_on == TODAY


def test_a_member_in_transit_may_die_and_their_transfer_ends(office: UnionOffice):
    old, new = union(office), union(office)
    person = member(office, old)
    office.transfer_member_out(ctx_of(office), person, "ZJ-2026-021", to_union_id=new)
    office.record_member_death(ctx_of(office), person, TODAY)
    dead = get_member(office, person)
    assert (dead.status, dead.transfer) == ("deceased", None)


@pytest.mark.parametrize("died_on", [date(1990, 5, 16), TODAY + timedelta(days=1)])
def test_a_death_before_birth_or_in_the_future_is_refused(office: UnionOffice, died_on: date):
    own = union(office)
    person = member(office, own, born=date(1990, 5, 17))
    with refused(office, match="去世日期无效") as info:
        office.record_member_death(ctx_of(office), person, died_on)
    assert info.value.field == "died_on"


# -- corrections are compensating events ------------------------------------------------------------


def test_a_corrected_name_leaves_the_admission_in_the_log_unchanged(office: UnionOffice):
    own = union(office)
    person = member(office, own, name="张建国")
    office.correct_member_details(ctx_of(office), person, {"name": "张建华"}, "录入错误")
    admitted, corrected = events_of(office, person)
    assert isinstance(admitted, Member.Admitted) and admitted.name == "张建国"
    assert isinstance(corrected, Member.DetailsCorrected)
    assert (corrected.changes, corrected.reason) == ({"name": "张建华"}, "录入错误")
    assert get_member(office, person).name == "张建华"


def test_a_correction_with_nothing_to_correct_is_refused(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    with refused(office, match="没有需要更正的内容"):
        office.correct_member_details(ctx_of(office), person, {}, "核对")


def test_a_correction_to_the_values_already_recorded_is_refused(office: UnionOffice):
    own = union(office)
    person = member(office, own, name="张建国")
    with refused(office):
        office.correct_member_details(ctx_of(office), person, {"name": "张建国"}, "核对")


def test_a_correction_of_a_field_that_cannot_be_corrected_is_refused(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    with refused(office, match="没有需要更正的内容"):
        office.correct_member_details(ctx_of(office), person, {"status": "withdrawn"}, "核对")


# -- erasure of personal data (PIPL) ---------------------------------------------------------------------


def test_erasing_a_members_personal_data_destroys_the_key_and_the_log_still_verifies(
        office: UnionOffice, data_dir: Path):
    own = union(office)
    number = id_number()
    person = admit(office, own, number, phone="13800138000")
    sealed = get_member(office, person).id_number
    assert office.keys.unseal(sealed) == number
    office.erase_member_personal_data(ctx_of(office), person, "本人申请删除")
    assert office.keys.has_key(person) is False
    assert office.keys.unseal(sealed) is None
    erased = get_member(office, person)
    assert erased.erased and erased.phone is None
    assert office.keys.unseal(erased.id_number) is None
    report = verify_sqlite(data_dir / "events.sqlite")
    assert report.ok, report.problem
    assert report.events == office.recorder.max_notification_id()


def test_erased_personal_data_is_erased_once(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    office.erase_member_personal_data(ctx_of(office), person, "本人申请删除")
    with refused(office, match="已经删除"):
        office.erase_member_personal_data(ctx_of(office), person, "本人申请删除")


def test_a_phone_cannot_be_recorded_again_after_erasure(office: UnionOffice):
    own = union(office)
    person = member(office, own)
    office.erase_member_personal_data(ctx_of(office), person, "本人申请删除")
    with refused(office, match="个人信息已删除") as info:
        office.correct_member_details(ctx_of(office), person, {"phone": "13800138000"}, "补录")
    assert info.value.field == "phone"
    assert office.keys.has_key(person) is False


def test_the_id_number_of_an_erased_person_still_blocks_a_second_admission(office: UnionOffice):
    """One identity for life holds after erasure: the claim is a keyed digest, not the number."""
    own = union(office)
    number = id_number()
    person = admit(office, own, number)
    office.erase_member_personal_data(ctx_of(office), person, "本人申请删除")
    with refused(office, KnownPerson) as info:
        admit(office, own, number)
    assert info.value.member_id == person


def test_org08_a_union_is_assessed_against_six_haves_and_a_later_assessment_corrects_the_earlier(
        office: UnionOffice):
    """ORG-08: yearly 六有 assessments; a second one for the same year names the first as corrected."""
    union_id = union(office)
    office.assess_union_compliance(acting(office, "assess_union_compliance"), union_id, 2026, "six_haves",
                                   ["premises", "rules"])
    office.assess_union_compliance(acting(office, "assess_union_compliance"), union_id, 2026, "six_haves",
                                   ["premises", "elected_chair", "organs", "activities", "rules", "performance"])
    events = office.events.get(union_id)
    first, second = [e for e in events if isinstance(e, Union.ComplianceAssessed)]
    assert sum(first.checklist.values()) == 2
    assert all(second.checklist.values())
    assert (second.corrects.stream_id, second.corrects.version) == (union_id, first.originator_version)


@pytest.mark.parametrize(("year", "standard", "met"), [
    (2027, "six_haves", []), (2026, "nine_haves", []), (2026, "six_haves", ["sign"])])
def test_org08_a_bad_assessment_is_refused(office: UnionOffice, year: int, standard: str, met: list[str]):
    union_id = union(office)
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        office.assess_union_compliance(acting(office, "assess_union_compliance"), union_id, year, standard, met)
    assert office.recorder.max_notification_id() == before


def test_org02_a_union_is_established_once_the_higher_union_approves_its_election(office: UnionOffice):
    """ORG-02 step 8: 选举结果经上级工会批准后，宣布工会组织正式成立."""
    union_id = union(office)
    assert office.repository.get(union_id).established is False
    office.approve_union_election(acting(office, "approve_union_election"), union_id, "和总工批〔2026〕7号")
    assert office.repository.get(union_id).established is True
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        office.approve_union_election(acting(office, "approve_union_election"), union_id, "和总工批〔2026〕8号")
    assert office.recorder.max_notification_id() == before


def test_org10_a_group_leader_is_chosen_by_the_group_and_filed_with_the_higher_union(office: UnionOffice):
    """ORG-10: 组长由小组全体会员推选并报上级工会备案."""
    union_id = union(office)
    leader = member(office, union_id)
    office.form_union_group(acting(office, "form_union_group"), union_id, "第一小组")
    office.elect_group_leader(acting(office, "elect_group_leader"), union_id, "第一小组", leader, electors=9)
    office.file_group_leader(acting(office, "file_group_leader"), union_id, "第一小组", date(2026, 3, 8))
    kinds = [type(e).__name__ for e in office.events.get(union_id)]
    assert kinds[-3:] == ["GroupFormed", "GroupLeaderElected", "GroupLeaderFiled"]


def test_org10_a_group_leader_must_be_an_active_member_of_the_union(office: UnionOffice):
    union_id, elsewhere = union(office), union(office)
    outsider = member(office, elsewhere)
    office.form_union_group(acting(office, "form_union_group"), union_id, "第一小组")
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        office.elect_group_leader(acting(office, "elect_group_leader"), union_id, "第一小组", outsider, electors=5)
    assert office.recorder.max_notification_id() == before


@pytest.mark.parametrize("case", ["no such group", "no electors", "filed before a leader", "group twice"])
def test_org10_bad_group_steps_are_refused(office: UnionOffice, case: str):
    union_id = union(office)
    leader = member(office, union_id)
    office.form_union_group(acting(office, "form_union_group"), union_id, "第一小组")
    before = office.recorder.max_notification_id()
    steps = {
        "no such group": lambda: office.elect_group_leader(acting(office, "elect_group_leader"), union_id, "第九小组",
                                                           leader, electors=5),
        "no electors": lambda: office.elect_group_leader(acting(office, "elect_group_leader"), union_id, "第一小组",
                                                         leader, electors=0),
        "filed before a leader": lambda: office.file_group_leader(acting(office, "file_group_leader"), union_id,
                                                                  "第一小组",
                                                                  date(2026, 3, 8)),
        "group twice": lambda: office.form_union_group(acting(office, "form_union_group"), union_id, "第一小组"),
    }
    with pytest.raises(InvalidInput):
        steps[case]()
    assert office.recorder.max_notification_id() == before


def test_org11_a_grid_cell_is_set_up_and_later_reassigned_under_the_same_id(office: UnionOffice):
    """ORG-11: 网格长、网格员、职责 (定格、定人、定责)."""
    first = office.assign_grid_cell(acting(office, "assign_grid_cell"), community="新华社区", name="第1网格",
                                    leader="王强",
                                    workers=["李丽", "赵敏"], duties="走访企业")
    second = office.assign_grid_cell(acting(office, "assign_grid_cell"), community="新华社区", name="第1网格",
                                     leader="孙磊",
                                     workers=["李丽"], duties="走访企业")
    cell = office.repository.get(first)
    assert first == second
    assert (cell.leader, cell.workers, cell.version) == ("孙磊", ["李丽"], 2)


@pytest.mark.parametrize(("leader", "workers", "duties"), [
    ("", ["李丽"], "走访"), ("王强", [], "走访"), ("王强", ["  "], "走访"), ("王强", ["李丽"], "")])
def test_org11_a_grid_cell_needs_a_leader_workers_and_duties(office: UnionOffice, leader: str, workers: list[str],
                                                             duties: str):
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        office.assign_grid_cell(acting(office, "assign_grid_cell"), community="新华社区", name="第1网格", leader=leader,
                                workers=workers,
                                duties=duties)
    assert office.recorder.max_notification_id() == before


def test_org11_reassigning_a_grid_cell_without_a_change_is_refused(office: UnionOffice):
    args = {"community": "新华社区", "name": "第1网格", "leader": "王强", "workers": ["李丽"], "duties": "走访"}
    office.assign_grid_cell(acting(office, "assign_grid_cell"), **args)
    with pytest.raises(InvalidInput):
        office.assign_grid_cell(acting(office, "assign_grid_cell"), **args)


def test_a_community_union_federation_is_upgraded_to_a_community_general_union(office: UnionOffice):
    """§5.8: 社区工会联合会 → 社区总工会 (升格)."""
    union_id = union(office, kind="community", workers=5)
    office.upgrade_union(acting(office, "upgrade_union"), union_id, "街道党工委决定")
    assert office.repository.get(union_id).kind == "community_general"
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        office.upgrade_union(acting(office, "upgrade_union"), union_id, "再次升格")
    assert office.recorder.max_notification_id() == before


def test_correcting_an_id_number_frees_the_wrong_one_and_takes_the_right_one(office: UnionOffice):
    """A wrongly typed ID number is corrected by a compensating event; the wrong number is free again."""
    home = union(office)
    wrong, right = id_number(date(1990, 5, 17), "M"), id_number(date(1991, 6, 18), "F")
    person = office.admit_member(acting(office, "admit_member"), name="王芳", gender="M", birth_date=date(1990, 5, 17),
                                 id_number=wrong, union_id=home, joined_on=date(2015, 3, 1))
    office.correct_member_id_number(acting(office, "correct_member_id_number"), person, right, "身份证号录入错误")
    corrected = office.repository.get(person)
    assert office.keys.unseal(corrected.id_number) == right
    assert (corrected.birth_date, corrected.gender) == (date(1991, 6, 18), "F")
    other = office.admit_member(acting(office, "admit_member"), name="李四", gender="M", birth_date=date(1990, 5, 17),
                                id_number=wrong, union_id=home, joined_on=date(2015, 3, 1))
    assert other != person
    with pytest.raises(KnownPerson):
        office.admit_member(acting(office, "admit_member"), name="王芳二", gender="F", birth_date=date(1991, 6, 18),
                            id_number=right, union_id=home, joined_on=date(2015, 3, 1))


def test_an_id_number_cannot_be_corrected_to_someone_elses(office: UnionOffice):
    home = union(office)
    first, second = member(office, home), member(office, home, name="李四")
    taken = office.keys.unseal(office.repository.get(second).id_number)
    before = office.recorder.max_notification_id()
    with pytest.raises(KnownPerson):
        office.correct_member_id_number(acting(office, "correct_member_id_number"), first, taken, "更正")
    assert office.recorder.max_notification_id() == before


def test_a_unions_legal_person_certificate_is_registered_and_changed(office: UnionOffice):
    """§2.3: 基层工会法人资格登记、变更."""
    union_id = union(office)
    office.register_union_legal_person(acting(office, "register_union_legal_person"), union_id, "工法证2026001")
    office.register_union_legal_person(acting(office, "register_union_legal_person"), union_id, "工法证2026009")
    assert office.repository.get(union_id).certificate_no == "工法证2026009"
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        office.register_union_legal_person(acting(office, "register_union_legal_person"), union_id, "工法证2026009")
    assert office.recorder.max_notification_id() == before


def test_a_union_transferred_out_takes_its_members_with_it(office: UnionOffice):
    """§2.3 / R-03 转出: the union leaves the subdistrict; its active and retained members go with it."""
    home, other = union(office), union(office)
    staying_elsewhere = member(office, other, name="他会会员")
    active, retired = member(office, home, name="在会会员"), member(office, home, name="退休会员")
    office.retain_membership(acting(office, "retain_membership"), retired, "retirement")
    office.transfer_union_away(acting(office, "transfer_union_away"), home, "沈河区总工会", "划转管理",
                               [active, retired])
    assert office.repository.get(active).status == "transferred_away"
    assert office.repository.get(retired).status == "transferred_away"
    assert office.repository.get(staying_elsewhere).status == "active"
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        office.rename_union(acting(office, "rename_union"), home, "新名称", "已转出")
    assert office.recorder.max_notification_id() == before


def test_a_union_transfer_with_a_stale_member_list_records_nothing(office: UnionOffice):
    home, other = union(office), union(office)
    moved_meanwhile = member(office, home, name="已调走的会员")
    office.transfer_member_out(acting(office, "transfer_member_out"), moved_meanwhile, "JZ-77", to_union_id=other)
    before = office.recorder.max_notification_id()
    with pytest.raises(DomainError):
        office.transfer_union_away(acting(office, "transfer_union_away"), home, "沈河区总工会", "划转管理",
                                   [moved_meanwhile])
    assert office.recorder.max_notification_id() == before


def test_a_union_with_members_still_in_it_is_not_dissolved(office: UnionOffice):
    """§2.3: a union is deregistered only once its members have been transferred."""
    home, other = union(office), union(office)
    person = member(office, home)
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput, match="还有会员 1 人"):
        office.dissolve_union(acting(office, "dissolve_union"), home, "企业关闭", [person])
    assert office.recorder.max_notification_id() == before
    office.transfer_member_out(acting(office, "transfer_member_out"), person, "JZ-88", to_union_id=other)
    office.receive_member_transfer(acting(office, "receive_member_transfer"), person, other, "JZ-88")
    office.dissolve_union(acting(office, "dissolve_union"), home, "企业关闭", [person])
    assert office.repository.get(home).dissolved


@pytest.mark.parametrize(("year", "unions", "members", "reason"), [
    (2030, 1, 1, "下达"), (2026, -1, 1, "下达"), (2026, 1, -5, "下达"), (2026, 1, 1, "")])
def test_org06_a_bad_quota_is_refused(office: UnionOffice, year: int, unions: int, members: int, reason: str):
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        office.set_community_quota(acting(office, "set_community_quota"), year=year, community="新华社区",
                                   new_unions=unions,
                                   new_members=members, reason=reason)
    assert office.recorder.max_notification_id() == before


# -- the women's organ (§2.3, Q3) --------------------------------------------------------------------


@pytest.mark.parametrize(("women", "group_min", "needed"), [
    (0, None, None), (1, None, "women_member"), (9, None, "women_member"), (10, None, "women_committee"),
    (2, 3, "women_member"), (3, 3, "women_group"), (9, 3, "women_group"), (10, 3, "women_committee"),
])
def test_org01_q3_the_women_organ_needed_follows_the_thresholds_in_force(women, group_min, needed):
    """ORG-01 / Q3: 10 women or more → a women's committee, fewer → a women's committee member; with the
    women's-group threshold configured (篇八), from that many up → a women's group (女职工小组)."""
    assert women_organ_needed(women, 10, group_min) == needed


def test_org01_seed_rule_50_women_committee_3_to_49_women_group_is_selectable():
    """ORG-01 (篇八): 50 women or more → committee; 3–49 → women's group; a stronger organ also counts."""
    assert [women_organ_needed(n, 50, 3) for n in (2, 3, 49, 50)] == [
        "women_member", "women_group", "women_group", "women_committee"]
    assert women_organ_met("women_group", {"women_committee_chair"})
    assert not women_organ_met("women_committee", {"women_group_leader"})
    assert women_organ_met("women_member", {"women_group_leader"})


def test_org01_a_reelection_may_form_a_women_group_as_its_women_organ(office: UnionOffice):
    """§2.3: the organs are formed together; a women's group is one of the women's organs."""
    home = union(office)
    office.elect_union_committee(as_role(office, "office"), home, date(2026, 3, 1), 5,
                                 ["union_committee", "fund_review_committee", "women_group"])
    assert office.repository.get(home).term_end == date(2031, 3, 1)


def test_org01_a_reelection_with_two_women_organs_is_refused_and_records_nothing(office: UnionOffice):
    home = union(office)
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput, match="女职工组织"):
        office.elect_union_committee(as_role(office, "office"), home, date(2026, 3, 1), 5,
                                     ["union_committee", "fund_review_committee", "women_group", "women_member"])
    assert office.recorder.max_notification_id() == before


# -- ORG-04 worker lists -----------------------------------------------------------------------------


def test_org04_a_units_worker_list_is_filed_sealed_with_members_and_non_members(office: UnionOffice):
    """ORG-04 「职工名单清楚」: the list names every worker, members or not; the names are sealed in the log."""
    unit = enterprise(office, workers=3)
    office.file_worker_list(as_role(office, "office"), unit, date(2026, 3, 1), "张三\n李四、王五\n\n")
    as_of, names = office.worker_list(unit, date(2026, 3, 8))
    assert (as_of, names) == (date(2026, 3, 1), ["张三", "李四", "王五"])
    assert office.worker_list(unit, date(2026, 2, 28)) is None
    stored = office.recorder.select_notifications(1, 10_000)
    assert not any("李四".encode() in n.state for n in stored)


def test_org04_a_later_worker_list_replaces_the_earlier_from_its_date(office: UnionOffice):
    unit = enterprise(office)
    office.file_worker_list(as_role(office, "office"), unit, date(2026, 1, 1), "张三")
    office.file_worker_list(as_role(office, "office"), unit, date(2026, 3, 1), "张三\n李四")
    assert office.worker_list(unit, date(2026, 2, 1))[1] == ["张三"]
    assert office.worker_list(unit, date(2026, 3, 8))[1] == ["张三", "李四"]


@pytest.mark.parametrize(("names", "day", "message"), [
    ("", date(2026, 3, 1), "请填写职工名单"),
    ("  \n 、 ", date(2026, 3, 1), "请填写职工名单"),
    ("张" * 31, date(2026, 3, 1), "无效"),
    ("张三\x07", date(2026, 3, 1), "无效"),
    ("张三", date(2026, 3, 9), "不能晚于今天"),
])
def test_org04_a_bad_worker_list_is_refused_and_records_nothing(office: UnionOffice, names, day, message):
    unit = enterprise(office)
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput, match=message):
        office.file_worker_list(as_role(office, "office"), unit, day, names)
    assert office.recorder.max_notification_id() == before
