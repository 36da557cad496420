"""The year's recruitment quotas set by the higher union, broken down by community (ORG-06:
「下達的建會任務是新增工會組織50個,發展新會員380名」, with each sub-area's share)."""

from __future__ import annotations

from uuid import UUID

from aggregates.enterprise import checked_text
from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput


class QuotaPlan(OfficeAggregate):
    """One year's quotas; a later figure for the same community replaces the earlier."""

    @staticmethod
    def id_for(year: int) -> UUID:
        """The plan of a year."""
        return derived_id("quota", str(year))

    class Started(OfficeAggregate.Created):
        year: int

        def apply(self, aggregate: QuotaPlan) -> None:
            aggregate.year = self.year
            aggregate.quotas: dict[str, tuple[int, int]] = {}

    class QuotaSet(OfficeAggregate.Event):
        year: int
        community: str
        new_unions: int
        new_members: int

        def apply(self, aggregate: QuotaPlan) -> None:
            aggregate.quotas[self.community] = (self.new_unions, self.new_members)

    @classmethod
    def start(cls, ctx: Context, year: int) -> QuotaPlan:
        """Open the year's plan."""
        if not 2000 <= year <= ctx.occurred_on.year + 1:
            raise InvalidInput("年度无效", field="year")
        return cls._found(cls.Started, ctx, id=cls.id_for(year), year=year)

    def set(self, ctx: Context, community: str, new_unions: int, new_members: int, reason: str) -> None:
        """Set a community's share of the year's quotas."""
        community = checked_text(community, "community", "社区", 30)
        if not (0 <= new_unions <= 10_000 and 0 <= new_members <= 1_000_000):
            raise InvalidInput("指标须为不小于0的整数", field="new_members")
        if self.quotas.get(community) == (new_unions, new_members):
            raise InvalidInput("指标没有变化", field="new_members")
        self._record(self.QuotaSet, ctx, reason=checked_text(reason, "reason", "依据", 200), year=self.year,
                     community=community, new_unions=new_unions, new_members=new_members)
