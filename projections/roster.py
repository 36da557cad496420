"""The roster: every member as they stand now, their spells of membership over time (for
"as of" questions), and transfers. ID numbers are kept masked, plus their last four
characters for search; both are cleared when a person's data is erased."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import product

from pypinyin import Style, pinyin

from aggregates.identifiers import checked_id_number
from aggregates.member import Member
from projections.engine import Handler, Projection, Step, insert, update
from projections.tally import Stretch, Tally, changes_between

# How many members each union had in each status on any date, and how many of them were women
# and held a card: kept as changes (projections/tally.py), so the dashboard's and a union's figures
# cost the same however long the log grows.
MEMBERSHIP = Tally("membership", keys=("union_id", "status"), values=("members", "women", "carded"))
CARD_COUNTS = frozenset({"active", "retained"})  # R-06 / MEM-06: the members a card rate is taken over

projection = Projection(
    name="roster",
    schema_version=4,
    tables=[
        """CREATE TABLE members (
            member_id TEXT PRIMARY KEY, name TEXT NOT NULL, initials TEXT NOT NULL, gender TEXT NOT NULL,
            birth_date TEXT NOT NULL, union_id TEXT NOT NULL, enterprise_id TEXT, status TEXT NOT NULL,
            frontline INTEGER NOT NULL, employment_type TEXT NOT NULL, joined_on TEXT NOT NULL, card_no TEXT,
            card_since TEXT, id_masked TEXT, id_tail TEXT,
            phone_masked TEXT, transferred_from TEXT, erased INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL)""",
        "CREATE INDEX members_by_union ON members (union_id, status)",
        "CREATE INDEX members_by_card ON members (card_no)",
        "CREATE INDEX members_by_tail ON members (id_tail)",
        # One row per stretch of time a member had one status in one union: [from_date, to_date).
        """CREATE TABLE member_spells (
            member_id TEXT NOT NULL, seq INTEGER NOT NULL, union_id TEXT NOT NULL, status TEXT NOT NULL,
            from_date TEXT NOT NULL, from_position INTEGER NOT NULL, to_date TEXT, to_position INTEGER,
            PRIMARY KEY (member_id, seq))""",
        "CREATE INDEX spells_by_union ON member_spells (union_id, status, from_date)",
        """CREATE TABLE transfers (
            slip_no TEXT PRIMARY KEY, member_id TEXT NOT NULL, from_union_id TEXT NOT NULL, to_union_id TEXT,
            to_outside TEXT, sent_on TEXT NOT NULL, closed_on TEXT, outcome TEXT)""",
        *MEMBERSHIP.tables,
    ],
)


def _membership(db: object, member_id: str) -> list[Stretch]:
    """What one member adds to MEMBERSHIP: each spell, split where the member's card begins."""
    person = db.execute("SELECT gender, card_since FROM members WHERE member_id = ?",  # type: ignore[attr-defined]
                        [member_id]).fetchone()
    if person is None:
        return []
    gender, card_since = person
    woman = int(gender == "F")
    card = date.fromisoformat(card_since) if card_since else None
    stretches: list[Stretch] = []
    for union_id, status, start, end in db.execute(  # type: ignore[attr-defined]
            "SELECT union_id, status, from_date, to_date FROM member_spells WHERE member_id = ?", [member_id]):
        begins = date.fromisoformat(start)
        ends = date.fromisoformat(end) if end else None
        carded_from = ends if card is None or status not in CARD_COUNTS else max(begins, card)
        if ends is not None and carded_from is not None and carded_from > ends:
            carded_from = ends
        key = (union_id, status)
        if carded_from is None:  # no card, and the spell still runs
            stretches.append((key, begins, None, (1, woman, 0)))
        else:
            stretches.append((key, begins, carded_from, (1, woman, 0)))
            if carded_from != ends:
                stretches.append((key, carded_from, ends, (1, woman, 1)))
    return stretches


