"""Grassroots unions, their office-holders, and the enterprises they cover, over time:
coverage (建会率) and membership rates (入会率) as of any date."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from aggregates.enterprise import Enterprise
from aggregates.union import Union, add_years, women_organ_met, women_organ_needed
from projections.engine import Handler, Projection, Step, insert, update
from projections.roster import counts_on, women_on
from projections.tally import Stretch, Tally, changes_between

# The census as of any date, kept as changes (projections/tally.py): per community, covering union
# ('' for none) and mode of coverage, how many units and what workforce; and per size, the units
# not standing alone, for ORG-01's "should found their own union". The unit list itself is only
# read a page at a time.
COVERAGE = Tally("coverage", keys=("community", "union_id", "mode"), values=("units", "workers", "women", "listed"))
SIZES = Tally("unit_sizes", keys=("standalone", "workers"), values=("units",))

projection = Projection(
    name="organisations",
    schema_version=8,
    tables=[
        """CREATE TABLE unions (
            union_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, parent_id TEXT,
            workers_at_founding INTEGER NOT NULL, approver TEXT NOT NULL, approval_ref TEXT NOT NULL,
            founded_on TEXT NOT NULL, term_start TEXT NOT NULL, term_end TEXT NOT NULL, dissolved_on TEXT,
            established_on TEXT, election_approval_ref TEXT, certificate_no TEXT, left_to TEXT,
            version INTEGER NOT NULL)""",
        # ORG-10: union groups and their leaders.
        """CREATE TABLE union_groups (
            union_id TEXT NOT NULL, name TEXT NOT NULL, formed_on TEXT NOT NULL, leader_id TEXT, elected_on TEXT,
            electors INTEGER, filed_on TEXT, PRIMARY KEY (union_id, name))""",
        """CREATE TABLE office_holders (
            union_id TEXT NOT NULL, post TEXT NOT NULL, member_id TEXT NOT NULL, from_date TEXT NOT NULL,
            from_position INTEGER NOT NULL, to_date TEXT, to_position INTEGER,
            PRIMARY KEY (union_id, post, member_id, from_position))""",
        """CREATE TABLE enterprises (
            enterprise_id TEXT PRIMARY KEY, name TEXT NOT NULL, credit_code TEXT NOT NULL UNIQUE,
            ownership TEXT NOT NULL, industry TEXT NOT NULL, community TEXT NOT NULL, address TEXT NOT NULL,
            registered_on TEXT NOT NULL, closed_on TEXT, version INTEGER NOT NULL)""",
        """CREATE TABLE headcounts (
            enterprise_id TEXT NOT NULL, as_of TEXT NOT NULL, position INTEGER NOT NULL, workers INTEGER NOT NULL,
            women INTEGER NOT NULL, PRIMARY KEY (enterprise_id, as_of, position))""",
        # ORG-04: worker lists filed (the names stay sealed in the log; only the count is here).
        """CREATE TABLE worker_lists (
            enterprise_id TEXT NOT NULL, as_of TEXT NOT NULL, position INTEGER NOT NULL, count INTEGER NOT NULL,
            PRIMARY KEY (enterprise_id, as_of, position))""",
        """CREATE TABLE payrolls (
            enterprise_id TEXT NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL, position INTEGER NOT NULL,
            payroll TEXT NOT NULL, PRIMARY KEY (enterprise_id, year, month, position))""",
        # [from_date, to_date): which union covered the unit, and how.
        """CREATE TABLE coverage_spells (
            enterprise_id TEXT NOT NULL, union_id TEXT, mode TEXT, from_date TEXT NOT NULL,
            from_position INTEGER NOT NULL, to_date TEXT, PRIMARY KEY (enterprise_id, from_position))""",
        "CREATE INDEX coverage_by_union ON coverage_spells (union_id, from_date)",
        """CREATE TABLE activities (
            union_id TEXT NOT NULL, position INTEGER NOT NULL, held_on TEXT NOT NULL, title TEXT NOT NULL,
            participants INTEGER NOT NULL, PRIMARY KEY (union_id, position))""",
        # ORG-08: the latest assessment of each union, year and standard.
        """CREATE TABLE compliance (
            union_id TEXT NOT NULL, year INTEGER NOT NULL, standard TEXT NOT NULL, met INTEGER NOT NULL,
            total INTEGER NOT NULL, missing TEXT NOT NULL, assessed_on TEXT NOT NULL, position INTEGER NOT NULL,
            PRIMARY KEY (union_id, year, standard))""",
        *COVERAGE.tables,
        *SIZES.tables,
    ],
)


def _touch(step: Step, table: str, key: str, e: Union.Event | Enterprise.Event, **row: object) -> None:
    update(step.db, table, "union_id" if table == "unions" else "enterprise_id", key,
           {**row, "version": e.originator_version})


@projection.on(Union.Founded)
def _founded(step: Step, e: Union.Founded) -> None:
    insert(step.db, "unions", {
        "union_id": str(e.originator_id), "name": e.name, "kind": e.kind,
        "parent_id": str(e.parent_id) if e.parent_id else None, "workers_at_founding": e.workers,
        "approver": e.approver, "approval_ref": e.approval_ref, "founded_on": e.occurred_on.isoformat(),
        "term_start": e.occurred_on.isoformat(), "term_end": add_years(e.occurred_on, e.term_years).isoformat(),
        "dissolved_on": None, "version": e.originator_version})


@projection.on(Union.Renamed)
def _renamed(step: Step, e: Union.Renamed) -> None:
    _touch(step, "unions", str(e.originator_id), e, name=e.name)


@projection.on(Union.CommitteeElected)
def _elected(step: Step, e: Union.CommitteeElected) -> None:
    end = add_years(e.term_start, e.term_years)
    _touch(step, "unions", str(e.originator_id), e, term_start=e.term_start.isoformat(), term_end=end.isoformat())


@projection.on(Union.OfficeHolderAppointed)
def _appointed(step: Step, e: Union.OfficeHolderAppointed) -> None:
    insert(step.db, "office_holders", {
        "union_id": str(e.originator_id), "post": e.post, "member_id": str(e.member_id),
        "from_date": e.occurred_on.isoformat(), "from_position": step.position})
    _touch(step, "unions", str(e.originator_id), e)


@projection.on(Union.OfficeHolderVacated)
def _vacated(step: Step, e: Union.OfficeHolderVacated) -> None:
    step.db.execute(
        "UPDATE office_holders SET to_date = ?, to_position = ? WHERE union_id = ? AND post = ? AND member_id = ?"
        " AND to_position IS NULL",
        [e.occurred_on.isoformat(), step.position, str(e.originator_id), e.post, str(e.member_id)])
    _touch(step, "unions", str(e.originator_id), e)


@projection.on(Union.Dissolved)
def _dissolved(step: Step, e: Union.Dissolved) -> None:
    _touch(step, "unions", str(e.originator_id), e, dissolved_on=e.occurred_on.isoformat())


@projection.on(Union.TransferredAway)
def _transferred_away(step: Step, e: Union.TransferredAway) -> None:
    _touch(step, "unions", str(e.originator_id), e, dissolved_on=e.occurred_on.isoformat(), left_to=e.to_body)


@projection.on(Union.LegalPersonRegistered)
def _legal_person(step: Step, e: Union.LegalPersonRegistered) -> None:
    _touch(step, "unions", str(e.originator_id), e, certificate_no=e.certificate_no)


@projection.on(Union.Upgraded)
def _upgraded(step: Step, e: Union.Upgraded) -> None:
    _touch(step, "unions", str(e.originator_id), e, kind=e.to_kind)


@projection.on(Union.ElectionResultApproved)
def _established(step: Step, e: Union.ElectionResultApproved) -> None:
    _touch(step, "unions", str(e.originator_id), e, established_on=e.occurred_on.isoformat(),
           election_approval_ref=e.approval_ref)


@projection.on(Union.GroupFormed)
def _group(step: Step, e: Union.GroupFormed) -> None:
    insert(step.db, "union_groups", {"union_id": str(e.originator_id), "name": e.group,
                                     "formed_on": e.occurred_on.isoformat()})
    _touch(step, "unions", str(e.originator_id), e)


@projection.on(Union.GroupLeaderElected)
def _group_leader(step: Step, e: Union.GroupLeaderElected) -> None:
    step.db.execute(
        "UPDATE union_groups SET leader_id = ?, elected_on = ?, electors = ?, filed_on = NULL"
        " WHERE union_id = ? AND name = ?",
        [str(e.member_id), e.occurred_on.isoformat(), e.electors, str(e.originator_id), e.group])
    _touch(step, "unions", str(e.originator_id), e)


@projection.on(Union.GroupLeaderFiled)
def _group_filed(step: Step, e: Union.GroupLeaderFiled) -> None:
    step.db.execute("UPDATE union_groups SET filed_on = ? WHERE union_id = ? AND name = ?",
                    [e.filed_on.isoformat(), str(e.originator_id), e.group])
    _touch(step, "unions", str(e.originator_id), e)


@projection.on(Union.ActivityHeld)
def _activity(step: Step, e: Union.ActivityHeld) -> None:
    insert(step.db, "activities", {"union_id": str(e.originator_id), "position": step.position,
                                   "held_on": e.held_on.isoformat(), "title": e.title,
                                   "participants": e.participants})
    _touch(step, "unions", str(e.originator_id), e)


@projection.on(Union.ComplianceAssessed)
def _assessed(step: Step, e: Union.ComplianceAssessed) -> None:
    step.db["compliance"].upsert({
        "union_id": str(e.originator_id), "year": e.year, "standard": e.standard,
        "met": sum(e.checklist.values()), "total": len(e.checklist),
        "missing": " ".join(item for item, ok in e.checklist.items() if not ok),
        "assessed_on": e.occurred_on.isoformat(), "position": step.position,
    }, pk=("union_id", "year", "standard"))
    _touch(step, "unions", str(e.originator_id), e)


def _census_stretches(db: object, enterprise_id: str) -> tuple[list[Stretch], list[Stretch]]:
    """What one unit adds to COVERAGE and SIZES. Its history is cut at every date where anything
    about it changes; between two cuts it counts as `units_on` would see it on the first day, one
    row per coverage spell then in force (none: one row, uncovered)."""
    query = db.execute  # type: ignore[attr-defined]
    found = query("SELECT community, registered_on, closed_on FROM enterprises WHERE enterprise_id = ?",
                  [enterprise_id]).fetchone()
    if found is None:
        return [], []
    community, registered, closed = found[0] or "", date.fromisoformat(found[1]), found[2]
    closed_on = date.fromisoformat(closed) if closed else None
    spells = [(union_id or "", mode or "", date.fromisoformat(start), date.fromisoformat(end) if end else None)
              for union_id, mode, start, end in query(
                  "SELECT union_id, mode, from_date, to_date FROM coverage_spells WHERE enterprise_id = ?",
                  [enterprise_id])]
    heads = [(date.fromisoformat(as_of), workers, women) for as_of, workers, women in query(
        "SELECT as_of, workers, women FROM headcounts WHERE enterprise_id = ? ORDER BY as_of, position",
        [enterprise_id])]
    first_list = query("SELECT MIN(as_of) FROM worker_lists WHERE enterprise_id = ?", [enterprise_id]).fetchone()[0]
    listed_from = date.fromisoformat(first_list) if first_list else None
    cuts = {registered, *(d for _u, _m, start, end in spells for d in (start, end) if d),
            *(as_of for as_of, _w, _f in heads), *([listed_from] if listed_from else [])}
    cuts = sorted(d for d in cuts if d >= registered and (closed_on is None or d < closed_on))
    coverage: list[Stretch] = []
    sizes: list[Stretch] = []
    for i, start in enumerate(cuts):
        end = cuts[i + 1] if i + 1 < len(cuts) else closed_on
        head = next((h for h in reversed(heads) if h[0] <= start), None)
        workers, women = (head[1], head[2]) if head else (0, 0)
        listed = int(listed_from is not None and listed_from <= start)
        in_force = [(u, m) for u, m, s, e in spells if s <= start and (e is None or e > start)] or [("", "")]
        for union_id, mode in in_force:
            coverage.append(((community, union_id, mode), start, end, (1, workers, women, listed)))
            sizes.append(((str(int(mode == "standalone")), str(workers)), start, end, (1,)))
    return coverage, sizes


def _counted(*event_types: type) -> Callable[[Handler], Handler]:
    """Register a census event's handler, keeping COVERAGE and SIZES in step with what it changed."""

    def register(handler: Handler) -> Handler:
        def counted(step: Step, e: Enterprise.Event) -> None:
            enterprise_id = str(e.originator_id)
            coverage, sizes = _census_stretches(step.db, enterprise_id)
            handler(step, e)
            coverage_after, sizes_after = _census_stretches(step.db, enterprise_id)
            COVERAGE.add(step.db, changes_between(coverage, coverage_after))
            SIZES.add(step.db, changes_between(sizes, sizes_after))

        projection.on(*event_types)(counted)
        return handler

    return register


