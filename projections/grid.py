"""The grid cells of union work in the communities (ORG-11): who leads and works each cell."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

from aggregates.grid_cell import GridCell
from projections.engine import Projection, Step, insert, update

projection = Projection(
    name="grid",
    schema_version=1,
    tables=[
        """CREATE TABLE grid_cells (
            cell_id TEXT PRIMARY KEY, community TEXT NOT NULL, name TEXT NOT NULL, leader TEXT NOT NULL,
            workers TEXT NOT NULL, duties TEXT NOT NULL, assigned_on TEXT NOT NULL, version INTEGER NOT NULL)""",
    ],
)


@projection.on(GridCell.Assigned)
def _assigned(step: Step, e: GridCell.Assigned) -> None:
    insert(step.db, "grid_cells", {
        "cell_id": str(e.originator_id), "community": e.community, "name": e.name, "leader": e.leader,
        "workers": json.dumps(e.workers, ensure_ascii=False), "duties": e.duties,
        "assigned_on": e.occurred_on.isoformat(), "version": e.originator_version})


@projection.on(GridCell.Reassigned)
def _reassigned(step: Step, e: GridCell.Reassigned) -> None:
    update(step.db, "grid_cells", "cell_id", str(e.originator_id), {
        "leader": e.leader, "workers": json.dumps(e.workers, ensure_ascii=False), "duties": e.duties,
        "assigned_on": e.occurred_on.isoformat(), "version": e.originator_version})


@dataclass(frozen=True)
class Cell:
    """A grid cell as it stands."""

    cell_id: str
    community: str
    name: str
    leader: str
    workers: tuple[str, ...]
    duties: str
    assigned_on: date


def cells(conn: sqlite3.Connection) -> list[Cell]:
    """Every grid cell, by community and name."""
    rows = conn.execute("SELECT * FROM grid_cells ORDER BY community, name")
    return [Cell(r["cell_id"], r["community"], r["name"], r["leader"], tuple(json.loads(r["workers"])),
                 r["duties"], date.fromisoformat(r["assigned_on"])) for r in rows]