def _counted(*event_types: type) -> Callable[[Handler], Handler]:
    """Register a member event's handler, keeping MEMBERSHIP in step with whatever it changed."""

    def register(handler: Handler) -> Handler:
        def counted(step: Step, e: Member.Event) -> None:
            member_id = str(e.originator_id)
            before = _membership(step.db, member_id)
            handler(step, e)
            MEMBERSHIP.add(step.db, changes_between(before, _membership(step.db, member_id)))

        projection.on(*event_types)(counted)
        return handler

    return register


def initials_of(name: str) -> str:
    """Pinyin initials of a name, every reading of a heteronym (单 → d or s): 'zjg', or 'dtf stf'."""
    readings = pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    choices = [sorted({r[:1].lower() for r in chars if r})[:3] for chars in readings if chars]
    combos = {"".join(c) for c in product(*choices)} if choices else set()
    return " ".join(sorted(combos)[:12])


def _mask_phone(phone: str | None) -> str | None:
    return phone[:3] + "****" + phone[-4:] if phone and len(phone) >= 7 else None


def _open_spell(step: Step, member_id: str, union_id: str, status: str, day: date) -> None:
    last = step.db.execute("SELECT MAX(seq) FROM member_spells WHERE member_id = ?", [member_id]).fetchone()[0]
    if last is not None:
        step.db.execute(
            "UPDATE member_spells SET to_date = ?, to_position = ? WHERE member_id = ? AND seq = ?",
            [day.isoformat(), step.position, member_id, last])
    insert(step.db, "member_spells", {
        "member_id": member_id, "seq": (last or 0) + 1, "union_id": union_id, "status": status,
        "from_date": day.isoformat(), "from_position": step.position})


def _move(step: Step, e: Member.Event, status: str, union_id: str | None = None, **also: object) -> None:
    member_id = str(e.originator_id)
    if union_id is None:
        union_id = step.db.execute("SELECT union_id FROM members WHERE member_id = ?", [member_id]).fetchone()[0]
    update(step.db, "members", "member_id", member_id, {"status": status, "union_id": union_id,
                                          "version": e.originator_version, **also})
    _open_spell(step, member_id, union_id, status, e.occurred_on)


@_counted(Member.Admitted)
def _admitted(step: Step, e: Member.Admitted) -> None:
    number = step.unseal(e.id_number)
    person = checked_id_number(number) if number else None
    member_id = str(e.originator_id)
    insert(step.db, "members", {
        "member_id": member_id, "name": e.name, "initials": initials_of(e.name), "gender": e.gender,
        "birth_date": e.birth_date.isoformat(), "union_id": str(e.union_id),
        "enterprise_id": str(e.enterprise_id) if e.enterprise_id else None, "status": "active",
        "frontline": int(e.frontline), "employment_type": e.employment_type, "joined_on": e.joined_on.isoformat(),
        "card_no": e.card_no, "card_since": e.occurred_on.isoformat() if e.card_no else None,
        "id_masked": person.masked if person else None, "id_tail": person.tail if person else None,
        "phone_masked": _mask_phone(step.unseal(e.phone)), "transferred_from": e.transferred_from,
        "version": e.originator_version,
    })
    # Membership began when the person joined, unless they came from outside the subdistrict.
    began = e.occurred_on if e.transferred_from else min(e.joined_on, e.occurred_on)
    _open_spell(step, member_id, str(e.union_id), "active", began)


@_counted(Member.DetailsCorrected)
def _corrected(step: Step, e: Member.DetailsCorrected) -> None:
    row: dict[str, object] = {"version": e.originator_version}
    changes = e.changes
    if "name" in changes:
        row.update(name=changes["name"], initials=initials_of(changes["name"]))
    if "gender" in changes:
        row["gender"] = changes["gender"]
    if "birth_date" in changes:
        row["birth_date"] = changes["birth_date"].isoformat()
    if "frontline" in changes:
        row["frontline"] = int(bool(changes["frontline"]))
    if "employment_type" in changes:
        row["employment_type"] = changes["employment_type"]
    if "enterprise_id" in changes:
        row["enterprise_id"] = str(changes["enterprise_id"]) if changes["enterprise_id"] else None
    if "phone" in changes:
        row["phone_masked"] = _mask_phone(step.unseal(changes["phone"]))
    update(step.db, "members", "member_id", str(e.originator_id), row)