@_counted(Enterprise.Registered)
def _registered(step: Step, e: Enterprise.Registered) -> None:
    insert(step.db, "enterprises", {
        "enterprise_id": str(e.originator_id), "name": e.name, "credit_code": e.credit_code,
        "ownership": e.ownership, "industry": e.industry, "community": e.community, "address": e.address,
        "registered_on": e.occurred_on.isoformat(), "closed_on": None, "version": e.originator_version})
    insert(step.db, "coverage_spells", {
        "enterprise_id": str(e.originator_id), "union_id": None, "mode": None,
        "from_date": e.occurred_on.isoformat(), "from_position": step.position})


@projection.on(Enterprise.Renamed)
def _enterprise_renamed(step: Step, e: Enterprise.Renamed) -> None:
    _touch(step, "enterprises", str(e.originator_id), e, name=e.name)


@_counted(Enterprise.HeadcountReported)
def _headcount(step: Step, e: Enterprise.HeadcountReported) -> None:
    insert(step.db, "headcounts", {"enterprise_id": str(e.originator_id), "as_of": e.as_of.isoformat(),
                                   "position": step.position, "workers": e.workers, "women": e.women})
    _touch(step, "enterprises", str(e.originator_id), e)


@_counted(Enterprise.WorkerListFiled)
def _worker_list(step: Step, e: Enterprise.WorkerListFiled) -> None:
    insert(step.db, "worker_lists", {"enterprise_id": str(e.originator_id), "as_of": e.as_of.isoformat(),
                                     "position": step.position, "count": e.count})
    _touch(step, "enterprises", str(e.originator_id), e)


