"""`intranet bench`: throughput and latency of the core on this machine (not a test: numbers, not verdicts)."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher

from aggregates.chain import verify_sqlite
from intranet import create_app
from intranet.backend import Backend

BENCH_PASSWORD = "bench-lantern-river-41"  # noqa: S105 - a throwaway office in a temporary folder


@dataclass(frozen=True)
class Result:
    """One measurement."""

    name: str
    count: int
    seconds: float
    unit: str

    def line(self) -> str:
        rate = self.count / self.seconds if self.seconds else float("inf")
        return f"{self.name:<46} {self.count:>7} {self.unit:<8} {self.seconds:8.3f} s {rate:>12,.0f} {self.unit}/s"


def _timed(name: str, count: int, unit: str, work: Callable[[], object]) -> Result:
    started = time.perf_counter()
    work()
    return Result(name, count, time.perf_counter() - started, unit)


def run(commands: int = 2000, requests: int = 200) -> list[Result]:
    """Measure commands, catch-up, rebuild, verify and page rendering in a throwaway office."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        backend = Backend.open(data_dir, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        try:
            return _measure(backend, data_dir, commands, requests)
        finally:
            backend.close()


def _measure(backend: Backend, data_dir: Path, commands: int, requests: int) -> list[Result]:
    office, models = backend.office, backend.read_models
    # The system founds the office; every later command is a person's, as the authority check requires.
    admin = office.found_office(office.system_context("bench"), "基准测试街道工会", "Asia/Shanghai", "admin", "管理员")
    backend.credentials.set_password(admin, BENCH_PASSWORD)
    as_admin = office.context(str(admin), "admin")
    accountant = office.register_user(as_admin, "accountant", "会计", ["accountant"])
    as_accountant = office.context(str(accountant), "accountant")
    as_chair = office.context(str(office.register_user(as_admin, "chair", "主席", ["chair"])), "chair")
    half = commands // 2
    changes = min(half, 500)  # an office changes its settings dozens of times a year, not thousands
    results = [
        _timed("command: register a user (1 save, FULL sync)", half, "commands", lambda: [
            office.register_user(as_admin, f"user{i:06d}", f"用户{i}", ["office"], phone="13800138000")
            for i in range(half)]),
        _timed("command: set a setting (load + save)", changes, "commands", lambda: [
            office.set_setting(as_chair, "cash_on_hand_limit", str(1000 + i), office.today() + timedelta(days=i),
                               "基准")
            for i in range(changes)]),
    ]
    book = office.open_book(as_accountant, name="基准账套", union_id=None, first_period=f"{office.today():%Y-%m}")
    vouchers = min(half, 2000)  # a busy office posts a few thousand vouchers a year
    results.append(_timed("command: post a voucher (load the book + save)", vouchers, "commands", lambda: [
        office.post_voucher(as_accountant, book, voucher_date=office.today(), summary="基准", attachments=1, lines=[
            {"account": "102", "debit": "100"}, {"account": "401", "credit": "100"}] if i % 2 == 0 else [
            {"account": "50105", "debit": "50"}, {"account": "102", "credit": "50"}]) for i in range(vouchers)]))
    events = office.recorder.max_notification_id()
    results.append(_timed("read models: catch up from zero", events, "events", models.catch_up))
    results.append(_timed("read models: rebuild into a new file", events, "events", models.rebuild))
    results.append(_timed("hash chain: verify", events, "events", lambda: verify_sqlite(data_dir / "events.sqlite")))
    results += _pages(backend, data_dir, requests, book)
    return results


def _pages(backend: Backend, data_dir: Path, requests: int, book: object) -> list[Result]:
    app = create_app({"DATA_DIR": data_dir, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASHER": backend.credentials.hasher})
    try:
        client = app.test_client()
        client.post("/login", data={"username": "admin", "password": BENCH_PASSWORD})
        results = []
        for url in ("/", "/audit", "/settings", "/users", f"/books/{book}/trial-balance",
                    f"/books/{book}/journal/bank", f"/books/{book}/statements/balance-sheet"):
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                client.get(url)
                timings.append(time.perf_counter() - started)
            median = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[-1]
            results.append(Result(f"page {url} (median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms)",
                                  requests, sum(timings), "requests"))
        return results
    finally:
        app.extensions["intranet"].close()
