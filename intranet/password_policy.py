"""The password policy: long enough, and not guessable (zxcvbn, offline), with reasons in Chinese.

zxcvbn estimates how many guesses a password takes against its built-in lists of
common passwords, words, names, keyboard patterns, sequences, repeats and dates, and
against what the intranet knows about the person (username, name and its pinyin,
the office's name). A password must score at least MIN_SCORE of 4.
"""

from __future__ import annotations

from collections.abc import Iterable

from pypinyin import lazy_pinyin
from zxcvbn import zxcvbn

MIN_PASSWORD = 8
MAX_PASSWORD = 200
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable" (about 10^8 guesses), 4 "very unguessable"
_CHECKED_LENGTH = 100  # zxcvbn's time grows with length; beyond this the password is long enough anyway

# zxcvbn's warnings (English, fixed strings) in the office's words.
_WARNINGS = {
    "Straight rows of keys are easy to guess.": "键盘上连成一排的按键很容易被猜到",
    "Short keyboard patterns are easy to guess.": "简单的键盘按键组合很容易被猜到",
    'Repeats like "aaa" are easy to guess.': "像“aaa”这样的重复很容易被猜到",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        "像“abcabcabc”这样的重复并不比“abc”难猜多少",
    'Sequences like "abc" or "6543" are easy to guess.': "像“abc”“6543”这样的顺序很容易被猜到",
    "Recent years are easy to guess.": "近年的年份很容易被猜到",
    "Dates are often easy to guess.": "日期很容易被猜到",
    "This is a top-10 common password.": "这是最常用的密码之一",
    "This is a top-100 common password.": "这是最常用的密码之一",
    "This is a very common password.": "这是很常见的密码",
    "This is similar to a commonly used password.": "与常见密码相似",
    "A word by itself is easy to guess.": "单独一个单词很容易被猜到",
    "Names and surnames by themselves are easy to guess.": "姓名很容易被猜到",
    "Common names and surnames are easy to guess.": "常见的姓名很容易被猜到",
}
_ADVICE = "请改用更长、不常见的密码，例如几个互不相关的词加上数字或符号"


def password_problem(password: str, confirm: str | None = None, *, user_inputs: Iterable[str] = ()) -> str | None:
    """Why a new password is not acceptable (in Chinese), or None.

    `user_inputs`: what the intranet knows about the person (username, name, office),
    which the password must not be built from.
    """
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return f"密码至少{MIN_PASSWORD}位"
    if len(password) > MAX_PASSWORD:
        return "密码过长"
    if confirm is not None and password != confirm:
        return "两次输入的密码不一致"
    result = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=_inputs(user_inputs))
    if result["score"] >= MIN_SCORE:
        return None
    return f"密码太容易被猜到：{_reason(result)}。{_ADVICE}"


def _inputs(user_inputs: Iterable[str]) -> list[str]:
    """The person's words, with the pinyin of Chinese names (张建国 → zhangjianguo, zjg)."""
    words: list[str] = []
    for text in user_inputs:
        if not text:
            continue
        words.append(text.lower())
        syllables = lazy_pinyin(text)
        if any(s != text for s in syllables):
            words.append("".join(syllables).lower())
            words.append("".join(s[:1] for s in syllables).lower())
    return words


def _reason(result: dict) -> str:
    if any(match.get("dictionary_name") == "user_inputs" for match in result.get("sequence", [])):
        return "含有用户名、姓名或单位名称"
    warning = result.get("feedback", {}).get("warning") or ""
    return _WARNINGS.get(warning, "过于简单，能在短时间内被猜出")