@_counted(Member.IdNumberCorrected)
def _id_corrected(step: Step, e: Member.IdNumberCorrected) -> None:
    number = step.unseal(e.id_number)
    person = checked_id_number(number) if number else None
    update(step.db, "members", "member_id", str(e.originator_id), {
        "id_masked": person.masked if person else None, "id_tail": person.tail if person else None,
        "birth_date": e.birth_date.isoformat(), "gender": e.gender, "version": e.originator_version})


@_counted(Member.CardIssued)
def _card(step: Step, e: Member.CardIssued) -> None:
    update(step.db, "members", "member_id", str(e.originator_id), {
        "card_no": e.card_no, "card_since": e.occurred_on.isoformat(), "version": e.originator_version})


@_counted(Member.TransferredOut)
def _transferred_out(step: Step, e: Member.TransferredOut) -> None:
    member_id = str(e.originator_id)
    from_union = step.db.execute("SELECT union_id FROM members WHERE member_id = ?", [member_id]).fetchone()[0]
    insert(step.db, "transfers", {
        "slip_no": e.slip_no, "member_id": member_id, "from_union_id": from_union,
        "to_union_id": str(e.to_union_id) if e.to_union_id else None, "to_outside": e.to_outside,
        "sent_on": e.occurred_on.isoformat()})
    _move(step, e, "in_transit")


def _close_transfer(step: Step, slip_no: str, day: date, outcome: str) -> None:
    update(step.db, "transfers", "slip_no", slip_no, {"closed_on": day.isoformat(), "outcome": outcome})


@_counted(Member.TransferReceived)
def _received(step: Step, e: Member.TransferReceived) -> None:
    _close_transfer(step, e.slip_no, e.occurred_on, "received")
    _move(step, e, "active", str(e.union_id))


@_counted(Member.TransferCompleted)
def _completed(step: Step, e: Member.TransferCompleted) -> None:
    _close_transfer(step, e.slip_no, e.occurred_on, "left")
    _move(step, e, "transferred_away")


@_counted(Member.TransferCancelled)
def _cancelled(step: Step, e: Member.TransferCancelled) -> None:
    _close_transfer(step, e.slip_no, e.occurred_on, "cancelled")
    _move(step, e, "active")


@_counted(Member.MembershipRetained)
def _retained(step: Step, e: Member.MembershipRetained) -> None:
    _move(step, e, "retained")


@_counted(Member.MembershipRestored)
def _restored(step: Step, e: Member.MembershipRestored) -> None:
    _move(step, e, "active")


@_counted(Member.Withdrawn)
def _withdrawn(step: Step, e: Member.Withdrawn) -> None:
    _move(step, e, "withdrawn")


@_counted(Member.Expelled)
def _expelled(step: Step, e: Member.Expelled) -> None:
    _move(step, e, "expelled")


@_counted(Member.DeathRecorded)
def _died(step: Step, e: Member.DeathRecorded) -> None:
    slip = step.db.execute("SELECT slip_no FROM transfers WHERE member_id = ? AND closed_on IS NULL",
                           [str(e.originator_id)]).fetchone()
    if slip:
        _close_transfer(step, slip[0], e.occurred_on, "deceased")
    _move(step, e, "deceased")


@_counted(Member.Reactivated)
def _reactivated(step: Step, e: Member.Reactivated) -> None:
    _move(step, e, "active", str(e.union_id),
          enterprise_id=str(e.enterprise_id) if e.enterprise_id else None)


@_counted(Member.LeftWithUnion)
def _left_with_union(step: Step, e: Member.LeftWithUnion) -> None:
    _move(step, e, "transferred_away")


