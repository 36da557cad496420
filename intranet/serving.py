"""Serving with waitress: login attempts run in a lane of their own, away from the threads serving pages.

Every `POST /login` and `POST /password` (the requests that run argon2) is queued for
LOGIN_THREADS threads of their own; every other request goes to the page threads. The
lane is paced: an attempt holds it for at least LOGIN_PACE seconds and then rests as long
as it worked, so it keeps at most half of one core busy; on Linux its thread also runs at
a lower CPU priority (nice LOGIN_NICENESS), so the page threads come first. Sixteen
clients hammering the login then wait among themselves, hash one at a time, and leave
the page threads to the users at work. An office has tens of staff: the lane still
serves several logins a second with the argon2 parameters in intranet/credentials.py.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Any

from waitress.task import ThreadedTaskDispatcher

LOGIN_PATHS = frozenset({"/login", "/password"})
LOGIN_THREADS = 1
LOGIN_PACE = 0.05  # seconds: at most 20 login attempts a second in all
LOGIN_NICENESS = 10


class _Paced:
    """A task that, once served, holds its lane until LOGIN_PACE has passed."""

    def __init__(self, task: Any) -> None:
        self.task = task

    def service(self) -> None:
        started = time.monotonic()
        try:
            self.task.service()
        finally:
            worked = time.monotonic() - started
            time.sleep(max(LOGIN_PACE - worked, worked))

    def cancel(self) -> None:
        self.task.cancel()

    def __repr__(self) -> str:
        return f"paced {self.task!r}"


class _LowPriorityDispatcher(ThreadedTaskDispatcher):
    """Waitress's dispatcher whose threads run at a lower CPU priority where the system allows it."""

    def handler_thread(self, thread_no: int) -> None:
        if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOGIN_NICENESS)
        super().handler_thread(thread_no)


class LoginLane:
    """A waitress task dispatcher: login attempts to their own paced thread, the rest to the page threads."""

    def __init__(self, page_threads: int) -> None:
        self.pages = ThreadedTaskDispatcher()
        self.logins = _LowPriorityDispatcher()
        self.set_thread_count(page_threads)

    def set_thread_count(self, count: int) -> None:
        """Run `count` page threads (and the login lane)."""
        self.pages.set_thread_count(count)
        self.logins.set_thread_count(LOGIN_THREADS if count else 0)

    def add_task(self, task: Any) -> None:
        """Queue a request in its lane."""
        if is_login_attempt(task):
            self.logins.add_task(_Paced(task))
        else:
            self.pages.add_task(task)

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        """Stop both lanes."""
        pages = self.pages.shutdown(cancel_pending, timeout)
        logins = self.logins.shutdown(cancel_pending, timeout)
        return pages and logins


def is_login_attempt(task: Any) -> bool:
    """Whether a waitress task is a POST to one of the password-checking routes."""
    request = getattr(task, "request", None)
    return getattr(request, "command", None) == "POST" and getattr(request, "path", None) in LOGIN_PATHS
