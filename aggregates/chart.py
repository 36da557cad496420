"""The chart of accounts of the trade-union accounting standard, edition 2021.

《工会会计制度》 (财政部 财会〔2021〕7号, in force 2022-01-01), 附录1 第二部分 会计科目名称和编号 and
第三部分 会计科目使用说明. The level-1 accounts and the prescribed level-2 accounts are fixed: they may not
be merged, renamed or extended (总说明 一「本制度已规定的一级科目，不得减并、自行增设；本制度已规定的明细科目，
不得减并，不得擅自更改科目名称」). An office adds its own sub-accounts below them.

Codes are the standard's own: three digits at level 1 (101 库存现金), two more per level below
(50404 困难职工帮扶支出, then 5040401 for an office's own sub-account). A book's chart uses the
grassroots accounts (基层工会, 24), plus county-level ones the office needs (the note under the grassroots
table allows it); a street union that collects from small unions and holds funds for them uses 132, 212 and
221 as well.
"""

from __future__ import annotations

from dataclasses import dataclass

EDITION = "《工会会计制度》（财会〔2021〕7号）"

ASSET, LIABILITY, NET_ASSET, INCOME, EXPENSE = "asset", "liability", "net_asset", "income", "expense"
CATEGORIES = {ASSET: "资产类", LIABILITY: "负债类", NET_ASSET: "净资产类", INCOME: "收入类", EXPENSE: "支出类"}
DEBIT, CREDIT = "debit", "credit"
SIDES = {DEBIT: "借", CREDIT: "贷"}
CASH, BANK = "101", "102"


@dataclass(frozen=True)
class Account:
    """One account of the standard: its code, name, category and the side of its normal balance."""

    code: str
    name: str
    category: str
    side: str

    @property
    def level(self) -> int:
        return level_of(self.code)

    @property
    def parent(self) -> str | None:
        return parent_of(self.code)


def level_of(code: str) -> int:
    return 1 + (len(code) - 3) // 2


def parent_of(code: str) -> str | None:
    return code[:-2] if len(code) > 3 else None


def root_of(code: str) -> str:
    return code[:3]


_CAT = {"资产": ASSET, "负债": LIABILITY, "净资产": NET_ASSET, "收入": INCOME, "支出": EXPENSE}
_SIDE = {"借": DEBIT, "贷": CREDIT}

# Level 1, in the standard's order: (code, name, category, side). 163 and 172 are contra-assets.
LEVEL_ONE: dict[str, Account] = {code: Account(code, name, _CAT[cat], _SIDE[side]) for code, name, cat, side in (
    ("101", "库存现金", "资产", "借"),
    ("102", "银行存款", "资产", "借"),
    ("111", "零余额账户用款额度", "资产", "借"),
    ("121", "财政应返还额度", "资产", "借"),
    ("131", "应收上级经费", "资产", "借"),
    ("132", "应收下级经费", "资产", "借"),
    ("135", "其他应收款", "资产", "借"),
    ("141", "库存物品", "资产", "借"),
    ("151", "投资", "资产", "借"),
    ("161", "在建工程", "资产", "借"),
    ("162", "固定资产", "资产", "借"),
    ("163", "累计折旧", "资产", "贷"),
    ("171", "无形资产", "资产", "借"),
    ("172", "累计摊销", "资产", "贷"),
    ("181", "长期待摊费用", "资产", "借"),
    ("182", "待处理财产损溢", "资产", "借"),
    ("201", "应付职工薪酬", "负债", "贷"),
    ("211", "应付上级经费", "负债", "贷"),
    ("212", "应付下级经费", "负债", "贷"),
    ("215", "其他应付款", "负债", "贷"),
    ("221", "代管经费", "负债", "贷"),
    ("301", "资产基金", "净资产", "贷"),
    ("311", "专用基金", "净资产", "贷"),
    ("321", "工会资金结转", "净资产", "贷"),
    ("322", "工会资金结余", "净资产", "贷"),
    ("331", "财政拨款结转", "净资产", "贷"),
    ("332", "财政拨款结余", "净资产", "贷"),
    ("341", "预算稳定调节基金", "净资产", "贷"),
    ("401", "会费收入", "收入", "贷"),
    ("402", "拨缴经费收入", "收入", "贷"),
    ("403", "上级补助收入", "收入", "贷"),
    ("404", "政府补助收入", "收入", "贷"),
    ("405", "行政补助收入", "收入", "贷"),
    ("406", "附属单位上缴收入", "收入", "贷"),
    ("407", "投资收益", "收入", "贷"),
    ("408", "其他收入", "收入", "贷"),
    ("411", "动用预算稳定调节基金", "收入", "贷"),
    ("501", "职工活动支出", "支出", "借"),
    ("502", "职工活动组织支出", "支出", "借"),
    ("503", "职工服务支出", "支出", "借"),
    ("504", "维权支出", "支出", "借"),
    ("505", "业务支出", "支出", "借"),
    ("506", "行政支出", "支出", "借"),
    ("507", "资本性支出", "支出", "借"),
    ("508", "补助下级支出", "支出", "借"),
    ("509", "对附属单位的支出", "支出", "借"),
    ("510", "其他支出", "支出", "借"),
    ("521", "安排预算稳定调节基金", "支出", "借"),
)}
# 「基层工会主要会计科目名称和编号」 (24 accounts).
GRASSROOTS = frozenset((
    "101", "102", "131", "135", "141", "162", "163", "182", "211", "215", "301", "321", "322", "401", "402",
    "403", "405", "408", "501", "503", "504", "505", "507", "510",
))
# The street union's own book: the grassroots chart plus 应收/应付下级经费 (it collects from small unions,
# FND-03), 代管经费 (it holds the money of the unions whose books it keeps) and 专用基金 (funds set aside
# for a purpose, such as the hardship fund).
STREET_UNION = GRASSROOTS | {"132", "212", "221", "311"}

