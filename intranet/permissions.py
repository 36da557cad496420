"""Who may use each route: the one checked-in table, enforced before every request.

Command permissions live beside it in aggregates/roles.py. A route missing from this
table is refused (and fails the route × role test), so nothing is reachable by accident.
"""

from __future__ import annotations

from collections.abc import Iterable

from aggregates.roles import (
    ALL_STAFF,
    BOOK_READERS,
    BOOKKEEPERS,
    CASHIERS,
    CLAIMANTS,
    COMMAND_ROLES,
    ROLES,
    ROSTER_KEEPERS,
)

PUBLIC = frozenset({"*public*"})  # no login needed
SIGNED_IN = frozenset(ROLES)  # any logged-in user, members included

ADMIN = frozenset({"admin"})
SETTERS = COMMAND_ROLES["set_setting"]

ROUTES: dict[str, frozenset[str]] = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.login_submit": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.password": SIGNED_IN,
    "auth.password_submit": SIGNED_IN,
    "dashboard.index": SIGNED_IN,
    "audit.index": ALL_STAFF,
    "audit.admin_duties_list": frozenset({"auditor", "chair", "admin"}),
    "settings.index": ALL_STAFF,
    "settings.detail": ALL_STAFF,
    "settings.update": SETTERS,
    "users.index": ADMIN,
    "users.new": ADMIN,
    "users.create": ADMIN,
    "users.detail": ADMIN,
    "users.roles": ADMIN,
    "users.password": ADMIN,
    "users.deactivate": ADMIN,
    "users.reactivate": ADMIN,
    "users.phone": ADMIN,
    "users.erase": ADMIN,
    "users.member_choices": ADMIN,
    "users.link_member": ADMIN,
    "users.unlink_member": ADMIN,
    "users.unlock": ADMIN,
    "members.index": ALL_STAFF,
    "members.new": ROSTER_KEEPERS,
    "members.create": ROSTER_KEEPERS,
    "members.detail": ALL_STAFF,
    "members.me": frozenset({"member"}),
    "members.transfers": ALL_STAFF,
    **dict.fromkeys(
        (f"members.{action}" for action in (
            "transfer_out", "receive", "complete_transfer", "cancel_transfer", "retain", "restore", "withdraw",
            "expel", "death", "reactivate", "card", "correct", "id_number", "erase")),
        ROSTER_KEEPERS,
    ),
    "unions.index": ALL_STAFF,
    "unions.new": ROSTER_KEEPERS,
    "unions.create": ROSTER_KEEPERS,
    "unions.detail": ALL_STAFF,
    "unions.export_members": ALL_STAFF,
    "unions.cadres": ALL_STAFF,
    "unions.quota": ROSTER_KEEPERS,
    **dict.fromkeys((f"unions.{a}" for a in ("rename", "elect", "appoint", "vacate", "dissolve", "assess",
                                              "approve_election", "form_group", "elect_leader", "file_leader",
                                              "upgrade", "legal_person", "transfer_away", "activity")),
                    ROSTER_KEEPERS),
    "grid.index": ALL_STAFF,
    "grid.assign": ROSTER_KEEPERS,
    "enterprises.check": ROSTER_KEEPERS,
    "enterprises.check_submit": ROSTER_KEEPERS,
    "enterprises.index": ALL_STAFF,
    "enterprises.export": ALL_STAFF,
    "enterprises.new": ROSTER_KEEPERS,
    "enterprises.create": ROSTER_KEEPERS,
    "enterprises.detail": ALL_STAFF,
    **dict.fromkeys(
        (f"enterprises.{a}" for a in ("headcount", "worker_list", "payroll", "coverage", "rename", "close")),
        ROSTER_KEEPERS),
    **dict.fromkeys(
        (f"books.{a}" for a in ("index", "detail", "accounts", "voucher", "trial_balance",
                                "account_ledger", "journal", "general_ledger", "statement", "cash_counts",
                                "export")),
        BOOK_READERS),
    "books.count_cash": COMMAND_ROLES["count_cash"],
    "books.bank": BOOK_READERS,
    "books.record_bank": COMMAND_ROLES["record_bank_statement"],
    **dict.fromkeys(("oversight.budget", "oversight.disclosure", "oversight.assets"), BOOK_READERS | ROSTER_KEEPERS),
    "oversight.draft_budget": COMMAND_ROLES["draft_budget"],
    "oversight.review_budget": COMMAND_ROLES["review_budget"],
    "oversight.approve_budget": COMMAND_ROLES["approve_budget"],
    "oversight.prepare_final": COMMAND_ROLES["prepare_final_accounts"],
    "oversight.publish": COMMAND_ROLES["publish_disclosure"],
    **dict.fromkeys(("oversight.register_asset", "oversight.issue_supplies", "oversight.dispose_asset"),
                    COMMAND_ROLES["register_asset"]),
    # Claims and advances: staff hand in and witness; the chair approves; the cashier pays. Every staff user
    # reaches the pages, which show each one only the claims and advances they may read (intranet/claims.py).
    **dict.fromkeys(("claims.index", "claims.detail", "claims.advances", "claims.advance", "claims.approvals",
                     "claims.attachment"), CLAIMANTS | BOOK_READERS),
    **dict.fromkeys(("claims.new", "claims.create"), COMMAND_ROLES["submit_claim"]),
    "claims.certify": COMMAND_ROLES["certify_claim"],
    **dict.fromkeys(("claims.new_advance", "claims.request_advance"), COMMAND_ROLES["request_advance"]),
    **dict.fromkeys(("claims.approve", "claims.reject", "claims.approve_advance", "claims.refuse_advance"),
                    COMMAND_ROLES["approve_claim"]),
    "claims.issue": COMMAND_ROLES["issue_meal_notice"],
    **dict.fromkeys(("claims.pay", "claims.pay_advance", "claims.advance_return", "claims.repay_advance"), CASHIERS),
    **dict.fromkeys(
        (f"books.{a}" for a in ("create", "add_account", "new_voucher", "post_voucher", "review", "reverse", "close")),
        BOOKKEEPERS),
}


