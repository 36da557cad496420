"""The users read model follows an account's link to its member: linked, unlinked, linked to another; caught up
step by step it equals a rebuild."""

from __future__ import annotations

from aggregates.application import UnionOffice
from aggregates.user_account import UserAccount
from projections import users
from projections.engine import ReadModels, dump
from tests import roster_helpers as helpers


def test_the_users_view_follows_the_link_to_a_member_and_equals_a_rebuild(
    office: UnionOffice, read_models: ReadModels
) -> None:
    admin = office.context(str(UserAccount.id_for("admin")), "admin")
    union_id = helpers.union(office)
    first, second = helpers.member(office, union_id, name="王小明"), helpers.member(office, union_id, name="李四")
    user_id = office.register_user(admin, "wangxm", "王小明", ["office"])
    office.link_user_to_member(admin, user_id, first)
    read_models.catch_up()
    with read_models.reading() as conn:
        assert users.by_id(conn, user_id).member_id == first
        assert users.by_member(conn, first).user_id == user_id
    office.unlink_user_from_member(admin, user_id, "关联有误")
    read_models.catch_up()
    with read_models.reading() as conn:
        assert users.by_id(conn, user_id).member_id is None
        assert users.by_member(conn, first) is None
    office.link_user_to_member(admin, user_id, second)
    read_models.catch_up()
    with read_models.reading() as conn:
        assert users.by_member(conn, second).user_id == user_id
        incremental = dump(conn)
    read_models.rebuild()
    with read_models.reading() as conn:
        assert dump(conn) == incremental