@projection.on(Member.PersonalDataErased)
def _erased(step: Step, e: Member.PersonalDataErased) -> None:
    update(step.db, "members", "member_id", str(e.originator_id), {
        "id_masked": None, "id_tail": None, "phone_masked": None, "erased": 1, "version": e.originator_version})


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A member as lists show them."""

    member_id: str
    name: str
    gender: str
    birth_date: date
    union_id: str
    enterprise_id: str | None
    status: str
    frontline: bool
    employment_type: str
    joined_on: date
    card_no: str | None
    id_masked: str | None
    phone_masked: str | None
    erased: bool
    version: int


def _row(r: sqlite3.Row, *, as_of: bool = False) -> Row:
    union_id, status = (r["spell_union"], r["spell_status"]) if as_of else (r["union_id"], r["status"])
    return Row(r["member_id"], r["name"], r["gender"], date.fromisoformat(r["birth_date"]), union_id,
               r["enterprise_id"], status, bool(r["frontline"]), r["employment_type"],
               date.fromisoformat(r["joined_on"]), r["card_no"], r["id_masked"], r["phone_masked"],
               bool(r["erased"]), r["version"])


@dataclass(frozen=True)
class Search:
    """What the roster page asks for (every part optional)."""

    text: str = ""
    union_id: str | None = None
    status: str | None = None
    frontline: bool | None = None
    employment_type: str | None = None
    birth_month: int | None = None  # MEM-07: members whose birthday falls in this month
    age_from: int | None = None
    age_to: int | None = None
    by_id_tail: bool = True  # the text may be the last four of the ID number (the web allows it to the clerk only)


def _where(s: Search, today: date, spell: bool = False) -> tuple[str, list[object]]:
    """The WHERE of a search; with `spell`, union and status are those of the spell `s.` in force."""
    clauses, params = [], []
    state = "s." if spell else "m."
    text = s.text.strip()
    if text:
        lowered = text.lower()
        tail = " OR m.id_tail = ?" if s.by_id_tail else ""
        clauses.append(f"(m.name LIKE ? OR (' ' || m.initials) LIKE ? OR m.card_no LIKE ?{tail})")
        params += [f"%{text}%", f"% {lowered}%", f"{text.upper()}%", *([text.upper()] if s.by_id_tail else [])]
    if s.union_id:
        clauses.append(f"{state}union_id = ?")
        params.append(s.union_id)
    if s.status:
        clauses.append(f"{state}status = ?")
        params.append(s.status)
    if s.frontline is not None:
        clauses.append("m.frontline = ?")
        params.append(int(s.frontline))
    if s.employment_type:
        clauses.append("m.employment_type = ?")
        params.append(s.employment_type)
    if s.birth_month:
        clauses.append("substr(m.birth_date, 6, 2) = ?")
        params.append(f"{s.birth_month:02d}")
    if s.age_from is not None:  # born on or before today minus age_from years
        clauses.append("m.birth_date <= ?")
        params.append(_years_before(today, s.age_from).isoformat())
    if s.age_to is not None:  # younger than age_to + 1
        clauses.append("m.birth_date > ?")
        params.append(_years_before(today, s.age_to + 1).isoformat())
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _source(s: Search, today: date, on: date | None) -> tuple[str, list[object]]:
    """FROM … WHERE …: the members now, or (with `on`) as they stood on that date."""
    if on is None:
        where, params = _where(s, today)
        return f"FROM members m{where}", params
    where, params = _where(s, on, spell=True)
    joined = (" AND " + where[7:]) if where else ""
    return (f"FROM member_spells s JOIN members m USING (member_id) WHERE s.from_date <= ?"
            f" AND (s.to_date IS NULL OR s.to_date > ?){joined}", [on.isoformat(), on.isoformat(), *params])


def search(conn: sqlite3.Connection, s: Search, today: date, limit: int = 50, offset: int = 0, *,
           on: date | None = None) -> list[Row]:
    """Members matching the search, by name; with `on`, their union and status on that date."""
    source, params = _source(s, today, on)
    columns = "m.*" if on is None else "m.*, s.union_id AS spell_union, s.status AS spell_status"
    rows = conn.execute(f"SELECT {columns} {source} ORDER BY m.initials, m.name, m.member_id LIMIT ? OFFSET ?",
                        [*params, limit, offset])
    return [_row(r, as_of=on is not None) for r in rows]


def count(conn: sqlite3.Connection, s: Search, today: date, *, on: date | None = None) -> int:
    """How many members match the search (on a date, if given)."""
    source, params = _source(s, today, on)
    return conn.execute(f"SELECT COUNT(*) {source}", params).fetchone()[0]


def member(conn: sqlite3.Connection, member_id: str) -> Row | None:
    """One member as they stand now."""
    r = conn.execute("SELECT * FROM members WHERE member_id = ?", [member_id]).fetchone()
    return _row(r) if r else None


@dataclass(frozen=True)
class Spell:
    """A stretch of one status in one union."""

    union_id: str
    status: str
    from_date: date
    to_date: date | None


def spells(conn: sqlite3.Connection, member_id: str) -> list[Spell]:
    """A member's spells, oldest first."""
    rows = conn.execute("SELECT * FROM member_spells WHERE member_id = ? ORDER BY seq", [member_id])
    return [Spell(r["union_id"], r["status"], date.fromisoformat(r["from_date"]),
                  date.fromisoformat(r["to_date"]) if r["to_date"] else None) for r in rows]


