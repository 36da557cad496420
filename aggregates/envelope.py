"""The envelope every event of the office carries, and the context a command runs in.

Besides the library's stream id, version and recorded time (UTC), every event
records who acted (`actor`, `actor_role`), the business date in the office's time
zone (`occurred_on`), a `reason` where the rules ask for one, and, on a compensating
event, the (stream id, version) it `corrects`. Nothing is ever updated or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Self
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Transcoding

# Every derived aggregate id is uuid5 in this namespace: it is stored, never change it.
NAMESPACE = UUID("8c0b7a52-5f1e-4a43-9f0c-2b8e4d6a1c37")

SYSTEM_ROLE = "system"
SYSTEM_PREFIX = "system:"  # the actor of the CLI, the demo builder and scheduled work: system:<name>


def derived_id(kind: str, key: str) -> UUID:
    """The id of the aggregate that stands for `key` of `kind` (uuid5, stable forever)."""
    return uuid5(NAMESPACE, f"{kind}:{key}")


@dataclass(frozen=True)
class Context:
    """Who runs a command, under which role, when (UTC) and on which business date."""

    actor: str
    role: str
    now: datetime
    occurred_on: date

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("Context.now must be timezone-aware")


@dataclass(frozen=True)
class EventRef:
    """Points at one stored event: the stream and the version within it."""

    stream_id: UUID
    version: int

    def __str__(self) -> str:
        return f"{self.stream_id}:{self.version}"


class OfficeAggregate(Aggregate):
    """Base of every aggregate of the office: its events carry the envelope."""

    class Event(Aggregate.Event):
        actor: str
        actor_role: str
        occurred_on: date
        reason: str | None
        corrects: EventRef | None

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _found(
        cls,
        event_class: type[OfficeAggregate.Created],
        ctx: Context,
        *,
        id: UUID,  # the library's own keyword
        reason: str | None = None,
        **facts: Any,
    ) -> Self:
        """Create the aggregate with its first event, stamped with the context."""
        return cls._create(
            event_class,
            id=id,
            timestamp=ctx.now,
            actor=ctx.actor,
            actor_role=ctx.role,
            occurred_on=ctx.occurred_on,
            reason=reason,
            corrects=None,
            **facts,
        )

    def _record(
        self,
        event_class: type[OfficeAggregate.Event],
        ctx: Context,
        *,
        reason: str | None = None,
        corrects: EventRef | None = None,
        **facts: Any,
    ) -> None:
        """Record the next event of this aggregate, stamped with the context."""
        self.trigger_event(
            event_class,
            timestamp=ctx.now,
            actor=ctx.actor,
            actor_role=ctx.role,
            occurred_on=ctx.occurred_on,
            reason=reason,
            corrects=corrects,
            **facts,
        )


ENVELOPE_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "actor",
        "actor_role",
        "occurred_on",
        "reason",
        "corrects",
    }
)


def facts_of(event: OfficeAggregate.Event) -> dict[str, Any]:
    """The event's own facts: every field that is not part of the envelope."""
    return {k: v for k, v in vars(event).items() if k not in ENVELOPE_FIELDS}


class DateAsISO(Transcoding):
    """Stores a date as its ISO string (`"_type_": "date"`)."""

    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EventRefAsDict(Transcoding):
    """Stores an EventRef as {"stream": uuid-hex, "version": n} (`"_type_": "event_ref"`)."""

    type = EventRef
    name = "event_ref"

    def encode(self, obj: EventRef) -> dict[str, Any]:
        return {"stream": obj.stream_id.hex, "version": obj.version}

    def decode(self, data: dict[str, Any]) -> EventRef:
        return EventRef(UUID(data["stream"]), int(data["version"]))
