"""Chinese identifiers with check digits: the resident ID number and the unified social credit code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from aggregates.errors import InvalidInput

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@dataclass(frozen=True)
class IdNumber:
    """A checked 18-digit resident ID number (GB 11643-1999) and what it encodes."""

    number: str
    birth_date: date
    gender: str  # "M" or "F"

    @property
    def tail(self) -> str:
        """The last four characters, for searching."""
        return self.number[-4:]

    @property
    def masked(self) -> str:
        """The number as lists show it: region and tail only."""
        return self.number[:4] + "*" * 10 + self.number[-4:]


def id_check_digit(first17: str) -> str:
    """The check character of an ID number's first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def checked_id_number(text: str) -> IdNumber:
    """Read an ID number: 18 characters, a real birth date, the right check digit."""
    number = (text or "").strip().upper().replace(" ", "")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidInput("身份证号码应为18位（最后一位可为X）", field="id_number")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput("身份证号码中的出生日期无效", field="id_number") from None
    if id_check_digit(number[:17]) != number[17]:
        raise InvalidInput("身份证号码校验位不正确，请核对", field="id_number")
    return IdNumber(number, born, "M" if int(number[16]) % 2 else "F")


def credit_check_char(first17: str) -> str:
    """The check character of a unified social credit code's first 17 characters."""
    total = sum(_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CODE_WEIGHTS, strict=True))
    return _CODE_ALPHABET[(31 - total % 31) % 31]


def checked_credit_code(text: str) -> str:
    """Read a unified social credit code (GB 32100-2015): 18 characters with a check character."""
    code = (text or "").strip().upper().replace(" ", "")
    if len(code) != 18 or any(c not in _CODE_ALPHABET for c in code):
        raise InvalidInput("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）", field="credit_code")
    if credit_check_char(code[:17]) != code[17]:
        raise InvalidInput("统一社会信用代码校验位不正确，请核对", field="credit_code")
    return code