@projection.on(Enterprise.PayrollReported)
def _payroll(step: Step, e: Enterprise.PayrollReported) -> None:
    insert(step.db, "payrolls", {"enterprise_id": str(e.originator_id), "year": e.year, "month": e.month,
                                 "position": step.position, "payroll": str(e.payroll)})
    _touch(step, "enterprises", str(e.originator_id), e)


def _cover(step: Step, enterprise_id: str, union_id: str | None, mode: str | None, day: date) -> None:
    step.db.execute("UPDATE coverage_spells SET to_date = ? WHERE enterprise_id = ? AND to_date IS NULL",
                    [day.isoformat(), enterprise_id])
    insert(step.db, "coverage_spells", {"enterprise_id": enterprise_id, "union_id": union_id, "mode": mode,
                                        "from_date": day.isoformat(), "from_position": step.position})


@_counted(Enterprise.CoverageChanged)
def _coverage(step: Step, e: Enterprise.CoverageChanged) -> None:
    _cover(step, str(e.originator_id), str(e.union_id) if e.union_id else None, e.mode, e.from_date)
    _touch(step, "enterprises", str(e.originator_id), e)


@_counted(Enterprise.Closed)
def _closed(step: Step, e: Enterprise.Closed) -> None:
    _cover(step, str(e.originator_id), None, None, e.occurred_on)
    _touch(step, "enterprises", str(e.originator_id), e, closed_on=e.occurred_on.isoformat())


