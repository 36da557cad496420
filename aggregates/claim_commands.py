"""Commands on expense claims, prior approvals, cash advances and cash counts (FIN-01…FIN-14).
Mixed into UnionOffice. A payment posts its voucher in the claim's book in the same save, so the
books and the claims never disagree; the accountant reviews the voucher like any other."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from aggregates.advance import CashAdvance
from aggregates.book import ZERO, Book, Line
from aggregates.chart import BANK, CASH, EXPENSE, LEVEL_ONE, root_of
from aggregates.claim import CATEGORIES, STATES, ExpenseClaim, PriorApproval, checked_invoices, checked_items
from aggregates.enterprise import checked_money, checked_text
from aggregates.envelope import SYSTEM_ROLE, Context
from aggregates.errors import DomainError, InvalidInput, NotFound
from aggregates.settings import require
from aggregates.unique_key import UniqueKey

if TYPE_CHECKING:
    from aggregates.application import UnionOffice

RECEIVABLE = "135"  # 其他应收款: staff advances


class ClaimCommands:
    """Claims under 一支笔, prior approvals, advances and cash counts."""

    # -- prior approvals -------------------------------------------------------------------------

    def issue_meal_notice(self: UnionOffice, ctx: Context, *, number: str, on: date, heads: int,
                          purpose: str) -> UUID:
        """FIN-14: the leader in charge issues a meal notice (用餐通知单) for a reception."""
        self._authorise(ctx, "issue_meal_notice")
        return self._issue(ctx, kind="meal_notice", number=number, on=on, purpose=purpose, heads=heads)

    def approve_purchase(self: UnionOffice, ctx: Context, *, number: str, on: date, amount: Decimal | str,
                         purpose: str) -> UUID:
        """FIN-13: the chair approves a purchase above the small-purchase limits before it is made."""
        self._authorise(ctx, "approve_purchase")
        return self._issue(ctx, kind="purchase", number=number, on=on, purpose=purpose, amount=amount)

    def _issue(self: UnionOffice, ctx: Context, **facts: Any) -> UUID:
        approval = PriorApproval.issue(ctx, **facts)
        if approval.id in self.repository:
            raise InvalidInput("编号%(n)s已经使用", field="number", n=approval.number)
        self._save(approval)
        return approval.id

    # -- claims ----------------------------------------------------------------------------------

    def submit_claim(self: UnionOffice, ctx: Context, book_id: UUID, *, category: str, purpose: str,
                     items: list[dict[str, str]], invoices: list[str], spent_on: date, files: list[str] | None = None,
                     prior: str | None = None, advance_id: UUID | None = None, form_key: str | None = None,
                     account: str | None = None, scans: Sequence[bytes] = ()) -> UUID:
        """The handler (经手人) submits a claim; its invoice numbers are taken office-wide (never twice). It is
        charged to the category's expense account, or to `account` (an expense account of the book with no
        sub-accounts: an office sub-account, say). `scans` are uploaded files, stored only once the claim
        has passed every check, so a refused claim leaves no file behind."""
        self._authorise(ctx, "submit_claim")
        self._refuse_repeated_form(form_key)
        scanned = [self.attachments.check(data) for data in scans]  # refused here if not a scan; nothing written
        book = self._load(book_id, Book)
        if category not in CATEGORIES:
            raise InvalidInput("请选择报销类别", field="category")
        account = (account or "").strip() or CATEGORIES[category][1]
        if account not in book.accounts or LEVEL_ONE[root_of(account)].category != EXPENSE:
            raise InvalidInput("本账套没有支出科目“%(a)s”", field="account", a=account)
        if not book.is_leaf(account):
            raise InvalidInput("“%(name)s”下设明细科目，请选择记入的明细科目", field="account",
                               name=book.account_name(account))
        parsed, numbers = checked_items(items), checked_invoices(invoices)
        total = sum((i["amount"] for i in parsed), ZERO)
        claim_id = self.new_id()
        others: list[Any] = []
        for number in numbers:
            taken = self._get_or_none(UniqueKey.id_for("invoice", number))
            if taken is None:
                others.append(UniqueKey.claim(ctx, "invoice", number, claim_id))
            elif taken.released:  # its claim was sent back: a corrected claim may use it
                taken.reclaim(ctx, claim_id)
                others.append(taken)
            else:
                raise InvalidInput("发票号码%(n)s已经报销过，同一发票不能重复报销", field="invoices", n=number)
        for digest in files or []:
            if self.attachments.problem(digest):
                raise InvalidInput("附件不存在，请重新上传", field="files")
        prior_number = checked_text(prior or "", "prior", "事前审批编号", 30, required=False) or None
        approval = self._prior_for(category, parsed, total=total, spent_on=spent_on, number=prior_number)
        if approval is not None:
            approval.use(ctx, claim_id, spent_on)
            others.append(approval)
        if advance_id is not None:
            advance = self._load(advance_id, CashAdvance)
            if advance.borrower != ctx.actor or advance.state != "paid" or advance.book_id != book_id:
                raise InvalidInput("只能用本人在本账套未结清的借款冲账", field="advance_id")
        claim = ExpenseClaim.submit(ctx, claim_id=claim_id, book_id=book_id, category=category, account=account,
                                    purpose=purpose, items=parsed, invoices=numbers,
                                    files=list(dict.fromkeys([*(files or []), *scanned])),
                                    spent_on=spent_on, prior=prior_number, advance_id=advance_id)
        self._save_with_scans(scans, claim, *others, *self._form_claim(ctx, form_key, claim_id))
        return claim_id

    def _save_with_scans(self: UnionOffice, scans: Sequence[bytes], *aggregates: Any) -> None:
        """Store the scans, then save; if the store refuses the save (a race on an invoice number, a double
        submit), remove the files this call wrote, so nothing is left that no event names."""
        written = [digest for digest, new in map(self.attachments.put_new, scans) if new]
        try:
            self._save(*aggregates)
        except DomainError:
            self.attachments.discard(written)
            raise

    def _prior_for(self: UnionOffice, category: str, items: list[dict[str, Any]], *, total: Decimal,
                   spent_on: date, number: str | None) -> PriorApproval | None:
        """FIN-13 and FIN-14: the approval a purchase above the limits or a reception meal needs first."""
        settings = self.settings()
        if category == "purchase":
            unit_limit = Decimal(str(require(settings, "small_item_unit_price_limit", spent_on)))
            total_limit = Decimal(str(require(settings, "small_item_total_limit", spent_on)))
            if all(i["unit_price"] < unit_limit for i in items) and total <= total_limit:
                return None
            if number is None:
                raise InvalidInput("零星物品单价%(u)s元以上或总额超过%(t)s元的，须经主席事前批准：请填写购置审批编号",
                                   field="prior", u=unit_limit, t=total_limit)
            approval = self._prior("purchase", number)
            if approval.amount is not None and total > approval.amount:
                raise InvalidInput("报销金额超过购置审批金额（%(a)s元）", field="prior", a=approval.amount)
            return approval
        if category == "reception":
            standard = Decimal(str(require(settings, "reception_meal_standard", spent_on)))
            if number is None:
                raise InvalidInput("接待用餐须凭分管领导开具的用餐通知单：请填写通知单编号", field="prior")
            approval = self._prior("meal_notice", number)
            if total > standard * (approval.heads or 0):
                raise InvalidInput("用餐%(h)s人，按标准每人%(s)s元，最多%(m)s元", field="items", h=approval.heads,
                                   s=standard, m=standard * (approval.heads or 0))
            return approval
        return None

    def _prior(self: UnionOffice, kind: str, number: str) -> PriorApproval:
        approval = self._get_or_none(PriorApproval.id_for(kind, number))
        if not isinstance(approval, PriorApproval):
            raise InvalidInput("找不到编号为%(n)s的%(k)s", field="prior", n=number,
                               k="购置审批" if kind == "purchase" else "用餐通知单")
        return approval

    def certify_claim(self: UnionOffice, ctx: Context, claim_id: UUID) -> None:
        """The witness (证明人) signs the claim."""
        self._authorise(ctx, "certify_claim")
        claim = self._load(claim_id, ExpenseClaim)
        claim.certify(ctx)
        self._save(claim)

    def approve_claim(self: UnionOffice, ctx: Context, claim_id: UUID) -> None:
        """一支笔: the chair approves (the chair's own claim: the entrusted vice-chair)."""
        self._authorise(ctx, "approve_claim")
        claim = self._load(claim_id, ExpenseClaim)
        self._check_one_pen(ctx, claim.handler, claim.handler_role)
        claim.approve(ctx)
        self._save(claim)

    def reject_claim(self: UnionOffice, ctx: Context, claim_id: UUID, reason: str) -> None:
        """Send a claim back; its invoice numbers are free again for a corrected claim."""
        self._authorise(ctx, "reject_claim")
        claim = self._load(claim_id, ExpenseClaim)
        self._check_one_pen(ctx, claim.handler, claim.handler_role)
        claim.reject(ctx, reason)
        freed: list[Any] = []
        for number in claim.invoices:
            key = self._load(UniqueKey.id_for("invoice", number), UniqueKey)
            key.release(ctx, "报销单退回")
            freed.append(key)
        if claim.prior:
            kind = "purchase" if claim.category == "purchase" else "meal_notice"
            approval = self._load(PriorApproval.id_for(kind, claim.prior), PriorApproval)
            approval.free(ctx, claim.id)
            freed.append(approval)
        self._save(claim, *freed)

    def _is_chair(self: UnionOffice, actor: str, role: str) -> bool:
        """Whether the handler is the chair: by their account's roles (they may have acted under another
        role they hold), or by the role they acted under when they are not a user."""
        try:
            return "chair" in self.user(UUID(actor)).roles
        except (ValueError, NotFound):
            return role == "chair"

    def _check_one_pen(self: UnionOffice, ctx: Context, handler: str, handler_role: str) -> None:
        """FIN-01 and Q7: the chair approves; the chair's own claims and advances go to the vice-chair the
        setting names."""
        if ctx.role == SYSTEM_ROLE:
            return
        if not self._is_chair(handler, handler_role):
            if ctx.role != "chair":
                raise InvalidInput("报销和借款由主席审批（一支笔）")
            return
        delegate = str(require(self.settings(), "chair_claims_approver", ctx.occurred_on))
        try:
            username = self.user(UUID(ctx.actor)).username
        except ValueError:
            username = ""
        if ctx.role != "vice_chair" or username.lower() != delegate.strip().lower():
            raise InvalidInput("主席本人的报销和借款由受托副主席（%(u)s）审批", u=delegate)

    def pay_claim(self: UnionOffice, ctx: Context, claim_id: UUID, *, method: str, paid_on: date,
                  bank_ref: str = "", form_key: str | None = None) -> str:
        """The cashier pays an approved claim by cash or bank (an advance it settles first); the payment
        voucher is posted in the claim's book. Returns the voucher's key."""
        self._authorise(ctx, "pay_claim")
        self._refuse_repeated_form(form_key)
        claim = self._load(claim_id, ExpenseClaim)
        if claim.state != "approved":
            raise InvalidInput("只有已审批的报销单才能付款（当前：%(s)s）", s=STATES[claim.state])
        if paid_on < claim.approved_on:
            raise InvalidInput("付款日期不能早于审批日期（%(d)s）", field="paid_on", d=claim.approved_on.isoformat())
        book = self._load(claim.book_id, Book)
        lines = [Line(claim.account, claim.total, ZERO)]
        advance = self._get_or_none(claim.advance_id) if claim.advance_id else None
        if isinstance(advance, CashAdvance) and advance.outstanding and paid_on < advance.paid_on:
            raise InvalidInput("冲账日期不能早于借款日期（%(d)s）", field="paid_on", d=advance.paid_on.isoformat())
        offset = min(claim.total, advance.outstanding) if isinstance(advance, CashAdvance) else ZERO
        if offset:
            lines.append(Line(RECEIVABLE, ZERO, offset))
        rest = claim.total - offset
        bank_ref = checked_text(bank_ref, "bank_ref", "银行流水号", 40, required=method == "bank" and bool(rest))
        if rest:
            lines.append(Line(self._money_account(method, rest, paid_on), ZERO, rest))
        key = book.post(ctx, voucher_date=paid_on, summary=f"报销：{claim.purpose}"[:60], lines=lines,
                        attachments=max(len(claim.invoices), len(claim.files)), files=claim.files, kind="claim",
                        source=f"claim:{claim.id}")
        claim.pay(ctx, method=method if rest else "advance", paid_on=paid_on, voucher=key, bank_ref=bank_ref)
        touched: list[Any] = [claim, book]
        if offset and isinstance(advance, CashAdvance):
            advance.repay(ctx, amount=offset, on=paid_on, claim_id=claim.id, voucher=key, method="claim")
            touched.append(advance)
        self._save(*touched, *self._form_claim(ctx, form_key, claim_id))
        return key

    def _money_account(self: UnionOffice, method: str, amount: Decimal, day: date) -> str:
        """FIN-06: at or above the bank-transfer threshold, money goes by bank."""
        if method not in ("cash", "bank"):
            raise InvalidInput("请选择付款方式（现金或银行转账）", field="method")
        if method == "cash":
            threshold = Decimal(str(require(self.settings(), "bank_transfer_threshold", day)))
            if amount >= threshold:
                raise InvalidInput("金额%(a)s元达到银行转账支付标准（%(t)s元），须从银行转账", field="method",
                                   a=amount, t=threshold)
        return CASH if method == "cash" else BANK

    # -- advances --------------------------------------------------------------------------------

    def request_advance(self: UnionOffice, ctx: Context, book_id: UUID, *, form_no: str, purpose: str,
                        amount: Decimal | str, expected_return: date, details: str,
                        form_key: str | None = None) -> UUID:
        """FIN-08: borrow for a trip or a purchase on a numbered four-part form."""
        self._authorise(ctx, "request_advance")
        self._refuse_repeated_form(form_key)
        self._load(book_id, Book)
        advance = CashAdvance.request(ctx, advance_id=self.new_id(), book_id=book_id, form_no=form_no,
                                      purpose=purpose, amount=amount, expected_return=expected_return, details=details)
        if UniqueKey.id_for("advance_form", advance.form_no) in self.repository:
            raise InvalidInput("四联单%(n)s已经使用", field="form_no", n=advance.form_no)
        self._save(advance, UniqueKey.claim(ctx, "advance_form", advance.form_no, advance.id),
                   *self._form_claim(ctx, form_key, advance.id))
        return advance.id

    def decide_advance(self: UnionOffice, ctx: Context, advance_id: UUID, *, approve: bool, reason: str = "") -> None:
        """The chair approves or refuses an advance (the chair's own: the entrusted vice-chair)."""
        self._authorise(ctx, "decide_advance")
        advance = self._load(advance_id, CashAdvance)
        self._check_one_pen(ctx, advance.borrower, advance.borrower_role)
        advance.decide(ctx, approve=approve, reason=reason)
        self._save(advance)

    def pay_advance(self: UnionOffice, ctx: Context, advance_id: UUID, *, method: str, paid_on: date,
                    form_key: str | None = None) -> str:
        """The cashier pays an approved advance: 借 其他应收款, 贷 库存现金 / 银行存款."""
        self._authorise(ctx, "pay_advance")
        self._refuse_repeated_form(form_key)
        advance = self._load(advance_id, CashAdvance)
        advance.check_payment(paid_on)
        book = self._load(advance.book_id, Book)
        account = self._money_account(method, advance.amount, paid_on)
        key = book.post(ctx, voucher_date=paid_on, summary=f"借款（四联单{advance.form_no}）",
                        lines=[Line(RECEIVABLE, advance.amount, ZERO), Line(account, ZERO, advance.amount)],
                        attachments=1, kind="advance", source=f"advance:{advance.id}")
        advance.pay(ctx, method=method, paid_on=paid_on, voucher=key)
        self._save(advance, book, *self._form_claim(ctx, form_key, advance_id))
        return key

    def record_advance_return(self: UnionOffice, ctx: Context, advance_id: UUID, returned_on: date) -> None:
        """FIN-09: the borrower is back; the advance is due by the end of that month."""
        self._authorise(ctx, "record_advance_return")
        advance = self._load(advance_id, CashAdvance)
        advance.mark_returned(ctx, returned_on)
        self._save(advance)

    def repay_advance(self: UnionOffice, ctx: Context, advance_id: UUID, *, amount: Decimal | str, on: date,
                      method: str = "cash", form_key: str | None = None) -> str:
        """Money handed back against an advance: 借 库存现金 / 银行存款, 贷 其他应收款."""
        self._authorise(ctx, "repay_advance")
        self._refuse_repeated_form(form_key)
        advance = self._load(advance_id, CashAdvance)
        money = checked_money(amount, "amount")
        advance.check_repayment(money)
        if method not in ("cash", "bank"):
            raise InvalidInput("请选择还款方式（现金或银行转账）", field="method")
        book = self._load(advance.book_id, Book)
        lines = [Line(CASH if method == "cash" else BANK, money, ZERO), Line(RECEIVABLE, ZERO, money)]
        key = book.post(ctx, voucher_date=on, summary=f"收回借款（四联单{advance.form_no}）", lines=lines,
                        attachments=1, kind="repayment", source=f"advance:{advance.id}")
        advance.repay(ctx, amount=money, on=on, claim_id=None, voucher=key, method=method)
        self._save(advance, book, *self._form_claim(ctx, form_key, advance_id))
        return key

    # -- cash counts -----------------------------------------------------------------------------

    def count_cash(self: UnionOffice, ctx: Context, book_id: UUID, *, counted_on: date, counted: Decimal | str,
                   ious: Decimal | str = "0", explanation: str = "") -> Decimal:
        """FIN-03 / FIN-04: cash counted against the book; IOUs (白条) never count; a difference is recorded
        with its explanation. Returns the difference (counted − book)."""
        self._authorise(ctx, "count_cash")
        book = self._load(book_id, Book)
        difference = book.count_cash(ctx, counted_on=counted_on, counted=checked_money(counted, "counted"),
                                     ious=checked_money(ious, "ious"), explanation=explanation)
        self._save(book)
        return difference
