"""The `intranet` console command (a Flask CLI group)."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import click
import waitress
from flask import current_app
from flask.cli import FlaskGroup, NoAppException

from aggregates.application import DEFAULT_TIMEZONE, UnionOffice
from aggregates.authority import replay_authority
from aggregates.book import Book
from aggregates.chain import Anchor, ChainReport, sqlite_head, verify_sqlite, verify_tail
from aggregates.claim import ExpenseClaim
from aggregates.errors import DomainError
from aggregates.personal_data import KeyFileDamaged
from aggregates.roles import ROLES
from aggregates.user_account import UserAccount
from intranet import create_app
from intranet.backend import DEMO_MARKER, Backend
from intranet.credentials import password_problem
from intranet.demo import DEMO_PASSWORD, build
from intranet.integrity import Checkpoints
from intranet.key_audit import key_problems
from intranet.serving import LoginLane
from projections import ALL
from projections import users as users_view
from projections.comparison import compare_with_fresh
from projections.engine import POINTER, ReadModels


class DataFolderProblem(NoAppException):
    """A data folder a command cannot use: one line and exit status 1, not a usage error. A NoAppException,
    so that `intranet --help` lists the commands below the line instead of a traceback."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.ClickException.show(self, file)


def _create_app() -> object:
    """The app for a command; a data folder it cannot use is one clear line, never a traceback."""
    data_dir = _data_dir()
    command = click.get_current_context(silent=True)
    if (command is None or command.info_name != "init") and not (data_dir / "events.sqlite").is_file():
        raise DataFolderProblem(f"数据目录 {data_dir} 中没有单位的记录：新单位请先运行 intranet init，"
                             "示范单位请运行 intranet demo（或用 INTRANET_DATA_DIR 指明数据目录）")
    try:
        return create_app()
    except KeyFileDamaged as error:  # one clear line, not a traceback
        raise DataFolderProblem(str(error)) from None
    except OSError as error:
        raise DataFolderProblem(f"无法使用数据目录 {data_dir}：{error.strerror or error}") from None
    except sqlite3.DatabaseError:
        raise DataFolderProblem(_unreadable(data_dir)) from None
    except Exception:  # catching up the read models failed: name the record it could not read, if that was it
        if (problem := _unreadable_event(data_dir)) is None:
            raise
        raise DataFolderProblem(problem) from None


def _unreadable_event(data_dir: Path) -> str | None:
    """The first stored event that cannot be read back, as the one line a command ends with (None: all read)."""
    office = UnionOffice(data_dir)
    try:
        found = office.unreadable_events()
    finally:
        office.close()
    if not found:
        return None
    position, why = found[0]
    return f"第 {position} 条记录无法读出：{why}；请运行 intranet verify 核验"


def _unreadable(data_dir: Path) -> str:
    """Which of the folder's databases SQLite cannot read, as the one line a command ends with."""
    for path in sorted(data_dir.glob("*.sqlite")):
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("PRAGMA schema_version")
        except sqlite3.DatabaseError:
            return f"数据目录 {data_dir} 中的 {path.name} 无法打开（不是有效的数据库文件或已损坏）"
        finally:
            conn.close()
    return f"数据目录 {data_dir} 中的数据库无法打开（不是有效的数据库文件或已损坏）"


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
        if not (data_dir / DEMO_MARKER).exists():
            raise click.ClickException(f"{data_dir} 中是真实单位的数据，不能用作示范单位")
        if if_absent:
            click.echo(f"示范单位已存在：{data_dir}")
            return
        raise click.ClickException(f"{data_dir} 中已有数据；如需重建示范单位，请先删除该目录")
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise click.ClickException(f"{data_dir} 不是空目录；示范单位须建在单独的空目录中")
    started = time.monotonic()
    try:
        result = build(data_dir, scale=scale, seed=seed)
    except OSError as error:
        raise click.ClickException(f"无法在 {data_dir} 中建立示范单位：{error.strerror or error}") from None
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
@click.option("--member", "member_ref", default=None,
              help="The member the account stands for: their membership card number or ID number.")