# -- reading -------------------------------------------------------------------------------------------

_UNITS_ON = """
SELECT e.*, c.union_id AS covered_by, c.mode AS coverage
  FROM enterprises e
  LEFT JOIN coverage_spells c ON c.enterprise_id = e.enterprise_id
       AND c.from_date <= :day AND (c.to_date IS NULL OR c.to_date > :day)
 WHERE e.registered_on <= :day AND (e.closed_on IS NULL OR e.closed_on > :day)
"""

# The workforce last reported on or before the day, looked up only for the units actually listed.
_WITH_WORKFORCE = """
SELECT u.*,
       (SELECT h.workers FROM headcounts h WHERE h.enterprise_id = u.enterprise_id AND h.as_of <= :day
         ORDER BY h.as_of DESC, h.position DESC LIMIT 1) AS workers,
       (SELECT h.women FROM headcounts h WHERE h.enterprise_id = u.enterprise_id AND h.as_of <= :day
         ORDER BY h.as_of DESC, h.position DESC LIMIT 1) AS women
  FROM ({units} ORDER BY e.name, e.enterprise_id LIMIT :limit OFFSET :offset) u
 ORDER BY u.name, u.enterprise_id
"""


@dataclass(frozen=True)
class Unit:
    """An enterprise as it stood on a date."""

    enterprise_id: str
    name: str
    credit_code: str
    ownership: str
    industry: str
    community: str
    covered_by: str | None
    coverage: str | None
    workers: int | None
    women: int | None


