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
from aggregates.roles import COMMAND_ROLES, ROLES, SYSTEM_COMMANDS

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


@dataclass
class AuthorityReplay:
    """Folds the user accounts in log order and judges each event by the accounts as they stood then."""

    accounts: dict[str, _Account] = field(default_factory=dict)

    def judge(self, topic: str, stream_id: UUID, state: dict[str, object]) -> str | None:
        """The problem with the event (in Chinese), or None; then fold it into the accounts."""
        problem = self._problem(topic, str(state.get("actor", "")), str(state.get("actor_role", "")))
        if topic.startswith(_ACCOUNT):
            self._fold(topic.removeprefix(_ACCOUNT), str(stream_id), state)
        return problem

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


@dataclass(frozen=True)
class Finding:
    """One event that fails the authority replay."""

    position: int
    problem: str


def replay_authority(rows: Iterator[tuple[int, str, str, bytes]]) -> Iterator[Finding]:
    """Judge every stored event, given (position, stream hex, topic, state bytes) in position order."""
    replay = AuthorityReplay()
    for position, stream, topic, state in rows:
        try:
            decoded = json.loads(bytes(state))
        except ValueError:
            yield Finding(position, "记录内容无法解读")
            continue
        if not isinstance(decoded, dict):
            yield Finding(position, "记录内容无法解读")
            continue
        problem = replay.judge(topic, UUID(hex=stream) if len(stream) == 32 else UUID(stream), decoded)
        if problem:
            yield Finding(position, problem)
