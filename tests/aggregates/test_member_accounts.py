"""Member accounts: an account stands for one member of the roster, checked on the write side, and a
member has at most one account (a derived-id claim saved with the account, so the store refuses a second)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from aggregates.application import UnionOffice
from aggregates.envelope import Context
from aggregates.errors import InvalidInput, NotPermitted
from aggregates.member_account_commands import MEMBER_ACCOUNT, MemberHasAccount
from aggregates.unique_key import UniqueKey
from aggregates.user_account import UserAccount
from tests import roster_helpers as helpers
from tests.conftest import acting, refused


@pytest.fixture
def admin(office: UnionOffice) -> Context:
    """The office's first administrator, registered when the office was founded."""
    return office.context(str(UserAccount.id_for("admin")), "admin")


@pytest.fixture
def union_id(office: UnionOffice) -> UUID:
    return helpers.union(office)


@pytest.fixture
def member_id(office: UnionOffice, union_id: UUID) -> UUID:
    return helpers.member(office, union_id, name="王小明", card_no="HP000001")


def _member_user(office: UnionOffice, ctx: Context, member_id: UUID, username: str = "wangxm") -> UUID:
    return office.register_user(ctx, username, "王小明", ["member"], member_id=member_id)


def test_a_member_account_records_its_member_and_takes_the_members_one_account(
    office: UnionOffice, admin: Context, member_id: UUID
) -> None:
    user_id = _member_user(office, admin, member_id)
    assert office.user(user_id).member_id == member_id
    claim = office.repository.get(UniqueKey.id_for(MEMBER_ACCOUNT, str(member_id)))
    assert (claim.owner_id, claim.released) == (user_id, False)


def test_a_member_account_for_a_member_who_does_not_exist_is_refused(office: UnionOffice, admin: Context) -> None:
    with refused(office, InvalidInput, match="找不到该会员"):
        _member_user(office, admin, uuid4())


def test_a_member_account_naming_a_record_that_is_not_a_member_is_refused(
    office: UnionOffice, admin: Context, union_id: UUID
) -> None:
    with refused(office, InvalidInput, match="找不到该会员"):
        _member_user(office, admin, union_id)


def test_a_refused_member_account_leaves_no_key_for_its_phone(office: UnionOffice, admin: Context) -> None:
    with refused(office, InvalidInput):
        office.register_user(admin, "ghost", "某人", ["member"], member_id=uuid4(), phone="13800138000")
    assert not office.keys.has_key(UserAccount.id_for("ghost"))


def test_a_second_account_for_the_same_member_is_refused(
    office: UnionOffice, admin: Context, member_id: UUID
) -> None:
    _member_user(office, admin, member_id)
    with refused(office, MemberHasAccount):
        _member_user(office, admin, member_id, username="wangxm2")


def test_a_staff_account_linked_to_a_member_takes_the_members_one_account_too(
    office: UnionOffice, admin: Context, member_id: UUID
) -> None:
    office.register_user(admin, "wangxm", "王小明", ["office"], member_id=member_id)
    with refused(office, MemberHasAccount):
        _member_user(office, admin, member_id, username="wangxm2")


def test_the_store_itself_refuses_a_second_claim_on_a_members_account(
    office: UnionOffice, admin: Context, member_id: UUID
) -> None:
    """Two admins racing past the check: the later save fails in the store, not in a read model."""
    _member_user(office, admin, member_id)
    racing = UserAccount.register(admin, "racer", "王小明", ["member"], member_id=member_id, phone=None)
    claim = UniqueKey.claim(admin, MEMBER_ACCOUNT, str(member_id), racing.id)
    before = office.recorder.max_notification_id()
    with pytest.raises(IntegrityError):
        office.save(racing, claim)
    assert office.recorder.max_notification_id() == before


def test_a_member_who_has_died_cannot_be_given_an_account(
    office: UnionOffice, admin: Context, member_id: UUID
) -> None:
    office.record_member_death(acting(office, "record_member_death"), member_id, date(2026, 3, 1))
    with refused(office, InvalidInput, match="去世"):
        _member_user(office, admin, member_id)


def test_an_existing_account_is_linked_to_a_member_later(
    office: UnionOffice, admin: Context, member_id: UUID
) -> None:
    user_id = office.register_user(admin, "wangxm", "王小明", ["office"])
    office.link_user_to_member(admin, user_id, member_id, seen_version=1)
    assert office.user(user_id).member_id == member_id
    office.change_user_roles(admin, user_id, ["office", "member"])
    assert "member" in office.user(user_id).roles