def user_add(username: str, roles: tuple[str, ...], display_name: str | None, phone: str | None, *,
             password_stdin: bool, member_ref: str | None) -> None:
    """Open a user account with the given roles (a member account names its member with --member)."""
    backend = _backend()
    member_id = _member_named(backend.office, member_ref) if member_ref is not None else None
    if display_name is None and member_id is not None:
        display_name = backend.office.repository.get(member_id).name
    office = backend.office.office()
    person = (username, display_name or username, *([office.name] if office else []))
    password = _read_password(password_stdin, person)
    try:
        user_id = backend.office.register_user(
            backend.office.system_context("cli"), username, display_name or username, list(roles), phone=phone,
            member_id=member_id)
    except DomainError as error:
        raise _fail(error) from None
    # Whoever ran this command knows the password: its holder replaces it at the first login.
    backend.credentials.set_password(user_id, password, user_inputs=person, must_change=True)
    backend.read_models.catch_up()
    click.echo(f"已新增用户 {username.lower()}（{'、'.join(ROLES[r] for r in roles)}），首次登录须修改密码")


def _member_named(office: UnionOffice, reference: str) -> UUID:
    """The member whose card number or ID number is `reference`, or one clear line and exit 1."""
    member_id = office.find_member(reference)
    if member_id is None:
        raise click.ClickException(f"找不到会员证号或身份证号为“{reference.strip()}”的会员")
    return member_id


@user.command("list")
def user_list() -> None:
    """List the user accounts."""
    with _backend().read_models.reading() as conn:
        for account in users_view.everyone(conn):
            status = "在用" if account.active else "停用"
            click.echo(f"{account.username:<16} {account.display_name:<8} {status}  {'、'.join(account.roles)}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
def serve(host: str, port: int, threads: int) -> None:
    """Serve the intranet with waitress."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not the proxy
    logging.basicConfig()  # waitress reports through logging, as waitress.serve() sets up
    try:
        # Login attempts (argon2) run in a paced lane of their own, never in the threads serving pages.
        server = waitress.create_server(app, host=host, port=port, threads=threads, ident="intranet",
                                        _dispatcher=LoginLane(threads))
    except OSError as error:
        raise click.ClickException(_cannot_listen(host, port, error)) from None
    except ValueError:  # waitress's own check of the address
        raise click.ClickException(f"无法在 {host}:{port} 上启动：主机地址无效（请检查 --host）") from None
    click.echo(f"工会内网：http://{host}:{port}/ （数据目录 {_backend().data_dir}）")
    server.run()


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"端口 {port} 已被占用，无法启动；请先停止占用它的程序，或用 --port 换一个端口"
    if error.errno == errno.EACCES:
        return f"无权使用端口 {port}；请换一个大于1024的端口（--port）"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"本机没有地址 {host}，无法启动（请检查 --host）"
    return f"无法在 {host}:{port} 上启动：{error.strerror or error}（请检查 --host）"


@main.command()
def rebuild() -> None:
    """Rebuild every read model into a new file and switch to it (the server keeps serving)."""
    backend = _backend()
    total = backend.office.recorder.max_notification_id() or 0
    started = time.monotonic()
    kept = set(backend.data_dir.glob("views-*"))
    with click.progressbar(length=total, label="重建读模型", show_pos=True) as bar:
        last = [0]

        def report(progress: object) -> None:
            done = progress.done  # type: ignore[attr-defined]
            bar.update(done - last[0])
            last[0] = done

        try:
            path = backend.read_models.rebuild(report)
        except Exception:  # as in _create_app: a record that cannot be read is named, anything else is a bug
            for partial in set(backend.data_dir.glob("views-*")) - kept:
                partial.unlink(missing_ok=True)
            if (problem := _unreadable_event(backend.data_dir)) is None:
                raise
            raise click.ClickException(f"重建中止，原读模型照常使用：{problem}") from None
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
@click.option("--views", is_flag=True, help="Also rebuild the read models into a scratch file and compare.")
@click.option("--restored", is_flag=True, help="The log was restored from a backup older than the last verified head.")
def verify(anchor: str | None, views: bool, restored: bool) -> None:
    """Recompute the hash chain and check snapshots and personal-data erasures; exit 1 on any fault."""
    data_dir = _data_dir()
    db_path = data_dir / "events.sqlite"
    if not db_path.exists():
        raise click.ClickException(f"找不到记录库：{db_path}")
    try:
        expected = Anchor.parse(anchor) if anchor else None
    except ValueError:
        raise click.BadParameter(f"须为 verify 打印的链头“位置:哈希”（64位十六进制），收到 {anchor!r}",
                                 param_hint="--anchor") from None
    try:
        report = verify_sqlite(db_path, expected)
    except sqlite3.DatabaseError:
        raise click.ClickException(f"核验失败：记录库 {db_path} 无法读取（不是有效的数据库文件或已损坏）") from None
    if not report.ok:
        click.echo(f"核验失败：第 {report.bad_position} 条：{report.problem}", err=True)
        sys.exit(1)
    _remember_verified_head(data_dir, report, restored)
    try:
        problems = _verify_authority(db_path) + _verify_rest(data_dir)
    except sqlite3.DatabaseError:
        raise click.ClickException(f"核验失败：{_unreadable(data_dir)}") from None
    if views:
        problems += _verify_views(data_dir)
    for problem in problems:
        click.echo(f"核验失败：{problem}", err=True)
    if problems:
        sys.exit(1)
    _warn_orphans(data_dir)
    click.echo(f"核验通过：{report.events} 条记录，链头 {report.head or '（空）'}")
    if views:
        click.echo("读模型与按记录重建的结果一致")


def _verify_authority(db_path: Path) -> list[str]:
    """Every event was made by an active account holding its role then, under a role that may record it."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT rowid, originator_id, topic, state FROM stored_events ORDER BY rowid")
        return [f"第 {finding.position} 条：{finding.problem}" for finding in replay_authority(rows)]
    finally:
        conn.close()


