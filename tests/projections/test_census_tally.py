"""The census tallies (COVERAGE and SIZES in projections/organisations.py) answer R-01's coverage,
ORG-01's "should stand alone", ORG-04's communities and each union's covered workforce as of day D
exactly as going through every unit in the census on D does, whatever the office did: units
registered, headcounts reported for past dates (and corrected by a later report of the same date),
coverage changed, ended and begun again, worker lists filed, units closed.

The references below are the readings the dashboard and the census ran before the tallies: a pass
over every unit, which grows with the census; the tallies do not, and the two must never disagree."""

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
from projections import ALL, organisations
from projections.engine import ReadModels, dump
from tests.conftest import Clock, acting, register_staff
from tests.roster_helpers import credit_code, union

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
COMMUNITIES = ("新华社区", "东风社区", "")
MINIMUMS = (0, 25, 60)


def reference_coverage(conn: sqlite3.Connection, day: date, minimum: int) -> organisations.Coverage:
    units = organisations.units_on(conn, day)
    return organisations.Coverage(
        units=len(units), covered=sum(1 for u in units if u.covered_by),
        standalone=sum(1 for u in units if u.coverage == "standalone"),
        should_stand_alone=sum(1 for u in units if (u.workers or 0) >= minimum and u.coverage != "standalone"))


def reference_communities(conn: sqlite3.Connection, day: date) -> list[organisations.Community]:
    listed = {enterprise_id for (enterprise_id,) in conn.execute(
        "SELECT DISTINCT enterprise_id FROM worker_lists WHERE as_of <= ?", [day.isoformat()])}
    by: dict[str, list[organisations.Unit]] = {}
    for u in organisations.units_on(conn, day):
        by.setdefault(u.community or "", []).append(u)
    return [organisations.Community(name, len(units), sum(1 for u in units if u.covered_by),
                                    sum(1 for u in units if not u.covered_by),
                                    sum(u.workers or 0 for u in units if not u.covered_by),
                                    sum(1 for u in units if u.enterprise_id in listed))
            for name, units in sorted(by.items())]


def reference_workforce(conn: sqlite3.Connection, day: date, union_id: str) -> tuple[int, int]:
    units = organisations.units_on(conn, day, covered=True, union_id=union_id)
    return sum(u.workers or 0 for u in units), len(units)


# -- what the office does ---------------------------------------------------------------------------------------


class World:
    """A fresh office with an enterprise union, a joint union and a community union."""

    def __init__(self, data_dir: Path) -> None:
        self.clock = Clock(START)
        self.office = UnionOffice(data_dir, clock=self.clock, timezone="Asia/Shanghai")
        self.office.found_office(self.office.system_context("test"), "测试街道工会工作委员会", "Asia/Shanghai",
                                 "admin", "管理员")
        register_staff(self.office)
        self.unions = [(union(self.office, kind=kind, name=f"测试{kind}工会"), mode)
                       for kind, mode in (("enterprise", "standalone"), ("joint", "joint"),
                                          ("community", "community"))]
        self.units: list[UUID] = []
        self.read_models = ReadModels(self.office, data_dir, ALL)
        self.read_models.ensure_ready()

    def ctx(self, command: str, back: int = 0):
        return acting(self.office, command, self.office.today() - timedelta(days=back))

    def unit(self, pick: int) -> UUID | None:
        return self.units[pick % len(self.units)] if self.units else None


