"""The roles of the office and which roles may run each command.

This table is the one place command permissions are written down; the web's
route table (intranet/permissions.py) sits beside it. A test walks every command
of UnionOffice and proves each is listed and enforced.
"""

from __future__ import annotations

from dataclasses import dataclass

from aggregates.envelope import SYSTEM_ROLE
from aggregates.errors import InvalidInput

ROLES: dict[str, str] = {
    "admin": "系统管理员",
    "chair": "主席",
    "vice_chair": "副主席",
    "office": "办公室",
    "accountant": "会计",
    "cashier": "出纳",
    "auditor": "经审会",
    "secretariat": "大会秘书处",
    "member": "会员",
}

# The CLI, the demo builder and scheduled work act as `system:<name>` under this role.
ALL_STAFF = frozenset(ROLES) - {"member"}
# The office keeps the roster: admits, transfers and retires members, registers units and unions.
ROSTER_KEEPERS = frozenset({"office"})
# The accountant keeps the books: prepares and reviews vouchers, keeps the ledgers, closes months. The
# cashier receives and pays and keeps the cash and bank journals, but never posts or reviews a ledger.
BOOKKEEPERS = frozenset({"accountant"})
CASHIERS = frozenset({"cashier"})
# Who may hand in a claim or an advance, or witness one (Q7: any staff user but the auditors).
CLAIMANTS = frozenset({"admin", "chair", "vice_chair", "office", "accountant", "cashier", "secretariat"})
# Who may read the books: the accountant, the cashier, the chair (一支笔) and vice-chair, and the fund
# review committee (经审会, AUD-09).
BOOK_READERS = frozenset({"accountant", "cashier", "chair", "vice_chair", "auditor", "admin"})

COMMAND_ROLES: dict[str, frozenset[str]] = {
    "found_office": frozenset(),
    "rename_office": frozenset({"admin"}),
    "set_setting": frozenset({"admin", "chair"}),
    "register_user": frozenset({"admin"}),
    "change_user_roles": frozenset({"admin"}),
    "deactivate_user": frozenset({"admin"}),
    "reactivate_user": frozenset({"admin"}),
    "record_password_reset": frozenset({"admin"}),
    "change_user_phone": frozenset({"admin"}),
    "erase_user_personal_data": frozenset({"admin"}),
    "link_user_to_member": frozenset({"admin"}),
    "unlink_user_from_member": frozenset({"admin"}),
    "record_own_password_change": frozenset(ROLES),  # every signed-in role, members too; only the holder
    "lift_login_lockout": frozenset({"admin"}),
    **dict.fromkeys(
        (
            "register_enterprise", "rename_enterprise", "report_headcount", "file_worker_list", "report_payroll",
            "change_coverage", "close_enterprise", "found_union", "rename_union", "elect_union_committee",
            "appoint_office_holder",
            "assess_union_compliance", "approve_union_election", "form_union_group", "elect_group_leader",
            "file_group_leader", "assign_grid_cell", "upgrade_union", "record_census_check",
            "correct_member_id_number", "register_union_legal_person", "transfer_union_away",
            "set_community_quota", "record_union_activity",
            "vacate_office_holder", "dissolve_union", "admit_member", "correct_member_details",
            "issue_membership_card", "transfer_member_out", "receive_member_transfer", "complete_outside_transfer",
            "cancel_member_transfer", "retain_membership", "restore_membership", "withdraw_member", "expel_member",
            "record_member_death", "reactivate_member", "erase_member_personal_data",
        ),
        ROSTER_KEEPERS,
    ),
    # 一支笔 (FIN-01): staff submit and witness claims, the chair approves (the chair's own: the entrusted
    # vice-chair, checked in the command), the cashier pays. Auditors only read.
    **dict.fromkeys(("submit_claim", "certify_claim", "request_advance"), CLAIMANTS),
    **dict.fromkeys(("approve_claim", "reject_claim", "decide_advance"), frozenset({"chair", "vice_chair"})),
    "issue_meal_notice": frozenset({"chair", "vice_chair"}),
    "approve_purchase": frozenset({"chair"}),
    **dict.fromkeys(("pay_claim", "pay_advance", "repay_advance", "record_advance_return"), CASHIERS),
    "count_cash": CASHIERS | BOOKKEEPERS,
    "record_bank_statement": CASHIERS | BOOKKEEPERS,
    # FIN-17 / Q8: the accountant prepares, the fund review committee reviews, the chair records the
    # standing committee's approval; FIN-18: the accountant publishes; FIN-07: the office keeps the goods.
    **dict.fromkeys(("draft_budget", "prepare_final_accounts", "publish_disclosure"), BOOKKEEPERS),
    **dict.fromkeys(("review_budget", "review_final_accounts"), frozenset({"auditor"})),
    **dict.fromkeys(("approve_budget", "adjust_budget", "approve_final_accounts"), frozenset({"chair"})),
    **dict.fromkeys(("register_asset", "issue_supplies", "dispose_asset"), ROSTER_KEEPERS),
    **dict.fromkeys(
        ("open_book", "add_sub_account", "post_voucher", "review_voucher", "reverse_voucher", "close_month"),
        BOOKKEEPERS,
    ),
}