# Who may read each area of the audit trail (projections/audit_trail.AREAS): the readers of the area's
# own pages. Claims and advances are read by the book readers, and by whoever took part in one (the
# handler, the witness): the audit trail and the claims pages add those. The fund review committee also
# reads the users area: it must be able to say that each recorded act was done by someone entitled to it,
# and those entries carry roles and account states, never personal data.
AREA_READERS: dict[str, frozenset[str]] = {
    "settings": ROUTES["settings.index"],
    "roster": ROUTES["members.index"],
    "users": ROUTES["users.index"] | {"auditor"},
    "books": ROUTES["books.index"],
    "claims": ROUTES["books.index"],
    "oversight": ROUTES["oversight.budget"],
}


def readable_areas(roles: Iterable[str]) -> frozenset[str]:
    """The areas of the audit trail a user holding `roles` may read."""
    held = set(roles)
    return frozenset(area for area, readers in AREA_READERS.items() if readers & held)


def allowed(endpoint: str | None, roles: Iterable[str]) -> bool:
    """Whether a user holding `roles` may use `endpoint` (unknown endpoints: never)."""
    permitted = ROUTES.get(endpoint or "")
    if permitted is None:
        return False
    return permitted is PUBLIC or bool(permitted.intersection(roles))


def is_public(endpoint: str | None) -> bool:
    """Whether the endpoint needs no login."""
    return ROUTES.get(endpoint or "") is PUBLIC


def acting_role(roles: Iterable[str], command: str) -> str | None:
    """The role a user acts under for `command`: the first of theirs that may run it."""
    held = set(roles)
    for role in ROLES:
        if role in held and role in COMMAND_ROLES[command]:
            return role
    return None
