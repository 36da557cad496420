"""The `intranet` console command: init, demo, user, rebuild, serve's app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregates.application import UnionOffice
from intranet import create_app
from intranet.cli import main
from projections import ALL, users
from projections.engine import POINTER, ReadModels, dump
from tests.cli.forgery import forge

INTRANET = str(Path(sys.executable).with_name("intranet"))
FIRST = "pale-lantern-river-41\n"  # strong enough for the password policy
SECOND = "quiet-harbor-52\n"


def _run(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INTRANET_DATA_DIR": str(data_dir)}
    return subprocess.run([INTRANET, *args], input=stdin, capture_output=True, text=True, env=env,  # noqa: S603
                          timeout=120, check=False)


def test_init_founds_an_office_whose_admin_can_log_in_and_never_prints_the_password(tmp_path: Path):
    data_dir = tmp_path / "office"
    result = _run(data_dir, "init", "--name", "新华街道工会工作委员会", "--password-stdin", stdin="s3cret-lantern-41\n")
    assert result.returncode == 0, result.stderr
    assert "新华街道工会工作委员会" in result.stdout
    assert "s3cret-lantern-41" not in result.stdout + result.stderr
    office = UnionOffice(data_dir)
    try:
        assert office.office().name == "新华街道工会工作委员会"
        assert str(office.timezone) == "Asia/Shanghai"
    finally:
        office.close()
    app = create_app({"DATA_DIR": data_dir, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False})
    try:
        response = app.test_client().post("/login", data={"username": "admin", "password": "s3cret-lantern-41"})
        assert response.status_code == 302 and response.headers["Location"] == "/"
    finally:
        app.extensions["intranet"].close()


def test_init_refuses_a_second_time_and_appends_nothing(tmp_path: Path):
    data_dir = tmp_path / "office"
    assert _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST).returncode == 0
    again = _run(data_dir, "init", "--name", "乙街道工会", "--password-stdin", stdin=SECOND)
    assert again.returncode == 1
    assert "已有单位" in again.stderr
    office = UnionOffice(data_dir)
    try:
        assert office.office().name == "甲街道工会"
        assert office.recorder.max_notification_id() == 2
    finally:
        office.close()


def test_init_refuses_a_short_password_before_recording_anything(tmp_path: Path):
    data_dir = tmp_path / "office"
    result = _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin="short\n")
    assert result.returncode == 1 and "密码至少8位" in result.stderr
    office = UnionOffice(data_dir)
    try:
        assert office.office() is None
    finally:
        office.close()


def test_the_demo_never_mixes_into_a_real_office(tmp_path: Path):
    demo_dir = tmp_path / "demo"
    built = CliRunner().invoke(main, ["demo", "--scale", "tiny", "--data-dir", str(demo_dir)])
    assert built.exit_code == 0, built.output
    assert (demo_dir / "DEMO").exists()
    refused = _run(demo_dir, "init", "--name", "真实单位", "--password-stdin", stdin=FIRST)
    assert refused.returncode == 1 and "示范数据目录" in refused.stderr
    again = CliRunner().invoke(main, ["demo", "--data-dir", str(demo_dir)])
    assert again.exit_code == 1
    kept = CliRunner().invoke(main, ["demo", "--if-absent", "--data-dir", str(demo_dir)])
    assert kept.exit_code == 0 and "已存在" in kept.output


def test_the_same_seed_builds_the_same_demo(tmp_path: Path):
    """Same records with the same ids; only the claims on ID numbers differ, since their ids are
    blinded with each installation's own secret pepper."""
    for name in ("a", "b"):
        args = ["demo", "--scale", "tiny", "--seed", "5", "--data-dir", str(tmp_path / name)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    logs = []
    for name in ("a", "b"):
        office = UnionOffice(tmp_path / name)
        try:
            logs.append([(n.topic, n.originator_id if "UniqueKey" not in n.topic else None)
                         for n in office.recorder.select_notifications(1, 100_000)])
        finally:
            office.close()
    assert logs[0] == logs[1]
    assert len(logs[0]) > 500


def test_user_add_opens_an_account_with_roles(tmp_path: Path):
    data_dir = tmp_path / "office"
    _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST)
    result = _run(data_dir, "user", "add", "WangFang", "--role", "accountant", "--role", "office",
                  "--display-name", "王芳", "--password-stdin", stdin=SECOND)
    assert result.returncode == 0, result.stderr
    listed = _run(data_dir, "user", "list")
    assert "wangfang" in listed.stdout and "王芳" in listed.stdout


