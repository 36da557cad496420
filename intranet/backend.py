"""The office's backend for one process: the application, the read models and the
credentials, built once from configuration and shared by every request thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID, uuid4

from argon2 import PasswordHasher

from aggregates.application import Clock, UnionOffice, utc_now
from intranet.credentials import Credentials
from intranet.integrity import Break, ChainWatch, Checkpoints
from intranet.throttle import LoginThrottle
from projections import ALL
from projections.engine import ReadModels

DEMO_MARKER = "DEMO"


@dataclass
class Backend:
    """Everything a request or a CLI command needs to act and to read."""

    office: UnionOffice
    read_models: ReadModels
    credentials: Credentials
    chain: ChainWatch
    throttle: LoginThrottle

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        clock: Clock = utc_now,
        session_clock: Clock | None = None,
        timezone: str | None = None,
        hasher: PasswordHasher | None = None,
        new_id: Callable[[], UUID] = uuid4,
    ) -> Backend:
        """Open (creating if needed) the office stored in `data_dir`.

        `clock` gives the business time; `session_clock` (default: the same) the time that sessions and
        login throttling count in, which tests move apart from the business date.
        """
        office = UnionOffice(data_dir, clock=clock, timezone=timezone, new_id=new_id)
        chain = ChainWatch(data_dir / "events.sqlite", Checkpoints(data_dir / "keys.sqlite"))
        credentials = Credentials(data_dir / "keys.sqlite", hasher, session_clock or clock)
        throttle = LoginThrottle(data_dir / "keys.sqlite", session_clock or clock)
        backend = cls(office, ReadModels(office, data_dir, ALL), credentials, chain, throttle)
        backend.integrity(persist=True)  # before anything is projected or served
        backend.read_models.ensure_ready()
        return backend

    def integrity(self, *, persist: bool = False) -> Break | None:
        """Re-verify the chain's new tail; while it is broken, hold every command and the read
        models at the last good position. Returns the break, or None."""
        broken = self.chain.check(persist=persist)
        self.office.held_at = broken.position if broken else None
        self.read_models.stop = broken.position - 1 if broken else None
        return broken

    @property
    def data_dir(self) -> Path:
        return self.office.data_dir

    @property
    def is_demo(self) -> bool:
        """Whether this data folder holds the demo office."""
        return (self.data_dir / DEMO_MARKER).exists()

    def close(self) -> None:
        """Release the database connections."""
        self.office.close()
