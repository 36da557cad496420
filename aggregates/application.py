"""UnionOffice: the office's application. One method per command: load → act → save → return.

Its name becomes the PostgreSQL table prefix, so it is fixed. Every command takes a
Context (who, which role, when, which business date), checks the role against
aggregates/roles.py, validates before anything is recorded, and saves all aggregates
a fact touches in one save(), so a refused or failed command appends nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, StoredEvent
from eventsourcing.utils import TopicError

from aggregates.attachments import AttachmentStore
from aggregates.authority import records, topic_of
from aggregates.book import Book
from aggregates.book_commands import BookCommands
from aggregates.claim_commands import ClaimCommands
from aggregates.envelope import (
    SYSTEM_PREFIX,
    SYSTEM_ROLE,
    Context,
    DateAsISO,
    EventRefAsDict,
    OfficeAggregate,
)
from aggregates.errors import (
    AlreadyExists,
    DuplicateSubmission,
    InvalidInput,
    NotFound,
    NotPermitted,
    StaleEdit,
    WritesHeld,
)
from aggregates.member_account_commands import MemberAccountCommands
from aggregates.office import Office
from aggregates.oversight_commands import OversightCommands
from aggregates.personal_data import KeyFileDamaged, KeyStore, PepperMissing, SealedAsDict, private_file
from aggregates.roles import ROLES, SEPARATION, SYSTEM_COMMANDS, may_run
from aggregates.roster_commands import RosterCommands
from aggregates.settings import ChangeAsDict, Settings, Value, chair_only, parse, spec_for, value_on
from aggregates.unique_key import UniqueKey
from aggregates.user_account import UserAccount, checked_phone

Clock = Callable[[], datetime]
# The command this thread is running (set once it is authorised), so a save can check what it records.
RUNNING: ContextVar[str] = ContextVar("RUNNING", default="")
A = TypeVar("A", bound=OfficeAggregate)

DEFAULT_TIMEZONE = "Asia/Shanghai"


def utc_now() -> datetime:
    """The real clock (tests inject a pinned one)."""
    return datetime.now(UTC)


class ConcurrentChange(StaleEdit):
    """Someone saved the same record at the same moment."""

    message = "该记录刚被他人修改，请刷新后重试"


class UnionOffice(RosterCommands, BookCommands, ClaimCommands, OversightCommands, MemberAccountCommands, Application):
    """The office's write side on one event log."""

    name = "UnionOffice"
    snapshotting_intervals = {Settings: 50, Book: 100}  # noqa: RUF012 - the library's class attribute

    def __init__(
        self,
        data_dir: Path,
        *,
        clock: Clock = utc_now,
        timezone: str | None = None,
        env: dict[str, str] | None = None,
        new_id: Callable[[], UUID] = uuid4,
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        private_file(data_dir / "events.sqlite")
        settings = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(data_dir / "events.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "10",
            "APPLICATION_RECORDER_TOPIC": "aggregates.chain:ChainedSQLiteRecorder",
        }
        super().__init__(env={**settings, **(env or {})})
        self.data_dir = data_dir
        self.clock = clock
        self.new_id = new_id  # injected like the clock: the demo builds the same office from the same seed
        self.keys = self._open_keys(data_dir / "keys.sqlite")
        self.attachments = AttachmentStore(data_dir / "attachments")
        self._default_timezone = timezone or DEFAULT_TIMEZONE
        self._timezone: ZoneInfo | None = None
        # The position where the chain broke, while it is broken: then every save is refused.
        self.held_at: int | None = None

    def _open_keys(self, path: Path) -> KeyStore:
        """The key file; never a new one beside a log that already has events, nor one that
        lost the pepper ID numbers were claimed under."""
        try:
            keys = KeyStore(path, create=not self.recorder.max_notification_id(), may_mint=self.no_id_number_claimed)
            if not keys.has_pepper() and not self.no_id_number_claimed():
                raise PepperMissing()
        except KeyFileDamaged:
            self.close()
            raise
        return keys

    def close(self) -> None:
        """Release the log's and the key file's connections."""
        keys = getattr(self, "keys", None)  # None while the key file is still being opened
        if keys is not None:
            keys.close()
        super().close()

    def no_id_number_claimed(self) -> bool:
        """Whether no ID number was ever claimed (only then may a missing pepper be minted)."""
        topic = f"{UniqueKey.Claimed.__module__}:{UniqueKey.Claimed.__qualname__}"
        start = 0
        while batch := self.recorder.select_notifications(start, 1000, topics=[topic], inclusive_of_start=False):
            if any(self.mapper.to_domain_event(n).kind == "id_number" for n in batch):
                return False
            start = batch[-1].id
        return True

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in (DateAsISO(), EventRefAsDict(), SealedAsDict(), ChangeAsDict()):
            transcoder.register(transcoding)

    # -- context -------------------------------------------------------------------------

    @property
    def timezone(self) -> ZoneInfo:
        """The office's time zone: as founded, else the configured default."""
        if self._timezone is None:
            office = self.office()
            if office is None:
                return ZoneInfo(self._default_timezone)
            self._timezone = ZoneInfo(office.timezone)
        return self._timezone

    def today(self) -> date:
        """The business date now, in the office's time zone."""
        return self.clock().astimezone(self.timezone).date()

    def context(self, actor: str, role: str, occurred_on: date | None = None) -> Context:
        """A context for `actor` acting as `role` now (business date defaults to today)."""
        now = self.clock()
        day = occurred_on or now.astimezone(self.timezone).date()
        return Context(actor=actor, role=role, now=now, occurred_on=day)

    def system_context(self, name: str, occurred_on: date | None = None) -> Context:
        """A context for the CLI, the demo builder or scheduled work."""
        return self.context(f"system:{name}", SYSTEM_ROLE, occurred_on)

    # -- reading aggregates (for commands and single-record pages) ------------------------

    def office(self) -> Office | None:
        """The office, or None before `intranet init`."""
        return self._get_or_none(Office.ID)

    def settings(self) -> Settings | None:
        """The settings aggregate, or None while no value was ever set."""
        return self._get_or_none(Settings.ID)

    def user(self, user_id: UUID) -> UserAccount:
        """One user account."""
        return self._load(user_id, UserAccount)

    def account_or_none(self, user_id: UUID) -> UserAccount | None:
        """The user account with this id as the log has it now, or None."""
        account = self._get_or_none(user_id)
        return account if isinstance(account, UserAccount) else None

    # -- commands: the office --------------------------------------------------------------

    def found_office(
        self, ctx: Context, name: str, timezone: str, admin_username: str, admin_display_name: str
    ) -> UUID:
        """Found the office with its first administrator; returns the admin's user id."""
        self._authorise(ctx, "found_office")
        if self.office() is not None:
            raise AlreadyExists("本单位已经初始化，不能重复初始化")
        office = Office.found(ctx, name, timezone)
        admin = UserAccount.register(ctx, admin_username, admin_display_name, ["admin"], member_id=None, phone=None)
        self._save(office, admin)
        self._timezone = None
        return admin.id

    def rename_office(self, ctx: Context, name: str, reason: str) -> None:
        """Record the office's new name."""
        self._authorise(ctx, "rename_office")
        office = self.office()
        if office is None:
            raise NotFound("本单位尚未初始化")
        office.rename(ctx, name, reason)
        self._save(office)

    # -- commands: settings ------------------------------------------------------------------

    def set_setting(
        self,
        ctx: Context,
        key: str,
        value: Value,
        effective_from: date,
        reason: str,
        *,
        seen_version: int | None = None,
    ) -> None:
        """Set a configurable value from a date on. `value` may be typed or form text;
        `seen_version` is the version of this key the form showed (stale forms are refused)."""
        self._authorise(ctx, "set_setting")
        spec = spec_for(key)
        if chair_only(spec) and ctx.role != "chair":
            raise NotPermitted("“%(label)s”是财务控制，只能由主席设定", role=ROLES.get(ctx.role, ctx.role),
                               label=spec.label)
        if isinstance(value, str) and spec.kind.value not in ("choice", "text", "fraction"):
            value = parse(spec, value)
        settings = self.settings()
        if settings is None:
            self._check_seen(seen_version, 0)
            self._save(Settings.start(ctx, key, value, effective_from, reason))
            return
        self._check_seen(seen_version, settings.last_version_of(key))
        settings.set(ctx, key, value, effective_from, reason)
        self._save(settings)

    # -- commands: users -----------------------------------------------------------------------

    def register_user(
        self,
        ctx: Context,
        username: str,
        display_name: str,
        roles: list[str],
        *,
        member_id: UUID | None = None,
        phone: str | None = None,
        form_key: str | None = None,
    ) -> UUID:
        """Open a user account (the password goes to the credentials table separately)."""
        self._authorise(ctx, "register_user")
        self._refuse_repeated_form(form_key)
        user_id = UserAccount.id_for(username)
        if user_id in self.repository:
            raise AlreadyExists("用户名“%(name)s”已被使用", name=username.strip().lower())
        claims = self._member_account_claims(ctx, member_id, user_id)  # checked before a key is made
        sealed = self.keys.seal(user_id, checked_phone(phone)) if phone else None
        user = UserAccount.register(ctx, username, display_name, roles, member_id=member_id, phone=sealed,
                                    relaxed=self.relaxed_separation(ctx.occurred_on))
        self._save(user, *claims, *self._form_claim(ctx, form_key, user_id))
        return user_id

    def change_user_roles(
        self, ctx: Context, user_id: UUID, roles: list[str], seen_version: int | None = None
    ) -> None:
        """Give a user exactly these roles."""
        self._authorise(ctx, "change_user_roles")
        user = self._load(user_id, UserAccount, seen_version)
        user.change_roles(ctx, roles, relaxed=self.relaxed_separation(ctx.occurred_on))
        self._save(user)

    def deactivate_user(
        self, ctx: Context, user_id: UUID, reason: str, seen_version: int | None = None
    ) -> None:
        """Stop a user from logging in."""
        self._authorise(ctx, "deactivate_user")
        user = self._load(user_id, UserAccount, seen_version)
        user.deactivate(ctx, reason)
        self._save(user)

    def reactivate_user(
        self, ctx: Context, user_id: UUID, reason: str, seen_version: int | None = None
    ) -> None:
        """Let a stopped user log in again."""
        self._authorise(ctx, "reactivate_user")
        user = self._load(user_id, UserAccount, seen_version)
        user.reactivate(ctx, reason)
        self._save(user)

    def record_password_reset(self, ctx: Context, user_id: UUID) -> None:
        """Record that a password was set for the user (the hash stays out of the log)."""
        self._authorise(ctx, "record_password_reset")
        self._retrying(lambda: self._note_password_reset(ctx, user_id))

    def _note_password_reset(self, ctx: Context, user_id: UUID) -> None:
        user = self._load(user_id, UserAccount)
        user.note_password_reset(ctx)
        self._save(user)

    def record_own_password_change(self, ctx: Context, user_id: UUID) -> None:
        """Record that a user changed their own password (the hash stays out of the log)."""
        self._authorise(ctx, "record_own_password_change")
        self._retrying(lambda: self._change_user(user_id, lambda user: user.note_own_password_change(ctx)))

    def lift_login_lockout(self, ctx: Context, user_id: UUID) -> None:
        """Record that the admin lifted a user's login lockout (the counters live in keys.sqlite)."""
        self._authorise(ctx, "lift_login_lockout")
        self._retrying(lambda: self._change_user(user_id, lambda user: user.lift_login_lockout(ctx)))

    def _change_user(self, user_id: UUID, act: Callable[[UserAccount], None]) -> None:
        user = self._load(user_id, UserAccount)
        act(user)
        self._save(user)

    def change_user_phone(
        self, ctx: Context, user_id: UUID, phone: str | None, seen_version: int | None = None
    ) -> None:
        """Record a user's phone number (sealed with their key), or clear it."""
        self._authorise(ctx, "change_user_phone")
        user = self._load(user_id, UserAccount, seen_version)
        if user.erased:
            user.change_phone(ctx, None)  # refuses with a clear message
        new = checked_phone(phone) if phone else None
        if new == (self.keys.unseal(user.phone) if user.phone else None):
            raise InvalidInput("电话号码没有变化", field="phone")
        sealed = self.keys.seal(user_id, new) if new else None
        user.change_phone(ctx, sealed)
        self._save(user)

    def erase_user_personal_data(self, ctx: Context, user_id: UUID, reason: str) -> None:
        """Erase a user's personal data (PIPL): record it, then destroy their key."""
        self._authorise(ctx, "erase_user_personal_data")
        user = self._load(user_id, UserAccount)
        user.erase_personal_data(ctx, reason)
        self._save(user)
        self.keys.erase(user_id)

    def relaxed_separation(self, day: date) -> frozenset[str]:
        """The settings by which the office relaxed a line of the separation matrix, in force on `day`."""
        relaxable = {line.relaxed_by for line in SEPARATION if line.relaxed_by}
        return frozenset(key for key in relaxable if value_on(self.settings(), key, day) == "listed")

    # -- the audit side of the write model -------------------------------------------------------

    def verify_snapshots(self) -> list[str]:
        """Rebuild every stored snapshot's aggregate from its events; list any that differ."""
        if self.snapshots is None:
            return []
        recorder = self.snapshots.recorder
        with recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
            cursor.execute("SELECT originator_id, originator_version, topic, state FROM stored_snapshots")
            rows = cursor.fetchall()
        problems = []
        for stream, version, topic, state in rows:
            stored = StoredEvent(UUID(stream), version, topic, bytes(state))
            if self._why_unreadable(stored) is not None:
                problems.append(f"快照 {UUID(stream)} 第 {version} 版无法解读")
            elif not self._replays_to(stored):
                problems.append(f"快照 {UUID(stream)} 第 {version} 版与事件重放结果不符")
        return problems

    def _replays_to(self, snapshot: StoredEvent) -> bool:
        """Whether the snapshot matches its events (an event that cannot be read cannot match)."""
        try:
            return self._snapshot_matches(snapshot)
        except Exception:  # broad on purpose: an unreadable event fails the replay; unreadable_events() names it
            return False

    def unreadable_events(self) -> list[tuple[int, str]]:
        """(position, why) of every stored event that no longer reads back as an event of the office."""
        found: list[tuple[int, str]] = []
        start = 0
        while batch := self.recorder.select_notifications(start, 1000, inclusive_of_start=False):
            found += [(n.id, why) for n in batch if (why := self._why_unreadable(n)) is not None]
            start = batch[-1].id
        return found

    def _why_unreadable(self, stored: StoredEvent) -> str | None:
        try:
            event = self.mapper.to_domain_event(stored)
        except TopicError:
            return f"记录类型“{stored.topic[:80]}”已无法识别"
        except Exception:  # broad on purpose: whatever the decoder raises, the bytes are not a readable record
            return "记录内容无法解读（不是有效的记录格式）"
        missing = [f.name for f in dataclasses.fields(event) if f.name not in vars(event)
                   and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        return f"记录内容无法解读（缺少 {'、'.join(missing[:5])}）" if missing else None

    def _snapshot_matches(self, stored: StoredEvent) -> bool:
        snapshot: Any = self.mapper.to_domain_event(stored)
        aggregate: Any = None
        for event in self.events.get(stored.originator_id, lte=stored.originator_version):
            aggregate = event.mutate(aggregate)
        if aggregate is None or aggregate.version != stored.originator_version:
            return False
        fresh = type(snapshot).take(aggregate)
        encode = self.mapper.transcoder.encode
        return encode(fresh.state) == encode(snapshot.state) and fresh.topic == snapshot.topic

    # -- helpers ------------------------------------------------------------------------------------

    def _authorise(self, ctx: Context, command: str) -> None:
        """Refuse unless the actor may run `command` under `ctx.role`, judged from the log: the system only for
        its few commands; a person only through an active account that holds the role now."""
        if not may_run(ctx.role, command):
            raise NotPermitted(role=ROLES.get(ctx.role, ctx.role))
        if ctx.role == SYSTEM_ROLE or ctx.actor.startswith(SYSTEM_PREFIX):
            if not (ctx.role == SYSTEM_ROLE and ctx.actor.startswith(SYSTEM_PREFIX) and command in SYSTEM_COMMANDS):
                raise NotPermitted("系统账号不能执行此操作，请由有权限的工作人员登录办理", role=ctx.role)
        else:
            self._check_account(ctx)
        RUNNING.set(command)

    def _check_account(self, ctx: Context) -> None:
        try:
            account = self.account_or_none(UUID(ctx.actor))
        except ValueError:
            account = None
        if account is None or not account.active:
            raise NotPermitted("您的账号不存在或已停用，不能办理", role=ROLES.get(ctx.role, ctx.role))
        if ctx.role not in account.roles:
            raise NotPermitted(role=ROLES.get(ctx.role, ctx.role))

    def _get_or_none(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _load(self, aggregate_id: UUID, kind: type[A], seen_version: int | None = None) -> A:
        aggregate = self._get_or_none(aggregate_id)
        if not isinstance(aggregate, kind):
            raise NotFound()
        self._check_seen(seen_version, aggregate.version)
        return aggregate

    @staticmethod
    def _check_seen(seen_version: int | None, current: int) -> None:
        if seen_version is not None and seen_version != current:
            raise StaleEdit(seen=seen_version, current=current)

    def _refuse_repeated_form(self, form_key: str | None) -> None:
        """A form already submitted is answered as such, before anything else is checked."""
        if form_key and UniqueKey.id_for("form", form_key) in self.repository:
            raise DuplicateSubmission()

    @staticmethod
    def _form_claim(ctx: Context, form_key: str | None, owner_id: UUID) -> list[UniqueKey]:
        return [UniqueKey.claim(ctx, "form", form_key, owner_id)] if form_key else []

    def save(self, *objs: Any, **kwargs: Any) -> list[Any]:
        """Append the aggregates' new events, unless the log failed its integrity check."""
        if self.held_at is not None:
            raise WritesHeld(position=self.held_at)
        return super().save(*objs, **kwargs)

    def _save(self, *aggregates: OfficeAggregate) -> int:
        """Save in one transaction; returns the last position written."""
        self._check_recorded(aggregates)
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            claims = [a for a in aggregates if isinstance(a, UniqueKey) and a.kind == "form"]
            if any(claim.id in self.repository for claim in claims):
                raise DuplicateSubmission() from None
            raise ConcurrentChange() from None
        return recordings[-1].notification.id if recordings else 0

    @staticmethod
    def _check_recorded(aggregates: tuple[OfficeAggregate, ...]) -> None:
        """Every event to be saved is one its command is listed for in the authority table (so the replay in
        `intranet verify` will accept it); anything else is refused before it is written."""
        command = RUNNING.get()
        for aggregate in aggregates:
            for event in aggregate.pending_events:
                if not records(command, topic_of(event)):
                    # The clerk reads a plain sentence; the record type stays in the error's params for the log.
                    raise NotPermitted("系统内部的权限登记不全，此操作未作任何记录；请联系系统管理员", role="",
                                       topic=topic_of(event))

    @staticmethod
    def _retrying(command: Callable[[], None], attempts: int = 3) -> None:
        """Re-run a command that does not depend on what the user saw."""
        for attempt in range(attempts):
            try:
                command()
            except ConcurrentChange:
                if attempt == attempts - 1:
                    raise
            else:
                return