@pytest.mark.parametrize("username", ["1bad", "admin"])
def test_user_add_refuses_a_bad_or_taken_username_with_a_message(tmp_path: Path, username: str):
    data_dir = tmp_path / "office"
    _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST)
    result = _run(data_dir, "user", "add", username, "--role", "office", "--password-stdin", stdin=SECOND)
    assert result.returncode == 1
    assert "用户名" in result.stderr


def test_rebuild_switches_a_running_server_to_the_new_file(tmp_path: Path):
    data_dir = tmp_path / "office"
    _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST)
    server_office = UnionOffice(data_dir)
    try:
        serving = ReadModels(server_office, data_dir, ALL)  # what a server process holds
        serving.ensure_ready()
        before = serving.path
        result = _run(data_dir, "rebuild")
        assert result.returncode == 0, result.stderr
        assert "条/秒" in result.stdout
        assert serving.path != before
        assert serving.path.name == (data_dir / POINTER).read_text()
        _run(data_dir, "user", "add", "later", "--role", "office", "--password-stdin", stdin=SECOND)
        serving.catch_up()
        with serving.reading() as conn:
            assert users.by_username(conn, "later") is not None
    finally:
        server_office.close()


def test_rebuild_reproduces_the_same_read_models(tmp_path: Path):
    demo_dir = tmp_path / "demo"
    assert CliRunner().invoke(main, ["demo", "--scale", "tiny", "--data-dir", str(demo_dir)]).exit_code == 0
    office = UnionOffice(demo_dir)
    try:
        models = ReadModels(office, demo_dir, ALL)
        with models.reading() as conn:
            before = dump(conn)
        assert _run(demo_dir, "rebuild").returncode == 0
        with models.reading() as conn:
            assert dump(conn) == before
    finally:
        office.close()


def test_serve_answers_http_with_waitress(tmp_path: Path):
    data_dir = tmp_path / "office"
    _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "INTRANET_DATA_DIR": str(data_dir)}
    server = subprocess.Popen([INTRANET, "serve", "--port", str(port)], env=env,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert "登录工会内网" in body
        assert "甲街道工会" in body
    finally:
        server.terminate()
        server.wait(10)


# -- every refusal is one clear line and a non-zero exit ----------------------------------------------------


def _one_line_refusal(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and says in result.stderr, result.stderr


def test_demo_refuses_a_folder_that_is_not_empty_and_leaves_it_as_it_was(tmp_path: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "会议记录.txt").write_text("不要删", encoding="utf-8")

    result = _run(tmp_path / "unused", "demo", "--scale", "tiny", "--data-dir", str(folder))

    _one_line_refusal(result, "不是空目录")
    assert [p.name for p in folder.iterdir()] == ["会议记录.txt"]


def test_demo_if_absent_refuses_a_real_office_instead_of_passing_it_off_as_the_demo(tmp_path: Path):
    data_dir = tmp_path / "office"
    assert _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST).returncode == 0

    result = _run(tmp_path / "unused", "demo", "--if-absent", "--data-dir", str(data_dir))

    _one_line_refusal(result, "真实单位")


def test_serve_on_a_port_already_in_use_says_so(tmp_path: Path):
    data_dir = tmp_path / "office"
    _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()

        result = _run(data_dir, "serve", "--port", str(taken.getsockname()[1]))

    _one_line_refusal(result, "已被占用")


@pytest.mark.parametrize("host", ["no-such-host.invalid", "203.0.113.9"])
def test_serve_on_an_address_this_machine_does_not_have_says_so(tmp_path: Path, host: str):
    data_dir = tmp_path / "office"
    _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST)

    result = _run(data_dir, "serve", "--host", host, "--port", "5999")

    _one_line_refusal(result, host)


@pytest.mark.parametrize("command", [("serve",), ("user", "list"), ("rebuild",)])
def test_a_command_on_a_missing_data_folder_says_so_and_creates_nothing(tmp_path: Path, command: tuple[str, ...]):
    """A mistyped INTRANET_DATA_DIR never becomes a new, empty office."""
    missing = tmp_path / "typo"

    result = _run(missing, *command)

    _one_line_refusal(result, "intranet init")
    assert not missing.exists()


