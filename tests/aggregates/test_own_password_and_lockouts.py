"""The log's part in passwords and lockouts: who may record an own password change and a lifted lockout."""

from __future__ import annotations

from uuid import UUID

from aggregates.application import UnionOffice
from aggregates.errors import NotPermitted
from aggregates.user_account import UserAccount
from tests.conftest import as_role, refused, username_of


def _id(role: str) -> UUID:
    return UserAccount.id_for(username_of(role))


def test_a_user_records_the_change_of_their_own_password(office: UnionOffice) -> None:
    office.record_own_password_change(as_role(office, "chair"), _id("chair"))
    events = list(office.repository.event_store.get(_id("chair")))
    assert isinstance(events[-1], UserAccount.PasswordChangedByOwner)
    assert events[-1].actor == str(_id("chair"))


def test_nobody_records_a_password_change_in_another_users_name(office: UnionOffice) -> None:
    admin = as_role(office, "admin")
    with refused(office, match="只能由本人修改自己的密码"):
        office.record_own_password_change(admin, _id("chair"))


def test_the_admin_records_a_lifted_lockout(office: UnionOffice) -> None:
    office.lift_login_lockout(as_role(office, "admin"), _id("chair"))
    events = list(office.repository.event_store.get(_id("chair")))
    assert isinstance(events[-1], UserAccount.LoginLockoutLifted)
    assert events[-1].actor == str(_id("admin"))


def test_an_admin_does_not_lift_their_own_lockout(office: UnionOffice) -> None:
    admin = as_role(office, "admin")
    with refused(office, match="不能为自己的账号解除登录锁定"):
        office.lift_login_lockout(admin, _id("admin"))


def test_only_the_admin_role_lifts_a_lockout(office: UnionOffice) -> None:
    clerk = as_role(office, "office")
    with refused(office, NotPermitted):
        office.lift_login_lockout(clerk, _id("chair"))
