"""Properties of one book under random sequences of money commands: whatever the accountant does, every
voucher balances, cash never ends a day below zero (FIN-02), the ledger agrees with the book (FIN-04), the
trial balance and the balance sheet balance, and the ledger caught up step by step equals its rebuild (AUD-09)."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from aggregates.application import UnionOffice
from aggregates.book import period_of
from aggregates.chart import CASH
from aggregates.envelope import Context
from aggregates.errors import DomainError
from projections import ALL, ledger, statements
from projections.engine import ReadModels, dump
from tests.conftest import Clock

SET_UP = datetime(2025, 11, 20, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai: the cash ceiling is in force from then
FIRST_DAY = date(2025, 12, 1)  # the book's first month: December closes at year end
START = 10  # the sequence starts on 2025-12-10
LEAVES = ("101", "102", "401", "50105", "50404", "211")
NOT_A_LEAF = "504"  # has sub-accounts: a voucher on it is refused
LEDGER_TABLES = ("books", "accounts", "vouchers", "lines", "closed_months")
ZERO = Decimal("0.00")


def amount(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


# -- the commands -------------------------------------------------------------------------------------------------


class World:
    """A fresh office with one book from December 2025 and its read models, the clock on 2025-12-10."""

    def __init__(self, data_dir: Path) -> None:
        self.clock = Clock(SET_UP)
        self.office = UnionOffice(data_dir, clock=self.clock, timezone="Asia/Shanghai")
        self.office.found_office(self.office.system_context("test"), "测试街道工会工作委员会", "Asia/Shanghai",
                                 "admin", "管理员")
        self.users = {name: str(self.office.register_user(self.office.system_context("test"), name, f"{name}用户",
                                                          [role]))
                      for name, role in (("chair", "chair"), ("li", "accountant"), ("wang", "accountant"))}
        self.office.set_setting(self.as_user("chair", "chair"), "cash_on_hand_limit", "5000", SET_UP.date(), "银行核定")
        self.clock.advance(days=(FIRST_DAY - SET_UP.date()).days + START - 1)
        self.book = self.office.open_book(self.accountant(), name="街道工会本级", union_id=None,
                                          first_period=period_of(FIRST_DAY))
        self.read_models = ReadModels(self.office, data_dir, ALL)
        self.read_models.ensure_ready()

    def as_user(self, name: str, role: str) -> Context:
        """The account `name` acting under `role` now."""
        return self.office.context(self.users[name], role)

    def accountant(self) -> Context:
        return self.as_user("li", "accountant")

    def today(self) -> date:
        return self.office.today()

    def day(self, back: int) -> date:
        return self.today() - timedelta(days=back)

    def post(self, back: int, summary: str, lines: list[dict[str, str]]) -> None:
        self.office.post_voucher(self.accountant(), self.book, voucher_date=self.day(back), summary=summary,
                                 lines=lines, attachments=1)

    def keys(self) -> list[str]:
        return sorted(self.office.book(self.book).vouchers)


class Step:
    """One command of a random sequence; `prepare` is what the accountant does first, outside the command."""

    def prepare(self, world: World) -> None:
        """Nothing, unless the command says otherwise."""

    def run(self, world: World) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Post(Step):
    """A voucher of random pairs of lines (account debited, account credited, fen); `skew` unbalances it and
    `stray` puts its first line on an account that has sub-accounts (both refused)."""

    pairs: tuple[tuple[str, str, int], ...]
    back: int
    skew: int = 0
    stray: bool = False

    def run(self, world: World) -> None:
        lines = []
        for debited, credited, fen in self.pairs:
            lines += [{"account": debited, "debit": amount(fen)}, {"account": credited, "credit": amount(fen)}]
        lines[0]["debit"] = amount(self.pairs[0][2] + self.skew)
        if self.stray:
            lines[0]["account"] = NOT_A_LEAF
        world.post(self.back, "记账", lines)


@dataclass(frozen=True)
class Withdraw(Step):
    """Cash drawn from the bank (提现), within the cash ceiling or refused."""

    fen: int
    back: int

    def run(self, world: World) -> None:
        world.post(self.back, "提取现金", [{"account": "101", "debit": amount(self.fen)},
                                           {"account": "102", "credit": amount(self.fen)}])


@dataclass(frozen=True)
class Pay(Step):
    """An expense paid in cash or from the bank."""

    expense: str
    fen: int
    cash: bool
    back: int

    def run(self, world: World) -> None:
        world.post(self.back, "支付", [{"account": self.expense, "debit": amount(self.fen)},
                                       {"account": "101" if self.cash else "102", "credit": amount(self.fen)}])


@dataclass(frozen=True)
class Reverse(Step):
    """A red-ink reversal of an earlier voucher (the n-th, counted round)."""

    n: int
    back: int

    def run(self, world: World) -> None:
        keys = world.keys()
        if keys:
            world.office.reverse_voucher(world.accountant(), world.book, keys[self.n % len(keys)],
                                         on=world.day(self.back), reason="更正")


@dataclass(frozen=True)
class Review(Step):
    """The review of one voucher (the n-th, counted round), or of every one waiting."""

    n: int | None

    def run(self, world: World) -> None:
        vouchers = world.office.book(world.book).vouchers
        keys = world.keys()
        if self.n is not None:
            keys = [keys[self.n % len(keys)]] if keys else []  # reviewed already: refused
        for key in keys:
            if self.n is not None or not vouchers[key]["reviewed"]:
                world.office.review_voucher(world.as_user("wang", "accountant"), world.book, key)


@dataclass(frozen=True)
class Advance(Step):
    days: int

    def run(self, world: World) -> None:
        world.clock.advance(days=self.days)


@dataclass(frozen=True)
class Close(Step):
    """结账 of the next month to close (refused while it has not ended or waits for a review); as an
    accountant does, `reviewing` reviews every waiting voucher first."""

    reviewing: bool

    def prepare(self, world: World) -> None:
        if self.reviewing:
            Review(None).run(world)

    def run(self, world: World) -> None:
        world.office.close_month(world.accountant(), world.book, world.office.book(world.book).next_to_close())


fens = st.integers(min_value=1, max_value=300_000)
recent = st.integers(min_value=0, max_value=9)
backs = st.one_of(recent, recent, recent, st.integers(min_value=10, max_value=60))  # some fall in closed months
accounts = st.sampled_from(LEAVES)
rarely = st.sampled_from((False, False, False, False, False, True))
posts = st.builds(Post, st.lists(st.tuples(accounts, accounts, fens), min_size=1, max_size=3).map(tuple), backs,
                  rarely.map(int), rarely)
advances = st.builds(Advance, st.sampled_from((31, 1, 3, 7, 15, 24)))
pays = st.builds(Pay, st.sampled_from(("50105", "50404")), fens, st.booleans(), backs)
commands = st.one_of(  # posting and paying weigh double: they are most of an accountant's day
    posts, posts, st.builds(Withdraw, fens, backs), pays, pays,
    st.builds(Reverse, st.integers(min_value=0, max_value=50), backs),
    st.builds(Review, st.none() | st.integers(min_value=0, max_value=50)),
    advances, advances,
    st.builds(Close, st.booleans()), st.builds(Close, st.just(True)),
)


# -- the properties -----------------------------------------------------------------------------------------------


def every_voucher_balances(world: World, conn: sqlite3.Connection) -> None:
    book = str(world.book)
    sums = conn.execute("SELECT key, SUM(debit), SUM(credit), COUNT(*) FROM lines WHERE book_id = ? GROUP BY key",
                        [book]).fetchall()
    assert all(debit == credit and count >= 2 for _, debit, credit, count in sums), sums
    assert {v.key for v in ledger.vouchers(conn, book)} == {key for key, *_ in sums} == set(world.keys())


def cash_never_ends_a_day_below_zero(world: World, conn: sqlite3.Connection) -> None:
    """FIN-02 on the ledger's running balance; FIN-04: where it ends is the book's own cash balance."""
    opening, entries = ledger.ledger(conn, str(world.book), CASH, FIRST_DAY, world.today())
    day_ends = {e.voucher_date: e.balance for e in entries}
    assert opening == ZERO and all(balance >= 0 for balance in day_ends.values()), day_ends
    assert (entries[-1].balance if entries else ZERO) == world.office.book(world.book).cash_balance()


def the_trial_balance_balances(world: World, conn: sqlite3.Connection) -> None:
    today = world.today()
    book = world.office.book(world.book)
    for start in (FIRST_DAY, today.replace(day=1)):
        rows = ledger.trial_balance(conn, str(world.book), start, today)
        top = [r for r in rows if r.level == 1]
        assert sum(r.debit for r in top) == sum(r.credit for r in top), start
        assert sum(r.opening for r in top) == ZERO == sum(r.closing for r in top), start
        assert {r.code: r.closing for r in rows if r.closing and book.is_leaf(r.code)} == {
            code: value for code, value in book.balances.items() if value}


def the_balance_sheet_balances(world: World, conn: sqlite3.Connection) -> None:
    days = {world.today()} | {v.voucher_date for v in ledger.vouchers(conn, str(world.book))}
    for day in sorted(days):
        rows = {r.key: r for r in statements.balance_sheet(conn, str(world.book), day)}
        assets, claims = rows["assets_total"], rows["liabilities_and_net_assets"]
        assert (assets.first, assets.second) == (claims.first, claims.second), day


def ledger_tables(world: World) -> dict[str, list[tuple[object, ...]]]:
    with world.read_models.reading() as conn:
        return {t: rows for t, rows in dump(conn).items() if t in LEDGER_TABLES}


@contextmanager
def fresh_world() -> Iterator[World]:
    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp) / "office")
        try:
            yield world
        finally:
            world.office.close()


# A year end in full, run as an explicit example besides the random ones (and checked in the last test).
YEAR_END: list[Step] = [
    Post((("101", "401", 200_000), ("102", "401", 500_000)), 9),  # 12-01: dues in cash and by bank
    Withdraw(100_000, 5),  # 12-05: cash 3,000, under the ceiling of 5,000
    Pay("50404", 150_000, cash=True, back=3),  # 12-07: cash 1,500
    Pay("50105", 400_000, cash=True, back=0),  # refused: cash would be −2,500
    Reverse(1, 0),  # 12-10: red ink for the payment of 12-07 (2025-12/payment/2)
    Advance(24),  # 2026-01-03
    Close(reviewing=True),  # 年末结转 of December
    Post((("102", "211", 30_000),), 1),  # 01-02
    Reverse(0, 0),  # 01-03: red ink for the withdrawal of December (2025-12/payment/1)
    Close(reviewing=False),  # refused: January has not ended
    Advance(31),  # 2026-02-03
    Close(reviewing=True),
]


def run_and_check(world: World, step: Step) -> bool:
    """Run one command, then check every property; False if the domain refused it (appending nothing)."""
    step.prepare(world)
    last = world.office.recorder.max_notification_id()
    try:
        step.run(world)
    except DomainError:
        assert world.office.recorder.max_notification_id() == last, step
        done = False
    else:
        done = True
    world.read_models.catch_up()
    with world.read_models.reading() as conn:
        every_voucher_balances(world, conn)
        cash_never_ends_a_day_below_zero(world, conn)
        the_trial_balance_balances(world, conn)
        the_balance_sheet_balances(world, conn)
    return done


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(commands, min_size=3, max_size=20))
@example(steps=YEAR_END)
def test_the_books_hold_together_under_any_sequence_of_money_commands(steps: list[Step]):
    """FIN-02, FIN-04, AUD-09: refused commands append nothing; after every step the vouchers balance, cash
    ends no day below zero and equals the book's, the trial balance and balance sheet balance; at the end the
    ledger caught up step by step equals its rebuild from zero."""
    with fresh_world() as world:
        for step in steps:
            done = run_and_check(world, step)
            event(f"{type(step).__name__} {'done' if done else 'refused'}")
        incremental = ledger_tables(world)
        world.read_models.rebuild()
        assert ledger_tables(world) == incremental


def test_the_year_end_example_closes_reverses_and_is_refused_what_it_should_be():
    """The explicit example is not idle: it closes December at year end and January, reverses twice, and is
    refused exactly the cash payment it cannot make (FIN-02) and the closing of a month not yet ended."""
    with fresh_world() as world:
        refused = [step for step in YEAR_END if not run_and_check(world, step)]
        with world.read_models.reading() as conn:
            closed = ledger.closed_months(conn, str(world.book))
            kinds = [v.kind for v in ledger.vouchers(conn, str(world.book))]
        book = world.office.book(world.book)
    assert refused == [Pay("50105", 400_000, cash=True, back=0), Close(reviewing=False)]
    assert closed == ["2025-12", "2026-01"]
    assert sorted(kinds) == ["closing", "manual", "manual", "manual", "manual", "reversal", "reversal"]
    assert (book.balance("32205"), book.balance("32203"), book.cash_balance()) == (
        Decimal("-7000.00"), Decimal("0.00"), Decimal("2000.00"))