def status_on(conn: sqlite3.Connection, member_id: str, day: date) -> Spell | None:
    """A member's status and union on a business date (None: not yet a member)."""
    r = conn.execute(
        "SELECT * FROM member_spells WHERE member_id = ? AND from_date <= ? AND (to_date IS NULL OR to_date > ?)"
        " ORDER BY seq DESC LIMIT 1", [member_id, day.isoformat(), day.isoformat()]).fetchone()
    return Spell(r["union_id"], r["status"], date.fromisoformat(r["from_date"]),
                 date.fromisoformat(r["to_date"]) if r["to_date"] else None) if r else None


def members_of_union_on(conn: sqlite3.Connection, union_id: str, day: date,
                        statuses: tuple[str, ...] = ("active",), *, limit: int | None = None,
                        offset: int = 0) -> list[Row]:
    """Who was a member (with one of these statuses) of union X on date D, in one query, by name;
    `limit` of them from `offset` on, if given."""
    marks = ", ".join("?" * len(statuses))
    rows = conn.execute(
        "SELECT m.*, s.union_id AS spell_union, s.status AS spell_status FROM member_spells s"  # noqa: S608
        f" JOIN members m USING (member_id) WHERE s.union_id = ? AND s.status IN ({marks})"
        " AND s.from_date <= ? AND (s.to_date IS NULL OR s.to_date > ?) ORDER BY m.initials, m.name, m.member_id"
        " LIMIT ? OFFSET ?",
        [union_id, *statuses, day.isoformat(), day.isoformat(), -1 if limit is None else limit, offset])
    return [_row(r, as_of=True) for r in rows]


def members_of_union_named(conn: sqlite3.Connection, union_id: str, day: date, text: str) -> list[Row]:
    """The active members of union X on date D whose name or card number is `text` (for a form that
    asks for one member of the union by what the clerk knows of them)."""
    rows = conn.execute(
        "SELECT m.*, s.union_id AS spell_union, s.status AS spell_status FROM member_spells s"
        " JOIN members m USING (member_id) WHERE s.union_id = ? AND s.status = 'active'"
        " AND s.from_date <= ? AND (s.to_date IS NULL OR s.to_date > ?) AND (m.name = ? OR m.card_no = ?)"
        " ORDER BY m.initials, m.name, m.member_id",
        [union_id, day.isoformat(), day.isoformat(), text, text.upper()])
    return [_row(r, as_of=True) for r in rows]