def may_run(role: str, command: str) -> bool:
    """Whether `role` may run `command` (the system role may run every command)."""
    return role == SYSTEM_ROLE or role in COMMAND_ROLES[command]


# The CLI (`intranet init`, `intranet user add`) and the demo builder act as `system:<name>`; they may run only
# these commands. Everything else is done by a person's account, so the log always names who did it.
SYSTEM_COMMANDS = frozenset({"found_office", "register_user", "record_password_reset"})


@dataclass(frozen=True)
class Incompatible:
    """Two roles one account may not hold together (不相容职务分离), and why."""

    first: str
    second: str
    rule: str
    source: str
    # The setting whose value "listed" lets an office relax this line, or None where the rules allow no exception.
    relaxed_by: str | None = None

    def joins(self, roles: set[str] | frozenset[str]) -> bool:
        """Whether `roles` hold both sides of this line."""
        return self.first in roles and self.second in roles


_CASHIER_RULE = "出纳人员不得兼任稽核、会计档案保管和收入、支出、费用、债权债务账目的登记工作"
_CASHIER_SOURCE = "《会计基础工作规范》第十二条"
_REVIEW_RULE = "工会主席、副主席和财务人员（管钱、管物的人员）不得担任同级经费审查委员会委员"
_REVIEW_SOURCE = "《中国工会章程》第十三条；全总关于经费审查委员会委员任职的规定"
_APPROVAL_RULE = "审批与付款不得由同一人办理：一支笔审批的人不管钱"
_APPROVAL_SOURCE = "《行政事业单位内部控制规范（试行）》第十二条（不相容岗位相互分离）"
_ADMIN_RULE = "系统管理员管理账号和角色，不兼任审批、财务和经审角色，以免自己给自己授权"
_ADMIN_SOURCE = "本系统的安全设计（可由设置“系统管理员兼任业务角色”放宽，放宽后其业务操作列入经审会审查清单）"
ADMIN_DUTIES_SETTING = "admin_holds_duties"

SEPARATION: tuple[Incompatible, ...] = (
    Incompatible("cashier", "accountant", _CASHIER_RULE, _CASHIER_SOURCE),
    Incompatible("cashier", "auditor", _CASHIER_RULE, _CASHIER_SOURCE),
    *(Incompatible("auditor", role, _REVIEW_RULE, _REVIEW_SOURCE) for role in ("chair", "vice_chair", "accountant")),
    *(Incompatible(role, "cashier", _APPROVAL_RULE, _APPROVAL_SOURCE) for role in ("chair", "vice_chair")),
    *(Incompatible("admin", role, _ADMIN_RULE, _ADMIN_SOURCE, ADMIN_DUTIES_SETTING)
      for role in ("chair", "vice_chair", "accountant", "cashier", "auditor")),
)


def broken_lines(roles: list[str] | tuple[str, ...], relaxed: frozenset[str] = frozenset()) -> list[Incompatible]:
    """The lines of the matrix that `roles` break (an account recorded before the matrix may hold such roles)."""
    held = set(roles)
    return [line for line in SEPARATION if line.joins(held) and line.relaxed_by not in relaxed]


def checked_separation(roles: list[str], relaxed: frozenset[str] = frozenset()) -> list[str]:
    """`roles` unless two of them may not be held together; `relaxed` names the settings an office relaxed."""
    broken = broken_lines(roles, relaxed)
    if broken:
        line = broken[0]
        raise InvalidInput(
            "%(first)s与%(second)s不能由同一人兼任：%(rule)s（%(source)s）", field="roles",
            first=ROLES[line.first], second=ROLES[line.second], rule=line.rule, source=line.source)
    return roles