def _unit(r: sqlite3.Row) -> Unit:
    return Unit(r["enterprise_id"], r["name"], r["credit_code"], r["ownership"], r["industry"], r["community"],
                r["covered_by"], r["coverage"], r["workers"], r["women"])


def _units_filter(day: date, covered: bool | None, union_id: str | None, text: str) -> tuple[str, dict[str, object]]:
    sql, params = _UNITS_ON, {"day": day.isoformat(), "union": union_id, "text": f"%{text.strip()}%"}
    if covered is True:
        sql += " AND c.union_id IS NOT NULL"
    elif covered is False:
        sql += " AND c.union_id IS NULL"
    if union_id:
        sql += " AND c.union_id = :union"
    if text.strip():
        sql += " AND (e.name LIKE :text OR e.credit_code LIKE :text OR e.community LIKE :text)"
    return sql, params


def units_on(conn: sqlite3.Connection, day: date, *, covered: bool | None = None, union_id: str | None = None,
             text: str = "", limit: int | None = None, offset: int = 0) -> list[Unit]:
    """The units in the census on `day`, with their coverage and workforce then, by name; `limit` of
    them from `offset` on, if given."""
    sql, params = _units_filter(day, covered, union_id, text)
    rows = conn.execute(_WITH_WORKFORCE.format(units=sql),
                        {**params, "limit": -1 if limit is None else limit, "offset": offset})
    return [_unit(r) for r in rows]


def count_units_on(conn: sqlite3.Connection, day: date, *, covered: bool | None = None, union_id: str | None = None,
                   text: str = "") -> int:
    """How many units `units_on` lists with the same filter."""
    sql, params = _units_filter(day, covered, union_id, text)
    return conn.execute(f"SELECT COUNT(*) FROM ({sql})", params).fetchone()[0]  # noqa: S608 - filters from code


def unit(conn: sqlite3.Connection, enterprise_id: str, day: date) -> Unit | None:
    """One unit as it stood on `day` (None if not registered or closed then)."""
    sql = _WITH_WORKFORCE.format(units=_UNITS_ON + " AND e.enterprise_id = :id")
    found = conn.execute(sql, {"day": day.isoformat(), "id": enterprise_id, "limit": -1, "offset": 0}).fetchone()
    return _unit(found) if found else None


@dataclass(frozen=True)
class Coverage:
    """R-01 as of a date: units, covered (standalone and inside joint/community unions)."""

    units: int
    covered: int
    standalone: int
    should_stand_alone: int  # units of the standalone minimum or more not covered by their own union

    @property
    def rate(self) -> float | None:
        return self.covered / self.units if self.units else None


def coverage_on(conn: sqlite3.Connection, day: date, standalone_minimum: int) -> Coverage:
    """How many units were covered by a union on `day`."""
    units = covered = standalone = 0
    for (_community, union_id, mode), (n, _workers, _women, _listed) in COVERAGE.on(conn, day).items():
        units += n
        covered += n if union_id else 0
        standalone += n if mode == "standalone" else 0
    return Coverage(units=units, covered=covered, standalone=standalone, should_stand_alone=sum(
        n for (_alone, workers), (n,) in SIZES.on(conn, day, standalone="0").items()
        if int(workers) >= standalone_minimum))