def member_names_of_unit(conn: sqlite3.Connection, enterprise_id: str, day: date) -> set[str]:
    """ORG-04: the names of the members working at a unit who were active members on `day`."""
    rows = conn.execute(
        "SELECT DISTINCT m.name FROM members m JOIN member_spells s USING (member_id) WHERE m.enterprise_id = ?"
        " AND s.status = 'active' AND s.from_date <= ? AND (s.to_date IS NULL OR s.to_date > ?)",
        [enterprise_id, day.isoformat(), day.isoformat()])
    return {name for (name,) in rows}


def counts_on(conn: sqlite3.Connection, day: date, union_id: str | None = None) -> dict[str, dict[str, int]]:
    """union id → status → how many members had that status there on `day` (one union's only, if given)."""
    result: dict[str, dict[str, int]] = {}
    where = {"union_id": union_id} if union_id else {}
    for (union, status), (members, _women, _carded) in MEMBERSHIP.on(conn, day, **where).items():
        if members:
            result.setdefault(union, {})[status] = members
    return result


def women_on(conn: sqlite3.Connection, day: date, union_id: str | None = None) -> dict[str, int]:
    """union id → its active women members on `day`."""
    where = {"union_id": union_id} if union_id else {}
    return {union: women for (union, status), (_m, women, _c) in MEMBERSHIP.on(conn, day, status="active", **where)
            .items() if women and status == "active"}


@dataclass(frozen=True)
class Totals:
    """Office-wide membership figures on a date."""

    active: int
    retained: int
    in_transit: int
    with_card: int

    @property
    def card_rate(self) -> float | None:
        """R-06 / MEM-06: members holding a card ÷ members (active and retained)."""
        members = self.active + self.retained
        return self.with_card / members if members else None


def newcomers_in(conn: sqlite3.Connection, year: int, until: date | None = None) -> int:
    """ORG-06 / R-05: members who joined in `year` (up to `until`), not counting transfers in from outside."""
    end = (until or date(year, 12, 31)).isoformat()
    return conn.execute("SELECT COUNT(*) FROM members WHERE joined_on BETWEEN ? AND ? AND transferred_from IS NULL",
                        [f"{year}-01-01", end]).fetchone()[0]


def totals(conn: sqlite3.Connection, day: date) -> Totals:
    """How many members were active, retained and in transit on `day`, and how many of them held a card."""
    by_status = {"active": 0, "retained": 0, "in_transit": 0}
    carded = 0
    for (_union, status), (members, _women, with_card) in MEMBERSHIP.on(conn, day).items():
        if status in by_status:
            by_status[status] += members
        carded += with_card
    return Totals(by_status["active"], by_status["retained"], by_status["in_transit"], carded)


@dataclass(frozen=True)
class Transfer:
    """A transfer slip and where it stands."""

    slip_no: str
    member_id: str
    name: str
    from_union_id: str
    to_union_id: str | None
    to_outside: str | None
    sent_on: date
    closed_on: date | None
    outcome: str | None


def transfers(conn: sqlite3.Connection, *, open_only: bool = True, day: date | None = None) -> list[Transfer]:
    """Transfers in transit (as of `day` if given), oldest first."""
    sql = "SELECT t.*, m.name FROM transfers t JOIN members m USING (member_id)"
    params: list[str] = []
    if day is not None:
        sql += " WHERE t.sent_on <= ? AND (t.closed_on IS NULL OR t.closed_on > ?)"
        params = [day.isoformat(), day.isoformat()]
    elif open_only:
        sql += " WHERE t.closed_on IS NULL"
    rows = conn.execute(sql + " ORDER BY t.sent_on, t.slip_no", params)
    return [Transfer(r["slip_no"], r["member_id"], r["name"], r["from_union_id"], r["to_union_id"],
                     r["to_outside"], date.fromisoformat(r["sent_on"]),
                     date.fromisoformat(r["closed_on"]) if r["closed_on"] else None, r["outcome"]) for r in rows]
