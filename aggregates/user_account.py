"""A user account of the intranet: who may log in, under which roles.

The account's id is derived from the username, so a username is unique for free.
Password hashes and sessions are not here: they live in the mutable credentials
table (keys.sqlite), never in events. A phone number is personal data, sealed with
the account's own key; erasing it destroys the key and is recorded here.
"""

from __future__ import annotations

import re
from uuid import UUID

from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput
from aggregates.personal_data import Sealed
from aggregates.roles import ROLES, checked_separation

_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def normalised_username(username: str) -> str:
    """A username: 2 to 32 of a-z 0-9 _ . -, starting with a letter (case-folded)."""
    name = (username or "").strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput(
            "用户名须为2到32位小写字母、数字或 _ . -，并以字母开头", field="username"
        )
    return name


def checked_display_name(name: str) -> str:
    """A person's name as shown, 1 to 30 characters."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 30:
        raise InvalidInput("姓名须为1到30个字", field="display_name")
    return name


def checked_roles(roles: list[str] | tuple[str, ...]) -> list[str]:
    """At least one known role, each once, in the catalogue's order."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise InvalidInput("未知的角色：%(roles)s", field="roles", roles="、".join(unknown))
    if not roles:
        raise InvalidInput("请至少选择一个角色", field="roles")
    return [r for r in ROLES if r in roles]


def checked_phone(phone: str) -> str:
    """A mainland mobile (11 digits) or a landline with area code."""
    phone = (phone or "").strip().replace(" ", "")
    if not _PHONE.match(phone):
        raise InvalidInput("电话号码格式不正确（手机11位，座机如 024-12345678）", field="phone")
    return phone


