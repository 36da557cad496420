"""The office's register of supplies and fixed assets (FIN-07, FIN-12, FIN-16): goods kept apart from
cash, by the office, each item with its keeper and place; the fixed assets on the register are checked
against the book's 固定资产 balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from aggregates.enterprise import checked_money, checked_text
from aggregates.envelope import Context, OfficeAggregate
from aggregates.errors import InvalidInput

KINDS = {"fixed": "固定资产", "supplies": "库存物品"}


class Asset(OfficeAggregate):
    """One line of the register: an item (or a batch of one kind), from acquisition to disposal."""

    class Registered(OfficeAggregate.Created):
        book_id: UUID
        kind: str
        name: str
        quantity: int
        unit_value: Decimal
        acquired_on: date
        keeper: str
        location: str
        claim_id: UUID | None

        def apply(self, aggregate: Asset) -> None:
            aggregate.book_id = self.book_id
            aggregate.kind = self.kind
            aggregate.acquired_on = self.acquired_on
            aggregate.quantity = self.quantity
            aggregate.disposed = False

    class Issued(OfficeAggregate.Event):
        """Supplies handed out (领用): the quantity left goes down."""

        quantity: int
        to: str

        def apply(self, aggregate: Asset) -> None:
            aggregate.quantity -= self.quantity

    class Disposed(OfficeAggregate.Event):
        on: date

        def apply(self, aggregate: Asset) -> None:
            aggregate.disposed = True

    @classmethod
    def register(cls, ctx: Context, *, asset_id: UUID, book_id: UUID, kind: str, name: str, quantity: int,
                 unit_value: Decimal | str, acquired_on: date, keeper: str, location: str,
                 claim_id: UUID | None) -> Asset:
        if kind not in KINDS:
            raise InvalidInput("请选择登记类别", field="kind")
        if not 1 <= quantity <= 100_000:
            raise InvalidInput("数量须为1到100000", field="quantity")
        value = checked_money(unit_value, "unit_value")
        if not value:
            raise InvalidInput("单价须大于0", field="unit_value")
        if acquired_on > ctx.occurred_on:
            raise InvalidInput("购置日期不能晚于今天", field="acquired_on")
        return cls._found(cls.Registered, ctx, id=asset_id, book_id=book_id, kind=kind,
                          name=checked_text(name, "name", "名称", 40), quantity=quantity, unit_value=value,
                          acquired_on=acquired_on, keeper=checked_text(keeper, "keeper", "保管人", 20),
                          location=checked_text(location, "location", "存放地点", 40, required=False),
                          claim_id=claim_id)

    def issue(self, ctx: Context, quantity: int, to: str) -> None:
        if self.disposed:
            raise InvalidInput("该物品已处置")
        if self.kind != "supplies":
            raise InvalidInput("固定资产不领用，调拨或处置请登记处置")
        if not 1 <= quantity <= self.quantity:
            raise InvalidInput("领用数量须在1到%(n)s之间", field="quantity", n=self.quantity)
        self._record(self.Issued, ctx, quantity=quantity, to=checked_text(to, "to", "领用人", 20))

    def dispose(self, ctx: Context, on: date, reason: str) -> None:
        if self.disposed:
            raise InvalidInput("该物品已处置")
        if on > ctx.occurred_on or on < self.acquired_on:
            raise InvalidInput("处置日期须在购置日期和今天之间", field="on")
        self._record(self.Disposed, ctx, reason=checked_text(reason, "reason", "处置理由", 200), on=on)
