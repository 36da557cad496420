"""An office with claims and advances in every state, made by the fixture's real users through the office's
commands: what the tests of leaks between roles read from each role's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from aggregates.envelope import Context
from aggregates.union import approving_level
from intranet.backend import Backend
from tests import roster_helpers as helpers
from tests.conftest import PASSWORD, user_id_of, username_of

PDF = b"%PDF-1.4\n% the scan of a paid invoice\n"
PNG = b"\x89PNG\r\n\x1a\n the scan of a pending invoice"
MEMBER_USERNAME = "member1"


@dataclass(frozen=True)
class World:
    """The records made, by what they are."""

    book: UUID
    submitted: UUID  # handed in by the office user, waiting for a witness
    certified: UUID  # witnessed by the secretariat
    paid: UUID  # witnessed by the accountant, approved, paid by the cashier
    rejected: UUID  # sent back by the chair with a reason
    paid_scan: str
    voucher: str  # the paid claim's payment voucher, period/word/number
    requested: UUID  # an advance of the office user, waiting for the chair
    approved: UUID  # an advance approved, waiting for the cashier
    refused: UUID  # an advance refused with a reason
    enterprise: UUID
    union: UUID
    member: UUID
    office_user: UUID


def acting(backend: Backend, role: str) -> Context:
    """The context of the fixture user holding `role`."""
    return backend.office.context(str(user_id_of(backend, username_of(role))), role)


def _claim(backend: Backend, book: UUID, purpose: str, invoice: str, price: str, *, scans: list[bytes]) -> UUID:
    return backend.office.submit_claim(acting(backend, "office"), book, category="activity", purpose=purpose,
                                       items=[{"item": "鲜花", "quantity": "1", "unit_price": price}],
                                       invoices=[invoice], spent_on=date(2026, 3, 7), scans=scans)


def _advance(backend: Backend, book: UUID, form_no: str, amount: str) -> UUID:
    return backend.office.request_advance(acting(backend, "office"), book, form_no=form_no, purpose="business_trip",
                                          amount=amount, expected_return=date(2026, 3, 20), details="赴市总培训")


def _roster(backend: Backend) -> tuple[UUID, UUID, UUID]:
    office, ctx = backend.office, acting(backend, "office")
    enterprise = office.register_enterprise(ctx, name="和平机械有限公司", credit_code=helpers.credit_code(),
                                            ownership="private", community="新华社区", workers=40, women=12)
    union = office.found_union(ctx, name="和平机械有限公司工会", kind="enterprise", parent_id=None, workers=40,
                               approver=approving_level(40, 7, 50), approval_ref="和工批1号", covers=[enterprise])
    member = office.admit_member(ctx, name="张建国", gender="M", birth_date=date(1990, 5, 17),
                                 id_number=helpers.id_number(), union_id=union, joined_on=date(2026, 3, 1))
    return enterprise, union, member


def build_world(backend: Backend) -> World:
    """Claims and advances in each state, a roster, and a member login."""
    office = backend.office
    book = office.open_book(acting(backend, "accountant"), name="和平街道总工会", union_id=None, first_period="2026-01")
    office.post_voucher(acting(backend, "accountant"), book, voucher_date=date(2026, 3, 1), summary="期初余额",
                        attachments=0, lines=[{"account": "101", "debit": "3000"}, {"account": "102", "debit": "50000"},
                                              {"account": "32205", "credit": "53000"}])
    submitted = _claim(backend, book, "待证明的茶歇", "FP-W1", "35", scans=[PNG])
    certified = _claim(backend, book, "已证明的横幅", "FP-W2", "80", scans=[])
    office.certify_claim(acting(backend, "secretariat"), certified)
    paid = _claim(backend, book, "慰问困难职工九千元", "FP-W3", "9000", scans=[PDF])
    office.certify_claim(acting(backend, "accountant"), paid)
    office.approve_claim(acting(backend, "chair"), paid)
    voucher = office.pay_claim(acting(backend, "cashier"), paid, method="bank", paid_on=date(2026, 3, 8),
                               bank_ref="HX0308")
    rejected = _claim(backend, book, "被退回的聚餐", "FP-W4", "600", scans=[])
    office.certify_claim(acting(backend, "accountant"), rejected)
    office.reject_claim(acting(backend, "chair"), rejected, "聚餐不属于工会经费开支范围")
    requested = _advance(backend, book, "JK-W1", "730")
    approved = _advance(backend, book, "JK-W2", "500")
    office.decide_advance(acting(backend, "chair"), approved, approve=True)
    refused = _advance(backend, book, "JK-W3", "2000")
    office.decide_advance(acting(backend, "chair"), refused, approve=False, reason="不属于因公出差")
    enterprise, union, member = _roster(backend)
    login_id = office.register_user(acting(backend, "admin"), MEMBER_USERNAME, "会员甲", ["member"], member_id=member)
    backend.credentials.set_password(login_id, PASSWORD)
    backend.read_models.catch_up()
    return World(book=book, submitted=submitted, certified=certified, paid=paid, rejected=rejected,
                 paid_scan=backend.office.repository.get(paid).files[0], voucher=voucher, requested=requested,
                 approved=approved, refused=refused, enterprise=enterprise, union=union, member=member,
                 office_user=user_id_of(backend, "office"))