@dataclass(frozen=True)
class Community:
    """ORG-04 (「三清楚」) for one community on a date: its units, which are unionised, which are not."""

    community: str
    units: int
    covered: int
    uncovered: int
    uncovered_workers: int
    listed: int  # units whose worker list is on file


def communities_on(conn: sqlite3.Connection, day: date) -> list[Community]:
    """Per community: how many units, how many covered, and the uncovered ones' workforce."""
    by: dict[str, list[int]] = {}
    for (community, union_id, _mode), (n, workers, _women, listed) in COVERAGE.on(conn, day).items():
        units, covered, uncovered, uncovered_workers, on_file = by.setdefault(community, [0, 0, 0, 0, 0])
        by[community] = [units + n, covered + (n if union_id else 0), uncovered + (0 if union_id else n),
                         uncovered_workers + (0 if union_id else workers), on_file + listed]
    return [Community(name, *figures) for name, figures in sorted(by.items()) if figures[0]]


@dataclass(frozen=True)
class UnionRow:
    """A union as it stood on a date, with its figures then."""

    union_id: str
    name: str
    kind: str
    parent_id: str | None
    founded_on: date
    term_end: date
    dissolved_on: date | None
    approver: str
    approval_ref: str
    version: int
    members: int
    retained: int
    workforce: int
    units: int
    established_on: date | None  # ORG-02: the founding election's result approved by the higher union
    certificate_no: str | None  # §2.3: legal-person certificate
    left_to: str | None  # 转出: the body outside the subdistrict it moved to (dissolved_on is then the date)
    chair_vacant: bool  # ORG-09: a vacant chair is to be filled by by-election
    women: int  # active women members
    posts: frozenset[str]  # the posts held on the day

    @property
    def women_organ(self) -> bool:
        """A women's committee chair serves (§2.3, Q3)."""
        return "women_committee_chair" in self.posts

    @property
    def women_member(self) -> bool:
        """A women's committee member serves (Q3: unions with fewer women)."""
        return "women_member" in self.posts

    def women_organ_missing(self, committee_min: int | None, group_min: int | None) -> str | None:
        """§2.3 / Q3: the women's organ the union needs but has no one serving in, if any."""
        needed = women_organ_needed(self.women, committee_min, group_min)
        return None if women_organ_met(needed, self.posts) else needed

    @property
    def membership_rate(self) -> float | None:
        """R-02: members ÷ the reported workforce of the units it covers."""
        return self.members / self.workforce if self.workforce else None


def unions_on(conn: sqlite3.Connection, day: date, union_id: str | None = None) -> list[UnionRow]:
    """Every union founded by `day` (dissolved ones too, with their date), with its members and
    covered workforce then; only `union_id`'s, if given."""
    members = counts_on(conn, day, union_id)
    by_union: dict[str, tuple[int, int]] = {}
    for (_community, covering, _mode), (n, workers, _women, _listed) in COVERAGE.on(
            conn, day, **({"union_id": union_id} if union_id else {})).items():
        if covering:
            workforce, units = by_union.get(covering, (0, 0))
            by_union[covering] = (workforce + workers, units + n)
    posts: dict[str, set[str]] = {}
    for holder, post in conn.execute(
            "SELECT union_id, post FROM office_holders WHERE from_date <= :d AND (to_date IS NULL OR to_date > :d)"
            " AND (:u IS NULL OR union_id = :u)", {"d": day.isoformat(), "u": union_id}):
        posts.setdefault(holder, set()).add(post)
    women = women_on(conn, day, union_id)
    rows = conn.execute("SELECT * FROM unions WHERE founded_on <= :d AND (:u IS NULL OR union_id = :u) ORDER BY name",
                        {"d": day.isoformat(), "u": union_id})
    return [_union(r, members.get(r["union_id"], {}), by_union.get(r["union_id"], (0, 0)),
                   women=women.get(r["union_id"], 0), posts=frozenset(posts.get(r["union_id"], ()))) for r in rows]


