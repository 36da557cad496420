"""Running tallies: figures "as of any date" that cost the same at a million events as at ten thousand.

A tally counts things per key (a union and a status, a unit's coverage) over business dates.
Projections never store the figure itself for every day; they store how it *changed*, at three
grains: per year, per month and per day. The figure on day D is

    the changes of every year before D's year
  + the changes of the months of D's year before D's month
  + the changes of the days of D's month up to D

so a read touches, per key, one row per year of history plus at most 11 months and 31 days,
however many events there are. A change dated in the past (a backdated admission, a corrected
coverage date) is one upsert per grain: nothing later has to be rewritten.

What a record contributes is worked out from its whole history every time it changes
(`changes_between`): the handler takes the record's contribution before and after the event and
adds the difference. So a correction that moves a date, or a status that was in force for no day
at all (a spell that ends before it begins), gives the same figures as asking the detail rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

Key = tuple[str, ...]
Values = tuple[int, ...]


@dataclass(frozen=True)
class Tally:
    """A family of three tables `{name}_years`, `{name}_months`, `{name}_days` holding changes."""

    name: str
    keys: tuple[str, ...]
    values: tuple[str, ...]

    @property
    def tables(self) -> list[str]:
        """The DDL to list in the projection's tables."""
        keys = ", ".join(f"{k} TEXT NOT NULL" for k in self.keys)
        values = ", ".join(f"{v} INTEGER NOT NULL" for v in self.values)
        pk = ", ".join(self.keys)
        return [
            f"CREATE TABLE {self.name}_years ({keys}, year TEXT NOT NULL, {values}, PRIMARY KEY ({pk}, year))"
            " WITHOUT ROWID",
            f"CREATE TABLE {self.name}_months ({keys}, month TEXT NOT NULL, {values}, PRIMARY KEY ({pk}, month))"
            " WITHOUT ROWID",
            f"CREATE INDEX {self.name}_months_by_month ON {self.name}_months (month)",
            f"CREATE TABLE {self.name}_days ({keys}, day TEXT NOT NULL, {values}, PRIMARY KEY ({pk}, day))"
            " WITHOUT ROWID",
            f"CREATE INDEX {self.name}_days_by_day ON {self.name}_days (day)",
        ]

    @cached_property
    def _upserts(self) -> tuple[str, str, str]:
        columns = ", ".join((*self.keys, "{grain}", *self.values))
        marks = ", ".join("?" * (len(self.keys) + 1 + len(self.values)))
        conflict = ", ".join((*self.keys, "{grain}"))
        sets = ", ".join(f"{v} = {v} + excluded.{v}" for v in self.values)
        template = (f"INSERT INTO {self.name}_{{table}} ({columns}) VALUES ({marks})"  # noqa: S608 - names from code
                    f" ON CONFLICT ({conflict}) DO UPDATE SET {sets}")
        return tuple(template.format(table=table, grain=grain)  # type: ignore[return-value]
                     for table, grain in (("years", "year"), ("months", "month"), ("days", "day")))

    def add(self, db: sqlite3.Connection | object, changes: Mapping[tuple[Key, date], Values]) -> None:
        """Record changes: (key, day) → how much each value changed on that day."""
        years, months, days = self._upserts
        for (key, day), amounts in changes.items():
            if not any(amounts):
                continue
            iso = day.isoformat()
            for sql, grain in ((years, iso[:4]), (months, iso[:7]), (days, iso)):
                db.execute(sql, [*key, grain, *amounts])  # type: ignore[attr-defined]

    def on(self, conn: sqlite3.Connection, day: date, **where: str) -> dict[Key, Values]:
        """key → the values on `day` (keys whose values are all zero left out); `where` fixes key columns."""
        iso = day.isoformat()
        fixed = "".join(f" AND {k} = :{k}" for k in where)
        keys = ", ".join(self.keys)
        values = ", ".join(self.values)
        sums = ", ".join(f"SUM({v})" for v in self.values)
        sql = (f"SELECT {keys}, {sums} FROM ("  # noqa: S608 - names from code
               f" SELECT {keys}, {values} FROM {self.name}_years WHERE year < :year{fixed}"
               f" UNION ALL SELECT {keys}, {values} FROM {self.name}_months"
               f"  WHERE month >= :year_start AND month < :month{fixed}"
               f" UNION ALL SELECT {keys}, {values} FROM {self.name}_days"
               f"  WHERE day >= :month_start AND day <= :day{fixed}"
               f") GROUP BY {keys}")
        params = {"year": iso[:4], "year_start": iso[:4] + "-01", "month": iso[:7], "month_start": iso[:7] + "-01",
                  "day": iso, **where}
        n = len(self.keys)
        result: dict[Key, Values] = {}
        for row in conn.execute(sql, params):
            amounts = tuple(row[n:])
            if any(amounts):
                result[tuple(row[:n])] = amounts
        return result


Stretch = tuple[Key, date, date | None, Values]


def changes_between(before: Iterable[Stretch], after: Iterable[Stretch]) -> dict[tuple[Key, date], Values]:
    """What to add to a tally when a record's contribution goes from `before` to `after`.

    A contribution is a list of stretches (key, from, to, values): the values count for the key on
    every day D with from <= D < to (to None: still running). A stretch with to <= from counts on no day.
    """
    total: dict[tuple[Key, date], list[int]] = {}

    def put(stretches: Iterable[Stretch], sign: int) -> None:
        for key, start, end, amounts in stretches:
            if end is not None and end <= start:
                continue
            for at, direction in ((start, sign), (end, -sign)):
                if at is None:
                    continue
                slot = total.setdefault((key, at), [0] * len(amounts))
                for i, amount in enumerate(amounts):
                    slot[i] += direction * amount

    put(before, -1)
    put(after, 1)
    return {slot: tuple(counts) for slot, counts in total.items() if any(counts)}
