"""The log's part in passwords and lockouts: who may record an own password change and a lifted lockout."""

from __future__ import annotations

from uuid import UUID

from aggregates.application import UnionOffice
from aggregates.errors import NotPermitted
from aggregates.user_account import UserAccount
from tests.conftest import refused, system


def _user(office: UnionOffice, username: str, role: str) -> UUID:
    return office.register_user(system(office), username, f"{username}用户", [role])


def test_a_user_records_the_change_of_their_own_password(office: UnionOffice) -> None:
    chair = _user(office, "chair", "chair")
    office.record_own_password_change(office.context(str(chair), "chair"), chair)
    events = list(office.repository.event_store.get(chair))
    assert isinstance(events[-1], UserAccount.PasswordChangedByOwner)
    assert events[-1].actor == str(chair)


def test_nobody_records_a_password_change_in_another_users_name(office: UnionOffice) -> None:
    chair = _user(office, "chair", "chair")
    admin = _user(office, "admin2", "admin")
    with refused(office, match="只能由本人修改自己的密码"):
        office.record_own_password_change(office.context(str(admin), "admin"), chair)


def test_the_admin_records_a_lifted_lockout(office: UnionOffice) -> None:
    chair = _user(office, "chair", "chair")
    admin = _user(office, "admin2", "admin")
    office.lift_login_lockout(office.context(str(admin), "admin"), chair)
    events = list(office.repository.event_store.get(chair))
    assert isinstance(events[-1], UserAccount.LoginLockoutLifted)
    assert events[-1].actor == str(admin)


def test_an_admin_does_not_lift_their_own_lockout(office: UnionOffice) -> None:
    admin = _user(office, "admin2", "admin")
    with refused(office, match="不能为自己的账号解除登录锁定"):
        office.lift_login_lockout(office.context(str(admin), "admin"), admin)


def test_only_the_admin_role_lifts_a_lockout(office: UnionOffice) -> None:
    chair = _user(office, "chair", "chair")
    office_clerk = _user(office, "clerk", "office")
    with refused(office, NotPermitted):
        office.lift_login_lockout(office.context(str(office_clerk), "office"), chair)
