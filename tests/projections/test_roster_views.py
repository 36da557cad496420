"""What the roster and organisation read models answer, as of any business date."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from aggregates.application import UnionOffice
from projections import organisations, quotas, roster
from projections.engine import ReadModels, dump
from tests.conftest import Clock, as_role, system
from tests.roster_helpers import enterprise, id_number, member, union

TODAY = date(2026, 3, 8)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def ctx_of(office: UnionOffice):
    return as_role(office, "office")


def names(rows: list[roster.Row]) -> list[str]:
    return [r.name for r in rows]


def ids(rows: list[roster.Row]) -> set[str]:
    return {r.member_id for r in rows}


def transferred(office: UnionOffice, clock: Clock) -> tuple[UUID, UUID, UUID]:
    """A member admitted today in union A, sent on day 5 to union B, received on day 8."""
    old, new = union(office, name="甲公司工会"), union(office, name="乙公司工会")
    person = member(office, old)
    clock.advance(days=5)
    office.transfer_member_out(ctx_of(office), person, "ZJ-001", to_union_id=new)
    clock.advance(days=3)
    office.receive_member_transfer(ctx_of(office), person, new, "ZJ-001")
    return old, new, person


# -- who was a member where, when ------------------------------------------------------------------


def test_before_the_transfer_the_member_is_counted_in_the_old_union(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    old, new, person = transferred(office, clock)
    read_models.catch_up()
    with read_models.reading() as conn:
        for d in (day(0), day(4)):
            (then,) = roster.members_of_union_on(conn, str(old), d)
            assert (then.member_id, then.union_id, then.status) == (str(person), str(old), "active"), d
            assert roster.members_of_union_on(conn, str(new), d) == [], d


def test_after_reception_the_member_is_counted_in_the_new_union(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    old, new, person = transferred(office, clock)
    read_models.catch_up()
    with read_models.reading() as conn:
        for d in (day(8), day(30)):
            assert ids(roster.members_of_union_on(conn, str(new), d)) == {str(person)}, d
            assert roster.members_of_union_on(conn, str(old), d) == [], d


def test_on_the_days_in_transit_the_member_is_an_active_member_of_neither_union(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    old, new, person = transferred(office, clock)
    read_models.catch_up()
    with read_models.reading() as conn:
        for d in (day(5), day(6), day(7)):
            assert roster.members_of_union_on(conn, str(old), d) == [], d
            assert roster.members_of_union_on(conn, str(new), d) == [], d
            (moving,) = roster.members_of_union_on(conn, str(old), d, statuses=("in_transit",))
            assert (moving.member_id, moving.union_id, moving.status) == (str(person), str(old), "in_transit"), d


def test_before_admission_the_member_is_nowhere(office: UnionOffice, read_models: ReadModels):
    own = union(office)
    person = member(office, own)
    read_models.catch_up()
    with read_models.reading() as conn:
        assert roster.members_of_union_on(conn, str(own), day(-1)) == []
        assert roster.status_on(conn, str(person), day(-1)) is None


def test_status_on_follows_the_member_through_each_spell(office: UnionOffice, read_models: ReadModels,
                                                         clock: Clock):
    old, new, person = transferred(office, clock)
    clock.advance(days=10)  # day 18
    office.retain_membership(ctx_of(office), person, "retirement")
    read_models.catch_up()
    with read_models.reading() as conn:
        seen = {d: roster.status_on(conn, str(person), day(d)) for d in (0, 4, 5, 7, 8, 17, 18, 40)}
        history = roster.spells(conn, str(person))
    assert {d: (s.union_id, s.status) for d, s in seen.items() if s} == {
        0: (str(old), "active"), 4: (str(old), "active"),
        5: (str(old), "in_transit"), 7: (str(old), "in_transit"),
        8: (str(new), "active"), 17: (str(new), "active"),
        18: (str(new), "retained"), 40: (str(new), "retained"),
    }
    assert [(s.status, s.from_date, s.to_date) for s in history] == [
        ("active", day(0), day(5)), ("in_transit", day(5), day(8)), ("active", day(8), day(18)),
        ("retained", day(18), None)]


def test_counts_on_give_each_unions_members_by_status_as_of_a_date(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    old, new, _ = transferred(office, clock)  # now day 8
    member(office, old, name="李梅", gender="F")
    retired = member(office, new, name="王强")
    office.retain_membership(ctx_of(office), retired, "retirement")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert roster.counts_on(conn, day(0)) == {str(old): {"active": 1}}
        assert roster.counts_on(conn, day(6)) == {str(old): {"in_transit": 1}}
        assert roster.counts_on(conn, day(8)) == {str(old): {"active": 1},
                                                  str(new): {"active": 1, "retained": 1}}


def test_a_member_admitted_later_is_not_counted_on_an_earlier_date(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    own = union(office)
    member(office, own)
    clock.advance(days=3)
    member(office, own, name="李梅", gender="F")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert roster.counts_on(conn, day(2)) == {str(own): {"active": 1}}
        assert roster.counts_on(conn, day(3)) == {str(own): {"active": 2}}


# -- search ---------------------------------------------------------------------------------------------


def test_search_by_pinyin_initials(office: UnionOffice, read_models: ReadModels):
    own = union(office)
    zhang = member(office, own, name="张建国")
    member(office, own, name="李梅", gender="F")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert ids(roster.search(conn, roster.Search(text="zjg"), TODAY)) == {str(zhang)}
        assert ids(roster.search(conn, roster.Search(text="ZJ"), TODAY)) == {str(zhang)}
        assert names(roster.search(conn, roster.Search(text="lm"), TODAY)) == ["李梅"]
        assert roster.search(conn, roster.Search(text="jg"), TODAY) == []


def test_search_by_name(office: UnionOffice, read_models: ReadModels):
    own = union(office)
    member(office, own, name="张建国")
    member(office, own, name="李梅", gender="F")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert names(roster.search(conn, roster.Search(text="建国"), TODAY)) == ["张建国"]


def test_search_by_card_number_prefix(office: UnionOffice, read_models: ReadModels):
    own = union(office)
    first = member(office, own, name="张建国", card_no="HX-2026-001")
    second = member(office, own, name="李梅", gender="F")
    office.issue_membership_card(ctx_of(office), second, "HX-2026-002")
    member(office, own, name="王强", card_no="QT-2026-003")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert ids(roster.search(conn, roster.Search(text="hx-2026"), TODAY)) == {str(first), str(second)}
        assert ids(roster.search(conn, roster.Search(text="HX-2026-002"), TODAY)) == {str(second)}
        assert roster.search(conn, roster.Search(text="2026-001"), TODAY) == []


def test_search_by_the_last_four_characters_of_the_id_number(office: UnionOffice, read_models: ReadModels):
    own = union(office)
    number = id_number()
    person = office.admit_member(ctx_of(office), name="张建国", gender="M", birth_date=date(1990, 5, 17),
                                 id_number=number, union_id=own, joined_on=date(2015, 3, 1))
    member(office, own, name="李梅", gender="F")
    read_models.catch_up()
    with read_models.reading() as conn:
        (found,) = roster.search(conn, roster.Search(text=number[-4:].lower()), TODAY)
        assert found.member_id == str(person)
        assert found.id_masked == number[:4] + "*" * 10 + number[-4:]
        assert roster.search(conn, roster.Search(text=number[-3:]), TODAY) == []


def test_search_filters_by_status_and_union(office: UnionOffice, read_models: ReadModels):
    first, second = union(office), union(office)
    a = member(office, first, name="张建国")
    b = member(office, first, name="李梅", gender="F")
    c = member(office, second, name="王强")
    office.retain_membership(ctx_of(office), b, "retirement")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert ids(roster.search(conn, roster.Search(union_id=str(first)), TODAY)) == {str(a), str(b)}
        assert ids(roster.search(conn, roster.Search(status="retained"), TODAY)) == {str(b)}
        assert ids(roster.search(conn, roster.Search(status="active"), TODAY)) == {str(a), str(c)}
        assert roster.search(conn, roster.Search(union_id=str(second), status="retained"), TODAY) == []
        assert roster.count(conn, roster.Search(union_id=str(first), status="active"), TODAY) == 1


def test_search_on_a_past_date_shows_the_union_and_status_then(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    old, new, person = transferred(office, clock)
    read_models.catch_up()
    today = day(8)
    with read_models.reading() as conn:
        (then,) = roster.search(conn, roster.Search(text="zjg"), today, on=day(2))
        (moving,) = roster.search(conn, roster.Search(text="zjg"), today, on=day(6))
        (now,) = roster.search(conn, roster.Search(text="zjg"), today)
        assert (then.union_id, then.status) == (str(old), "active")
        assert (moving.union_id, moving.status) == (str(old), "in_transit")
        assert (now.union_id, now.status) == (str(new), "active")
        assert ids(roster.search(conn, roster.Search(union_id=str(old)), today, on=day(2))) == {str(person)}
        assert roster.search(conn, roster.Search(union_id=str(old)), today) == []
        assert roster.search(conn, roster.Search(status="active", union_id=str(old)), today, on=day(6)) == []
        assert roster.search(conn, roster.Search(), today, on=day(-1)) == []
        assert roster.count(conn, roster.Search(union_id=str(new)), today, on=day(2)) == 0


# -- organisations: coverage and membership rate as of a date -----------------------------------------


def test_a_unit_covered_later_is_uncovered_before(office: UnionOffice, read_models: ReadModels, clock: Clock):
    unit = enterprise(office, workers=40)
    enterprise(office, workers=10)
    own = union(office)
    clock.advance(days=10)
    office.change_coverage(ctx_of(office), unit, union_id=own, mode="standalone", from_date=day(10))
    read_models.catch_up()
    with read_models.reading() as conn:
        before = organisations.coverage_on(conn, day(9), 25)
        after = organisations.coverage_on(conn, day(10), 25)
        assert organisations.unit(conn, str(unit), day(9)).covered_by is None
        assert organisations.unit(conn, str(unit), day(10)).covered_by == str(own)
    assert (before.units, before.covered, before.standalone, before.should_stand_alone) == (2, 0, 0, 1)
    assert (after.units, after.covered, after.standalone, after.should_stand_alone) == (2, 1, 1, 0)
    assert before.rate == 0 and after.rate == 0.5


def test_a_unit_is_not_in_the_census_before_it_was_registered(office: UnionOffice, read_models: ReadModels,
                                                             clock: Clock):
    enterprise(office, workers=40)
    clock.advance(days=3)
    enterprise(office, workers=12)
    read_models.catch_up()
    with read_models.reading() as conn:
        assert organisations.coverage_on(conn, day(2), 25).units == 1
        assert organisations.coverage_on(conn, day(3), 25).units == 2
        assert organisations.coverage_on(conn, day(-1), 25).rate is None


def test_the_membership_rate_is_members_over_the_workforce_of_covered_units(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    big, small = enterprise(office, workers=40), enterprise(office, workers=10)
    enterprise(office, workers=30)  # never covered: not in the union's workforce
    own = union(office, covers=[big])
    joint = union(office, kind="joint", workers=20)
    for name in ("张建国", "王强", "赵刚"):
        member(office, own, name=name)
    clock.advance(days=4)
    office.change_coverage(ctx_of(office), small, union_id=joint, mode="joint", from_date=day(4))
    member(office, joint, name="李梅", gender="F")
    retired = member(office, own, name="刘洋")
    office.retain_membership(ctx_of(office), retired, "retirement")
    read_models.catch_up()
    with read_models.reading() as conn:
        early = {u.union_id: u for u in organisations.unions_on(conn, day(0))}
        late = {u.union_id: u for u in organisations.unions_on(conn, day(4))}
    assert (early[str(own)].members, early[str(own)].workforce, early[str(own)].units) == (3, 40, 1)
    assert early[str(own)].membership_rate == 3 / 40
    assert (early[str(joint)].members, early[str(joint)].workforce) == (0, 0)
    assert early[str(joint)].membership_rate is None
    assert (late[str(own)].members, late[str(own)].retained, late[str(own)].membership_rate) == (3, 1, 3 / 40)
    assert (late[str(joint)].members, late[str(joint)].workforce, late[str(joint)].units) == (1, 10, 1)
    assert late[str(joint)].membership_rate == 1 / 10


def test_a_union_founded_later_is_not_listed_before(office: UnionOffice, read_models: ReadModels, clock: Clock):
    first = union(office, name="甲公司工会")
    clock.advance(days=2)
    second = union(office, name="乙公司工会")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert [u.union_id for u in organisations.unions_on(conn, day(1))] == [str(first)]
        assert {u.union_id for u in organisations.unions_on(conn, day(2))} == {str(first), str(second)}


def test_units_on_show_the_headcount_reported_on_or_before_the_date(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    unit = enterprise(office, workers=40)
    clock.advance(days=10)
    office.report_headcount(ctx_of(office), unit, day(10), 60, 25)
    office.report_headcount(ctx_of(office), unit, day(5), 45, 15)  # a late report for an earlier date
    read_models.catch_up()
    with read_models.reading() as conn:
        seen = {d: organisations.unit(conn, str(unit), day(d)) for d in (0, 4, 5, 9, 10, 30)}
        history = organisations.headcount_history(conn, str(unit))
    assert {d: (u.workers, u.women) for d, u in seen.items()} == {
        0: (40, 13), 4: (40, 13), 5: (45, 15), 9: (45, 15), 10: (60, 25), 30: (60, 25)}
    assert history == [(day(10), 60, 25), (day(5), 45, 15), (day(0), 40, 13)]


def test_units_on_take_the_latest_report_for_the_same_date(office: UnionOffice, read_models: ReadModels):
    unit = enterprise(office, workers=30)
    office.report_headcount(ctx_of(office), unit, TODAY, 20, 5)
    read_models.catch_up()
    with read_models.reading() as conn:
        (shown,) = organisations.units_on(conn, TODAY)
    assert (shown.enterprise_id, shown.workers, shown.women) == (str(unit), 20, 5)


# -- erasure and rebuilding ------------------------------------------------------------------------------


def test_erasure_clears_the_masked_id_and_its_tail_from_the_roster(office: UnionOffice, read_models: ReadModels):
    own = union(office)
    number = id_number()
    person = office.admit_member(ctx_of(office), name="张建国", gender="M", birth_date=date(1990, 5, 17),
                                 id_number=number, union_id=own, joined_on=date(2015, 3, 1), phone="13800138000")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert roster.member(conn, str(person)).phone_masked == "138****8000"
        assert len(roster.search(conn, roster.Search(text=number[-4:]), TODAY)) == 1
    office.erase_member_personal_data(ctx_of(office), person, "本人申请删除")
    read_models.catch_up()
    with read_models.reading() as conn:
        row = conn.execute("SELECT id_masked, id_tail, phone_masked, erased FROM members WHERE member_id = ?",
                           [str(person)]).fetchone()
        assert tuple(row) == (None, None, None, 1)
        assert roster.search(conn, roster.Search(text=number[-4:]), TODAY) == []
        shown = roster.member(conn, str(person))
    assert shown.erased and shown.id_masked is None and shown.name == "张建国"


def test_a_rebuild_after_an_erasure_gives_the_rows_of_incremental_catch_up(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    old, new, person = transferred(office, clock)
    read_models.catch_up()
    other = member(office, old, name="李梅", gender="F", phone="13900139000", card_no="HX-0001")
    office.correct_member_details(ctx_of(office), other, {"name": "李美"}, "录入错误")
    read_models.catch_up()
    office.erase_member_personal_data(ctx_of(office), other, "本人申请删除")
    office.erase_member_personal_data(ctx_of(office), person, "本人申请删除")
    office.transfer_member_out(ctx_of(office), other, "ZJ-002", to_union_id=new)
    read_models.catch_up()
    with read_models.reading() as conn:
        incremental = dump(conn)
    read_models.rebuild()
    with read_models.reading() as conn:
        rebuilt = dump(conn)
        masks = conn.execute("SELECT id_masked, id_tail FROM members").fetchall()
    assert rebuilt == incremental
    assert all(tuple(r) == (None, None) for r in masks)


# -- transfers --------------------------------------------------------------------------------------------


def test_transfers_lists_the_slips_in_transit(office: UnionOffice, read_models: ReadModels, clock: Clock):
    old, new, person = transferred(office, clock)  # ZJ-001, received on day 8
    waiting = member(office, old, name="李梅", gender="F")
    office.transfer_member_out(ctx_of(office), waiting, "ZJ-002", to_union_id=new)
    leaving = member(office, old, name="王强")
    office.transfer_member_out(ctx_of(office), leaving, "ZJ-003", to_outside="外区某公司工会")
    read_models.catch_up()
    with read_models.reading() as conn:
        open_slips = roster.transfers(conn)
        every = roster.transfers(conn, open_only=False)
    assert [(t.slip_no, t.name, t.from_union_id, t.to_union_id, t.to_outside) for t in open_slips] == [
        ("ZJ-002", "李梅", str(old), str(new), None), ("ZJ-003", "王强", str(old), None, "外区某公司工会")]
    assert all(t.sent_on == day(8) and t.closed_on is None for t in open_slips)
    received = next(t for t in every if t.slip_no == "ZJ-001")
    assert (received.member_id, received.sent_on, received.closed_on, received.outcome) == (
        str(person), day(5), day(8), "received")


def test_transfers_as_of_a_date_show_the_slips_then_in_transit(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    old, _new, _ = transferred(office, clock)  # ZJ-001: sent day 5, received day 8
    leaving = member(office, old, name="王强")
    office.transfer_member_out(ctx_of(office), leaving, "ZJ-003", to_outside="外区某公司工会")
    clock.advance(days=2)
    office.complete_outside_transfer(ctx_of(office), leaving)
    read_models.catch_up()
    with read_models.reading() as conn:
        slips = {d: [t.slip_no for t in roster.transfers(conn, day=day(d))] for d in (4, 5, 7, 8, 9, 10)}
        closed = next(t for t in roster.transfers(conn, open_only=False) if t.slip_no == "ZJ-003")
        assert roster.status_on(conn, str(leaving), day(10)).status == "transferred_away"
    assert slips == {4: [], 5: ["ZJ-001"], 7: ["ZJ-001"], 8: ["ZJ-003"], 9: ["ZJ-003"], 10: []}
    assert (closed.closed_on, closed.outcome) == (day(10), "left")


def test_a_cancelled_slip_is_closed_and_the_member_is_back_in_the_old_union(
        office: UnionOffice, read_models: ReadModels, clock: Clock):
    old, new = union(office), union(office)
    person = member(office, old)
    clock.advance(days=1)
    office.transfer_member_out(ctx_of(office), person, "ZJ-004", to_union_id=new)
    clock.advance(days=1)
    office.cancel_member_transfer(ctx_of(office), person, "本人放弃调动")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert roster.transfers(conn) == []
        (slip,) = roster.transfers(conn, open_only=False)
        assert ids(roster.members_of_union_on(conn, str(old), day(2))) == {str(person)}
        assert roster.members_of_union_on(conn, str(old), day(1)) == []
    assert (slip.closed_on, slip.outcome) == (day(2), "cancelled")


def test_reading_the_views_as_of_a_date_appends_nothing(office: UnionOffice, read_models: ReadModels,
                                                       clock: Clock):
    own = union(office)
    member(office, own)
    before = office.recorder.max_notification_id()
    clock.advance(days=213)
    read_models.catch_up()
    with read_models.reading() as conn:
        assert roster.counts_on(conn, office.today()) == {str(own): {"active": 1}}
    assert office.recorder.max_notification_id() == before
    assert system(office).occurred_on == date(2026, 10, 7)


def test_a_member_entered_today_counts_from_the_day_they_joined(office: UnionOffice, read_models: ReadModels):
    """A roster taken over from paper keeps its history: membership runs from the join date."""
    home = union(office, name="老会员工会")
    person = member(office, home, joined_on=date(2015, 3, 1))
    read_models.catch_up()
    with read_models.reading() as conn:
        assert ids(roster.members_of_union_on(conn, str(home), date(2020, 1, 1))) == {str(person)}
        assert roster.members_of_union_on(conn, str(home), date(2015, 2, 28)) == []


def test_a_member_from_outside_the_subdistrict_counts_from_their_admission(
        office: UnionOffice, read_models: ReadModels):
    home = union(office, name="接收工会")
    person = member(office, home, joined_on=date(2015, 3, 1), transferred_from="皇姑区某街道工会")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert roster.members_of_union_on(conn, str(home), date(2020, 1, 1)) == []
        assert ids(roster.members_of_union_on(conn, str(home), TODAY)) == {str(person)}


def test_a_union_with_enough_women_and_no_women_committee_chair_is_shown_without_its_organ(
        office: UnionOffice, read_models: ReadModels):
    """§2.3 / Q3: women members are counted per union beside whether a women's committee chair serves."""
    home = union(office, name="女职工较多的工会")
    women = [member(office, home, name=f"女会员{n}", gender="F", born=date(1985, 1, n + 1)) for n in range(3)]
    read_models.catch_up()
    with read_models.reading() as conn:
        before = organisations.union(conn, str(home), TODAY)
    office.appoint_office_holder(ctx_of(office), home, "women_committee_chair", women[0], owner_or_relative=False)
    read_models.catch_up()
    with read_models.reading() as conn:
        after = organisations.union(conn, str(home), TODAY)
    assert (before.women, before.women_organ, before.chair_vacant) == (3, False, True)
    assert (after.women, after.women_organ) == (3, True)


