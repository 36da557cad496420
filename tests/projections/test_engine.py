"""The read-model engine: idempotent catch-up, safe from threads and processes, rebuild by swap."""

from __future__ import annotations

import dataclasses
import multiprocessing
import threading
from datetime import date
from pathlib import Path

import pytest

from aggregates.application import UnionOffice
from projections import ALL
from projections.engine import POINTER, ReadModels, dump
from tests.conftest import acting, system

TODAY = date(2026, 3, 8)


def _some_history(office: UnionOffice, n: int = 5) -> None:
    for i in range(n):
        office.register_user(system(office), f"user{i:03d}", f"用户{i}", ["office"], phone=f"1380013{i:04d}")
    office.set_setting(acting(office, "set_setting"), "cash_on_hand_limit", "5000", TODAY, "银行核定")


def _rows(models: ReadModels) -> dict:
    with models.reading() as conn:
        return dump(conn)


def test_catching_up_twice_changes_nothing(office: UnionOffice, read_models: ReadModels):
    _some_history(office)
    assert read_models.catch_up() > 0
    first = _rows(read_models)
    assert read_models.catch_up() == 0
    assert _rows(read_models) == first


def test_positions_are_committed_with_the_rows(office: UnionOffice, read_models: ReadModels):
    _some_history(office)
    read_models.catch_up()
    last = office.recorder.max_notification_id()
    with read_models.reading() as conn:
        positions = {name for (name,) in conn.execute("SELECT DISTINCT position FROM projection_state")}
        audit_rows = conn.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0]
    assert positions == {last}
    assert audit_rows == last


@pytest.mark.usefixtures("office")
def test_a_change_made_by_another_process_shows_at_the_next_catch_up(read_models: ReadModels, data_dir: Path):
    read_models.catch_up()
    other = UnionOffice(data_dir)  # as the CLI would, in its own application object
    other.register_user(other.system_context("cli"), "fromcli", "命令行用户", ["office"])
    other.close()
    assert read_models.catch_up() == 1


def test_catching_up_from_many_threads_at_once_applies_each_event_once(office: UnionOffice, data_dir: Path):
    _some_history(office, 20)
    models = [ReadModels(office, data_dir, ALL) for _ in range(6)]
    models[0].ensure_ready()
    threads = [threading.Thread(target=m.catch_up) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with models[0].reading() as conn:
        assert conn.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0] == office.recorder.max_notification_id()


def _catch_up_in_process(data_dir: str) -> None:
    app = UnionOffice(Path(data_dir))
    ReadModels(app, Path(data_dir), ALL).catch_up()
    app.close()


def test_catching_up_from_two_processes_at_once_applies_each_event_once(office: UnionOffice, data_dir: Path,
                                                                         read_models: ReadModels):
    _some_history(office, 30)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_catch_up_in_process, args=(str(data_dir),)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    with read_models.reading() as conn:
        assert conn.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0] == office.recorder.max_notification_id()


def test_a_rebuild_writes_a_new_file_and_points_at_it(office: UnionOffice, read_models: ReadModels, data_dir: Path):
    _some_history(office)
    read_models.catch_up()
    before = read_models.path
    rebuilt = read_models.rebuild()
    assert rebuilt != before
    assert (data_dir / POINTER).read_text() == rebuilt.name
    assert read_models.path == rebuilt


def test_a_reader_of_the_old_file_is_not_cut_off_by_a_rebuild(office: UnionOffice, read_models: ReadModels):
    read_models.catch_up()
    with read_models.reading() as conn:
        founders = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]  # admin and the fixture's staff
    _some_history(office)
    read_models.catch_up()
    with read_models.reading() as old:
        read_models.rebuild()
        assert old.execute("SELECT COUNT(*) FROM users").fetchone()[0] == founders + 5


def test_files_older_than_the_previous_generation_are_removed(read_models: ReadModels):
    first = read_models.path
    second = read_models.rebuild()
    third = read_models.rebuild()
    assert not first.exists()
    assert second.exists() and third.exists()


def test_a_projection_whose_schema_version_changed_is_rebuilt_at_start_up(office: UnionOffice, data_dir: Path,
                                                                          read_models: ReadModels):
    _some_history(office)
    read_models.catch_up()
    before = read_models.path
    bumped = [dataclasses.replace(p, schema_version=p.schema_version + 1) if p.name == "users" else p for p in ALL]
    restarted = ReadModels(office, data_dir, bumped)
    assert restarted.ensure_ready() is True
    assert restarted.path != before
    with restarted.reading() as conn:
        assert conn.execute("SELECT schema_version FROM projection_state WHERE name='users'").fetchone()[0] == 2


def test_start_up_with_unchanged_schemas_keeps_the_file(office: UnionOffice, data_dir: Path, read_models: ReadModels):
    before = read_models.path
    assert ReadModels(office, data_dir, ALL).ensure_ready() is False
    assert ReadModels(office, data_dir, ALL).path == before
