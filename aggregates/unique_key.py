"""A claim on something that must be unique: a username, an ID number, a form's
idempotency key, later an invoice number, a member-month of dues, a vote.

The claim's id is derived from the key, and the claim is created in the same save()
as the fact it guards, so a second attempt fails in the store whatever the race. No
check against a read model. The key itself is not stored: personal keys are blinded
(keyed digest) before they become an id.
"""

from __future__ import annotations

from uuid import UUID

from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import AlreadyExists, InvalidInput


class UniqueKey(OfficeAggregate):
    """Stands for one key of one kind; exists once the key is taken."""

    class Claimed(OfficeAggregate.Created):
        kind: str
        owner_id: UUID

        def apply(self, aggregate: UniqueKey) -> None:
            aggregate.kind = self.kind
            aggregate.owner_id = self.owner_id
            aggregate.released = False

    class Released(OfficeAggregate.Event):
        """The key was recorded in error and is free again (a corrected ID number, say)."""

        def apply(self, aggregate: UniqueKey) -> None:
            aggregate.released = True

    class Reclaimed(OfficeAggregate.Event):
        owner_id: UUID

        def apply(self, aggregate: UniqueKey) -> None:
            aggregate.owner_id = self.owner_id
            aggregate.released = False

    def release(self, ctx: Context, reason: str) -> None:
        """Free the key; only a key that is taken can be released."""
        if self.released:
            raise InvalidInput("该标识已经释放")
        self._record(self.Released, ctx, reason=reason)

    def reclaim(self, ctx: Context, owner_id: UUID) -> None:
        """Take a released key again."""
        if not self.released:
            raise AlreadyExists()
        self._record(self.Reclaimed, ctx, owner_id=owner_id)

    @staticmethod
    def id_for(kind: str, key: str) -> UUID:
        """The claim id for `key` of `kind` (callers blind personal keys first)."""
        return derived_id(f"unique/{kind}", key)

    @classmethod
    def claim(cls, ctx: Context, kind: str, key: str, owner_id: UUID) -> UniqueKey:
        """Take `key` for `owner_id`; saving it fails if someone took it first."""
        return cls._found(cls.Claimed, ctx, id=cls.id_for(kind, key), kind=kind, owner_id=owner_id)