def test_linking_a_member_who_already_has_an_account_is_refused(
    office: UnionOffice, admin: Context, member_id: UUID
) -> None:
    _member_user(office, admin, member_id)
    other = office.register_user(admin, "other", "另一人", ["office"])
    with refused(office, MemberHasAccount):
        office.link_user_to_member(admin, other, member_id)


def test_linking_an_account_that_is_already_linked_is_refused(
    office: UnionOffice, admin: Context, member_id: UUID, union_id: UUID
) -> None:
    user_id = _member_user(office, admin, member_id)
    second = helpers.member(office, union_id, name="李四")
    with refused(office, InvalidInput, match="请先解除关联"):
        office.link_user_to_member(admin, user_id, second)
    assert UniqueKey.id_for(MEMBER_ACCOUNT, str(second)) not in office.repository


def test_linking_to_a_member_who_does_not_exist_is_refused(office: UnionOffice, admin: Context) -> None:
    user_id = office.register_user(admin, "wangxm", "王小明", ["office"])
    with refused(office, InvalidInput, match="找不到该会员"):
        office.link_user_to_member(admin, user_id, uuid4())


def test_an_account_holding_the_member_role_keeps_its_link(
    office: UnionOffice, admin: Context, member_id: UUID
) -> None:
    user_id = _member_user(office, admin, member_id)
    with refused(office, InvalidInput, match="须先取消会员角色"):
        office.unlink_user_from_member(admin, user_id, "关联有误")


def test_unlinking_needs_a_reason(office: UnionOffice, admin: Context, member_id: UUID) -> None:
    user_id = office.register_user(admin, "wangxm", "王小明", ["office"], member_id=member_id)
    with refused(office, InvalidInput, match="理由"):
        office.unlink_user_from_member(admin, user_id, "  ")


def test_an_unlinked_member_may_be_given_another_account(
    office: UnionOffice, admin: Context, member_id: UUID
) -> None:
    first = office.register_user(admin, "wangxm", "王小明", ["office"], member_id=member_id)
    office.unlink_user_from_member(admin, first, "关联有误")
    second = _member_user(office, admin, member_id, username="wangxm2")
    assert office.user(first).member_id is None
    claim = office.repository.get(UniqueKey.id_for(MEMBER_ACCOUNT, str(member_id)))
    assert (claim.owner_id, claim.released) == (second, False)


def test_an_account_that_is_not_linked_cannot_be_unlinked(office: UnionOffice, admin: Context) -> None:
    user_id = office.register_user(admin, "wangxm", "王小明", ["office"])
    with refused(office, InvalidInput, match="没有关联会员"):
        office.unlink_user_from_member(admin, user_id, "关联有误")


@pytest.mark.parametrize("role", ["office", "chair", "auditor", "member"])
def test_only_the_admin_links_an_account_to_a_member(
    office: UnionOffice, admin: Context, member_id: UUID, role: str
) -> None:
    actor = office.register_user(admin, f"who{role}", "某人", [role] if role != "member" else ["office"])
    user_id = office.register_user(admin, "wangxm", "王小明", ["office"])
    with refused(office, NotPermitted):
        office.link_user_to_member(office.context(str(actor), role), user_id, member_id)


def test_a_member_is_found_by_card_number_from_the_write_side(office: UnionOffice, member_id: UUID) -> None:
    assert office.find_member(" hp000001 ") == member_id


def test_a_member_is_found_by_id_number_from_the_write_side(office: UnionOffice, member_id: UUID) -> None:
    number = office.keys.unseal(office.repository.get(member_id).id_number)
    assert office.find_member(number) == member_id


@pytest.mark.usefixtures("member_id")
@pytest.mark.parametrize("reference", ["HP999999", "210102199005170000", "", "张三", "%"])
def test_a_reference_no_member_holds_finds_nobody(office: UnionOffice, reference: str) -> None:
    assert office.find_member(reference) is None


def test_a_corrected_id_number_no_longer_finds_the_member(
    office: UnionOffice, member_id: UUID
) -> None:
    old = office.keys.unseal(office.repository.get(member_id).id_number)
    office.correct_member_id_number(acting(office, "correct_member_id_number"), member_id, helpers.id_number(),
                                    "登记有误")
    assert office.find_member(old) is None
