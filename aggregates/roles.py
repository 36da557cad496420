"""The roles of the office and which roles may run each command.

This table is the one place command permissions are written down; the web's
route table (intranet/permissions.py) sits beside it. A test walks every command
of UnionOffice and proves each is listed and enforced.
"""

from __future__ import annotations

from aggregates.envelope import SYSTEM_ROLE

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