def test_each_community_knows_its_units_the_unionised_and_the_rest_with_their_workers(
        office: UnionOffice, read_models: ReadModels):
    """ORG-04 「三清楚」: per community, units, unionised units, and non-unionised units' workforce."""
    covered = enterprise(office, workers=30)
    enterprise(office, workers=7)
    enterprise(office, workers=5)
    union(office, [covered])
    read_models.catch_up()
    with read_models.reading() as conn:
        (community,) = organisations.communities_on(conn, TODAY)
    assert (community.community, community.units, community.covered, community.uncovered,
            community.uncovered_workers) == ("新华社区", 3, 1, 2, 12)


def test_organisation_movements_count_the_years_foundings_renamings_and_dissolutions(
        office: UnionOffice, read_models: ReadModels):
    """R-03: founded, units covered, re-elected, dissolved, renamed, upgraded in a period."""
    first = union(office, [enterprise(office, workers=30)])
    second = union(office, kind="community", workers=5)
    office.rename_union(ctx_of(office), first, "改名后的工会", "会员大会决定")
    office.upgrade_union(ctx_of(office), second, "升格")
    office.dissolve_union(ctx_of(office), second, "撤销")
    read_models.catch_up()
    with read_models.reading() as conn:
        moved = organisations.movements(conn, date(2026, 1, 1), TODAY)
        earlier = organisations.movements(conn, date(2025, 1, 1), date(2025, 12, 31))
    assert (moved.founded, moved.units_covered, moved.renamed, moved.upgraded, moved.dissolved) == (2, 1, 1, 1, 1)
    assert earlier.founded == 0