class UserAccount(OfficeAggregate):
    """One person's login to the intranet."""

    @staticmethod
    def id_for(username: str) -> UUID:
        """The account id of `username` (derived, so a username is taken once)."""
        return derived_id("user", normalised_username(username))

    class Registered(OfficeAggregate.Created):
        username: str
        display_name: str
        roles: list[str]
        member_id: UUID | None
        phone: Sealed | None

        def apply(self, aggregate: UserAccount) -> None:
            aggregate.username = self.username
            aggregate.display_name = self.display_name
            aggregate.roles = list(self.roles)
            aggregate.member_id = self.member_id
            aggregate.phone = self.phone
            aggregate.active = True
            aggregate.erased = False

    class RolesChanged(OfficeAggregate.Event):
        roles: list[str]

        def apply(self, aggregate: UserAccount) -> None:
            aggregate.roles = list(self.roles)

    class Deactivated(OfficeAggregate.Event):
        def apply(self, aggregate: UserAccount) -> None:
            aggregate.active = False

    class Reactivated(OfficeAggregate.Event):
        def apply(self, aggregate: UserAccount) -> None:
            aggregate.active = True

    class PasswordReset(OfficeAggregate.Event):
        """A password was set for the account (the hash itself is never in the log)."""

    class PhoneChanged(OfficeAggregate.Event):
        phone: Sealed | None

        def apply(self, aggregate: UserAccount) -> None:
            aggregate.phone = self.phone

    class PersonalDataErased(OfficeAggregate.Event):
        def apply(self, aggregate: UserAccount) -> None:
            aggregate.phone = None
            aggregate.erased = True

    @classmethod
    def register(
        cls, ctx: Context, username: str, display_name: str, roles: list[str], *,
        member_id: UUID | None, phone: Sealed | None, relaxed: frozenset[str] = frozenset(),
    ) -> UserAccount:
        """Open an account; a member user must be linked to their member record; no incompatible roles."""
        roles = checked_separation(checked_roles(roles), relaxed)
        if "member" in roles and member_id is None:
            raise InvalidInput("会员账号须关联本人的会员档案", field="roles")
        return cls._found(
            cls.Registered, ctx, id=cls.id_for(username),
            username=normalised_username(username), display_name=checked_display_name(display_name),
            roles=roles, member_id=member_id, phone=phone,
        )

    def change_roles(
        self, ctx: Context, roles: list[str], reason: str | None = None, relaxed: frozenset[str] = frozenset()
    ) -> None:
        """Give the account exactly these roles (never one's own; never incompatible ones)."""
        if ctx.actor == str(self.id):
            raise InvalidInput("不能修改自己的角色，请由另一位系统管理员办理", field="roles")
        roles = checked_separation(checked_roles(roles), relaxed)
        if roles == self.roles:
            raise InvalidInput("角色没有变化", field="roles")
        if "member" in roles and self.member_id is None:
            raise InvalidInput("会员账号须关联本人的会员档案", field="roles")
        self._record(self.RolesChanged, ctx, reason=reason, roles=roles)

    def deactivate(self, ctx: Context, reason: str) -> None:
        """Stop the account from logging in (its history stays)."""
        if not self.active:
            raise InvalidInput("该账号已停用")
        if ctx.actor == str(self.id):
            raise InvalidInput("不能停用自己的账号")
        self._record(self.Deactivated, ctx, reason=_required_reason(reason))

    def reactivate(self, ctx: Context, reason: str) -> None:
        """Let a stopped account log in again."""
        if self.active:
            raise InvalidInput("该账号正在使用中")
        self._record(self.Reactivated, ctx, reason=_required_reason(reason))

    def note_password_reset(self, ctx: Context) -> None:
        """Record that a password was set (by the admin or at init)."""
        self._record(self.PasswordReset, ctx)

    def change_phone(self, ctx: Context, phone: Sealed | None) -> None:
        """Record a new (sealed) phone number, or none."""
        if self.erased:
            raise InvalidInput("该用户的个人信息已删除，不能再录入")
        self._record(self.PhoneChanged, ctx, phone=phone)

    def erase_personal_data(self, ctx: Context, reason: str) -> None:
        """Record that the person's personal data is erased (the key is destroyed after)."""
        if self.erased:
            raise InvalidInput("该用户的个人信息已经删除")
        self._record(self.PersonalDataErased, ctx, reason=_required_reason(reason))

    # -- the link to the account holder's member record (added later: new events at the end) --------

    class MemberLinked(OfficeAggregate.Event):
        """The account was linked to its holder's member record after it was opened."""

        member_id: UUID

        def apply(self, aggregate: UserAccount) -> None:
            aggregate.member_id = self.member_id

    class MemberUnlinked(OfficeAggregate.Event):
        """The account no longer stands for that member (linked in error, say)."""

        member_id: UUID

        def apply(self, aggregate: UserAccount) -> None:
            aggregate.member_id = None

    def link_member(self, ctx: Context, member_id: UUID) -> None:
        """Link the account to its holder's member record."""
        if self.member_id == member_id:
            raise InvalidInput("该账号已关联此会员", field="member_id")
        if self.member_id is not None:
            raise InvalidInput("该账号已关联其他会员，请先解除关联", field="member_id")
        self._record(self.MemberLinked, ctx, member_id=member_id)

    def unlink_member(self, ctx: Context, reason: str) -> None:
        """Remove the link; a member account keeps its link while it holds the member role."""
        if self.member_id is None:
            raise InvalidInput("该账号没有关联会员", field="member_id")
        if "member" in self.roles:
            raise InvalidInput("该账号有会员角色，须先取消会员角色再解除关联", field="member_id")
        self._record(self.MemberUnlinked, ctx, reason=_required_reason(reason), member_id=self.member_id)
    # -- own password change and login lockouts (issue 8: login and sessions) ---------------

    class PasswordChangedByOwner(OfficeAggregate.Event):
        """The account's holder replaced their password (so nobody else knows it; no hash in the log)."""

    class LoginLockoutLifted(OfficeAggregate.Event):
        """The admin let a login locked after repeated failures try again (the counters are not in the log)."""

    def note_own_password_change(self, ctx: Context) -> None:
        """Record that the holder changed their own password."""
        if ctx.actor != str(self.id):
            raise InvalidInput("只能由本人修改自己的密码")
        self._record(self.PasswordChangedByOwner, ctx)

    def lift_login_lockout(self, ctx: Context) -> None:
        """Record that the admin lifted the account's login lockout."""
        if ctx.actor == str(self.id):
            raise InvalidInput("不能为自己的账号解除登录锁定")
        self._record(self.LoginLockoutLifted, ctx)


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise InvalidInput("请填写理由（200字以内）", field="reason")
    return reason
