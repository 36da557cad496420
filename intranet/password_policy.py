"""The password policy: long enough, and not guessable (zxcvbn, offline), with reasons in Chinese.

zxcvbn estimates how many guesses a password takes against its built-in lists of
common passwords, words, names, keyboard patterns, sequences, repeats and dates, and
against what the intranet knows about the person (username, name and its pinyin,
the office's name). zxcvbn's own lists are English; the passwords most common among
Chinese users and the commonest surnames and given names in pinyin are added to them
(CHINESE_COMMON, most common first), so "woaini1314" or "zhangwei1985" count as guessable.
A password must need at least 10^MIN_GUESSES_LOG10 guesses.
"""

from __future__ import annotations

from collections.abc import Iterable

from pypinyin import lazy_pinyin
from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

MIN_PASSWORD = 8
MAX_PASSWORD = 200
# zxcvbn's estimate of the guesses needed, as a power of ten: 10^9 is about three years of online
# guessing at 10 a second, a day offline against the slow hash. (Its score 3 starts at 10^8, which
# three very common parts, a surname, a given name and a year, just reach.)
MIN_GUESSES_LOG10 = 9
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
def _words(text: str) -> list[str]:
    return text.split()


# The passwords most common among Chinese users (published analyses of leaked password lists), the
# commonest surnames and the commonest given names, in pinyin; each list most common first.
CHINESE_COMMON = {
    "chinese_passwords": _words(
        "123456789 12345678 11111111 dearbook 00000000 123123123 1234567890 88888888 111111111 147258369"
        " 987654321 aaaaaaaa 1111111111 66666666 a123456789 11223344 1qaz2wsx xiazhili 789456123 87654321"
        " qqqqqqqq 000000000 qq123456 31415926 12344321 0000000000 1q2w3e4r 123456abc 0123456789 123654789"
        " 12121212 qazwsxedc abcd1234 12341234 110110110 asdasdasd 22222222 123321123 abc123456 a12345678"
        " 123456123 a1234567 1234qwer qwertyui 123456789a woaini woaini1314 5201314 1314520 520520 woaini520"
        " 1qaz2wsx3edc zxcvbnm 147258 159357 741852963 123qwe qweasdzxc iloveyou aini1314 wodemima mima"
        " mima123 gongzuo zhongguo beijing shanghai gonghui"),
    "chinese_surnames": _words(
        "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie"
        " song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lv"
        " ding ren lu yao shen zhong cui tan fan liao shi jin jia xia fu fang zou xiong bai meng qin qiu hou"
        " yin xue yan duan lei long shao qian tao"),
    "chinese_given_names": _words(
        "wei fang na min jing li qiang lei jun yang yong yan jie juan tao ming chao xiuying xia ping gang"
        " guiying hua hui hong xin bin bo yu ying xiang dan lan yun qing feng hao fei kai ning rui xiaoming"
        " jianguo jianhua guoqiang jianjun haiyan guihua xiulan"),
}
add_frequency_lists(CHINESE_COMMON)

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
    if result["guesses_log10"] >= MIN_GUESSES_LOG10:
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
