"""`intranet verify`'s look at keys.sqlite: every sealed value in the log still has its
person's key unless an erasure event says otherwise, no erased person's key survives
(a lost pepper already stops the office from opening)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from aggregates.application import UnionOffice
from aggregates.enterprise import Enterprise
from aggregates.member import Member
from aggregates.personal_data import Sealed
from aggregates.user_account import UserAccount

ERASURES = (Member.PersonalDataErased, UserAccount.PersonalDataErased)
KINDS = {Member: "会员", UserAccount: "用户", Enterprise: "单位"}
PAGE = 1000


def key_problems(office: UnionOffice) -> list[str]:
    """What is wrong with the personal-data keys, one sentence per person."""
    sealed = sealed_subjects(office)
    erased = erased_subjects(office)
    problems = [f"{_who(office, stream, subject)}的个人信息密钥缺失，而记录中没有删除其个人信息的事件"
                for subject, stream in sealed.items() if subject not in erased and not office.keys.has_key(subject)]
    problems += [f"{_who(office, subject, subject)}的个人信息已按记录删除，但其密钥仍然存在"
                 for subject in sorted(erased) if office.keys.has_key(subject)]
    return problems


def sealed_subjects(office: UnionOffice) -> dict[UUID, UUID]:
    """Every subject whose sealed value an event carries → the stream that carries it."""
    found: dict[UUID, UUID] = {}
    start = 0
    while batch := office.recorder.select_notifications(start, PAGE, inclusive_of_start=False):
        for notification in batch:
            if b"sealed" in notification.state:  # cheap: only events that may hold a sealed value are decoded
                event = office.mapper.to_domain_event(notification)
                for value in _sealed_in(vars(event)):
                    found.setdefault(value.subject_id, notification.originator_id)
        start = batch[-1].id
    return found


def erased_subjects(office: UnionOffice) -> set[UUID]:
    """Every person whose personal data an event says was erased."""
    topics = [f"{cls.__module__}:{cls.__qualname__}" for cls in ERASURES]
    found: set[UUID] = set()
    start = 0
    while batch := office.recorder.select_notifications(start, PAGE, topics=topics, inclusive_of_start=False):
        found.update(UUID(str(n.originator_id)) for n in batch)
        start = batch[-1].id
    return found


def _sealed_in(value: Any) -> Iterator[Sealed]:
    if isinstance(value, Sealed):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _sealed_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _sealed_in(item)


def _who(office: UnionOffice, stream: UUID, subject: UUID) -> str:
    """The person as the fund review committee reads it: kind, name, id."""
    aggregate = office._get_or_none(stream)
    kind = next((label for cls, label in KINDS.items() if isinstance(aggregate, cls)), "记录")
    name = getattr(aggregate, "name", None) or getattr(aggregate, "display_name", None) or ""
    return f"{kind}{name}（{subject}）"
