"""The `intranet` console command (a Flask CLI group)."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path
from uuid import UUID

import click
import waitress
from flask import current_app
from flask.cli import FlaskGroup

from aggregates.application import DEFAULT_TIMEZONE, UnionOffice
from aggregates.authority import replay_authority
from aggregates.book import Book
from aggregates.chain import Anchor, verify_sqlite
from aggregates.claim import ExpenseClaim
from aggregates.errors import DomainError
from aggregates.roles import ROLES
from aggregates.user_account import UserAccount
from intranet import create_app
from intranet.backend import Backend
from intranet.credentials import password_problem
from intranet.demo import DEMO_PASSWORD, build
from intranet.serving import LoginLane
from projections import users as users_view


def _create_app() -> object:
    return create_app()


main = FlaskGroup(create_app=_create_app, load_dotenv=False, help="工会内网 · Union Office Intranet")


def _data_dir() -> Path:
    return Path(os.environ.get("INTRANET_DATA_DIR") or "var")


def _backend() -> Backend:
    return current_app.extensions["intranet"]


def _read_password(from_stdin: bool, person: tuple[str, ...] = ()) -> str:
    """A password read from stdin or typed twice, checked against the policy (and the person's words)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    problem = password_problem(password, user_inputs=person)
    if problem:
        raise click.ClickException(problem)
    return password


def _fail(error: DomainError) -> click.ClickException:
    return click.ClickException(error.text())


@main.command()
@click.option("--name", prompt="单位名称", help="The office's name, e.g. 和平街道工会工作委员会.")
@click.option("--timezone", default=lambda: os.environ.get("INTRANET_TIMEZONE") or DEFAULT_TIMEZONE,
              show_default="Asia/Shanghai", help="The office's time zone (business dates).")
@click.option("--admin", "admin_username", default="admin", show_default=True, help="First administrator's username.")
@click.option("--admin-name", default="系统管理员", show_default=True, help="First administrator's name.")
@click.option("--password-stdin", is_flag=True, help="Read the admin's password from standard input.")
def init(name: str, timezone: str, admin_username: str, admin_name: str, password_stdin: bool) -> None:
    """Create an empty real office with its first administrator."""
    backend = _backend()
    if backend.is_demo:
        raise click.ClickException(f"{backend.data_dir} 是示范数据目录，不能初始化为真实单位")
    if backend.office.office() is not None:
        raise click.ClickException(f"{backend.data_dir} 中已有单位，不能重复初始化")
    password = _read_password(password_stdin, (admin_username, admin_name, name))
    try:
        admin = backend.office.found_office(
            backend.office.system_context("init"), name, timezone, admin_username, admin_name)
    except DomainError as error:
        raise _fail(error) from None
    backend.credentials.set_password(admin, password, user_inputs=(admin_username, admin_name, name))
    backend.read_models.catch_up()
    click.echo(f"已初始化：{name}（{timezone}），管理员 {admin_username}，数据目录 {backend.data_dir}")


@main.command(with_appcontext=False)
@click.option("--scale", type=click.Choice(["tiny", "small", "large"]), default="small", show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed builds the same office.")
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("var/demo"), show_default=True)
@click.option("--if-absent", is_flag=True, help="Do nothing if the demo office already exists.")
def demo(scale: str, seed: int, data_dir: Path, if_absent: bool) -> None:
    """Build the demo office (its own folder, never a real office's)."""
    if (data_dir / "events.sqlite").exists():
        if if_absent:
            click.echo(f"示范单位已存在：{data_dir}")
            return
        raise click.ClickException(f"{data_dir} 中已有数据；如需重建示范单位，请先删除该目录")
    started = time.monotonic()
    result = build(data_dir, scale=scale, seed=seed)
    click.echo(f"示范单位已建立：{data_dir}，{result.events} 条记录，{result.users} 个账号，"
               f"{result.enterprises} 家单位，{result.unions} 个基层工会，{result.members} 名会员，"
               f"用时 {time.monotonic() - started:.1f} 秒；所有示范账号的密码为 {DEMO_PASSWORD}")


@main.group()
def user() -> None:
    """Manage user accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(list(ROLES)))
@click.option("--display-name", default=None, help="The person's name (defaults to the username).")
@click.option("--phone", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_add(username: str, roles: tuple[str, ...], display_name: str | None, phone: str | None,
             password_stdin: bool) -> None:
    """Open a user account with the given roles."""
    backend = _backend()
    office = backend.office.office()
    person = (username, display_name or username, *([office.name] if office else []))
    password = _read_password(password_stdin, person)
    try:
        user_id = backend.office.register_user(
            backend.office.system_context("cli"), username, display_name or username, list(roles), phone=phone)
    except DomainError as error:
        raise _fail(error) from None
    # Whoever ran this command knows the password: its holder replaces it at the first login.
    backend.credentials.set_password(user_id, password, user_inputs=person, must_change=True)
    backend.read_models.catch_up()
    click.echo(f"已新增用户 {username.lower()}（{'、'.join(ROLES[r] for r in roles)}），首次登录须修改密码")


@user.command("list")
def user_list() -> None:
    """List the user accounts."""
    with _backend().read_models.reading() as conn:
        for account in users_view.everyone(conn):
            status = "在用" if account.active else "停用"
            click.echo(f"{account.username:<16} {account.display_name:<8} {status}  {'、'.join(account.roles)}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the intranet with waitress."""
    click.echo(f"工会内网：http://{host}:{port}/ （数据目录 {_backend().data_dir}）")
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not the proxy
    # Login attempts (argon2) run in a paced lane of their own, never in the threads serving pages.
    waitress.serve(app, host=host, port=port, threads=threads, ident="intranet", _dispatcher=LoginLane(threads))


@main.command()
def rebuild() -> None:
    """Rebuild every read model into a new file and switch to it (the server keeps serving)."""
    backend = _backend()
    total = backend.office.recorder.max_notification_id() or 0
    started = time.monotonic()
    with click.progressbar(length=total, label="重建读模型", show_pos=True) as bar:
        last = [0]

        def report(progress: object) -> None:
            done = progress.done  # type: ignore[attr-defined]
            bar.update(done - last[0])
            last[0] = done

        path = backend.read_models.rebuild(report)
    seconds = max(time.monotonic() - started, 1e-9)
    click.echo(f"已重建 {path.name}：{total} 条记录，{seconds:.2f} 秒，{total / seconds:,.0f} 条/秒")


@main.command(with_appcontext=False)
@click.option("--commands", default=2000, show_default=True, help="How many commands to time.")
@click.option("--requests", default=200, show_default=True, help="How many requests per page to time.")
def bench(commands: int, requests: int) -> None:
    """Measure commands, catch-up, rebuild, verify and pages in a throwaway office."""
    from intranet.bench import run  # noqa: PLC0415 - only this command needs it

    click.echo(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    for result in run(commands, requests):
        click.echo(result.line())


@main.command(with_appcontext=False)
@click.option("--anchor", default=None, help="A head written down earlier, POS:HASH; the log must still contain it.")
def verify(anchor: str | None) -> None:
    """Recompute the hash chain and check snapshots and personal-data erasures; exit 1 on any fault."""
    data_dir = _data_dir()
    db_path = data_dir / "events.sqlite"
    if not db_path.exists():
        raise click.ClickException(f"找不到记录库：{db_path}")
    try:
        expected = Anchor.parse(anchor) if anchor else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--anchor") from None
    report = verify_sqlite(db_path, expected)
    if not report.ok:
        click.echo(f"核验失败：第 {report.bad_position} 条：{report.problem}", err=True)
        sys.exit(1)
    problems = _verify_authority(db_path) + _verify_rest(data_dir)
    for problem in problems:
        click.echo(f"核验失败：{problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo(f"核验通过：{report.events} 条记录，链头 {report.head or '（空）'}")


def _verify_authority(db_path: Path) -> list[str]:
    """Every event was made by an active account holding its role then, under a role that may record it."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT rowid, originator_id, topic, state FROM stored_events ORDER BY rowid")
        return [f"第 {finding.position} 条：{finding.problem}" for finding in replay_authority(rows)]
    finally:
        conn.close()


def _verify_rest(data_dir: Path) -> list[str]:
    """Snapshots match their events; erased people's keys are really gone."""
    office = UnionOffice(data_dir)
    try:
        problems = office.verify_snapshots()
        problems += [f"已删除个人信息的用户 {u} 的密钥仍然存在" for u in _erased_users(office)
                     if office.keys.has_key(u)]
        problems += [problem for digest in _attachments(office) if (problem := office.attachments.problem(digest))]
        return problems
    finally:
        office.close()


def _attachments(office: UnionOffice) -> set[str]:
    """Every attachment hash an event names: the scans of claims and the files of vouchers."""
    topics = [f"{cls.__module__}:{cls.__qualname__}" for cls in (ExpenseClaim.Submitted, Book.VoucherPosted)]
    found: set[str] = set()
    start = 0
    while batch := office.recorder.select_notifications(start, 1000, topics=topics, inclusive_of_start=False):
        for notification in batch:
            found.update(office.mapper.to_domain_event(notification).files)
        start = batch[-1].id
    return found


def _erased_users(office: UnionOffice) -> list[UUID]:
    topic = f"{UserAccount.PersonalDataErased.__module__}:{UserAccount.PersonalDataErased.__qualname__}"
    found, start = [], 0
    while batch := office.recorder.select_notifications(start, 1000, topics=[topic], inclusive_of_start=False):
        found += [n.originator_id for n in batch]
        start = batch[-1].id
    return found