def test_init_on_a_data_folder_that_is_a_file_says_so(tmp_path: Path):
    not_a_folder = tmp_path / "office"
    not_a_folder.write_text("x")

    result = _run(not_a_folder, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST)

    _one_line_refusal(result, "无法使用数据目录")


@pytest.mark.parametrize("command", [("user", "list"), ("verify",)])
@pytest.mark.parametrize("broken", ["events.sqlite", "keys.sqlite"])
def test_a_command_on_a_database_file_that_is_not_one_names_the_file(tmp_path: Path, broken: str,
                                                                      command: tuple[str, ...]):
    data_dir = tmp_path / "office"
    _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST)
    (data_dir / broken).write_bytes(b"not a database" * 100)

    result = _run(data_dir, *command)

    _one_line_refusal(result, broken)


def _office_with_an_unreadable_event(tmp_path: Path) -> Path:
    """An office whose admin's record (position 2) was overwritten with garbage, the chain re-linked over it."""
    data_dir = tmp_path / "office"
    assert _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST).returncode == 0
    forge(data_dir / "events.sqlite", 2, state=b"\xff not a record")
    return data_dir


def test_a_command_that_must_read_an_unreadable_event_names_its_position(tmp_path: Path):
    data_dir = _office_with_an_unreadable_event(tmp_path)
    for views in data_dir.glob("views*"):
        views.unlink()  # the read models are built again from the log: position 2 must be read

    result = _run(data_dir, "user", "list")

    _one_line_refusal(result, "第 2 条记录无法读出")


def test_rebuild_over_an_unreadable_event_names_its_position_and_keeps_the_read_models(tmp_path: Path):
    data_dir = _office_with_an_unreadable_event(tmp_path)
    before = sorted(p.name for p in data_dir.iterdir())

    result = _run(data_dir, "rebuild")

    _one_line_refusal(result, "第 2 条记录无法读出")
    assert sorted(p.name for p in data_dir.iterdir()) == before
    assert "admin" in _run(data_dir, "user", "list").stdout  # the read models built before still serve
@pytest.mark.parametrize("password", ["demo1234", "password123", "qwertyuiop"])
def test_init_refuses_a_common_password_with_the_reason_and_records_nothing(tmp_path: Path, password: str):
    data_dir = tmp_path / "office"
    result = _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=f"{password}\n")
    assert result.returncode == 1 and "密码太容易被猜到" in result.stderr
    assert "Traceback" not in result.stderr
    office = UnionOffice(data_dir)
    try:
        assert office.office() is None
    finally:
        office.close()


def test_user_add_refuses_a_password_built_from_the_persons_name(tmp_path: Path):
    data_dir = tmp_path / "office"
    _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST)
    result = _run(data_dir, "user", "add", "wangfang", "--role", "office", "--display-name", "王芳",
                  "--password-stdin", stdin="wangfang1990\n")
    assert result.returncode == 1 and "含有用户名、姓名或单位名称" in result.stderr
    assert "wangfang" not in _run(data_dir, "user", "list").stdout


def test_a_user_added_from_the_command_line_must_change_the_password_at_the_first_login(tmp_path: Path):
    data_dir = tmp_path / "office"
    _run(data_dir, "init", "--name", "甲街道工会", "--password-stdin", stdin=FIRST)
    _run(data_dir, "user", "add", "wangfang", "--role", "office", "--display-name", "王芳", "--password-stdin",
         stdin=SECOND)
    app = create_app({"DATA_DIR": data_dir, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False})
    try:
        client = app.test_client()
        response = client.post("/login", data={"username": "wangfang", "password": SECOND.strip()})
        assert response.headers["Location"] == "/password"
        assert client.get("/").headers["Location"] == "/password"
    finally:
        app.extensions["intranet"].close()


def test_bench_runs_every_measurement_in_a_throwaway_office(tmp_path: Path):
    """`intranet bench` acts as real accounts under today's rules (it broke once when the chair alone got the
    finance settings); a tiny run proves each of its commands is still allowed."""
    result = _run(tmp_path / "unused", "bench", "--commands", "20", "--requests", "2")
    assert result.returncode == 0, result.stderr
    assert "command: set a setting" in result.stdout and "page /users" in result.stdout
