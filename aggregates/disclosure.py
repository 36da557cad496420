"""The half-yearly disclosure to members (FIN-18): dues received and how the funds were used, published
from a book's figures for a half-year; what was published is kept as published."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from aggregates.enterprise import checked_text
from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput


def half_year(year: int, half: int) -> tuple[date, date]:
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


class Disclosure(OfficeAggregate):
    """One book's disclosure for one half-year."""

    @staticmethod
    def id_for(book_id: UUID, year: int, half: int) -> UUID:
        return derived_id("disclosure", f"{book_id}:{year}-H{half}")

    class Published(OfficeAggregate.Created):
        book_id: UUID
        year: int
        half: int
        figures: dict[str, Decimal]  # account code → the half-year's amount, as published
        where: str  # where it was posted (公示栏, 职代会, 网站…)

    @classmethod
    def publish(cls, ctx: Context, *, book_id: UUID, year: int, half: int, figures: dict[str, Decimal],
                where: str) -> Disclosure:
        if half not in (1, 2) or year < 2000:
            raise InvalidInput("请选择公布的半年", field="half")
        if half_year(year, half)[1] >= ctx.occurred_on:
            raise InvalidInput("该半年尚未结束，结束后才能公布", field="half")
        return cls._found(cls.Published, ctx, id=cls.id_for(book_id, year, half), book_id=book_id, year=year,
                          half=half, figures=figures, where=checked_text(where, "where", "公布方式", 60))