# The level-2 accounts the standard numbers (第三部分), each under its level-1 account.
STANDARD_SUB_ACCOUNTS: dict[str, str] = {
    "12101": "财政直接支付",
    "12102": "财政授权支付",
    "13101": "应收上级补助",
    "13102": "应收上级转拨经费",
    "21201": "应付下级补助",
    "21202": "应付下级转拨经费",
    "30101": "库存物品",
    "30102": "投资",
    "30103": "在建工程",
    "30104": "固定资产",
    "30105": "无形资产",
    "30106": "长期待摊费用",
    "32101": "年初余额调整",
    "32102": "单位内部调剂",
    "32103": "本年收支结转",
    "32104": "累计结转",
    "32201": "年初余额调整",
    "32202": "单位内部调剂",
    "32203": "本年收支结转",
    "32204": "结转转入",
    "32205": "累计结余",
    "33101": "年初余额调整",
    "33102": "单位内部调剂",
    "33103": "本年收支结转",
    "33104": "累计结转",
    "33201": "年初余额调整",
    "33202": "归集上缴",
    "33203": "单位内部调剂",
    "33204": "结转转入",
    "33205": "累计结余",
    "40301": "一般性转移支付补助",
    "40302": "专项转移支付补助",
    "40401": "财政拨款收入",
    "40402": "非同级财政拨款收入",
    "50101": "职工教育支出",
    "50102": "文体活动支出",
    "50103": "宣传活动支出",
    "50104": "劳模职工疗休养支出",
    "50105": "会员活动支出",
    "50106": "其他活动支出",
    "50301": "劳动和技能竞赛活动支出",
    "50302": "建家活动支出",
    "50303": "职工创新活动支出",
    "50304": "职工书屋活动支出",
    "50305": "其他服务支出",
    "50401": "劳动关系协调支出",
    "50402": "劳动保护支出",
    "50403": "法律援助支出",
    "50404": "困难职工帮扶支出",
    "50405": "送温暖支出",
    "50406": "其他维权支出",
    "50501": "培训支出",
    "50502": "会议支出",
    "50503": "专项业务支出",
    "50504": "其他业务支出",
    "50601": "工资福利支出",
    "50602": "商品和服务支出",
    "50603": "对个人和家庭的补助支出",
    "50604": "其他行政支出",
    "50701": "房屋建筑物购建",
    "50702": "办公设备购置",
    "50703": "专用设备购置",
    "50704": "交通工具购置",
    "50705": "大型修缮",
    "50706": "信息网络购建",
    "50707": "其他资本性支出",
    "50801": "一般性转移支付补助",
    "50802": "专项转移支付补助",
}

