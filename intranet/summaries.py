"""The sentence shown for each audit-trail entry, rendered at display time.

The audit trail stores structured facts; this module turns them into words in the
reader's language (Chinese today; an English catalogue can come later through _()).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _

from aggregates.settings import SPECS
from intranet.formatting import day, role_label, setting_value
from projections.audit_trail import Entry
from projections.settings_history import typed_value

Summary = Callable[[dict[str, Any]], str]


def _roles(facts: dict[str, Any]) -> str:
    return "、".join(role_label(r) for r in facts.get("roles", []))


def _setting(facts: dict[str, Any]) -> str:
    spec = SPECS.get(facts["key"])
    if spec is None:
        return _("设置 %(key)s 为 %(value)s", key=facts["key"], value=facts["value"])
    value = setting_value(spec, typed_value(spec, str(facts["value"])))
    return _("设置“%(label)s”为 %(value)s，自%(day)s起生效",
             label=spec.label, value=value, day=day(facts["effective_from"]))


SUMMARIES: dict[tuple[str, str], Summary] = {
    ("Office", "Founded"): lambda f: _("建立单位“%(name)s”（时区 %(tz)s）", name=f["name"], tz=f["timezone"]),
    ("Office", "Renamed"): lambda f: _("单位更名为“%(name)s”", name=f["name"]),
    ("Settings", "ValueSet"): _setting,
    ("Settings", "ValueChanged"): _setting,
    ("UserAccount", "Registered"): lambda f: _(
        "开设用户 %(username)s（%(name)s），角色：%(roles)s",
        username=f["username"], name=f["display_name"], roles=_roles(f)),
    ("UserAccount", "RolesChanged"): lambda f: _("角色改为：%(roles)s", roles=_roles(f)),
    ("UserAccount", "Deactivated"): lambda _f: _("停用账号"),
    ("UserAccount", "Reactivated"): lambda _f: _("恢复使用账号"),
    ("UserAccount", "PasswordReset"): lambda _f: _("设置新密码"),
    ("UserAccount", "PhoneChanged"): lambda f: _("更新电话号码") if f.get("phone") else _("清除电话号码"),
    ("UserAccount", "PersonalDataErased"): lambda _f: _("删除个人信息（密钥已销毁）"),
    ("UniqueKey", "Claimed"): lambda f: _("登记唯一标识（%(kind)s）", kind=f["kind"]),
}

STREAM_LABELS = {
    "Office": "单位",
    "Settings": "设置",
    "UserAccount": "用户",
    "UniqueKey": "唯一标识",
}


def summary(entry: Entry) -> str:
    """The sentence for one audit entry."""
    render = SUMMARIES.get((entry.stream_type, entry.event_type))
    if render is None:
        return f"{entry.stream_type}.{entry.event_type}"
    return render(entry.facts)


def stream_label(stream_type: str) -> str:
    """单位, 设置, 用户, …"""
    return _(STREAM_LABELS.get(stream_type, stream_type))