def _union(r: sqlite3.Row, members: dict[str, int], workforce_units: tuple[int, int], *,
           women: int, posts: frozenset[str]) -> UnionRow:
    return UnionRow(
        r["union_id"], r["name"], r["kind"], r["parent_id"], date.fromisoformat(r["founded_on"]),
        date.fromisoformat(r["term_end"]), date.fromisoformat(r["dissolved_on"]) if r["dissolved_on"] else None,
        r["approver"], r["approval_ref"], r["version"], members.get("active", 0), members.get("retained", 0),
        *workforce_units, established_on=date.fromisoformat(r["established_on"]) if r["established_on"] else None,
        certificate_no=r["certificate_no"], left_to=r["left_to"],
        chair_vacant="chair" not in posts, women=women, posts=posts)


def union(conn: sqlite3.Connection, union_id: str, day: date) -> UnionRow | None:
    """One union with its figures on `day`."""
    return next(iter(unions_on(conn, day, union_id)), None)


@dataclass(frozen=True)
class Assessment:
    """A union's latest assessment against one standard in one year."""

    union_id: str
    year: int
    standard: str
    met: int
    total: int
    missing: tuple[str, ...]
    assessed_on: date

    @property
    def passed(self) -> bool:
        return self.met == self.total


def assessments(conn: sqlite3.Connection, year: int, standard: str) -> dict[str, Assessment]:
    """union id → its assessment against `standard` for `year`."""
    rows = conn.execute("SELECT * FROM compliance WHERE year = ? AND standard = ?", [year, standard])
    return {r["union_id"]: Assessment(r["union_id"], r["year"], r["standard"], r["met"], r["total"],
                                      tuple(r["missing"].split()), date.fromisoformat(r["assessed_on"]))
            for r in rows}


def assessments_of(conn: sqlite3.Connection, union_id: str) -> list[Assessment]:
    """Every latest assessment of one union, newest year first."""
    rows = conn.execute("SELECT * FROM compliance WHERE union_id = ? ORDER BY year DESC, standard", [union_id])
    return [Assessment(r["union_id"], r["year"], r["standard"], r["met"], r["total"], tuple(r["missing"].split()),
                       date.fromisoformat(r["assessed_on"])) for r in rows]


@dataclass(frozen=True)
class Cadre:
    """An office-holder serving now, for the cadre register (ORG-03)."""

    union_id: str
    union: str
    post: str
    member_id: str
    name: str
    gender: str
    from_date: date


def cadres_on(conn: sqlite3.Connection, day: date) -> list[Cadre]:
    """Every office-holder serving on `day`, by union and post (工会干部实名制登记表)."""
    rows = conn.execute(
        "SELECT h.union_id, u.name AS union_name, h.post, h.member_id, m.name, m.gender, h.from_date"
        " FROM office_holders h JOIN unions u USING (union_id) JOIN members m USING (member_id)"
        " WHERE h.from_date <= :d AND (h.to_date IS NULL OR h.to_date > :d) ORDER BY u.name, h.post, m.name",
        {"d": day.isoformat()})
    return [Cadre(r[0], r[1], r[2], r[3], r[4], r[5], date.fromisoformat(r[6])) for r in rows]


@dataclass(frozen=True)
class Group:
    """A union group and its leader (ORG-10)."""

    name: str
    formed_on: date
    leader_id: str | None
    leader: str | None
    elected_on: date | None
    electors: int | None
    filed_on: date | None


def groups_of(conn: sqlite3.Connection, union_id: str) -> list[Group]:
    """A union's groups, with their leaders and whether they were filed with the higher union."""
    rows = conn.execute(
        "SELECT g.*, m.name AS leader FROM union_groups g LEFT JOIN members m ON m.member_id = g.leader_id"
        " WHERE g.union_id = ? ORDER BY g.name", [union_id])
    return [Group(r["name"], date.fromisoformat(r["formed_on"]), r["leader_id"], r["leader"],
                  date.fromisoformat(r["elected_on"]) if r["elected_on"] else None, r["electors"],
                  date.fromisoformat(r["filed_on"]) if r["filed_on"] else None) for r in rows]


@dataclass(frozen=True)
class Movements:
    """R-03: how the organisations moved in a period (business dates, both ends included)."""

    founded: int
    units_covered: int
    reelected: int
    dissolved: int
    renamed: int
    upgraded: int
    transferred_away: int


