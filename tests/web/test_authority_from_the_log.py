"""The attack the hostile review made: one UPDATE of the read-model file (no event) gave the auditor the chair's
and the cashier's roles, and the auditor then approved and paid a claim. Roles now come from the log, so the
forged row lends nobody anything; the page shows the separation matrix with its sources."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from uuid import UUID

import pytest
from flask import Flask

from aggregates.errors import NotPermitted
from aggregates.roles import SEPARATION
from aggregates.user_account import UserAccount
from intranet.backend import Backend
from projections import admin_duties
from tests.conftest import PASSWORD, Session, acting, as_role, csrf_from, login


def _forge_roles(backend: Backend, username: str, roles: list[str], active: int = 1) -> None:
    """Write roles straight into the live read-model file, as an insider with sqlite3 would."""
    conn = sqlite3.connect(backend.read_models.path)
    with conn:
        conn.execute("UPDATE users SET roles = ?, active = ? WHERE username = ?", (json.dumps(roles), active, username))
    conn.close()


@pytest.fixture
def claim(backend: Backend) -> UUID:
    """A claim handed in by the clerk and certified by the secretariat, waiting for the chair."""
    office = backend.office
    book = office.open_book(acting(office, "open_book"), name="街道工会本级", union_id=None, first_period="2026-03")
    office.post_voucher(acting(office, "post_voucher"), book, voucher_date=date(2026, 3, 1), summary="期初余额",
                        attachments=0,
                        lines=[{"account": "101", "debit": "3000"}, {"account": "32205", "credit": "3000"}])
    claim_id = office.submit_claim(as_role(office, "office"), book, category="office", purpose="购买办公用品",
                                   items=[{"item": "签字笔", "quantity": "10", "unit_price": "5.00"}],
                                   invoices=["FP-A-1"], spent_on=date(2026, 3, 8))
    office.certify_claim(as_role(office, "secretariat"), claim_id)
    backend.read_models.catch_up()
    return claim_id


def test_roles_written_into_the_read_model_let_the_auditor_neither_approve_nor_pay(
        app: Flask, backend: Backend, claim: UUID) -> None:
    auditor = login(app.test_client(), "auditor")
    _forge_roles(backend, "auditor", ["auditor", "chair", "cashier"])
    before = backend.office.recorder.max_notification_id()
    assert auditor.post(f"/claims/{claim}/approve").status_code == 403
    paid = auditor.post(f"/claims/{claim}/pay", {"method": "cash", "paid_on": "2026-03-08", "form_key": "x"})
    assert paid.status_code == 403
    assert backend.office.recorder.max_notification_id() == before


def test_the_command_itself_refuses_a_role_only_the_read_model_claims(backend: Backend, claim: UUID) -> None:
    _forge_roles(backend, "auditor", ["auditor", "chair"])
    office = backend.office
    auditor = UserAccount.id_for("auditor")
    with pytest.raises(NotPermitted):
        office.approve_claim(office.context(str(auditor), "chair"), claim)


def test_a_stopped_account_forged_active_in_the_read_model_stays_signed_out(app: Flask, backend: Backend) -> None:
    chair = login(app.test_client(), "chair")
    backend.office.deactivate_user(as_role(backend.office, "admin"), UserAccount.id_for("chair"), "调离")
    backend.read_models.catch_up()
    _forge_roles(backend, "chair", ["chair"], active=1)
    assert chair.get("/").status_code == 302
    fresh = app.test_client()
    token = csrf_from(fresh.get("/login").text)
    refused = fresh.post("/login", data={"username": "chair", "password": PASSWORD, "csrf_token": token})
    assert "该账号已停用" in refused.text


def test_the_users_page_shows_the_separation_matrix_with_its_sources(app: Flask) -> None:
    admin: Session = login(app.test_client(), "admin")
    page = admin.get("/users").text
    for line in SEPARATION:
        assert line.source in page
    assert "会计基础工作规范" in page and "不相容职务" in page


def test_an_admin_cannot_give_themself_a_role_on_the_page(app: Flask, backend: Backend) -> None:
    admin: Session = login(app.test_client(), "admin")
    admin_id = UserAccount.id_for("admin")
    version = backend.office.user(admin_id).version
    page = admin.post(f"/users/{admin_id}/roles", {"roles": ["admin", "office"], "seen_version": str(version)},
                      htmx=True).text
    assert "不能修改自己的角色" in page
    assert backend.office.user(admin_id).roles == ["admin"]


def _listed(backend: Backend) -> int:
    with backend.read_models.reading() as conn:
        return admin_duties.count(conn)


def test_what_an_admin_does_under_a_business_role_is_listed_for_the_fund_review_committee(
        app: Flask, backend: Backend) -> None:
    """Where the office relaxed the admin line, the admin's own accounting work shows on the committee's list;
    the same work by the accountant does not."""
    office = backend.office
    office.set_setting(as_role(office, "chair"), "admin_holds_duties", "listed", office.today(), "只有两名工作人员")
    solo = office.register_user(as_role(office, "admin"), "soloadmin", "赵一", ["admin", "accountant"])
    backend.read_models.catch_up()
    before = _listed(backend)
    book = office.open_book(office.context(str(solo), "accountant"), name="本级账套", union_id=None,
                            first_period="2026-03")
    office.add_sub_account(as_role(office, "accountant"), book, "50404", "01", "慰问金")
    backend.read_models.catch_up()
    assert _listed(backend) == before + 1
    listed = login(app.test_client(), "auditor").get("/audit/admin-duties").text
    assert "赵一" in listed and "本单位现已放宽" in listed


def test_a_grant_of_an_approving_role_and_a_reset_of_its_password_are_listed(app: Flask, backend: Backend) -> None:
    """The admin could open a puppet account holding the chair's role, or reset the chair's password and log in
    first: neither is forbidden (the office needs both), so the committee sees each one."""
    office = backend.office
    backend.read_models.catch_up()
    before = _listed(backend)
    office.register_user(as_role(office, "admin"), "zhang2", "张二", ["chair"])
    office.register_user(as_role(office, "admin"), "clerk2", "刘二", ["office"])
    office.record_password_reset(as_role(office, "admin"), UserAccount.id_for("chair"))
    office.record_password_reset(as_role(office, "admin"), UserAccount.id_for("office"))
    backend.read_models.catch_up()
    assert _listed(backend) == before + 2
    listed = login(app.test_client(), "auditor").get("/audit/admin-duties").text
    assert "张二" in listed and "刘二" not in listed


def test_an_account_left_holding_incompatible_roles_is_flagged_on_the_users_page(app: Flask, backend: Backend) -> None:
    """When an office closes the admin line again, the account it had let through is shown for correction."""
    office = backend.office
    office.set_setting(as_role(office, "chair"), "admin_holds_duties", "listed", office.today(), "只有两名工作人员")
    office.register_user(as_role(office, "admin"), "soloadmin", "赵一", ["admin", "accountant"])
    admin = login(app.test_client(), "admin")
    assert "兼任不相容职务" not in admin.get("/users").text
    office.set_setting(as_role(office, "chair"), "admin_holds_duties", "separate", office.today(), "新会计到岗")
    backend.read_models.catch_up()
    assert admin.get("/users").text.count("兼任不相容职务，请调整角色") == 1