def test_a_union_transferred_out_is_counted_among_the_years_movements_and_its_members_leave(
        office: UnionOffice, read_models: ReadModels):
    """R-03 转出."""
    home = union(office, name="将转出的工会")
    person = member(office, home)
    office.transfer_union_away(ctx_of(office), home, "沈河区总工会", "划转管理", [person])
    read_models.catch_up()
    with read_models.reading() as conn:
        moved = organisations.movements(conn, date(2026, 1, 1), TODAY)
        left = organisations.union(conn, str(home), TODAY)
        status = roster.status_on(conn, str(person), TODAY)
    assert moved.transferred_away == 1
    assert (left.left_to, left.dissolved_on) == ("沈河区总工会", TODAY)
    assert status.status == "transferred_away"


def test_each_communitys_new_unions_and_members_are_set_against_its_quota(
        office: UnionOffice, read_models: ReadModels):
    """ORG-06: quotas by sub-area (community) and what each has done this year."""
    office.set_community_quota(ctx_of(office), year=2026, community="新华社区", new_unions=2, new_members=5,
                               reason="区总工会下达")
    home = union(office, [enterprise(office, workers=30)])
    member(office, home)
    member(office, home, name="去年入会的", joined_on=date(2025, 6, 1))
    read_models.catch_up()
    with read_models.reading() as conn:
        (xinhua,) = [p for p in quotas.progress(conn, 2026, TODAY) if p.community == "新华社区"]
    assert (xinhua.unions_quota, xinhua.new_unions, xinhua.members_quota, xinhua.new_members) == (2, 1, 5, 1)