def movements(conn: sqlite3.Connection, start: date, end: date) -> Movements:
    """新建、覆盖企业、换届、注销、更名、升格 between two dates, from the audit trail."""
    counts = dict(conn.execute(
        "SELECT stream_type || '.' || event_type, COUNT(*) FROM audit_events WHERE occurred_on BETWEEN ? AND ?"
        " AND stream_type IN ('Union', 'Enterprise') GROUP BY 1", [start.isoformat(), end.isoformat()]).fetchall())
    covered = conn.execute(
        "SELECT COUNT(DISTINCT enterprise_id) FROM coverage_spells WHERE union_id IS NOT NULL"
        " AND from_date BETWEEN ? AND ?", [start.isoformat(), end.isoformat()]).fetchone()[0]
    return Movements(counts.get("Union.Founded", 0), covered, counts.get("Union.CommitteeElected", 0),
                     counts.get("Union.Dissolved", 0), counts.get("Union.Renamed", 0), counts.get("Union.Upgraded", 0),
                     counts.get("Union.TransferredAway", 0))


def half_year_of(day: date) -> tuple[date, date]:
    """The half-year `day` falls in: 1 January–30 June or 1 July–31 December."""
    return (date(day.year, 1, 1), date(day.year, 6, 30)) if day.month <= 6 else (
        date(day.year, 7, 1), date(day.year, 12, 31))


def active_in(conn: sqlite3.Connection, start: date, end: date) -> set[str]:
    """The unions that held an activity between two dates (both included)."""
    return {r[0] for r in conn.execute("SELECT DISTINCT union_id FROM activities WHERE held_on BETWEEN ? AND ?",
                                       [start.isoformat(), end.isoformat()])}


def activities_of(conn: sqlite3.Connection, union_id: str) -> list[tuple[date, str, int]]:
    """(date, title, participants) of a union's activities, newest first."""
    return [(date.fromisoformat(r[0]), r[1], r[2]) for r in conn.execute(
        "SELECT held_on, title, participants FROM activities WHERE union_id = ? ORDER BY held_on DESC, position DESC",
        [union_id])]


def union_names(conn: sqlite3.Connection) -> dict[str, str]:
    """union id → current name."""
    return dict(conn.execute("SELECT union_id, name FROM unions").fetchall())


def open_unions(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(id, name, kind) of the unions not dissolved, for choosing one in a form."""
    return [tuple(r) for r in conn.execute(
        "SELECT union_id, name, kind FROM unions WHERE dissolved_on IS NULL ORDER BY name")]


def enterprise_names(conn: sqlite3.Connection) -> dict[str, str]:
    """enterprise id → current name."""
    return dict(conn.execute("SELECT enterprise_id, name FROM enterprises").fetchall())


@dataclass(frozen=True)
class Holder:
    """An office-holder on a date."""

    post: str
    member_id: str
    name: str
    from_date: date


def holders_on(conn: sqlite3.Connection, union_id: str, day: date) -> list[Holder]:
    """Who held which post in the union on `day`."""
    rows = conn.execute(
        "SELECT h.post, h.member_id, m.name, h.from_date FROM office_holders h JOIN members m USING (member_id)"
        " WHERE h.union_id = :u AND h.from_date <= :d AND (h.to_date IS NULL OR h.to_date > :d)"
        " ORDER BY h.post, h.from_date", {"u": union_id, "d": day.isoformat()})
    return [Holder(r[0], r[1], r[2], date.fromisoformat(r[3])) for r in rows]


def headcount_history(conn: sqlite3.Connection, enterprise_id: str) -> list[tuple[date, int, int]]:
    """(as of, workers, women) reports of a unit, newest first."""
    return [(date.fromisoformat(r[0]), r[1], r[2]) for r in conn.execute(
        "SELECT as_of, workers, women FROM headcounts WHERE enterprise_id = ? ORDER BY as_of DESC, position DESC",
        [enterprise_id])]


def coverage_history(conn: sqlite3.Connection, enterprise_id: str) -> list[tuple[date, str | None, str | None]]:
    """(from, union id, mode) of a unit's coverage, oldest first."""
    return [(date.fromisoformat(r[0]), r[1], r[2]) for r in conn.execute(
        "SELECT from_date, union_id, mode FROM coverage_spells WHERE enterprise_id = ? ORDER BY from_position",
        [enterprise_id])]
