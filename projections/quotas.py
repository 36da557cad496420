"""The year's quotas by community and how far each community has come (ORG-06)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from aggregates.quota_plan import QuotaPlan
from projections.engine import Projection, Step

projection = Projection(
    name="quotas",
    schema_version=1,
    tables=[
        """CREATE TABLE community_quotas (
            year INTEGER NOT NULL, community TEXT NOT NULL, new_unions INTEGER NOT NULL,
            new_members INTEGER NOT NULL, set_on TEXT NOT NULL, PRIMARY KEY (year, community))""",
    ],
)


@projection.on(QuotaPlan.QuotaSet)
def _quota(step: Step, e: QuotaPlan.QuotaSet) -> None:
    step.db["community_quotas"].upsert({
        "year": e.year, "community": e.community, "new_unions": e.new_unions, "new_members": e.new_members,
        "set_on": e.occurred_on.isoformat()}, pk=("year", "community"))


# A member's community is their unit's; a member with no unit (MEM-04) belongs to the community of
# the first unit their union covered. A union's community is that of the first unit it covered.
_UNION_COMMUNITY = """(SELECT e2.community FROM coverage_spells c JOIN enterprises e2 USING (enterprise_id)
                       WHERE c.union_id = {union} ORDER BY c.from_position LIMIT 1)"""
_NEW_MEMBERS = f"""
SELECT COALESCE(e.community, {_UNION_COMMUNITY.format(union="m.union_id")}, '') AS community, COUNT(*)
  FROM members m LEFT JOIN enterprises e ON e.enterprise_id = m.enterprise_id
 WHERE m.joined_on BETWEEN :start AND :end AND m.transferred_from IS NULL GROUP BY 1
"""  # noqa: S608 - built from constants
_NEW_UNIONS = f"""
SELECT COALESCE({_UNION_COMMUNITY.format(union="u.union_id")}, '') AS community, COUNT(*)
  FROM unions u WHERE u.founded_on BETWEEN :start AND :end GROUP BY 1
"""  # noqa: S608 - built from constants


@dataclass(frozen=True)
class Progress:
    """A community's quotas for the year and what it has done up to a date."""

    community: str
    unions_quota: int | None
    new_unions: int
    members_quota: int | None
    new_members: int


def progress(conn: sqlite3.Connection, year: int, until: date) -> list[Progress]:
    """Each community with a quota or with new unions or members this year, up to `until`."""
    span = {"start": f"{year}-01-01", "end": until.isoformat()}
    members = dict(conn.execute(_NEW_MEMBERS, span).fetchall())
    unions = dict(conn.execute(_NEW_UNIONS, span).fetchall())
    quotas = {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT community, new_unions, new_members FROM community_quotas WHERE year = ?", [year])}
    names = sorted(set(members) | set(unions) | set(quotas))
    return [Progress(name, quotas.get(name, (None, None))[0], unions.get(name, 0), quotas.get(name, (None, None))[1],
                     members.get(name, 0)) for name in names]