def _verify_rest(data_dir: Path) -> list[str]:
    """Snapshots match their events; every person's key is there unless erased, and gone if erased."""
    try:
        office = UnionOffice(data_dir)
    except KeyFileDamaged as error:
        return [str(error)]
    try:
        unreadable = office.unreadable_events()
        problems = [f"第 {position} 条：{why}" for position, why in unreadable]
        problems += office.verify_snapshots()
        problems += key_problems(office)
        skipped = {position for position, _why in unreadable}
        problems += [problem for digest in _attachments(office, skipped)
                     if (problem := office.attachments.problem(digest))]
        return problems
    finally:
        office.close()


def _attachments(office: UnionOffice, unreadable: set[int]) -> set[str]:
    """Every attachment hash a (readable) event names: the scans of claims and the files of vouchers."""
    topics = [f"{cls.__module__}:{cls.__qualname__}" for cls in (ExpenseClaim.Submitted, Book.VoucherPosted)]
    found: set[str] = set()
    start = 0
    while batch := office.recorder.select_notifications(start, 1000, topics=topics, inclusive_of_start=False):
        for notification in batch:
            if notification.id not in unreadable:
                found.update(office.mapper.to_domain_event(notification).files)
        start = batch[-1].id
    return found


# -- attachment files that no event names -------------------------------------------------------


def _orphans(data_dir: Path) -> list[Path]:
    """The files in the attachments folder that no event names."""
    office = UnionOffice(data_dir)
    try:
        unreadable = {position for position, _why in office.unreadable_events()}
        return office.attachments.orphans(_attachments(office, unreadable))
    finally:
        office.close()


def _warn_orphans(data_dir: Path) -> None:
    """verify lists orphan files as warnings, not failures: a file no event names alters no recorded fact
    (it is not tampering), but it may hold personal data nobody accounts for, so it must be seen."""
    for path in _orphans(data_dir):
        click.echo(f"警告：附件文件 {path.name} 未被任何记录引用（可用 intranet attachments prune 清除）")


@main.group()
def attachments() -> None:
    """Scanned invoices and receipts (var/attachments)."""


@attachments.command("prune", with_appcontext=False)
@click.option("--grace-minutes", default=60, show_default=True, type=click.IntRange(min=0),
              help="Keep files younger than this: an upload being saved right now has no event yet.")
