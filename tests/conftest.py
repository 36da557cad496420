"""Shared fixtures: a real SQLite office in tmp_path, a pinned clock, the web app and its client."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from aggregates.application import UnionOffice
from aggregates.envelope import Context
from aggregates.errors import DomainError, InvalidInput
from aggregates.roles import COMMAND_ROLES, ROLES, SYSTEM_COMMANDS
from aggregates.user_account import UserAccount
from intranet import create_app
from intranet.backend import Backend
from projections import ALL, users
from projections.engine import ReadModels

# 2026-03-08 09:30 in Asia/Shanghai: a Sunday morning, pinned for every test.
PINNED = datetime(2026, 3, 8, 1, 30, tzinfo=UTC)
PASSWORD = "correct-horse-9"
STAFF_ROLES = ("admin", "chair", "vice_chair", "office", "accountant", "cashier", "auditor", "secretariat")

# Cheap hashing for tests: the argon2 parameters are not what is under test.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = PINNED) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session_clock() -> Clock:
    """The time sessions and login throttling count in, moved apart from the business clock."""
    return Clock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "office"


@pytest.fixture
def office(data_dir: Path, clock: Clock) -> Iterator[UnionOffice]:
    """A founded office on a real SQLite file, with one account per staff role (usernames as username_of)."""
    app = UnionOffice(data_dir, clock=clock, timezone="Asia/Shanghai")
    app.found_office(app.system_context("test"), "测试街道工会工作委员会", "Asia/Shanghai", "admin", "管理员")
    register_staff(app)
    yield app
    app.close()


def register_staff(office: UnionOffice) -> None:
    """One account per staff role but admin (who founded the office), registered as the CLI would."""
    for role in STAFF_ROLES[1:]:
        if UserAccount.id_for(username_of(role)) not in office.repository:
            office.register_user(office.system_context("test"), username_of(role), f"{role}用户", [role])


@pytest.fixture
def read_models(office: UnionOffice, data_dir: Path) -> ReadModels:
    models = ReadModels(office, data_dir, ALL)
    models.ensure_ready()
    return models


@contextmanager
def refused(office: UnionOffice, error: type[DomainError] = InvalidInput,
            match: str | None = None) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """The command inside is refused with `error` (and `match`), and nothing is appended to the log."""
    before = office.recorder.max_notification_id()
    with pytest.raises(error, match=match) as info:
        yield info
    assert office.recorder.max_notification_id() == before


def system(office: UnionOffice) -> Context:
    """A context for the test acting as the system (which may only found the office and open accounts)."""
    return office.system_context("test")


def as_role(office: UnionOffice, role: str, actor: str | None = None) -> Context:
    """A context for the staff account holding `role`, or for a second person `actor` holding it (their
    account is opened on first use, so open it before a `refused` block)."""
    username = username_of(role) if actor is None else "t" + hashlib.sha256(f"{actor}:{role}".encode()).hexdigest()[:12]
    user_id = UserAccount.id_for(username)
    if user_id not in office.repository:
        office.register_user(system(office), username, actor or f"{role}用户", [role])
    return office.context(str(user_id), role)


# The role that may run the command whatever its arguments: the finance settings are the chair's alone.
PREFERRED_ROLE = {"set_setting": "chair"}


def acting(office: UnionOffice, command: str, occurred_on: date | None = None) -> Context:
    """A context that may run `command`: the system for its few commands, else the staff account of the first
    role the command table allows."""
    if command in SYSTEM_COMMANDS:
        return office.system_context("test", occurred_on)
    role = PREFERRED_ROLE.get(command) or next(r for r in ROLES if r in COMMAND_ROLES[command])
    ctx = as_role(office, role)
    return office.context(ctx.actor, role, occurred_on) if occurred_on else ctx


@pytest.fixture
def app(data_dir: Path, clock: Clock, session_clock: Clock) -> Iterator[Flask]:
    """The intranet on a founded office with one user per staff role (password PASSWORD)."""
    flask_app = create_app({
        "TESTING": True,
        "DATA_DIR": data_dir,
        "CLOCK": clock,
        "SESSION_CLOCK": session_clock,
        "TIMEZONE": "Asia/Shanghai",
        "PASSWORD_HASHER": FAST_HASHER,
        "SECRET_KEY": "test-secret",
    })
    backend: Backend = flask_app.extensions["intranet"]
    ctx = backend.office.system_context("test")
    admin = backend.office.found_office(ctx, "测试街道工会工作委员会", "Asia/Shanghai", "admin", "管理员")
    backend.credentials.set_password(admin, PASSWORD)
    register_staff(backend.office)
    for role in STAFF_ROLES[1:]:
        backend.credentials.set_password(UserAccount.id_for(username_of(role)), PASSWORD)
    backend.read_models.catch_up()
    yield flask_app
    backend.close()


@pytest.fixture
def backend(app: Flask) -> Backend:
    return app.extensions["intranet"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def username_of(role: str) -> str:
    """The fixture user holding `role` (admin is 'admin', vice_chair is 'vicechair')."""
    return role.replace("_", "")


def csrf_from(html: str) -> str:
    """The CSRF token of a rendered page."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match[1]


class Session:
    """A logged-in test client that knows its CSRF token."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token

    def get(self, url: str, **kw: object):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, *, htmx: bool = False, **kw: object):
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token}, headers=headers, **kw)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Session:
    """Log in through the real form; fails the test if the login is refused."""
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.text
    return Session(client, csrf_from(client.get("/").text))


def first_login(client: FlaskClient, username: str, given: str, own: str) -> Session:
    """Log in with the password someone else set, then replace it as the intranet insists; returns the session."""
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": given, "csrf_token": token})
    assert response.headers.get("Location") == "/password", response.text
    token = csrf_from(client.get("/password").text)
    changed = client.post("/password", data={"current_password": given, "password": own, "password_confirm": own,
                                             "csrf_token": token})
    assert changed.status_code == 302, changed.text
    return Session(client, csrf_from(client.get("/").text))


def user_id_of(backend: Backend, username: str) -> UUID:
    with backend.read_models.reading() as conn:
        user = users.by_username(conn, username)
    assert user is not None
    return user.user_id
