"""A login flood on a real waitress server does not slow the pages of signed-in users by more than 2×.

The server is `intranet serve` in its own process, on 127.0.0.1, with the real argon2
parameters; the 16 flooding clients are another process (so they do not share the
measuring client's interpreter). Each flood is bounded in requests and in time and
stops by itself. The page latency is a median over many requests, compared with the
same run's baseline (the signed-in user alone, before and after), never with an
absolute time.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from intranet.backend import Backend
from tests.conftest import PASSWORD

INTRANET = Path(sys.executable).with_name("intranet")
FLOODERS = 16
SAMPLES = 160
ROUNDS = 4
FLOOD_SECONDS = 60  # the flood stops by itself at the latest after this
FLOOD_REQUESTS = 20_000  # ... or after this many requests in all

# The flooding clients: each GETs the login form once, then POSTs logins as fast as the server
# answers. The test steers them through standard input: "pause" (answered "paused" once no request
# is in flight), "go", "stop" (answered with the count of answers by status). Each stops by itself
# after its share of FLOOD_REQUESTS or after FLOOD_SECONDS.
FLOOD = r"""
import http.client, os, re, sys, threading, time
os.nice(19)  # the clients stand in for other computers: their own CPU must not be taken from the server
from urllib.parse import urlencode
port, seconds, total, mode = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
users, password = sys.argv[5].split(","), sys.argv[6]
deadline = time.monotonic() + seconds
counts, cond = {}, threading.Condition()
state = {"go": False, "stop": False, "idle": 0, "done": 0}
def client(n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
    for i in range(total // 16):
        with cond:
            state["idle"] += 1
            cond.notify_all()
            while not state["go"] and not state["stop"] and time.monotonic() < deadline:
                cond.wait(0.1)
            state["idle"] -= 1
            if state["stop"] or time.monotonic() > deadline:
                break
        guess = password if mode == "right" else f"wrong-guess-{n}-{i}"
        body = urlencode({"username": users[n % len(users)], "password": guess, "csrf_token": token})
        conn.request("POST", "/login", body=body, headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        with cond:
            counts[response.status] = counts.get(response.status, 0) + 1
    conn.close()
    with cond:
        state["done"] += 1
        cond.notify_all()
threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
for t in threads: t.start()
for line in sys.stdin:
    command = line.strip()
    with cond:
        if command == "go":
            state["go"] = True
            cond.notify_all()
        elif command == "pause":
            state["go"] = False
            while state["idle"] + state["done"] < 16 and time.monotonic() < deadline:
                cond.wait(0.1)
        elif command == "stop":
            state["stop"] = True
            cond.notify_all()
    if command == "stop":
        break
    print(command, flush=True)
for t in threads: t.join()
print(counts, flush=True)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _office(data_dir: Path) -> None:
    """A founded office with the chair and the accounts the flood logs in to, real argon2 parameters."""
    backend = Backend.open(data_dir, timezone="Asia/Shanghai")
    ctx = backend.office.system_context("test")
    admin = backend.office.found_office(ctx, "测试街道工会工作委员会", "Asia/Shanghai", "admin", "管理员")
    backend.credentials.set_password(admin, PASSWORD)
    for username, role in (("chair", "chair"), ("office", "office"), ("secretariat", "secretariat")):
        user_id = backend.office.register_user(ctx, username, f"{username}用户", [role])
        backend.credentials.set_password(user_id, PASSWORD)
    backend.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    """`intranet serve` on a free port of 127.0.0.1, stopped after the test."""
    data_dir = tmp_path / "office"
    _office(data_dir)
    port = _free_port()
    env = {**os.environ, "INTRANET_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [str(INTRANET), "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


class User:
    """A signed-in browser: one keep-alive connection and its session cookie."""

    def __init__(self, port: int, username: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        html, cookie = self._get("/login", None)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert token and cookie
        body = urlencode({"username": username, "password": PASSWORD, "csrf_token": token[1]})
        self.conn.request("POST", "/login", body=body, headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = self.conn.getresponse()
        response.read()
        assert response.status == 302, response.status
        self.cookie = response.getheader("Set-Cookie").split(";")[0]

    def close(self) -> None:
        self.conn.close()

    def _get(self, path: str, cookie: str | None) -> tuple[str, str | None]:
        self.conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = self.conn.getresponse()
        html = response.read().decode()
        assert response.status == 200, (path, response.status)
        set_cookie = response.getheader("Set-Cookie")
        return html, set_cookie.split(";")[0] if set_cookie else None

    def page_seconds(self, samples: int) -> list[float]:
        """The time of each of `samples` requests for the dashboard."""
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            html, _cookie = self._get("/", self.cookie)
            times.append(time.perf_counter() - started)
            assert "首页" in html
        return times


class Flood:
    """The flooding process, steered through its standard input."""

    def __init__(self, port: int, mode: str) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the flood script above, fixed arguments
            [sys.executable, "-c", FLOOD, str(port), str(FLOOD_SECONDS), str(FLOOD_REQUESTS), mode,
             "office,secretariat", PASSWORD],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def say(self, command: str) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == command

    def stop(self) -> str:
        counts, _err = self.process.communicate("stop\n", timeout=FLOOD_SECONDS + 30)
        return counts.strip()


@pytest.mark.parametrize("mode", [
    pytest.param("right", id="every login right: argon2 on each, in the login lane"),
    pytest.param("wrong", id="every login wrong: the throttle refuses without hashing"),
])
def test_sixteen_clients_flooding_the_login_do_not_slow_a_signed_in_users_pages_more_than_twice(
        server: int, mode: str) -> None:
    chair = User(server, "chair")
    flood = Flood(server, mode)
    alone: list[float] = []
    flooded: list[float] = []
    try:
        chair.page_seconds(20)  # warm up
        # Alternate short phases, so that the machine's other load falls on both sides alike.
        for _ in range(ROUNDS):
            flood.say("pause")
            alone += chair.page_seconds(SAMPLES // ROUNDS)
            flood.say("go")
            time.sleep(0.3)  # let the flood reach full speed
            flooded += chair.page_seconds(SAMPLES // ROUNDS)
    finally:
        counts = flood.stop()
        chair.close()
    alone_median, flooded_median = statistics.median(alone), statistics.median(flooded)
    print(f"{mode}: alone {alone_median * 1000:.1f} ms, flooded {flooded_median * 1000:.1f} ms, answers {counts}")
    assert flooded_median <= 2 * alone_median, (
        f"median page {flooded_median * 1000:.1f} ms under the flood, {alone_median * 1000:.1f} ms alone;"
        f" the flood's answers {counts}")
