"""Member accounts on UnionOffice: a user account that stands for one member of the roster.

A member has at most one account. That is a UniqueKey of kind "member_account" whose id is
derived from the member's id, saved in the same save() as the account (or the link), so a
second account for the same member fails in the store whatever the race. Unlinking releases
the key; linking the member again takes it back. Whether the member exists is checked on the
write side (the Member aggregate), never in a read model.
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING
from uuid import UUID

from aggregates.envelope import Context
from aggregates.errors import AlreadyExists, DomainError, InvalidInput
from aggregates.identifiers import checked_id_number
from aggregates.member import Member, checked_card
from aggregates.unique_key import UniqueKey
from aggregates.user_account import UserAccount

if TYPE_CHECKING:
    from aggregates.application import UnionOffice

MEMBER_ACCOUNT = "member_account"


class MemberHasAccount(AlreadyExists):
    """The member already has a login account (one account per member)."""

    message = "该会员已有登录账号，一名会员只能有一个账号"


class MemberAccountCommands:
    """Mixed into UnionOffice."""

    def find_member(self: UnionOffice, reference: str) -> UUID | None:
        """The member whose membership card number or ID number is `reference`, from the claims
        the write side keeps on both (the CLI uses it to name a member); None if no one holds it."""
        for claim_id in _claim_ids(self, reference):
            claim = self._get_or_none(claim_id)
            if isinstance(claim, UniqueKey) and not claim.released:
                return claim.owner_id
        return None

    def link_user_to_member(
        self: UnionOffice, ctx: Context, user_id: UUID, member_id: UUID, seen_version: int | None = None
    ) -> None:
        """Link an existing account to its holder's member record (one account per member)."""
        self._authorise(ctx, "link_user_to_member")
        user = self._load(user_id, UserAccount, seen_version)
        claims = self._member_account_claims(ctx, member_id, user_id)
        user.link_member(ctx, member_id)
        self._save(user, *claims)

    def unlink_user_from_member(
        self: UnionOffice, ctx: Context, user_id: UUID, reason: str, seen_version: int | None = None
    ) -> None:
        """Remove an account's link to a member record; the member may then have another account."""
        self._authorise(ctx, "unlink_user_from_member")
        user = self._load(user_id, UserAccount, seen_version)
        member_id = user.member_id
        user.unlink_member(ctx, reason)
        claim = self._get_or_none(UniqueKey.id_for(MEMBER_ACCOUNT, str(member_id)))
        if isinstance(claim, UniqueKey):  # accounts linked before the key existed have none to release
            claim.release(ctx, reason)
            self._save(user, claim)
        else:
            self._save(user)

    def _member_account_claims(
        self: UnionOffice, ctx: Context, member_id: UUID | None, user_id: UUID
    ) -> list[UniqueKey]:
        """The claim that `member_id` has this account, checked against the member record."""
        if member_id is None:
            return []
        member = self._get_or_none(member_id)
        if not isinstance(member, Member):
            raise InvalidInput("找不到该会员，请从查找结果中选择", field="member_id")
        if member.status == "deceased":
            raise InvalidInput("该会员已登记去世，不能开设会员账号", field="member_id")
        claim = self._get_or_none(UniqueKey.id_for(MEMBER_ACCOUNT, str(member_id)))
        if claim is None:
            return [UniqueKey.claim(ctx, MEMBER_ACCOUNT, str(member_id), user_id)]
        if not claim.released:
            raise MemberHasAccount()
        claim.reclaim(ctx, user_id)
        return [claim]


def _claim_ids(office: UnionOffice, reference: str) -> list[UUID]:
    """The claims that could name a member by `reference`: as an ID number, then as a card number."""
    ids = []
    with suppress(DomainError):
        number = checked_id_number(reference).number
        ids.append(UniqueKey.id_for("id_number", office.keys.blind("id_number", number)))
    with suppress(DomainError):
        ids.append(UniqueKey.id_for("card_no", checked_card(reference)))
    return ids
