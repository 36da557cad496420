"""Personal data is sealed with a per-person key; erasing destroys the key, not the log."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from uuid import UUID

import pytest

from aggregates.application import UnionOffice
from aggregates.chain import verify_sqlite
from aggregates.errors import InvalidInput
from aggregates.personal_data import KeyStore, Sealed
from aggregates.user_account import UserAccount
from tests.conftest import acting, system

PHONE = "13800138000"


def _register_wang(office: UnionOffice) -> UUID:
    return office.register_user(system(office), "wang", "王芳", ["accountant"], phone=PHONE)


def _erase(office: UnionOffice, user_id: UUID) -> None:
    office.erase_user_personal_data(acting(office, "erase_user_personal_data"), user_id, "本人申请删除个人信息")


def _file_bytes(path: Path) -> bytes:
    """The database file plus its write-ahead log, if there is one."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _registered(office: UnionOffice, user_id: UUID) -> UserAccount.Registered:
    first = next(iter(office.events.get(user_id)))
    assert isinstance(first, UserAccount.Registered)
    return first


def test_the_plaintext_phone_is_nowhere_in_the_event_log_files(office: UnionOffice) -> None:
    _register_wang(office)

    stored = _file_bytes(office.data_dir / "events.sqlite")

    assert "王芳".encode() in stored  # the user's event is in the bytes read
    assert PHONE.encode("ascii") not in stored
    assert PHONE.encode("utf-16-le") not in stored


def test_the_registered_event_holds_a_sealed_phone_that_unseals_to_the_number(
    office: UnionOffice,
) -> None:
    user_id = _register_wang(office)

    sealed = _registered(office, user_id).phone

    assert isinstance(sealed, Sealed)
    assert sealed.subject_id == user_id
    assert PHONE.encode() not in sealed.ciphertext
    assert office.keys.unseal(sealed) == PHONE


def test_erasing_destroys_the_users_key(office: UnionOffice) -> None:
    user_id = _register_wang(office)
    assert office.keys.has_key(user_id)

    _erase(office, user_id)

    assert not office.keys.has_key(user_id)


def test_after_erasure_the_sealed_phone_unseals_to_none(office: UnionOffice) -> None:
    user_id = _register_wang(office)
    sealed = _registered(office, user_id).phone
    assert isinstance(sealed, Sealed)

    _erase(office, user_id)

    assert office.keys.unseal(sealed) is None
    assert office.user(user_id).phone is None


def test_erasure_is_recorded_as_an_event_in_the_log(office: UnionOffice) -> None:
    user_id = _register_wang(office)

    _erase(office, user_id)

    events = list(office.events.get(user_id))
    assert isinstance(events[-1], UserAccount.PersonalDataErased)
    assert events[-1].reason == "本人申请删除个人信息"


def test_the_chain_still_verifies_after_erasure_because_it_covers_the_ciphertext(
    office: UnionOffice,
) -> None:
    before = office.recorder.max_notification_id()  # the office, admin and the fixture's staff accounts
    user_id = _register_wang(office)
    _erase(office, user_id)
    office.close()

    report = verify_sqlite(office.data_dir / "events.sqlite")

    assert report.ok, report.problem
    assert report.events == before + 2  # and then: wang registered, wang erased


def test_the_destroyed_key_bytes_are_gone_from_the_key_file(office: UnionOffice) -> None:
    user_id = _register_wang(office)
    with sqlite3.connect(office.data_dir / "keys.sqlite") as conn:
        (key,) = conn.execute(
            "SELECT key FROM subject_keys WHERE subject_id = ?", (user_id.hex,)
        ).fetchone()
    conn.close()
    key = bytes(key)
    assert len(key) == 32
    assert key in _file_bytes(office.data_dir / "keys.sqlite")

    _erase(office, user_id)

    assert key not in _file_bytes(office.data_dir / "keys.sqlite")


def test_changing_the_phone_after_erasure_is_refused_and_records_nothing(
    office: UnionOffice,
) -> None:
    user_id = _register_wang(office)
    _erase(office, user_id)
    before = office.recorder.max_notification_id()

    with pytest.raises(InvalidInput):
        office.change_user_phone(acting(office, "change_user_phone"), user_id, "13900139000")

    assert office.recorder.max_notification_id() == before
    assert not office.keys.has_key(user_id)


def test_blind_gives_the_same_digest_for_the_same_kind_and_key(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    first = KeyStore(data_dir / "keys.sqlite").blind("id_number", "110101199003074512")
    again = KeyStore(data_dir / "keys.sqlite").blind("id_number", "110101199003074512")

    assert first == again
    assert len(first) == 64


def test_blind_differs_across_kinds_for_the_same_key(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    keys = KeyStore(data_dir / "keys.sqlite")

    assert keys.blind("id_number", PHONE) != keys.blind("phone", PHONE)


def test_blind_differs_across_keys_of_the_same_kind(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    keys = KeyStore(data_dir / "keys.sqlite")

    assert keys.blind("phone", PHONE) != keys.blind("phone", "13900139000")
