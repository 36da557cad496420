"""Properties of claims and cash advances on one funded book under random sequences of 一支笔 commands: whatever
the handlers, the witnesses, the chair and the cashier do, every voucher balances, cash never ends a day below
zero (FIN-02), the trial balance and the balance sheet balance, each advance owes its amount less what was repaid
and 其他应收款 holds exactly what is owed (FIN-08), each paid claim has one payment voucher for its total (FIN-01),
no invoice is on two live claims (FIN-05), and the read models caught up step by step equal their rebuild (AUD-09).
"""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from aggregates.advance import CashAdvance
from aggregates.application import UnionOffice
from aggregates.book import period_of
from aggregates.chart import CASH
from aggregates.claim import CATEGORIES, ExpenseClaim
from aggregates.claim_commands import RECEIVABLE
from aggregates.envelope import Context
from aggregates.errors import DomainError
from projections import ALL, claims, ledger, statements
from projections.engine import ReadModels, dump
from projections.ledger import yuan
from tests.conftest import Clock

SET_UP = datetime(2025, 12, 1, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai on the book's first day
FIRST_DAY = date(2025, 12, 1)  # the book's first month: December closes at year end
START = 10  # the sequence starts on 2025-12-10
OPENING = [{"account": "101", "debit": "3000"}, {"account": "102", "debit": "50000"},
           {"account": "32205", "credit": "53000"}]
SETTINGS = {
    "bank_transfer_threshold": "1000",  # FIN-06
    "cash_on_hand_limit": "5000",  # FIN-02
    "chair_claims_approver": "vicechair",  # Q7: the chair's own claims and advances
    "small_item_unit_price_limit": "500",  # FIN-13: a purchase above these needs the chair's approval first
    "small_item_total_limit": "2000",
}
# username → the role the user acts under.
USERS = {"clerk": "office", "secretary": "secretariat", "chair": "chair", "vicechair": "vice_chair",
         "cashier": "cashier", "accountant": "accountant"}
HANDLERS = ("clerk", "secretary", "chair")  # who hands in claims and borrows
WITNESSES = ("clerk", "secretary", "chair", "cashier")
APPROVERS = ("chair", "vicechair")
LEDGER_TABLES = ("books", "accounts", "vouchers", "lines", "closed_months")
CLAIM_TABLES = ("claims", "claim_items", "prior_approvals", "advances", "repayments", "cash_counts")
ZERO = Decimal("0.00")
THRESHOLD = Decimal(SETTINGS["bank_transfer_threshold"])


def amount(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


# -- the office ---------------------------------------------------------------------------------------------------


class World:
    """A fresh office with real users, one book from December 2025 funded by an opening voucher (cash 3,000, bank
    50,000 on 12-01) and its read models; the clock on 2025-12-10. It remembers the claims, advances and invoice
    numbers the commands made."""

    def __init__(self, data_dir: Path) -> None:
        self.clock = Clock(SET_UP)
        self.office = UnionOffice(data_dir, clock=self.clock, timezone="Asia/Shanghai")
        system = self.office.system_context("test")
        self.office.found_office(system, "测试街道工会工作委员会", "Asia/Shanghai", "admin", "管理员")
        self.ids = {name: self.office.register_user(system, name, f"{name}用户", [role])
                    for name, role in USERS.items()}
        for key, value in SETTINGS.items():
            self.office.set_setting(self.ctx("chair"), key, value, FIRST_DAY, "常委会决定")
        self.book = self.office.open_book(self.ctx("accountant"), name="街道工会本级", union_id=None,
                                          first_period=period_of(FIRST_DAY))
        self.office.post_voucher(self.ctx("accountant"), self.book, voucher_date=FIRST_DAY, summary="期初余额",
                                 lines=OPENING, attachments=0)
        self.clock.advance(days=START - 1)
        self.claims: list[UUID] = []
        self.advances: list[UUID] = []
        self.invoices: list[str] = []
        self.serial = itertools.count(1)  # invoice numbers
        self.forms = itertools.count(1)  # four-part form numbers
        self.read_models = ReadModels(self.office, data_dir, ALL)
        self.read_models.ensure_ready()

    def ctx(self, who: str) -> Context:
        return self.office.context(str(self.ids[who]), USERS[who])

    def name_of(self, actor: str) -> str:
        return next(name for name, user_id in self.ids.items() if str(user_id) == actor)

    def today(self) -> date:
        return self.office.today()

    def day(self, back: int) -> date:
        return self.today() - timedelta(days=back)

    def claim(self, claim_id: UUID) -> ExpenseClaim:
        claim = self.office.repository.get(claim_id)
        assert isinstance(claim, ExpenseClaim)
        return claim

    def advance(self, advance_id: UUID) -> CashAdvance:
        advance = self.office.repository.get(advance_id)
        assert isinstance(advance, CashAdvance)
        return advance


def one_pen(role: str) -> str:
    """Who approves what a user acting as `role` hands in (FIN-01, Q7)."""
    return "vicechair" if role == "chair" else "chair"


class Step:
    """One command of a random sequence; `prepare` is what is done first, outside the command. `run` returns False
    when there was nothing to run the command on (no claim or advance in the state it needs)."""

    def prepare(self, world: World) -> None:
        """Nothing, unless the command says otherwise."""

    def run(self, world: World) -> bool:
        raise NotImplementedError


# -- the commands -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submit(Step):
    """A claim by `who` of (quantity, unit price in fen) items spent `back` days ago, on a fresh invoice or on the
    `repeat`-th invoice already claimed (refused unless its claim was sent back), settling the `against`-th
    advance the handler still owes (or, when there is none, anyone's: refused). `who` None: the borrower of the
    `against`-th advance out, settling it (the clerk, on no advance, when none is out)."""

    who: str | None
    category: str
    items: tuple[tuple[int, int], ...]
    back: int = 0
    repeat: int | None = None
    against: int | None = None

    def run(self, world: World) -> bool:
        if self.repeat is not None and world.invoices:
            number = world.invoices[self.repeat % len(world.invoices)]
        else:
            number = f"FP{next(world.serial):06d}"
        advance_id, who = None, self.who
        if who is None:
            out = [a for a in world.advances if world.advance(a).state == "paid"]
            advance_id = out[(self.against or 0) % len(out)] if out else None
            who = world.name_of(world.advance(advance_id).borrower) if advance_id else "clerk"
        elif self.against is not None and world.advances:
            mine = [a for a in world.advances if world.advance(a).state == "paid"
                    and world.advance(a).borrower == str(world.ids[who])]
            pool = mine or world.advances
            advance_id = pool[self.against % len(pool)]
        items = [{"item": f"第{n}项", "quantity": str(quantity), "unit_price": amount(price)}
                 for n, (quantity, price) in enumerate(self.items, 1)]
        claim_id = world.office.submit_claim(world.ctx(who), world.book, category=self.category,
                                             purpose="工会工作支出", items=items, invoices=[number],
                                             spent_on=world.day(self.back), advance_id=advance_id)
        world.claims.append(claim_id)
        if number not in world.invoices:
            world.invoices.append(number)
        return True


class OnClaim(Step):
    """A command on the n-th claim in one of `STATES` (`stray`: on the n-th of all claims)."""

    STATES: tuple[str, ...] = ()
    n: int
    stray: bool

    def run(self, world: World) -> bool:
        pool = [c for c in world.claims if self.stray or world.claim(c).state in self.STATES]
        if not pool:
            return False
        self.act(world, pool[self.n % len(pool)])
        return True

    def act(self, world: World, claim_id: UUID) -> None:
        raise NotImplementedError


class OnAdvance(Step):
    """A command on the n-th advance in one of `STATES` (`stray`: on the n-th of all advances)."""

    STATES: tuple[str, ...] = ()
    n: int
    stray: bool

    def run(self, world: World) -> bool:
        pool = [a for a in world.advances if self.stray or world.advance(a).state in self.STATES]
        if not pool:
            return False
        self.act(world, pool[self.n % len(pool)])
        return True

    def act(self, world: World, advance_id: UUID) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Certify(OnClaim):
    """The witness signs a claim waiting for one; `who` None: the first witness who is not the handler."""

    STATES = ("submitted",)
    n: int = 0
    who: str | None = None
    stray: bool = False

    def act(self, world: World, claim_id: UUID) -> None:
        handler = world.claim(claim_id).handler
        who = self.who or next(w for w in WITNESSES if str(world.ids[w]) != handler)
        world.office.certify_claim(world.ctx(who), claim_id)


@dataclass(frozen=True)
class Decide(OnClaim):
    """The chair or the vice-chair approves or sends back a certified claim; `who` None: the one whose pen it is
    (一支笔: the chair; for the chair's own claims the entrusted vice-chair)."""

    STATES = ("certified",)
    n: int = 0
    who: str | None = None
    approve: bool = True
    stray: bool = False

    def act(self, world: World, claim_id: UUID) -> None:
        ctx = world.ctx(self.who or one_pen(world.claim(claim_id).handler_role))
        if self.approve:
            world.office.approve_claim(ctx, claim_id)
        else:
            world.office.reject_claim(ctx, claim_id, "单据不全，请补充后重新报销")


@dataclass(frozen=True)
class PayClaim(OnClaim):
    """The cashier pays an approved claim by cash or bank, dated `back` days ago."""

    STATES = ("approved",)
    n: int = 0
    cash: bool = True
    back: int = 0
    stray: bool = False

    def act(self, world: World, claim_id: UUID) -> None:
        world.office.pay_claim(world.ctx("cashier"), claim_id, method="cash" if self.cash else "bank",
                               paid_on=world.day(self.back), bank_ref="" if self.cash else "HX20251210")


@dataclass(frozen=True)
class Request(Step):
    """`who` asks for an advance on a fresh four-part form (`repeat`: the number of the last one, refused)."""

    who: str
    fen: int
    purpose: str = "business_trip"
    repeat: bool = False

    def run(self, world: World) -> bool:
        serial = next(world.forms)
        form = f"JK{serial - 1 if self.repeat and serial > 1 else serial:06d}"
        advance_id = world.office.request_advance(world.ctx(self.who), world.book, form_no=form, purpose=self.purpose,
                                                  amount=amount(self.fen), expected_return=world.day(-7),
                                                  details="赴市总工会参加培训")
        world.advances.append(advance_id)
        return True


@dataclass(frozen=True)
class DecideAdvance(OnAdvance):
    """The chair or the vice-chair decides an advance asked for; `who` None: the one whose pen it is."""

    STATES = ("requested",)
    n: int = 0
    who: str | None = None
    approve: bool = True
    stray: bool = False

    def act(self, world: World, advance_id: UUID) -> None:
        who = self.who or one_pen(world.advance(advance_id).borrower_role)
        world.office.decide_advance(world.ctx(who), advance_id, approve=self.approve,
                                    reason="" if self.approve else "非因公事项")


@dataclass(frozen=True)
class PayAdvance(OnAdvance):
    """The cashier pays an approved advance by cash or bank, dated `back` days ago."""

    STATES = ("approved",)
    n: int = 0
    cash: bool = True
    back: int = 0
    stray: bool = False

    def act(self, world: World, advance_id: UUID) -> None:
        world.office.pay_advance(world.ctx("cashier"), advance_id, method="cash" if self.cash else "bank",
                                 paid_on=world.day(self.back))


@dataclass(frozen=True)
class Return(OnAdvance):
    """The borrower of an advance out is back, `back` days ago."""

    STATES = ("paid",)
    n: int = 0
    back: int = 0
    stray: bool = False

    def act(self, world: World, advance_id: UUID) -> None:
        world.office.record_advance_return(world.ctx("cashier"), advance_id, world.day(self.back))


@dataclass(frozen=True)
class Repay(OnAdvance):
    """Money handed back against an advance out: `fen` of it at most, or (`over`) that much more than owed."""

    STATES = ("paid",)
    n: int = 0
    fen: int = 0
    over: bool = False
    cash: bool = True
    back: int = 0
    stray: bool = False

    def act(self, world: World, advance_id: UUID) -> None:
        owed = world.advance(advance_id).outstanding
        money = owed + Decimal(amount(self.fen)) if self.over else min(Decimal(amount(self.fen)), owed) or owed
        world.office.repay_advance(world.ctx("cashier"), advance_id, amount=str(money), on=world.day(self.back),
                                   method="cash" if self.cash else "bank")


@dataclass(frozen=True)
class Onward(Step):
    """The next command on the n-th claim (certify, decide, pay) or advance (decide, pay, return, repay) still on its
    way, with these facts: so that random sequences get claims paid and advances settled, or refused trying.
    `cash` None: in cash below the bank-transfer threshold, else by bank."""

    n: int
    advance: bool
    approve: bool = True
    cash: bool | None = None
    back: int = 0
    fen: int = 0

    def in_cash(self, money: Decimal) -> bool:
        return money < THRESHOLD if self.cash is None else self.cash

    def run(self, world: World) -> bool:
        if self.advance:
            advances = [a for a in world.advances if world.advance(a).state in ("requested", "approved", "paid")]
            if not advances:
                return False
            advance = world.advance(advance_id := advances[self.n % len(advances)])
            step: OnAdvance
            if advance.state == "requested":
                step = DecideAdvance(approve=self.approve)
            elif advance.state == "approved":
                step = PayAdvance(cash=self.in_cash(advance.amount), back=self.back)
            elif advance.returned_on is None:
                step = Return(back=self.back)
            else:
                step = Repay(fen=self.fen, cash=self.in_cash(advance.outstanding), back=self.back)
            step.act(world, advance_id)
            return True
        pending = [c for c in world.claims if world.claim(c).state in ("submitted", "certified", "approved")]
        if not pending:
            return False
        claim = world.claim(claim_id := pending[self.n % len(pending)])
        {"submitted": Certify(), "certified": Decide(approve=self.approve),
         "approved": PayClaim(cash=self.in_cash(claim.total), back=self.back)}[claim.state].act(world, claim_id)
        return True


@dataclass(frozen=True)
class Withdraw(Step):
    """The accountant's voucher for cash drawn from the bank (提现), within the cash ceiling or refused."""

    fen: int
    back: int = 0

    def run(self, world: World) -> bool:
        world.office.post_voucher(world.ctx("accountant"), world.book, voucher_date=world.day(self.back),
                                  summary="提取现金", attachments=1,
                                  lines=[{"account": "101", "debit": amount(self.fen)},
                                         {"account": "102", "credit": amount(self.fen)}])
        return True


@dataclass(frozen=True)
class CountCash(Step):
    """The cashier counts the cash of `back` days ago, `off` fen from the book; a difference needs a reason."""

    back: int
    off: int = 0
    explained: bool = False

    def run(self, world: World) -> bool:
        day = world.day(self.back)
        counted = world.office.book(world.book).cash_on(day) + Decimal(amount(self.off))
        world.office.count_cash(world.ctx("cashier"), world.book, counted_on=day, counted=str(max(counted, ZERO)),
                                explanation="尾差待查" if self.explained else "")
        return True


@dataclass(frozen=True)
class Later(Step):
    """The clock moves on."""

    days: int

    def run(self, world: World) -> bool:
        world.clock.advance(days=self.days)
        return True


@dataclass(frozen=True)
class Review(Step):
    """The accountant reviews every voucher waiting (claim and advance vouchers too)."""

    def run(self, world: World) -> bool:
        for key, voucher in sorted(world.office.book(world.book).vouchers.items()):
            if not voucher["reviewed"]:
                world.office.review_voucher(world.ctx("accountant"), world.book, key)
        return True


@dataclass(frozen=True)
class Close(Step):
    """结账 of the next month to close (refused while it has not ended or waits for a review); `reviewing`
    reviews every waiting voucher first."""

    reviewing: bool

    def prepare(self, world: World) -> None:
        if self.reviewing:
            Review().run(world)

    def run(self, world: World) -> bool:
        world.office.close_month(world.ctx("accountant"), world.book, world.office.book(world.book).next_to_close())
        return True


# -- the sequences ------------------------------------------------------------------------------------------------

rarely = st.sampled_from((False, False, False, False, False, True))
nth = st.integers(min_value=0, max_value=20)
recent = st.sampled_from((0, 0, 0, 0, 1, 2, 5))
backs = st.one_of(recent, recent, recent, st.integers(min_value=6, max_value=45))  # some fall in closed months
soon = st.sampled_from((0, 0, 0, 0, 0, 0, 1, 3, 40))  # paying on a claim's way: mostly the day it was approved
prices = st.one_of(st.integers(min_value=100, max_value=40_000), st.integers(min_value=100, max_value=250_000))
items = st.lists(st.tuples(st.integers(min_value=1, max_value=3), prices), min_size=1, max_size=3).map(tuple)
fens = st.one_of(st.integers(min_value=100, max_value=99_999), st.integers(min_value=100, max_value=400_000))
handlers, witnesses, approvers = st.sampled_from(HANDLERS), st.sampled_from(WITNESSES), st.sampled_from(APPROVERS)
decisions = st.sampled_from((True, True, True, False))
submits = st.builds(Submit, handlers, st.sampled_from(sorted(CATEGORIES)), items, backs,
                    st.none() | st.none() | st.none() | nth, st.none() | nth)
settles = st.builds(Submit, st.none() | st.none() | st.none() | handlers,
                    st.sampled_from(("travel", "office", "training")), items, recent, st.none(), st.just(-1) | nth)
requests = st.builds(Request, handlers, fens, st.sampled_from(("business_trip", "purchase", "business_trip", "gift")),
                     rarely)


def onwards(advance: bool, n: st.SearchStrategy[int]) -> st.SearchStrategy[Onward]:
    return st.builds(Onward, n, st.just(advance), st.sampled_from((True, True, True, True, False)),
                     st.sampled_from((None, None, True, False)), soon, fens)


def way(first: st.SearchStrategy[Step], advance: bool) -> st.SearchStrategy[list[Step]]:
    """A claim handed in (an advance asked for) and, mostly, the steps onward of the latest one on its way to being
    paid (settled): certify, decide, pay (decide, pay, return, repay)."""
    most = 4 if advance else 3
    return st.tuples(first, st.sampled_from((most, most, most - 1, 1, 0)),
                     st.lists(onwards(advance, st.just(-1)), min_size=most, max_size=most)).map(
        lambda t: [t[0], *t[2][:t[1]]])


def settlement() -> st.SearchStrategy[list[Step]]:
    """An advance asked for, decided and paid, then a claim against it carried along its way."""
    return st.tuples(way(requests, advance=True), way(settles, advance=False)).map(lambda t: [*t[0][:3], *t[1]])


commands = st.one_of(  # any command, on anything
    onwards(False, nth), onwards(True, nth), submits, settles, requests,
    st.builds(Certify, nth, st.none() | st.none() | witnesses, rarely),
    st.builds(Decide, nth, st.none() | st.none() | approvers, decisions, rarely),
    st.builds(PayClaim, nth, st.booleans(), backs, rarely),
    st.builds(DecideAdvance, nth, st.none() | st.none() | approvers, decisions, rarely),
    st.builds(PayAdvance, nth, st.booleans(), backs, rarely),
    st.builds(Return, nth, backs, rarely),
    st.builds(Repay, nth, fens, rarely, st.booleans(), backs, rarely),
    st.builds(Withdraw, fens, recent),
    st.builds(CountCash, recent, st.sampled_from((0, 0, 0, 150, -150)), st.booleans()),
    st.builds(Later, st.sampled_from((1, 3, 7, 24, 31))), st.builds(Later, st.sampled_from((1, 3, 7, 24, 31))),
    st.just(Review()), st.builds(Close, st.booleans()), st.builds(Close, st.just(True)),
)
# the month's end: the clock moves on, and the accountant reviews what waits and closes the next month
month_ends = st.sampled_from((24, 31)).map(lambda days: [Later(days), Close(reviewing=True)])
# Random sequences are made of ways (a claim or an advance carried along by its next steps, so that claims get paid
# and advances settled) and month ends, each followed by a command of any kind, on anything.
sequences = st.lists(st.tuples(st.one_of(settlement(), way(submits, advance=False), way(requests, advance=True),
                                         way(settles, advance=False), month_ends), commands),
                     min_size=6, max_size=14).map(lambda ways: [s for steps, then in ways for s in [*steps, then]])


# -- the properties -----------------------------------------------------------------------------------------------


def every_voucher_balances(world: World, conn: sqlite3.Connection) -> None:
    book = str(world.book)
    sums = conn.execute("SELECT key, SUM(debit), SUM(credit), COUNT(*) FROM lines WHERE book_id = ? GROUP BY key",
                        [book]).fetchall()
    assert all(debit == credit and count >= 2 for _, debit, credit, count in sums), sums
    assert {v.key for v in ledger.vouchers(conn, book)} == {key for key, *_ in sums} == set(
        world.office.book(world.book).vouchers)


def cash_never_ends_a_day_below_zero(world: World, conn: sqlite3.Connection) -> None:
    """FIN-02 on the ledger's running balance, which ends at the book's own cash balance."""
    opening, entries = ledger.ledger(conn, str(world.book), CASH, FIRST_DAY, world.today())
    day_ends = {e.voucher_date: e.balance for e in entries}
    assert opening == ZERO and all(balance >= 0 for balance in day_ends.values()), day_ends
    assert (entries[-1].balance if entries else ZERO) == world.office.book(world.book).cash_balance()


def the_trial_balance_and_the_balance_sheet_balance(world: World, conn: sqlite3.Connection) -> None:
    today, book = world.today(), str(world.book)
    for start in (FIRST_DAY, today.replace(day=1)):
        top = [r for r in ledger.trial_balance(conn, book, start, today) if r.level == 1]
        assert sum(r.debit for r in top) == sum(r.credit for r in top), start
        assert sum(r.opening for r in top) == ZERO == sum(r.closing for r in top), start
    for day in sorted({today} | {v.voucher_date for v in ledger.vouchers(conn, book)}):
        rows = {r.key: r for r in statements.balance_sheet(conn, book, day)}
        assets, sources = rows["assets_total"], rows["liabilities_and_net_assets"]
        assert (assets.first, assets.second) == (sources.first, sources.second), day


def advances_owe_what_was_not_repaid(world: World, conn: sqlite3.Connection) -> None:
    """Each advance owes its amount less its repayments; 其他应收款 holds what the advances paid out still owe, in
    the book, in the ledger and in the advances read model. Each advance's vouchers are its payment and its cash
    repayments, all sourced to it."""
    book = str(world.book)
    sources = Counter(v.source for v in ledger.vouchers(conn, book))
    owed = ZERO
    for advance_id in world.advances:
        advance = world.advance(advance_id)
        repaid = claims.repayments(conn, str(advance_id))
        assert advance.outstanding == advance.amount - sum((yuan(r["amount"]) for r in repaid), ZERO), advance_id
        assert ZERO <= advance.outstanding <= advance.amount
        out = advance.state in ("paid", "settled")
        assert advance.state != "settled" or advance.outstanding == ZERO
        if out:
            owed += advance.outstanding
        in_cash = sum(1 for r in repaid if r["claim_id"] is None)
        assert sources[f"advance:{advance_id}"] == (1 if out else 0) + in_cash, advance_id
        assert out or not repaid
    assert world.office.book(world.book).balance(RECEIVABLE) == owed
    _, entries = ledger.ledger(conn, book, RECEIVABLE, FIRST_DAY, world.today())
    assert (entries[-1].balance if entries else ZERO) == owed
    assert sum((a.outstanding for a in claims.advances(conn, world.today(), book_id=book)), ZERO) == owed


def each_paid_claim_has_one_payment_voucher(world: World, conn: sqlite3.Connection) -> None:
    """FIN-01: a paid claim has exactly one voucher sourced to it, for its total; an unpaid one has none. FIN-05:
    no invoice is on two claims that were not sent back."""
    book = str(world.book)
    vouchers = ledger.vouchers(conn, book)
    sources = Counter(v.source for v in vouchers)
    by_source = {v.source: v for v in vouchers}
    live: list[str] = []
    for claim_id in world.claims:
        claim, source = world.claim(claim_id), f"claim:{claim_id}"
        found = claims.claim(conn, str(claim_id))
        assert found is not None
        row = found[0]
        assert (row.state, row.total) == (claim.state, claim.total)
        if claim.state == "paid":
            voucher = by_source[source]
            assert sources[source] == 1 and voucher.kind == "claim", claim_id
            assert voucher.total == claim.total and voucher.key == row.voucher, claim_id
        else:
            assert sources[source] == 0, claim_id
        if claim.state != "rejected":
            live += claim.invoices
    assert len(live) == len(set(live)), live


def check(world: World, conn: sqlite3.Connection) -> None:
    every_voucher_balances(world, conn)
    cash_never_ends_a_day_below_zero(world, conn)
    the_trial_balance_and_the_balance_sheet_balance(world, conn)
    advances_owe_what_was_not_repaid(world, conn)
    each_paid_claim_has_one_payment_voucher(world, conn)


def read_model_tables(world: World) -> dict[str, list[tuple[object, ...]]]:
    with world.read_models.reading() as conn:
        return {t: rows for t, rows in dump(conn).items() if t in LEDGER_TABLES + CLAIM_TABLES}


@contextmanager
def fresh_world() -> Iterator[World]:
    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp) / "office")
        try:
            yield world
        finally:
            world.office.close()


