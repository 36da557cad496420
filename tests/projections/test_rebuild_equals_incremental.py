"""Every projection: catching up event by event and rebuilding from zero give identical rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aggregates.application import UnionOffice
from intranet.demo import build
from projections import ALL
from projections.engine import ReadModels, dump
from tests.conftest import FAST_HASHER, acting, system


def test_interleaved_catch_up_equals_a_rebuild(office: UnionOffice, read_models: ReadModels):
    user_id = office.register_user(system(office), "wang", "王芳", ["accountant"], phone="13800138000")
    read_models.catch_up()
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", date(2026, 3, 8), "银行核定")
    office.change_user_roles(acting(office, "change_user_roles"), user_id, ["accountant", "office"])
    read_models.catch_up()
    office.erase_user_personal_data(acting(office, "erase_user_personal_data"), user_id, "本人申请")
    office.deactivate_user(acting(office, "deactivate_user"), user_id, "调离")
    read_models.catch_up()
    with read_models.reading() as conn:
        incremental = dump(conn)
    read_models.rebuild()
    with read_models.reading() as conn:
        assert dump(conn) == incremental


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "office"
    build(path, scale="small", seed=7, today=date(2026, 3, 8), hasher=FAST_HASHER)
    return path


def test_the_demo_year_caught_up_one_event_at_a_time_equals_its_rebuild(demo_dir: Path):
    office = UnionOffice(demo_dir)
    try:
        models = ReadModels(office, demo_dir, ALL)
        models.rebuild()
        with models.reading() as conn:
            batched = dump(conn)
        models.rebuild(page=1)  # one transaction per event, as catch-up after each command
        with models.reading() as conn:
            assert dump(conn) == batched
    finally:
        office.close()


def test_every_projection_has_rows_from_the_demo(demo_dir: Path):
    office = UnionOffice(demo_dir)
    try:
        models = ReadModels(office, demo_dir, ALL)
        with models.reading() as conn:
            tables = dump(conn)
        for projection in ALL:
            owned = [t for t in tables if any(f"CREATE TABLE {t} " in s for s in projection.tables)]
            assert owned and all(tables[t] for t in owned), projection.name
    finally:
        office.close()
