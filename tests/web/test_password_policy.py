"""The password policy (zxcvbn, offline): guessable passwords are refused with the reason in Chinese."""

from __future__ import annotations

import pytest

from intranet.password_policy import password_problem
from tests.conftest import PASSWORD


@pytest.mark.parametrize("password", [PASSWORD, "pale-lantern-river-41", "工会内网办公2026", "yt7#kQ2m-pL"])
def test_long_uncommon_passwords_are_accepted(password: str) -> None:
    assert password_problem(password, user_inputs=["zhangjianguo", "张建国"]) is None


@pytest.mark.parametrize(("password", "reason"), [
    ("password", "这是最常用的密码之一"),
    ("Password123!", "与常见密码相似"),
    ("aaaaaaaaaaaa", "重复"),
    # Common among Chinese users, unknown to zxcvbn's English lists:
    ("1qaz2wsx3edc", "密码太容易被猜到"),
    ("woaini1314", "密码太容易被猜到"),
    ("zhangwei1985", "密码太容易被猜到"),
    ("wangfang520", "密码太容易被猜到"),
])
def test_common_and_trivially_guessable_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    problem = password_problem(password)
    assert problem is not None and reason in problem


@pytest.mark.parametrize("password", ["zhangjianguo1970", "zjg19700101"])
def test_a_password_made_of_the_persons_chinese_name_in_pinyin_is_refused(password: str) -> None:
    problem = password_problem(password, user_inputs=["chair", "张建国"])
    assert problem is not None and "含有用户名、姓名或单位名称" in problem


def test_a_long_password_is_not_refused_for_containing_a_common_word() -> None:
    assert password_problem("zhang-harbor-lantern-41") is None
