"""A real office with money, members and an erased user, built once by the demo builder and
copied for each test that attacks it; plus running the installed `intranet` command."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from intranet.demo import build
from tests.conftest import FAST_HASHER

INTRANET = Path(sys.executable).with_name("intranet")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny demo office, built once per test module (never attacked itself)."""
    data_dir = tmp_path_factory.mktemp("demo") / "office"
    build(data_dir, scale="tiny", hasher=FAST_HASHER)
    return data_dir


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo office for one test."""
    target = tmp_path / "office"
    shutil.copytree(demo_template, target)
    return target


def intranet(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console command on `data_dir`."""
    env = {**os.environ, "INTRANET_DATA_DIR": str(data_dir)}
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(INTRANET), *args], env=env, input=stdin, capture_output=True, text=True, timeout=300, check=False)


def sql(path: Path, statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Run one statement on a SQLite file the way an insider with a shell would."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            rows = conn.execute(statement, params).fetchall()
    finally:
        conn.close()
    return rows


def views_file(data_dir: Path) -> Path:
    """The live read-model file the pointer names."""
    return data_dir / (data_dir / "views.current").read_text(encoding="utf-8").strip()
