"""Attachments (scanned invoices and receipts), stored by content: a file's name is its SHA-256, so
the hash in an event names exactly one content, and `verify` can prove every referenced file is
there and unchanged. Files are written once and never changed; a file is written only once the command
that names it has been authorised and validated, and only a file no event names (an orphan) is ever
removed (`intranet attachments prune`)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from aggregates.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
# What an office scans: PDF, JPEG, PNG, recognised by their first bytes, not by their names.
KINDS = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
_HASH = re.compile(r"^[0-9a-f]{64}$")


def kind_of(data: bytes) -> str | None:
    return next((kind for magic, kind in KINDS.items() if data.startswith(magic)), None)


class AttachmentStore:
    """Content-addressed files under one folder: ab/abcdef… (the first two hex digits as a subfolder)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        if not _HASH.match(digest):
            raise InvalidInput("附件编号无效")
        return self.root / digest[:2] / digest

    @staticmethod
    def check(data: bytes) -> str:
        """Refuse what an office does not scan (empty, over 10 MB, not PDF/JPEG/PNG); returns the SHA-256.
        Writes nothing: a command checks every upload before it stores any."""
        if not data:
            raise InvalidInput("附件是空文件", field="files")
        if len(data) > MAX_BYTES:
            raise InvalidInput("单个附件不能超过10MB", field="files")
        if kind_of(data) is None:
            raise InvalidInput("附件须为PDF、JPG或PNG文件", field="files")
        return hashlib.sha256(data).hexdigest()

    def put(self, data: bytes) -> str:
        """Store `data` (a PDF, JPEG or PNG of at most 10 MB); returns its SHA-256."""
        return self.put_new(data)[0]

    def put_new(self, data: bytes) -> tuple[str, bool]:
        """Store `data`; returns its SHA-256 and whether this call wrote the file (it was not there)."""
        digest = self.check(data)
        target = self.path(digest)
        if target.exists():
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        Path(file.name).replace(target)
        return digest, True

    def get(self, digest: str) -> bytes | None:
        path = self.path(digest)
        return path.read_bytes() if path.exists() else None

    def problem(self, digest: str) -> str | None:
        """Why a referenced attachment fails verification: missing or altered (None when it is intact)."""
        data = self.get(digest) if _HASH.match(digest) else None
        if data is None:
            return f"附件 {digest} 不存在"
        if hashlib.sha256(data).hexdigest() != digest:
            return f"附件 {digest} 的内容已被改动"
        return None

    def files(self) -> Iterator[tuple[str, Path]]:
        """Every file in the folder, as (its name, its path): content files and anything else left there."""
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                yield path.name, path

    def orphans(self, named: set[str]) -> list[Path]:
        """The files no event names: a content file whose hash is not in `named`, or a stray file (a write
        cut short leaves one) that is not a content file at its place at all."""
        return [path for name, path in self.files() if name not in named or path != self.path(name)]

    def discard(self, digests: list[str]) -> None:
        """Remove files this process has just written for a command that was then refused by the store."""
        for digest in digests:
            self.path(digest).unlink(missing_ok=True)
