"""A cross-check of the census against an outside register (ORG-05: 「全面核查，摸清底数挤掉水分」,
checked against the statistics, industry-and-commerce and tax registers). The register extract
itself is not kept in the log; its SHA-256 and what the check found are."""

from __future__ import annotations

from uuid import UUID

from aggregates.envelope import Context, OfficeAggregate
from aggregates.errors import InvalidInput

SOURCES = {"statistics": "统计部门名录", "market": "市场监管（工商）登记", "tax": "税务登记", "other": "其他名录"}


class CensusCheck(OfficeAggregate):
    """One comparison of the census with one register extract."""

    class Recorded(OfficeAggregate.Created):
        source: str
        file_sha256: str
        register_rows: int
        census_units: int
        missing_from_census: int
        not_in_register: int
        name_differences: int
        headcount_differences: int

    @classmethod
    def record(cls, ctx: Context, check_id: UUID, *, source: str, file_sha256: str,
               counts: dict[str, int]) -> CensusCheck:
        """Record that the census was checked against a register extract, and what was found."""
        if source not in SOURCES:
            raise InvalidInput("请选择名录来源", field="source")
        if len(file_sha256) != 64:
            raise InvalidInput("名录文件无效", field="file")
        return cls._found(cls.Recorded, ctx, id=check_id, source=source, file_sha256=file_sha256, **counts)
