"""Authority from the log: which command records which event, and the replay that `intranet verify` runs.

A command is authorised on the write side (UnionOffice._authorise: the actor's UserAccount, as the log
has it now, is active and holds the role). This module lets anyone holding a copy of the log check the
same thing afterwards, event by event: was the actor an active account holding `actor_role` at that
position, and may that role run a command that records this kind of event? A forged event with a valid
chain link (a `RolesChanged` by an account that is not admin, an approval under a role the actor never
held) is named with its position.

The table EVENT_COMMANDS lists, for every event type, the commands that record it. UnionOffice._save
refuses to record an event its command is not listed for, so the table cannot drift from the code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from uuid import UUID

from aggregates.envelope import SYSTEM_PREFIX, SYSTEM_ROLE
from aggregates.event_commands import EVENT_COMMANDS
from aggregates.roles import COMMAND_ROLES, ROLES, SEPARATION, SYSTEM_COMMANDS, broken_lines

_ACCOUNT = "aggregates.user_account:UserAccount."


def topic_of(event: object) -> str:
    """The stored topic of a domain event object."""
    cls = type(event)
    return f"{cls.__module__}:{cls.__qualname__}"


def records(command: str, topic: str) -> bool:
    """Whether `command` is one of the commands that may record events of `topic`."""
    return command in EVENT_COMMANDS.get(topic, ())


def roles_for(topic: str) -> frozenset[str]:
    """Every role that may run some command recording `topic`."""
    commands = EVENT_COMMANDS.get(topic, ())
    return frozenset().union(*(COMMAND_ROLES[c] for c in commands)) if commands else frozenset()


@dataclass
class _Account:
    roles: frozenset[str]
    active: bool = True


_FOUNDED = "aggregates.office:Office.Founded"
_SETTING = "aggregates.settings:Settings."


@dataclass
class AuthorityReplay:
    """Folds the user accounts (and the settings that relax the separation matrix) in log order and judges each
    event by them as they stood then."""

    accounts: dict[str, _Account] = field(default_factory=dict)
    relaxations: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key → [(effective from, value)]
    founded: bool = False

    def judge(self, topic: str, stream_id: UUID, state: dict[str, object]) -> str | None:
        """The problem with the event (in Chinese), or None; then fold it into the accounts."""
        actor = str(state.get("actor", ""))
        problem = self._problem(topic, actor, str(state.get("actor_role", ""))) or self._rule_problem(
            topic, str(stream_id), actor, state)
        if topic.startswith(_ACCOUNT):
            self._fold(topic.removeprefix(_ACCOUNT), str(stream_id), state)
        elif topic.startswith(_SETTING) and state.get("key") in _RELAXING:
            self._note_setting(state)
        self.founded = self.founded or topic == _FOUNDED
        return problem

    def _rule_problem(self, topic: str, account_id: str, actor: str, state: dict[str, object]) -> str | None:
        """The rules a command enforces on accounts, checked again on the record: one founding, nobody's own
        roles, no incompatible roles."""
        if topic == _FOUNDED and self.founded:
            return "本单位已经初始化，不能再次初始化"
        if topic == _ACCOUNT + "RolesChanged" and actor == account_id:
            return f"办理人 {actor} 修改了自己的角色"
        roles = state.get("roles")
        if topic in (_ACCOUNT + "Registered", _ACCOUNT + "RolesChanged") and isinstance(roles, list):
            broken = broken_lines([str(r) for r in roles], self._relaxed(_day(state)))
            if broken:
                line = broken[0]
                return f"账号 {account_id} 兼任{ROLES[line.first]}和{ROLES[line.second]}（{line.source}）"
        return None

    def _note_setting(self, state: dict[str, object]) -> None:
        effective = state.get("effective_from")
        day = str(effective.get("_data_", "")) if isinstance(effective, dict) else ""
        self.relaxations.setdefault(str(state["key"]), []).append((day, str(state.get("value"))))

    def _relaxed(self, day: str) -> frozenset[str]:
        """The matrix lines relaxed on `day` (ISO date): the latest value in force then is "listed"."""
        relaxed = set()
        for key, changes in self.relaxations.items():
            # As Settings.recorded_on: the latest effective date on or before the day; a later record wins ties.
            in_force = [(effective, n, value) for n, (effective, value) in enumerate(changes) if effective <= day]
            if in_force and max(in_force)[2] == "listed":
                relaxed.add(key)
        return frozenset(relaxed)

    def _problem(self, topic: str, actor: str, role: str) -> str | None:
        if topic not in EVENT_COMMANDS:
            return f"未知的记录类型 {topic}"
        if actor.startswith(SYSTEM_PREFIX) or role == SYSTEM_ROLE:
            system = role == SYSTEM_ROLE and actor.startswith(SYSTEM_PREFIX)
            allowed = system and EVENT_COMMANDS[topic] & SYSTEM_COMMANDS
            return None if allowed else f"系统账号 {actor} 不能办理此类事项（{topic}）"
        return self._account_problem(self.accounts.get(actor), actor, role) or (
            None if role in roles_for(topic) else f"“{ROLES.get(role, role)}”无权办理此类事项（{topic}）")

    @staticmethod
    def _account_problem(account: _Account | None, actor: str, role: str) -> str | None:
        if account is None:
            return f"办理人 {actor} 当时不是本系统的账号"
        if not account.active:
            return f"办理人 {actor} 的账号当时已停用"
        if role not in account.roles:
            return f"办理人 {actor} 当时不担任“{ROLES.get(role, role)}”"
        return None

    def _fold(self, name: str, account_id: str, state: dict[str, object]) -> None:
        roles = state.get("roles")
        if name == "Registered" and isinstance(roles, list):
            self.accounts[account_id] = _Account(frozenset(map(str, roles)))
        elif account_id in self.accounts:
            account = self.accounts[account_id]
            if name == "RolesChanged" and isinstance(roles, list):
                account.roles = frozenset(map(str, roles))
            elif name in ("Deactivated", "Reactivated"):
                account.active = name == "Reactivated"


_RELAXING = frozenset(line.relaxed_by for line in SEPARATION if line.relaxed_by)


def _day(state: dict[str, object]) -> str:
    occurred = state.get("occurred_on")
    return str(occurred.get("_data_", "")) if isinstance(occurred, dict) else ""


@dataclass(frozen=True)
class Finding:
    """One event that fails the authority replay."""

    position: int
    problem: str


def replay_authority(rows: Iterator[tuple[int, object, object, object]]) -> Iterator[Finding]:
    """Judge every stored event, given (position, stream hex, topic, state bytes) in position order."""
    replay = AuthorityReplay()
    for position, stream, topic, state in rows:
        try:
            decoded = json.loads(bytes(state))  # type: ignore[arg-type]
            stream_id = UUID(str(stream))
        except (ValueError, TypeError):
            yield Finding(position, "记录内容无法解读")
            continue
        if not isinstance(decoded, dict) or not isinstance(topic, str):
            yield Finding(position, "记录内容无法解读")
            continue
        problem = replay.judge(topic, stream_id, decoded)
        if problem:
            yield Finding(position, problem)