def test_a_union_of_25_or_more_workers_without_an_activity_this_half_year_is_known(
        office: UnionOffice, read_models: ReadModels):
    """§2.3 (篇4): a union covering 25 or more workers holds at least one activity every half-year."""
    busy, idle = union(office, [enterprise(office, workers=30)]), union(office, [enterprise(office, workers=40)])
    office.record_union_activity(ctx_of(office), busy, held_on=date(2026, 2, 14), title="迎春联欢会", participants=25)
    office.record_union_activity(ctx_of(office), idle, held_on=date(2025, 11, 1), title="去年的活动", participants=9)
    read_models.catch_up()
    start, end = organisations.half_year_of(TODAY)
    with read_models.reading() as conn:
        held = organisations.active_in(conn, start, TODAY)
    assert (start, end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert str(busy) in held
    assert str(idle) not in held


def test_a_union_with_few_women_is_known_to_have_a_women_member_once_one_is_appointed(
        office: UnionOffice, read_models: ReadModels):
    """Q3: fewer than 10 women members → a women's committee member (女职工委员) instead of a committee."""
    home = union(office, name="女职工较少的工会")
    woman = member(office, home, name="唯一女会员", gender="F", born=date(1988, 8, 8))
    read_models.catch_up()
    with read_models.reading() as conn:
        before = organisations.union(conn, str(home), TODAY)
    office.appoint_office_holder(ctx_of(office), home, "women_member", woman, owner_or_relative=False)
    read_models.catch_up()
    with read_models.reading() as conn:
        after = organisations.union(conn, str(home), TODAY)
    assert (before.women, before.women_member) == (1, False)
    assert after.women_member is True