def run_and_check(world: World, step: Step) -> str:
    """Run one command, then check every property: "done", "idle" (nothing to run it on, nothing appended) or
    "refused" by the domain (appending nothing)."""
    step.prepare(world)
    last = world.office.recorder.max_notification_id()
    try:
        done = "done" if step.run(world) else "idle"
    except DomainError:
        done = "refused"
    if done != "done":
        assert world.office.recorder.max_notification_id() == last, step
    world.read_models.catch_up()
    with world.read_models.reading() as conn:
        check(world, conn)
    return done


# A month of claims and advances in full, run as an explicit example besides the random ones (and checked in the
# last test). Cash 3,000 and bank 50,000 on 2025-12-10; the threshold for cash is 1,000.
STORY: list[Step] = [
    Request("clerk", 200_000),  # advance 0: 2,000 for a trip
    DecideAdvance(0, "vicechair"),  # refused: the chair approves (一支笔)
    DecideAdvance(0, "chair"),
    PayAdvance(0, cash=True),  # refused: 2,000 at or above the threshold goes by bank
    PayAdvance(0, cash=False),  # 其他应收款 2,000
    Submit("clerk", "travel", ((1, 150_000),), against=0),  # claim 0: 1,500 against advance 0
    Certify(0, "clerk"),  # refused: the handler is no witness
    Certify(0, "secretary"),
    Decide(0, "chair"),
    PayClaim(0, cash=True),  # settled from the advance alone: 500 still owed
    Submit("clerk", "office", ((2, 30_000),), back=1, against=0),  # claim 1: 600 against the 500 owed
    Certify(0, "secretary"),
    Decide(0, "chair"),
    PayClaim(0, cash=True),  # 500 from the advance (settled), 100 in cash: cash 2,900
    Request("secretary", 80_000, purpose="purchase"),  # advance 1: 800
    DecideAdvance(0, "chair"),
    PayAdvance(0, cash=True),  # cash 2,100
    Return(0),
    Repay(0, 100_000, over=True),  # refused: more than the 800 owed
    Repay(0, 30_000),  # 300 back in cash: cash 2,400, 500 still owed
    Submit("clerk", "hardship", ((1, 30_000),), repeat=0),  # refused: the invoice of claim 0 was claimed
    Submit("chair", "meeting", ((3, 20_000),)),  # claim 2: the chair's own, 600
    Certify(0, "secretary"),
    Decide(0, "chair"),  # refused: the chair's own claim goes to the entrusted vice-chair
    Decide(0, "vicechair"),
    PayClaim(0, cash=True, back=1),  # refused: paid before it was approved
    PayClaim(0, cash=True),  # cash 1,800
    Submit("secretary", "culture", ((1, 250_000),)),  # claim 3: 2,500
    Certify(0, "cashier"),
    Decide(0, "chair", approve=False),  # sent back: its invoice is free again
    Submit("secretary", "culture", ((1, 240_000),), repeat=3),  # claim 4 on the invoice of claim 3
    Certify(0, "clerk"),
    Decide(0, "chair"),
    PayClaim(0, cash=True),  # refused: 2,400 goes by bank
    PayClaim(0, cash=False),
    Submit("clerk", "activity", ((1, 90_000),)),  # claims 5 and 6: 900 each
    Submit("clerk", "activity", ((2, 45_000),)),
    Certify(0, "secretary"), Certify(0, "secretary"),
    Decide(0, "chair"), Decide(0, "chair"),
    PayClaim(0, cash=True),  # cash 900
    PayClaim(0, cash=True),  # cash 0
    Withdraw(600_000),  # refused: cash 6,000 above the ceiling of 5,000
    Withdraw(100_000),  # cash 1,000
    CountCash(0, off=150),  # refused: a difference needs its reason
    CountCash(0, off=150, explained=True),
    Later(24),  # 2026-01-03
    Close(reviewing=False),  # refused: December's vouchers wait for review
    Close(reviewing=True),  # 年末结转 of December
    Repay(0, 50_000, cash=False),  # advance 1 settled by bank in January
]


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=sequences)
@example(steps=STORY)
def test_claims_and_advances_keep_the_book_whole_under_any_sequence_of_commands(steps: list[Step]):
    """FIN-01, FIN-02, FIN-05, FIN-06, FIN-08, AUD-09: refused commands append nothing; after every step the
    vouchers balance, cash ends no day below zero, the trial balance and balance sheet balance, the advances owe
    what 其他应收款 holds, each paid claim has its one payment voucher; at the end the ledger and claims read
    models caught up step by step equal their rebuild from zero."""
    with fresh_world() as world:
        for step in steps:
            event(f"{type(step).__name__} {run_and_check(world, step)}")
        paid = [c for c in map(world.claim, world.claims) if c.state == "paid"]
        event(f"claims paid: {min(len(paid), 3)}{'+' if len(paid) >= 3 else ''}")
        event(f"claims paid against an advance: {'some' if any(c.advance_id for c in paid) else 'none'}")
        settled = any(world.advance(a).state == "settled" for a in world.advances)
        event(f"advances settled: {'some' if settled else 'none'}")
        event(f"months closed: {len(world.office.book(world.book).closed)}")
        incremental = read_model_tables(world)
        world.read_models.rebuild()
        assert read_model_tables(world) == incremental


