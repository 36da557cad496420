"""User accounts, derived ids and the uniqueness of what must be unique."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from aggregates.application import UnionOffice
from aggregates.errors import AlreadyExists, DuplicateSubmission, InvalidInput, NotFound, StaleEdit
from aggregates.unique_key import UniqueKey
from aggregates.user_account import UserAccount
from tests.conftest import acting, system


def test_a_username_is_taken_once_whatever_its_case(office: UnionOffice):
    office.register_user(system(office), "wang", "王芳", ["accountant"])
    before = office.recorder.max_notification_id()
    with pytest.raises(AlreadyExists):
        office.register_user(system(office), "WANG", "王芳二", ["cashier"])
    assert office.recorder.max_notification_id() == before


def test_the_store_itself_refuses_a_second_account_with_the_same_username(office: UnionOffice):
    """Uniqueness holds in the store, not by a read-model check: a racing save fails."""
    ctx = system(office)
    first = UserAccount.register(ctx, "li", "李", ["office"], member_id=None, phone=None)
    second = UserAccount.register(ctx, "li", "李二", ["office"], member_id=None, phone=None)
    office.save(first)
    with pytest.raises(IntegrityError):
        office.save(second)


def test_a_form_submitted_twice_records_once(office: UnionOffice):
    key = "form-123"
    office.register_user(system(office), "zhao", "赵丽", ["cashier"], form_key=key)
    before = office.recorder.max_notification_id()
    with pytest.raises(DuplicateSubmission):
        office.register_user(system(office), "zhao", "赵丽", ["cashier"], form_key=key)
    assert office.recorder.max_notification_id() == before


def test_a_reused_form_key_is_reported_as_a_double_submission(office: UnionOffice):
    office.register_user(system(office), "zhao", "赵丽", ["cashier"], form_key="k1")
    with pytest.raises(DuplicateSubmission):
        office.register_user(system(office), "qian", "钱", ["cashier"], form_key="k1")
    assert UniqueKey.id_for("form", "k1") in office.repository


@pytest.mark.parametrize(
    ("username", "name", "roles", "field"),
    [
        ("1abc", "甲", ["office"], "username"),
        ("a", "甲", ["office"], "username"),
        ("ok_name", "", ["office"], "display_name"),
        ("ok_name", "甲" * 31, ["office"], "display_name"),
        ("ok_name", "甲", [], "roles"),
        ("ok_name", "甲", ["treasurer"], "roles"),
        ("ok_name", "甲", ["member"], "roles"),
    ],
)
def test_bad_account_details_are_refused(office: UnionOffice, username, name, roles, field):
    before = office.recorder.max_notification_id()
    with pytest.raises(InvalidInput) as refused:
        office.register_user(system(office), username, name, roles)
    assert refused.value.field == field
    assert office.recorder.max_notification_id() == before


def test_a_member_account_is_linked_to_its_member_record(office: UnionOffice):
    member_id = uuid4()
    user_id = office.register_user(system(office), "member1", "会员甲", ["member"], member_id=member_id)
    assert office.user(user_id).member_id == member_id


def test_roles_change_with_the_version_the_form_saw(office: UnionOffice):
    user_id = office.register_user(system(office), "wang", "王芳", ["accountant"])
    office.change_user_roles(acting(office, "change_user_roles"), user_id, ["accountant", "office"], seen_version=1)
    assert office.user(user_id).roles == ["office", "accountant"]
    with pytest.raises(StaleEdit):
        office.change_user_roles(acting(office, "change_user_roles"), user_id, ["cashier"], seen_version=1)


def test_deactivation_needs_a_reason_and_happens_once(office: UnionOffice):
    user_id = office.register_user(system(office), "wang", "王芳", ["accountant"])
    with pytest.raises(InvalidInput):
        office.deactivate_user(acting(office, "deactivate_user"), user_id, "")
    office.deactivate_user(acting(office, "deactivate_user"), user_id, "调离")
    with pytest.raises(InvalidInput):
        office.deactivate_user(acting(office, "deactivate_user"), user_id, "调离")
    office.reactivate_user(acting(office, "reactivate_user"), user_id, "调回")
    assert office.user(user_id).active


def test_acting_on_an_unknown_user_is_refused(office: UnionOffice):
    with pytest.raises(NotFound):
        office.deactivate_user(acting(office, "deactivate_user"), uuid4(), "调离")


def test_founding_the_office_twice_is_refused(office: UnionOffice):
    with pytest.raises(AlreadyExists):
        office.found_office(system(office), "另一个单位", "Asia/Shanghai", "admin2", "管理员")