def attachments_prune(grace_minutes: int) -> None:
    """Remove the attachment files that no event names, printing each one removed."""
    data_dir = _data_dir()
    if not (data_dir / "events.sqlite").exists():
        raise click.ClickException(f"找不到记录库：{data_dir / 'events.sqlite'}")
    cutoff = time.time() - grace_minutes * 60
    removed = kept = 0
    for path in _orphans(data_dir):
        if path.stat().st_mtime > cutoff:
            kept += 1
            continue
        path.unlink()
        removed += 1
        click.echo(f"已删除：{path.relative_to(data_dir)}")
    note = f"，{kept} 个近 {grace_minutes} 分钟内的文件暂不删除" if kept else ""
    click.echo(f"共删除 {removed} 个未被任何记录引用的附件文件{note}")


def _remember_verified_head(data_dir: Path, report: ChainReport, restored: bool) -> None:
    """A full pass re-anchors the server's start-up check at the verified head; a log that no
    longer holds the head verified before is refused unless the admin says it was restored."""
    if not (data_dir / "keys.sqlite").exists() or report.head is None:
        return  # the key check below reports a missing key file
    try:
        checkpoints = Checkpoints(data_dir / "keys.sqlite")
        earlier = checkpoints.load()
    except sqlite3.OperationalError:
        return  # a read-only copy (the fund review committee's): nothing to re-anchor
    except sqlite3.DatabaseError:
        return  # not a database at all: the key check below names the file
    still = verify_tail(data_dir / "events.sqlite", earlier)
    if not still.ok and not restored:
        click.echo(f"核验失败：{still.problem}；如已从备份恢复记录库，请加 --restored 重新核验", err=True)
        sys.exit(1)
    with contextlib.suppress(sqlite3.OperationalError):
        checkpoints.save(report.head, "full")


@main.command()
@click.option("--admin", "username", required=True, help="The acting administrator's username.")
@click.option("--reason", required=True, help="Why the office goes on working on the damaged log.")
@click.option("--password-stdin", is_flag=True, help="Read the admin's password from standard input.")
def acknowledge(username: str, reason: str, password_stdin: bool) -> None:
    """After a chain break an admin has looked into: let the office record again (verify keeps reporting it)."""
    backend = _backend()
    broken = backend.chain.check()
    if broken is None:
        click.echo("记录链核验通过，无需确认")
        return
    account = _acting_admin(backend, username, password_stdin)
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise click.ClickException("请填写理由（200字以内）")
    head = sqlite_head(backend.data_dir / "events.sqlite")
    assert head is not None  # a broken chain has links
    backend.chain.checkpoints.acknowledge(account.id, account.display_name, reason, broken, head)
    still = backend.integrity(persist=True)
    if still is not None:
        raise click.ClickException(f"确认后仍核验失败：第 {still.position} 条，{still.problem}；请从备份恢复记录库")
    click.echo(f"已确认第 {broken.position} 条处的损坏（{broken.problem}），自链头 {head} 起恢复记录；"
               "intranet verify 仍会报告该处，直到从备份恢复记录库")


def _acting_admin(backend: Backend, username: str, password_stdin: bool) -> UserAccount:
    """The active admin account named, once its password is given."""
    try:
        account = backend.office.user(UserAccount.id_for(username))
    except DomainError:
        account = None
    if account is None or not account.active or "admin" not in account.roles:
        raise click.ClickException(f"{username} 不是在用的系统管理员账号")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt("管理员密码", hide_input=True)
    if not backend.credentials.check_password(account.id, password):
        raise click.ClickException("密码不正确")
    return account


def _verify_views(data_dir: Path) -> list[str]:
    """The live read models against a fresh fold of the log, every difference named."""
    if not (data_dir / POINTER).exists():
        return ["找不到读模型（views.current）；运行 intranet rebuild 按记录建立"]
    try:
        office = UnionOffice(data_dir)
    except KeyFileDamaged:
        return []  # already reported by the key check
    try:
        found = [d.line() for d in compare_with_fresh(ReadModels(office, data_dir, ALL))]
    finally:
        office.close()
    summary = f"读模型与按记录重建的结果有 {len(found)} 处不符；运行 intranet rebuild 按记录重建读模型"
    return [*found, summary] if found else []
