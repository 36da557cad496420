"""Errors the write side raises when it refuses a command.

Each carries a Chinese message template (the UI is Chinese; msgids are Chinese so
an English catalogue can be added later) and the values to fill it with. A refused
command appends nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A command was refused; nothing was recorded."""

    message: ClassVar[str] = "操作未能完成"

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.template = message or self.message
        self.params = params
        super().__init__(self.text())

    def text(self) -> str:
        """The message with its values filled in (untranslated)."""
        return self.template % self.params if self.params else self.template


class InvalidInput(DomainError):
    """A value given to a command is not acceptable."""

    message = "输入有误"

    def __init__(self, message: str | None = None, *, field: str | None = None, **params: Any):
        self.field = field
        super().__init__(message, **params)


class NotPermitted(DomainError):
    """The actor's role may not run this command."""

    message = "您的角色（%(role)s）无权执行此操作"


class NotFound(DomainError):
    """The thing the command names does not exist."""

    message = "找不到该记录"


class StaleEdit(DomainError):
    """The form was built from an older version than the one now recorded."""

    message = "该记录已被他人修改（您看到的是第 %(seen)s 版，现为第 %(current)s 版），请刷新后重新填写"


class AlreadyExists(DomainError):
    """Something that must be unique is already recorded."""

    message = "该记录已存在"


class DuplicateSubmission(DomainError):
    """The same form (idempotency key) was submitted twice."""

    message = "该表单已经提交过，未重复记录"


class SettingMissing(DomainError):
    """An action needs a setting the office has not configured."""

    message = "缺少设置：请先在“设置”中配置“%(label)s”"


class WritesHeld(DomainError):
    """The log failed its integrity check: nothing is recorded until an admin acts."""

    message = "记录链核验失败（第 %(position)s 条），系统已暂停记录任何操作，请联系系统管理员"
