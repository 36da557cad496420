"""A grid cell (网格) of the subdistrict's union work: a stretch of a community with its grid
leader, grid workers and duties (ORG-11: 「建立網格長、網格員、職責、制度」; 定格、定人、定責)."""

from __future__ import annotations

from uuid import UUID

from aggregates.enterprise import checked_text
from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput


class GridCell(OfficeAggregate):
    """One grid cell, named within its community."""

    @staticmethod
    def id_for(community: str, name: str) -> UUID:
        """A cell's id: one cell of a name per community."""
        return derived_id("grid", f"{community.strip()}/{name.strip()}")

    class Assigned(OfficeAggregate.Created):
        community: str
        name: str
        leader: str
        workers: list[str]
        duties: str

        def apply(self, aggregate: GridCell) -> None:
            aggregate.leader, aggregate.workers, aggregate.duties = self.leader, list(self.workers), self.duties

    class Reassigned(OfficeAggregate.Event):
        leader: str
        workers: list[str]
        duties: str

        def apply(self, aggregate: GridCell) -> None:
            aggregate.leader, aggregate.workers, aggregate.duties = self.leader, list(self.workers), self.duties

    @staticmethod
    def _people(leader: str, workers: list[str], duties: str) -> tuple[str, list[str], str]:
        leader = checked_text(leader, "leader", "网格长", 30)
        names = [checked_text(w, "workers", "网格员姓名", 30) for w in workers if w.strip()]
        if not names:
            raise InvalidInput("请至少填写一名网格员", field="workers")
        if len(names) > 30:
            raise InvalidInput("网格员不能超过30人", field="workers")
        return leader, names, checked_text(duties, "duties", "职责", 500)

    @classmethod
    def assign(cls, ctx: Context, community: str, name: str, *, leader: str, workers: list[str],
               duties: str) -> GridCell:
        """Set up a cell with its leader, workers and duties (定格、定人、定责)."""
        community = checked_text(community, "community", "社区", 30)
        name = checked_text(name, "name", "网格名称", 30)
        leader, names, duties = cls._people(leader, workers, duties)
        return cls._found(cls.Assigned, ctx, id=cls.id_for(community, name), community=community, name=name,
                          leader=leader, workers=names, duties=duties)

    def reassign(self, ctx: Context, leader: str, workers: list[str], duties: str) -> None:
        """Record the cell's new leader, workers or duties."""
        leader, names, duties = self._people(leader, workers, duties)
        if (leader, names, duties) == (self.leader, self.workers, self.duties):
            raise InvalidInput("网格的人员和职责没有变化", field="leader")
        self._record(self.Reassigned, ctx, leader=leader, workers=names, duties=duties)
