"""Comparing the census with a register extract (ORG-05), and the record of checks made."""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass, field
from datetime import date

from aggregates.census_check import CensusCheck
from aggregates.errors import InvalidInput
from aggregates.identifiers import checked_credit_code
from projections.engine import Projection, Step, insert
from projections.organisations import Unit, units_on

projection = Projection(
    name="census_checks",
    schema_version=1,
    tables=[
        """CREATE TABLE census_checks (
            check_id TEXT PRIMARY KEY, checked_on TEXT NOT NULL, actor TEXT NOT NULL, source TEXT NOT NULL,
            file_sha256 TEXT NOT NULL, register_rows INTEGER NOT NULL, census_units INTEGER NOT NULL,
            missing_from_census INTEGER NOT NULL, not_in_register INTEGER NOT NULL,
            name_differences INTEGER NOT NULL, headcount_differences INTEGER NOT NULL)""",
    ],
)

COUNTS = ("register_rows", "census_units", "missing_from_census", "not_in_register", "name_differences",
          "headcount_differences")
MAX_ROWS = 100_000
HEADCOUNT_TOLERANCE = 0.2  # a register figure more than 20% away from the census is listed


@projection.on(CensusCheck.Recorded)
def _recorded(step: Step, e: CensusCheck.Recorded) -> None:
    insert(step.db, "census_checks", {
        "check_id": str(e.originator_id), "checked_on": e.occurred_on.isoformat(), "actor": e.actor,
        "source": e.source, "file_sha256": e.file_sha256, **{name: getattr(e, name) for name in COUNTS}})


@dataclass(frozen=True)
class RegisterRow:
    """One line of a register extract: credit code, name, and workforce if given."""

    credit_code: str
    name: str
    workers: int | None


def read_register(data: bytes) -> list[RegisterRow]:
    """Read a CSV extract (UTF-8 or GBK, as Excel saves it) with columns 统一社会信用代码, 名称, 职工人数."""
    text = _decode(data)
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        raise InvalidInput("名录文件不是有效的 CSV", field="file") from None
    if not rows:
        raise InvalidInput("名录文件是空的", field="file")
    header = [h.strip() for h in rows[0]]
    try:
        code_at, name_at = header.index("统一社会信用代码"), header.index("名称")
    except ValueError:
        raise InvalidInput("名录文件第一行须有“统一社会信用代码”和“名称”两列（可另有“职工人数”）",
                           field="file") from None
    workers_at = header.index("职工人数") if "职工人数" in header else None
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput("名录文件超过%(n)s行", field="file", n=MAX_ROWS)
    return [_row(line, number, code_at, name_at, workers_at) for number, line in enumerate(rows[1:], start=2)
            if any(cell.strip() for cell in line)]


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("名录文件的编码无法识别（请另存为 UTF-8 或 GBK 编码的 CSV）", field="file")


def _row(line: list[str], number: int, code_at: int, name_at: int, workers_at: int | None) -> RegisterRow:
    def cell(at: int | None) -> str:
        return line[at].strip() if at is not None and at < len(line) else ""

    try:
        code = checked_credit_code(cell(code_at))
    except InvalidInput:
        raise InvalidInput("名录第 %(n)s 行的统一社会信用代码无效：%(code)s", field="file", n=number,
                           code=cell(code_at)[:30]) from None
    workers = cell(workers_at)
    return RegisterRow(code, cell(name_at)[:60], int(workers) if workers.isascii() and workers.isdigit() else None)


@dataclass
class Comparison:
    """What the census and the register say differently."""

    register_rows: int
    census_units: int
    missing_from_census: list[RegisterRow] = field(default_factory=list)
    not_in_register: list[Unit] = field(default_factory=list)
    name_differences: list[tuple[Unit, RegisterRow]] = field(default_factory=list)
    headcount_differences: list[tuple[Unit, RegisterRow]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The figures recorded with the check."""
        return {"register_rows": self.register_rows, "census_units": self.census_units,
                "missing_from_census": len(self.missing_from_census), "not_in_register": len(self.not_in_register),
                "name_differences": len(self.name_differences),
                "headcount_differences": len(self.headcount_differences)}


def compare(conn: sqlite3.Connection, register: list[RegisterRow], day: date) -> Comparison:
    """Compare the census on `day` with a register extract, unit by unit (by credit code)."""
    census = {u.credit_code: u for u in units_on(conn, day)}
    listed = {r.credit_code: r for r in register}
    result = Comparison(len(listed), len(census))
    result.missing_from_census = [r for code, r in listed.items() if code not in census]
    result.not_in_register = [u for code, u in census.items() if code not in listed]
    for code in census.keys() & listed.keys():
        unit, row = census[code], listed[code]
        if row.name and row.name != unit.name:
            result.name_differences.append((unit, row))
        if row.workers is not None and unit.workers is not None and (
                abs(row.workers - unit.workers) > HEADCOUNT_TOLERANCE * max(unit.workers, 1)):
            result.headcount_differences.append((unit, row))
    return result


@dataclass(frozen=True)
class Check:
    """A recorded check, for the list of checks made."""

    checked_on: date
    actor: str
    source: str
    file_sha256: str
    counts: dict[str, int]


def checks(conn: sqlite3.Connection) -> list[Check]:
    """Every recorded check, newest first."""
    rows = conn.execute("SELECT * FROM census_checks ORDER BY checked_on DESC, rowid DESC")
    return [Check(date.fromisoformat(r["checked_on"]), r["actor"], r["source"], r["file_sha256"],
                  {name: r[name] for name in COUNTS}) for r in rows]