def test_the_story_pays_settles_and_is_refused_what_it_should_be():
    """The explicit example is not idle: it settles two claims against an advance, pays by cash and bank, closes
    December, and is refused exactly what the rules forbid."""
    with fresh_world() as world:
        refused = [step for step in STORY if run_and_check(world, step) != "done"]
        with world.read_models.reading() as conn:
            kinds = Counter(v.kind for v in ledger.vouchers(conn, str(world.book)))
            methods = [c.method for c in reversed(claims.claims(conn, book_id=str(world.book)))]
        book = world.office.book(world.book)
        states = [world.advance(a).state for a in world.advances]
    assert refused == [
        DecideAdvance(0, "vicechair"), PayAdvance(0, cash=True), Certify(0, "clerk"), Repay(0, 100_000, over=True),
        Submit("clerk", "hardship", ((1, 30_000),), repeat=0), Decide(0, "chair"), PayClaim(0, cash=True, back=1),
        PayClaim(0, cash=True), Withdraw(600_000), CountCash(0, off=150), Close(reviewing=False)]
    assert methods == ["advance", "cash", "cash", None, "bank", "cash", "cash"]
    assert states == ["settled", "settled"]
    assert kinds == Counter({"claim": 6, "advance": 2, "repayment": 2, "manual": 2, "closing": 1})
    assert (book.cash_balance(), book.balance("102"), book.balance(RECEIVABLE), book.closed) == (
        Decimal("1000.00"), Decimal("45100.00"), ZERO, ["2025-12"])


def test_an_advance_is_not_paid_before_it_was_approved():
    """FIN-08: an advance is paid only after the chair approved it, as a claim is (pay_claim checks its date)."""
    with fresh_world() as world:
        for step in (Request("clerk", 50_000), DecideAdvance(0, "chair")):
            assert run_and_check(world, step) == "done"
        assert run_and_check(world, PayAdvance(0, cash=True, back=5)) == "refused"
