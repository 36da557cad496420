"""The membership tally (projections/tally.py) answers "how many, as of day D" exactly as counting the
member spells that were in force on D does, whatever the office did: backdated admissions and moves,
moves dated before the spell they end began, cards issued, genders corrected, deaths recorded late.

The reference below is the query the dashboard and the union pages ran before the tally: it grows with
the log, the tally does not, and the two must never disagree."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregates.application import UnionOffice
from aggregates.errors import DomainError
from projections import ALL, organisations, roster
from projections.engine import ReadModels, dump
from projections.tally import changes_between
from tests.conftest import Clock, acting, register_staff
from tests.roster_helpers import id_number, union

START = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)

IN_FORCE = "s.from_date <= :day AND (s.to_date IS NULL OR s.to_date > :day)"


def reference_counts(conn: sqlite3.Connection, day: date) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for union_id, status, n in conn.execute(
            f"SELECT s.union_id, s.status, COUNT(*) FROM member_spells s WHERE {IN_FORCE} GROUP BY 1, 2",  # noqa: S608
            {"day": day.isoformat()}):
        result.setdefault(union_id, {})[status] = n
    return result


def reference_women(conn: sqlite3.Connection, day: date) -> dict[str, int]:
    return dict(conn.execute(
        "SELECT s.union_id, COUNT(*) FROM member_spells s JOIN members m USING (member_id)"  # noqa: S608
        f" WHERE s.status = 'active' AND m.gender = 'F' AND {IN_FORCE} GROUP BY 1", {"day": day.isoformat()}))


def reference_totals(conn: sqlite3.Connection, day: date) -> roster.Totals:
    row = conn.execute(
        "SELECT SUM(s.status = 'active'), SUM(s.status = 'retained'), SUM(s.status = 'in_transit'),"  # noqa: S608
        " SUM(s.status IN ('active', 'retained') AND m.card_since <= :day)"
        f" FROM member_spells s JOIN members m USING (member_id) WHERE {IN_FORCE}", {"day": day.isoformat()}).fetchone()
    return roster.Totals(*(n or 0 for n in row))


# -- what the office does ---------------------------------------------------------------------------------------


class World:
    """A fresh office with three unions, the clock on 2026-01-05."""

    def __init__(self, data_dir: Path) -> None:
        self.clock = Clock(START)
        self.office = UnionOffice(data_dir, clock=self.clock, timezone="Asia/Shanghai")
        self.office.found_office(self.office.system_context("test"), "测试街道工会工作委员会", "Asia/Shanghai",
                                 "admin", "管理员")
        register_staff(self.office)
        self.unions = [union(self.office, name=f"测试工会{i}") for i in range(3)]
        self.members: list[UUID] = []
        self.read_models = ReadModels(self.office, data_dir, ALL)
        self.read_models.ensure_ready()

    def ctx(self, command: str, back: int = 0):
        return acting(self.office, command, self.office.today() - timedelta(days=back))

    def member(self, pick: int) -> UUID | None:
        return self.members[pick % len(self.members)] if self.members else None


@dataclass(frozen=True)
class Act:
    """One command, `back` days before today; `pick` chooses a member and `to` a union."""

    what: str
    pick: int
    to: int
    back: int
    woman: bool

    def run(self, world: World) -> None:
        office, person, target = world.office, world.member(self.pick), world.unions[self.to % 3]
        if self.what == "admit" or person is None:
            gender = "F" if self.woman else "M"
            world.members.append(office.admit_member(
                world.ctx("admit_member"), name="测试会员", gender=gender, birth_date=date(1990, 5, 17),
                id_number=id_number(date(1990, 5, 17), gender), union_id=target,
                joined_on=office.today() - timedelta(days=self.back)))
            return
        commands = {
            "card": lambda: office.issue_membership_card(world.ctx("issue_membership_card", self.back), person,
                                                         f"K{self.pick:04d}{self.back:03d}{len(world.members)}"),
            "send": lambda: office.transfer_member_out(world.ctx("transfer_member_out", self.back), person,
                                                       f"ZJ-{self.pick}-{self.back}", to_union_id=target),
            "send_out": lambda: office.transfer_member_out(world.ctx("transfer_member_out", self.back), person,
                                                           f"ZJ-{self.pick}-{self.back}", to_outside="外区某工会"),
            "receive": lambda: office.receive_member_transfer(
                world.ctx("receive_member_transfer", self.back), person, target,
                (office.repository.get(person).transfer or {}).get("slip_no", "")),
            "leave": lambda: office.complete_outside_transfer(world.ctx("complete_outside_transfer", self.back),
                                                              person),
            "cancel": lambda: office.cancel_member_transfer(world.ctx("cancel_member_transfer", self.back), person,
                                                            "填错"),
            "retain": lambda: office.retain_membership(world.ctx("retain_membership", self.back), person, "retirement",
                                                       "退休"),
            "restore": lambda: office.restore_membership(world.ctx("restore_membership", self.back), person, "返岗"),
            "withdraw": lambda: office.withdraw_member(world.ctx("withdraw_member", self.back), person,
                                                       card_returned=True, reason="本人申请"),
            "die": lambda: office.record_member_death(world.ctx("record_member_death"), person,
                                                      office.today() - timedelta(days=self.back)),
            "reactivate": lambda: office.reactivate_member(world.ctx("reactivate_member", self.back), person, target,
                                                           None, "重新入职"),
            "regender": lambda: office.correct_member_id_number(
                world.ctx("correct_member_id_number"), person,
                id_number(date(1990, 5, 17), "F" if self.woman else "M"), "身份证号录错"),
        }
        commands[self.what]()


@dataclass(frozen=True)
class Advance:
    days: int

    def run(self, world: World) -> None:
        world.clock.advance(days=self.days)


WHATS = ("admit", "admit", "card", "send", "send_out", "receive", "leave", "cancel", "retain", "restore",
         "withdraw", "die", "reactivate", "regender")
acts = st.builds(Act, st.sampled_from(WHATS), st.integers(0, 9), st.integers(0, 2),
                 st.one_of(st.just(0), st.integers(0, 3), st.integers(0, 40)), st.booleans())
steps = st.one_of(acts, acts, acts, st.builds(Advance, st.sampled_from((1, 2, 9, 30))))


@contextmanager
def fresh_world() -> Iterator[World]:
    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp) / "office")
        try:
            yield world
        finally:
            world.office.close()


def assert_the_tally_agrees(world: World) -> None:
    world.read_models.catch_up()
    today = world.office.today()
    with world.read_models.reading() as conn:
        for day in (START.date() + timedelta(days=n) for n in range(-45, (today - START.date()).days + 3)):
            expected = reference_counts(conn, day)
            assert roster.counts_on(conn, day) == expected, day
            assert roster.women_on(conn, day) == reference_women(conn, day), day
            assert roster.totals(conn, day) == reference_totals(conn, day), day
            for u in world.unions:
                assert roster.counts_on(conn, day, str(u)) == {k: v for k, v in expected.items() if k == str(u)}, day
                (row,) = organisations.unions_on(conn, day, str(u)) or [None]
                if row is not None:
                    assert row.women == reference_women(conn, day).get(str(u), 0), day


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, min_size=1, max_size=25))
def test_the_membership_tally_equals_counting_the_spells_in_force(script: list[Act | Advance]):
    with fresh_world() as world:
        for step in script:
            with suppress(DomainError):  # a command the rules refuse changes nothing, here as in the office
                step.run(world)
            if isinstance(step, Advance):
                assert_the_tally_agrees(world)
        assert_the_tally_agrees(world)
        with world.read_models.reading() as conn:
            incremental = dump(conn)
        world.read_models.rebuild()
        with world.read_models.reading() as conn:
            assert dump(conn) == incremental


# -- the arithmetic of stretches ----------------------------------------------------------------------------------


def test_a_stretch_counts_from_its_first_day_and_not_on_its_last():
    key = ("u", "active")
    assert changes_between([], [(key, date(2026, 3, 1), date(2026, 3, 9), (1, 0, 0))]) == {
        (key, date(2026, 3, 1)): (1, 0, 0), (key, date(2026, 3, 9)): (-1, 0, 0)}


def test_a_stretch_that_ends_before_it_begins_counts_on_no_day():
    key = ("u", "active")
    assert changes_between([], [(key, date(2026, 3, 9), date(2026, 3, 1), (1, 1, 0))]) == {}
    assert changes_between([], [(key, date(2026, 3, 9), date(2026, 3, 9), (1, 1, 0))]) == {}


def test_moving_a_start_date_takes_back_the_old_start_and_adds_the_new():
    key = ("u", "active")
    before = [(key, date(2026, 3, 5), None, (1, 0, 0))]
    after = [(key, date(2026, 2, 20), None, (1, 0, 0))]
    assert changes_between(before, after) == {(key, date(2026, 3, 5)): (-1, 0, 0), (key, date(2026, 2, 20)): (1, 0, 0)}
