"""An enterprise or other unit of the subdistrict: the base of union coverage (建会率) and
membership rates. Its headcount and payroll are reported by date; it is covered by its own
union (单独建会), by a joint or community union, or not yet covered."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID

from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput
from aggregates.identifiers import checked_credit_code
from aggregates.personal_data import Sealed

OWNERSHIP = {
    "state": "国有",
    "collective": "集体",
    "private": "民营",
    "foreign": "外资（含港澳台）",
    "public_institution": "机关事业单位",
    "individual": "个体工商户",
    "social_org": "社会组织",
}
# How a unit is covered: by its own union, or inside a joint / community union.
COVERAGE = {"standalone": "单独建会", "joint": "联合基层工会", "community": "社区（区域、行业）工会"}
MAX_WORKERS = 1_000_000
MAX_LISTED = 5_000  # names on one worker list (a larger unit files its list in the office's own records)


def checked_text(value: str, field: str, label: str, longest: int, *, required: bool = True) -> str:
    """Trimmed text of at most `longest` characters (and present, if required)."""
    text = (value or "").strip()
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in text):
        raise InvalidInput("%(label)s含有无效的控制字符", field=field, label=label)
    if required and not text:
        raise InvalidInput("请填写%(label)s", field=field, label=label)
    if len(text) > longest:
        raise InvalidInput("%(label)s不能超过%(n)s个字", field=field, label=label, n=longest)
    return text


MONEY_LIMIT = Decimal("1e13")  # ten trillion yuan: past any amount an office books, and far inside SQLite's integers


# A number as typed, in digits (Decimal alone would also read 1_000, NaN, Infinity and sNaN).
_TYPED_MONEY = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def checked_money(value: Decimal | str, field: str, *, signed: bool = False) -> Decimal:
    """An amount of money: a finite number below 10¹³ yuan, at most to the fen, not negative unless `signed`."""
    text = str(value).strip().replace(",", "")
    if isinstance(value, str) and not _TYPED_MONEY.fullmatch(text):
        raise InvalidInput("金额须为数字", field=field)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("金额须为数字", field=field) from None
    if not amount.is_finite() or (amount < 0 and not signed):
        raise InvalidInput("金额须为不小于0的数字" if not signed else "金额须为数字", field=field)
    if amount.copy_abs() >= MONEY_LIMIT:  # before any arithmetic, which 1e309 or 1e99999999999 would break
        raise InvalidInput("金额过大", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput("金额最多保留到分（两位小数）", field=field)
    return (amount if amount else amount.copy_abs()).quantize(Decimal("0.01"))  # "-0" is zero, never a negative zero


def checked_worker_names(text: str) -> list[str]:
    """The names of a worker list typed one per line (or separated by 、，, ;)."""
    names = [n.strip() for n in unicodedata.normalize("NFKC", text or "").replace("、", "\n").replace(",", "\n")
             .replace(";", "\n").splitlines()]
    names = [n for n in names if n]
    if not names:
        raise InvalidInput("请填写职工名单，每行一个姓名", field="names")
    if len(names) > MAX_LISTED:
        raise InvalidInput("一份名单最多%(n)s人", field="names", n=MAX_LISTED)
    for name in names:
        if len(name) > 30 or any(unicodedata.category(c).startswith("C") for c in name):
            raise InvalidInput("姓名“%(name)s”无效（最多30字）", field="names", name=name[:30])
    return names


def _not_after(day: date, ctx: Context, field: str) -> date:
    if day > ctx.occurred_on:
        raise InvalidInput("日期不能晚于今天", field=field)
    return day


class Enterprise(OfficeAggregate):
    """One unit in the subdistrict's census (企业、事业单位、个体工商户…)."""

    @staticmethod
    def id_for(credit_code: str) -> UUID:
        """The enterprise's id, derived from its credit code (so it is registered once)."""
        return derived_id("enterprise", checked_credit_code(credit_code))

    class Registered(OfficeAggregate.Created):
        name: str
        credit_code: str
        ownership: str
        industry: str
        community: str
        address: str

        def apply(self, aggregate: Enterprise) -> None:
            aggregate.name = self.name
            aggregate.credit_code = self.credit_code
            aggregate.headcounts: list[tuple[date, int, int]] = []
            aggregate.covered_by: UUID | None = None
            aggregate.coverage: str | None = None
            aggregate.coverage_from: date | None = None
            aggregate.closed = False

    class Renamed(OfficeAggregate.Event):
        name: str

        def apply(self, aggregate: Enterprise) -> None:
            aggregate.name = self.name

    class HeadcountReported(OfficeAggregate.Event):
        as_of: date
        workers: int
        women: int

        def apply(self, aggregate: Enterprise) -> None:
            aggregate.headcounts.append((self.as_of, self.workers, self.women))

    class PayrollReported(OfficeAggregate.Event):
        year: int
        month: int
        payroll: Decimal

    class CoverageChanged(OfficeAggregate.Event):
        union_id: UUID | None
        mode: str | None
        from_date: date

        def apply(self, aggregate: Enterprise) -> None:
            aggregate.covered_by = self.union_id
            aggregate.coverage = self.mode
            aggregate.coverage_from = self.from_date

    class WorkerListFiled(OfficeAggregate.Event):
        """ORG-04: the unit's list of workers, members or not, sealed as personal data."""

        as_of: date
        names: Sealed  # a JSON list of names
        count: int

        def apply(self, aggregate: Enterprise) -> None:
            aggregate.worker_lists = [*getattr(aggregate, "worker_lists", []), (self.as_of, self.names)]

    class Closed(OfficeAggregate.Event):
        def apply(self, aggregate: Enterprise) -> None:
            aggregate.closed = True
            aggregate.covered_by = None
            aggregate.coverage = None

    @classmethod
    def register(
        cls, ctx: Context, *, name: str, credit_code: str, ownership: str, industry: str, community: str,
        address: str,
    ) -> Enterprise:
        """Register a unit of the census."""
        if ownership not in OWNERSHIP:
            raise InvalidInput("请选择单位性质", field="ownership")
        return cls._found(
            cls.Registered, ctx, id=cls.id_for(credit_code),
            name=checked_text(name, "name", "单位名称", 60),
            credit_code=checked_credit_code(credit_code), ownership=ownership,
            industry=checked_text(industry, "industry", "行业", 30, required=False),
            community=checked_text(community, "community", "所属社区", 30, required=False),
            address=checked_text(address, "address", "地址", 100, required=False),
        )

    def workers_on(self, day: date) -> int | None:
        """The workforce last reported on or before `day`."""
        latest: tuple[date, int, int] | None = None
        for report in self.headcounts:  # in the order recorded: a later report of a date corrects an earlier one
            if report[0] <= day and (latest is None or report[0] >= latest[0]):
                latest = report
        return latest[1] if latest else None

    def _check_open(self) -> None:
        if self.closed:
            raise InvalidInput("该单位已注销")

    def rename(self, ctx: Context, name: str) -> None:
        """Record the unit's new name."""
        self._check_open()
        name = checked_text(name, "name", "单位名称", 60)
        if name == self.name:
            raise InvalidInput("新名称与现名称相同", field="name")
        self._record(self.Renamed, ctx, name=name)

    def report_headcount(self, ctx: Context, as_of: date, workers: int, women: int) -> None:
        """Record the workforce on a date (from the unit's report)."""
        self._check_open()
        _not_after(as_of, ctx, "as_of")
        if not 0 <= workers <= MAX_WORKERS:
            raise InvalidInput("职工人数须在0到%(n)s之间", field="workers", n=MAX_WORKERS)
        if not 0 <= women <= workers:
            raise InvalidInput("女职工人数不能超过职工总数", field="women")
        self._record(self.HeadcountReported, ctx, as_of=as_of, workers=workers, women=women)

    def report_payroll(self, ctx: Context, year: int, month: int, payroll: Decimal | str) -> None:
        """Record the unit's total payroll for a month (the base of the 2% levy, FND-01)."""
        self._check_open()
        if not (2000 <= year <= ctx.occurred_on.year and 1 <= month <= 12) or (
                (year, month) > (ctx.occurred_on.year, ctx.occurred_on.month)):
            raise InvalidInput("工资总额所属年月无效", field="period")
        self._record(self.PayrollReported, ctx, year=year, month=month, payroll=checked_money(payroll, "payroll"))

    def cover(self, ctx: Context, union_id: UUID | None, mode: str | None, from_date: date,
              standalone_minimum: int) -> None:
        """Record which union covers the unit from a date on (None: no longer covered).
        ORG-01: only a unit of `standalone_minimum` workers or more founds its own union."""
        self._check_open()
        _not_after(from_date, ctx, "from_date")
        if (union_id is None) != (mode is None) or (mode is not None and mode not in COVERAGE):
            raise InvalidInput("请选择覆盖方式和工会", field="mode")
        if mode == "standalone":
            workers = self.workers_on(from_date)
            if workers is None or workers < standalone_minimum:
                raise InvalidInput(
                    "职工%(n)s人以上的单位才单独建会；人数不足的单位请通过联合基层工会或社区工会覆盖（当前登记人数：%(w)s）",
                    field="mode", n=standalone_minimum, w="未登记" if workers is None else workers)
        if self.coverage_from is not None and from_date < self.coverage_from:
            raise InvalidInput("起始日期不能早于上一次覆盖变更的日期（%(day)s）", field="from_date",
                               day=self.coverage_from.isoformat())
        if union_id == self.covered_by and mode == self.coverage:
            raise InvalidInput("覆盖情况没有变化", field="mode")
        self._record(self.CoverageChanged, ctx, union_id=union_id, mode=mode, from_date=from_date)

    def file_worker_list(self, ctx: Context, as_of: date, names: Sealed, count: int) -> None:
        """Record the unit's worker list on a date (ORG-04 「职工名单清楚」); `names` is sealed by the caller
        after `checked_worker_names`."""
        self._check_open()
        _not_after(as_of, ctx, "as_of")
        self._record(self.WorkerListFiled, ctx, as_of=as_of, names=names, count=count)

    def close(self, ctx: Context, reason: str) -> None:
        """Record that the unit closed down (注销); its coverage ends."""
        self._check_open()
        self._record(self.Closed, ctx, reason=checked_text(reason, "reason", "理由", 200))
