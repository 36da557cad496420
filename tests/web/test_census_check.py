"""ORG-05: the census is checked against an outside register extract; the check is recorded."""

from __future__ import annotations

import io
from uuid import UUID

import pytest
from flask import Flask

from intranet.backend import Backend
from tests import roster_helpers as helpers
from tests.conftest import Session, login


@pytest.fixture
def clerk(app: Flask) -> Session:
    return login(app.test_client(), "office")


def _upload(clerk: Session, body: bytes, source: str = "tax"):
    return clerk.client.post("/enterprises/check", data={
        "csrf_token": clerk.token, "source": source, "file": (io.BytesIO(body), "register.csv")},
        content_type="multipart/form-data")


def _registered(backend: Backend, name: str, workers: int) -> tuple[UUID, str]:
    enterprise_id = helpers.enterprise(backend.office, workers=workers, name=name)
    backend.read_models.catch_up()
    return enterprise_id, backend.office.repository.get(enterprise_id).credit_code


def test_the_check_lists_what_the_register_and_the_census_say_differently(clerk: Session, backend: Backend):
    """ORG-05: missing from the census, not in the register, different names, different headcounts."""
    _, same = _registered(backend, "和平精密机械有限公司", 40)
    _, renamed = _registered(backend, "新华便民超市", 6)
    _, gone = _registered(backend, "已停业的小店", 3)
    unknown = helpers.credit_code()
    body = ("统一社会信用代码,名称,职工人数\n"
            f"{same},和平精密机械有限公司,80\n{renamed},新华便民超市有限公司,6\n{unknown},未登记的公司,12\n")
    page = _upload(clerk, body.encode("gb18030")).text
    assert "名录中有、尚未登记（1 家）" in page
    assert "未登记的公司" in page
    assert "已登记、名录中没有（1 家" in page
    assert "已停业的小店" in page
    assert "名称不一致（1 家）" in page
    assert "职工人数差异超过两成（1 家）" in page
    assert gone not in page.split("历次核对")[1]


def test_a_check_is_recorded_with_the_files_fingerprint_and_its_findings(clerk: Session, backend: Backend):
    _, code = _registered(backend, "和平精密机械有限公司", 40)
    before = backend.office.recorder.max_notification_id()
    _upload(clerk, f"统一社会信用代码,名称\n{code},和平精密机械有限公司\n".encode())
    assert backend.office.recorder.max_notification_id() == before + 1
    history = clerk.get("/enterprises/check").text
    assert "历次核对" in history
    assert "税务登记" in history


@pytest.mark.parametrize(("body", "message"), [
    (b"", "请选择名录文件"),
    ("名称,地址\n甲,乙\n".encode(), "须有“统一社会信用代码”和“名称”两列"),
    ("统一社会信用代码,名称\n123,甲\n".encode(), "第 2 行的统一社会信用代码无效"),
    (b"\xff\xfe\x00\x00garbage", "编码无法识别"),
    ("统一社会信用代码,名称\n\x00".encode(), "统一社会信用代码无效"),
])
def test_a_bad_register_file_is_refused_with_a_message_and_nothing_recorded(
        clerk: Session, backend: Backend, body: bytes, message: str):
    before = backend.office.recorder.max_notification_id()
    response = _upload(clerk, body)
    assert response.status_code == 200
    assert message in response.text
    assert backend.office.recorder.max_notification_id() == before


def test_only_the_roster_keeper_checks_the_census(app: Flask):
    auditor = login(app.test_client(), "auditor")
    assert auditor.get("/enterprises/check").status_code == 403