@dataclass(frozen=True)
class Act:
    """One command: `pick` chooses a unit, `which` a union or a community, `back` how many days ago
    the reported fact holds, `workers` a headcount."""

    what: str
    pick: int
    which: int
    back: int
    workers: int

    def run(self, world: World) -> None:
        office, unit = world.office, world.unit(self.pick)
        day = office.today() - timedelta(days=self.back)
        if self.what == "register" or unit is None:
            world.units.append(office.register_enterprise(
                world.ctx("register_enterprise", self.back), name=f"测试企业{len(world.units)}有限公司",
                credit_code=credit_code(), ownership="private", community=COMMUNITIES[self.which % 3],
                workers=self.workers if self.pick % 2 else None, women=self.workers // 3 if self.pick % 2 else None))
            return
        union_id, mode = world.unions[self.which % 3]
        commands = {
            "headcount": lambda: office.report_headcount(world.ctx("report_headcount"), unit, day, self.workers,
                                                         self.workers // 2),
            "cover": lambda: office.change_coverage(world.ctx("change_coverage"), unit, union_id=union_id,
                                                    mode=mode, from_date=day),
            "uncover": lambda: office.change_coverage(world.ctx("change_coverage"), unit, union_id=None, mode=None,
                                                      from_date=day),
            "list": lambda: office.file_worker_list(world.ctx("file_worker_list"), unit, day, "张三\n李四"),
            "close": lambda: office.close_enterprise(world.ctx("close_enterprise", self.back), unit, "注销"),
            "payroll": lambda: office.report_payroll(world.ctx("report_payroll"), unit, day.year, day.month,
                                                     "123456.78"),
        }
        commands[self.what]()


@dataclass(frozen=True)
class Advance:
    days: int

    def run(self, world: World) -> None:
        world.clock.advance(days=self.days)


WHATS = ("register", "register", "headcount", "headcount", "cover", "cover", "uncover", "list", "close", "payroll")
acts = st.builds(Act, st.sampled_from(WHATS), st.integers(0, 9), st.integers(0, 2),
                 st.one_of(st.just(0), st.integers(0, 3), st.integers(0, 60)),
                 st.sampled_from((0, 3, 24, 25, 26, 59, 60, 200)))
steps = st.one_of(acts, acts, acts, st.builds(Advance, st.sampled_from((1, 2, 9, 30))))


@contextmanager
def fresh_world() -> Iterator[World]:
    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp) / "office")
        try:
            yield world
        finally:
            world.office.close()


def assert_the_tallies_agree(world: World) -> None:
    world.read_models.catch_up()
    today = world.office.today()
    with world.read_models.reading() as conn:
        for day in (START.date() + timedelta(days=n) for n in range(-65, (today - START.date()).days + 3)):
            for minimum in MINIMUMS:
                assert organisations.coverage_on(conn, day, minimum) == reference_coverage(conn, day, minimum), day
            assert organisations.communities_on(conn, day) == reference_communities(conn, day), day
            for union_id, _mode in world.unions:
                row = organisations.union(conn, str(union_id), day)
                if row is not None:  # a union not yet founded on D has no page that day
                    assert (row.workforce, row.units) == reference_workforce(conn, day, str(union_id)), day


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, min_size=1, max_size=25))
def test_the_census_tallies_equal_going_through_every_unit(script: list[Act | Advance]):
    with fresh_world() as world:
        for step in script:
            with suppress(DomainError):  # a command the rules refuse changes nothing, here as in the office
                step.run(world)
            if isinstance(step, Advance):
                assert_the_tallies_agree(world)
        assert_the_tallies_agree(world)
        with world.read_models.reading() as conn:
            incremental = dump(conn)
        world.read_models.rebuild()
        with world.read_models.reading() as conn:
            assert dump(conn) == incremental


def test_a_headcount_reported_for_a_past_date_moves_the_figures_from_that_date_on():
    with fresh_world() as world:
        office = world.office
        world.clock.advance(days=30)  # the unions were founded a month before
        unit = office.register_enterprise(world.ctx("register_enterprise", 20), name="测试企业甲有限公司",
                                          credit_code=credit_code(), ownership="private", community="新华社区",
                                          workers=10, women=3)
        union_id, mode = world.unions[1]
        office.change_coverage(world.ctx("change_coverage"), unit, union_id=union_id, mode=mode,
                               from_date=office.today() - timedelta(days=20))
        office.report_headcount(world.ctx("report_headcount"), unit, office.today() - timedelta(days=5), 30, 9)
        world.read_models.catch_up()
        with world.read_models.reading() as conn:
            before, after = office.today() - timedelta(days=6), office.today() - timedelta(days=5)
            assert organisations.coverage_on(conn, before, 25).should_stand_alone == 0
            assert organisations.coverage_on(conn, after, 25).should_stand_alone == 1
            assert organisations.union(conn, str(union_id), before).workforce == 10
            assert organisations.union(conn, str(union_id), after).workforce == 30
