"""Valid units, unions and members for tests, made through the office's own commands."""

from __future__ import annotations

import itertools
from datetime import date
from uuid import UUID

from aggregates.application import UnionOffice
from aggregates.envelope import Context
from aggregates.identifiers import credit_check_char, id_check_digit
from aggregates.union import approving_level
from tests.conftest import acting

_serial = itertools.count(1)


def credit_code() -> str:
    """A fresh, valid unified social credit code."""
    body = f"91210102MA{next(_serial):07d}"
    return body + credit_check_char(body)


def id_number(born: date = date(1990, 5, 17), gender: str = "M") -> str:
    """A fresh, valid 18-digit ID number for someone born on `born`."""
    seq = next(_serial) % 500 * 2 + (1 if gender == "M" else 0)
    first17 = f"210102{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def enterprise(office: UnionOffice, workers: int = 40, name: str | None = None) -> UUID:
    """A private enterprise with `workers` reported today."""
    n = next(_serial)
    return office.register_enterprise(acting(office, "register_enterprise"), name=name or f"测试企业{n}有限公司",
                                      credit_code=credit_code(), ownership="private", community="新华社区",
                                      workers=workers, women=workers // 3)


def union(office: UnionOffice, covers: list[UUID] | None = None, kind: str = "enterprise", workers: int = 40,
          name: str | None = None) -> UUID:
    """A union approved by the body its workforce calls for, covering `covers`."""
    return office.found_union(acting(office, "found_union"), name=name or f"测试工会{next(_serial)}", kind=kind,
                              parent_id=None, workers=workers, approver=approving_level(workers, 7, 50),
                              approval_ref="和工批1号", covers=covers or [])


def member(office: UnionOffice, union_id: UUID, name: str = "张建国", born: date = date(1990, 5, 17),
           gender: str = "M", *, joined_on: date | None = None, **extra: object) -> UUID:
    """An active member of `union_id`, admitted today; they joined today unless told otherwise
    (membership, and so every "as of" answer, starts on the join date)."""
    return office.admit_member(acting(office, "admit_member"), name=name, gender=gender, birth_date=born,
                               id_number=id_number(born, gender), union_id=union_id,
                               joined_on=joined_on or office.today(), **extra)  # type: ignore[arg-type]


def member_context(office: UnionOffice) -> Context:
    """A member (会员) acting under the member role: a new member of a new union with an account linked to their
    record. It appends events, so call it before a `refused` block."""
    member_id = member(office, union(office))
    user_id = office.register_user(acting(office, "register_user"), f"member{next(_serial)}", "会员甲", ["member"],
                                   member_id=member_id)
    return office.context(str(user_id), "member")
