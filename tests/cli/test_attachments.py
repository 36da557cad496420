"""Attachment files that no event names: `intranet verify` lists them as warnings (an orphan is not
tampering, but it must be seen), and `intranet attachments prune` removes exactly those, saying which."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from aggregates.application import UnionOffice
from tests.conftest import system

INTRANET = Path(sys.executable).with_name("intranet")
NAMED = b"%PDF-1.4\n% the scan a claim names\n"
ORPHAN = b"%PDF-1.4\n% a scan nobody recorded\n"
AN_HOUR_AGO = time.time() - 2 * 3600


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INTRANET_DATA_DIR": str(data_dir)}
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(INTRANET), *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def with_orphan(office: UnionOffice) -> Path:
    """An office with one claim naming a scan, one scan no event names, and a stray file a cut-short write left;
    both unnamed files old enough to prune."""
    ctx = system(office)
    accountant = office.register_user(ctx, "wang", "王会计", ["accountant"])
    clerk = office.register_user(ctx, "li", "李干事", ["office"])
    book = office.open_book(office.context(str(accountant), "accountant"), name="和平街道总工会", union_id=None,
                            first_period="2026-01")
    office.submit_claim(office.context(str(clerk), "office"), book, category="activity", purpose="活动",
                        items=[{"item": "鲜花", "quantity": "1", "unit_price": "10"}], invoices=["FP-A1"],
                        spent_on=date(2026, 3, 7), scans=[NAMED])
    orphan = office.attachments.path(office.attachments.put(ORPHAN))
    stray = orphan.parent / "tmpab12cd"
    stray.write_bytes(b"half a scan")
    for path in (orphan, stray):
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    office.close()
    return office.data_dir


def test_verify_lists_a_file_no_event_names_as_a_warning_and_still_passes(with_orphan: Path) -> None:
    result = _run(with_orphan, "verify")
    assert result.returncode == 0, result.stderr
    assert f"警告：附件文件 {_digest(ORPHAN)} 未被任何记录引用" in result.stdout
    assert "tmpab12cd" in result.stdout
    assert _digest(NAMED) not in result.stdout
    assert "核验通过" in result.stdout


def test_verify_warns_of_nothing_when_every_file_is_named(office: UnionOffice) -> None:
    office.close()
    result = _run(office.data_dir, "verify")
    assert result.returncode == 0 and "警告" not in result.stdout


def test_prune_removes_only_the_files_no_event_names_and_says_which(with_orphan: Path) -> None:
    attachments = with_orphan / "attachments"
    result = _run(with_orphan, "attachments", "prune")
    assert result.returncode == 0, result.stderr
    assert _digest(ORPHAN) in result.stdout and "tmpab12cd" in result.stdout
    assert "共删除 2 个" in result.stdout
    left = [p.name for p in attachments.rglob("*") if p.is_file()]
    assert left == [_digest(NAMED)]
    assert "警告" not in _run(with_orphan, "verify").stdout


def test_prune_keeps_an_unnamed_file_written_moments_ago(with_orphan: Path) -> None:
    """An upload being saved right now has its file before its event: prune leaves young files alone."""
    fresh = with_orphan / "attachments" / "ff" / ("f" * 64)
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_bytes(b"%PDF-1.4 being saved")
    result = _run(with_orphan, "attachments", "prune")
    assert result.returncode == 0 and fresh.exists()
    assert "1 个近 60 分钟内的文件暂不删除" in result.stdout
    assert fresh.name in _run(with_orphan, "verify").stdout


def test_prune_with_no_office_is_one_clear_line_and_fails(tmp_path: Path) -> None:
    result = _run(tmp_path / "nowhere", "attachments", "prune")
    assert result.returncode != 0
    assert "找不到记录库" in result.stderr and "Traceback" not in result.stderr
