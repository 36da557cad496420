"""The office itself: its name and time zone, recorded when `intranet init` founds it."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregates.envelope import Context, OfficeAggregate, derived_id
from aggregates.errors import InvalidInput

MAX_NAME = 60


def checked_name(name: str) -> str:
    """An office name, trimmed, 2 to 60 characters."""
    name = (name or "").strip()
    if not 2 <= len(name) <= MAX_NAME:
        raise InvalidInput("单位名称须为2到%(max)s个字", field="name", max=MAX_NAME)
    return name


def checked_timezone(timezone: str) -> str:
    """An IANA time zone name such as Asia/Shanghai."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("未知的时区：%(tz)s", field="timezone", tz=timezone) from None
    return timezone


class Office(OfficeAggregate):
    """The one office this installation serves."""

    ID = derived_id("office", "office")

    class Founded(OfficeAggregate.Created):
        name: str
        timezone: str

        def apply(self, aggregate: Office) -> None:
            aggregate.name = self.name
            aggregate.timezone = self.timezone

    class Renamed(OfficeAggregate.Event):
        name: str

        def apply(self, aggregate: Office) -> None:
            aggregate.name = self.name

    @classmethod
    def found(cls, ctx: Context, name: str, timezone: str) -> Office:
        """Found the office (once per installation)."""
        return cls._found(
            cls.Founded, ctx, id=cls.ID, name=checked_name(name), timezone=checked_timezone(timezone)
        )

    def rename(self, ctx: Context, name: str, reason: str) -> None:
        """Record the office's new name."""
        name = checked_name(name)
        if name == self.name:
            raise InvalidInput("新名称与现名称相同", field="name")
        self._record(self.Renamed, ctx, reason=reason, name=name)
