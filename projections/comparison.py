"""Read models are derived and untrusted: the live file is compared, table by table, with a
fresh fold of the log built into a scratch file beside it (never pointed at), and every
difference is named: table, key, column, the live value and the fresh one.

Compared: every table, index, trigger and view the files hold, `projection_state` included
(a position moved by hand would make catch-up skip or repeat events). Ignored, because they
legitimately differ and are no read-model data: SQLite's own objects (`sqlite_sequence`
counters, `sqlite_stat*` planner statistics, `sqlite_autoindex_*`), which depend on how a
file was written (page by page or in one run, analysed or not), not on what it says.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projections.engine import ReadModels

_OBJECTS = "SELECT type, name, sql FROM {db}.sqlite_master WHERE name NOT LIKE 'sqlite_%'"
ALIGN_ATTEMPTS = 3


@dataclass(frozen=True)
class Difference:
    """One way the live read models differ from a fresh fold of the log."""

    table: str
    key: str | None  # "col=value, …" of the row; None for the file's structure
    column: str | None
    live: Any
    fresh: Any

    def line(self) -> str:
        """The difference as the fund review committee reads it."""
        if self.key is None:
            return f"读模型 {self.table}（结构）：现存 {_show(self.live)}，按记录重建为 {_show(self.fresh)}"
        where = f"读模型 {self.table}（{self.key}）"
        if self.column is not None:
            return f"{where} 的 {self.column}：现存 {_show(self.live)}，按记录重建为 {_show(self.fresh)}"
        return f"{where}：现存文件多出此行，按记录重建没有" if self.fresh is None else f"{where}：现存文件缺少此行"


def compare_with_fresh(models: ReadModels) -> list[Difference]:
    """Fold the whole log into a scratch file and compare the live read models with it."""
    with tempfile.TemporaryDirectory(dir=models.data_dir, prefix=".views-check-") as scratch:
        fresh = Path(scratch) / "views.sqlite"
        models.build(fresh)
        live = models.path
        problems = _align(models, live, fresh)
        return problems + differences(live, fresh)


def _align(models: ReadModels, live: Path, fresh: Path) -> list[Difference]:
    """Bring both files to the log's end, so events appended meanwhile are not differences."""
    for _ in range(ALIGN_ATTEMPTS):
        try:
            models.catch_up_file(live)
        except sqlite3.Error as error:  # a damaged live file may refuse the next events
            return [Difference("projection_state", "catch-up", "position", f"无法追上记录（{error}）", "追上记录")]
        models.catch_up_file(fresh)
        if _positions(live) == _positions(fresh):
            break
    return []


def _positions(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute("SELECT name, position FROM projection_state ORDER BY name")]
    finally:
        conn.close()


def differences(live: Path, fresh: Path) -> list[Difference]:
    """Every difference between two read-model files, structure first, then rows by key."""
    conn = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS fresh", (f"file:{fresh}?mode=ro",))
        found, same_tables = _structure(conn)
        for table in same_tables:
            found += list(_rows(conn, table))
        return found
    finally:
        conn.close()


def _structure(conn: sqlite3.Connection) -> tuple[list[Difference], list[str]]:
    """Objects that differ, and the tables defined alike in both files (the ones whose rows compare)."""
    live = {(t, n): s for t, n, s in conn.execute(_OBJECTS.format(db="main"))}
    fresh = {(t, n): s for t, n, s in conn.execute(_OBJECTS.format(db="fresh"))}
    found = [Difference(name, None, None, _object(kind, live.get((kind, name))), _object(kind, fresh.get((kind, name))))
             for kind, name in sorted(live.keys() | fresh.keys()) if live.get((kind, name)) != fresh.get((kind, name))]
    tables = sorted(n for (t, n), s in live.items() if t == "table" and fresh.get((t, n)) == s)
    return found, tables


def _object(kind: str, sql: str | None) -> str | None:
    return f"{kind} {sql}" if sql is not None else None


def _rows(conn: sqlite3.Connection, table: str) -> Iterator[Difference]:
    info = conn.execute(f'PRAGMA main.table_info("{table}")').fetchall()
    columns = [r[1] for r in info]
    key = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
    if key:
        yield from _keyed(conn, table, columns, key)
    else:
        yield from _counted(conn, table, columns)


def _keyed(conn: sqlite3.Connection, table: str, columns: Sequence[str], key: Sequence[str]) -> Iterator[Difference]:
    """Rows paired by primary key: a changed column, an extra row, a missing row."""
    live, fresh = _except(conn, table, columns, "main", "fresh"), _except(conn, table, columns, "fresh", "main")
    at = [columns.index(k) for k in key]
    live_by = {tuple(r[i] for i in at): r for r in live}
    fresh_by = {tuple(r[i] for i in at): r for r in fresh}
    for k in sorted(live_by.keys() | fresh_by.keys(), key=repr):
        shown = ", ".join(f"{name}={_show(value)}" for name, value in zip(key, k, strict=True))
        a, b = live_by.get(k), fresh_by.get(k)
        if a is None or b is None:
            yield Difference(table, shown, None, a, b)
            continue
        for i, column in enumerate(columns):
            if a[i] != b[i] or type(a[i]) is not type(b[i]):
                yield Difference(table, shown, column, a[i], b[i])


def _counted(conn: sqlite3.Connection, table: str, columns: Sequence[str]) -> Iterator[Difference]:
    """A table without a key compares as a multiset: each distinct row and how often it occurs."""
    names = ", ".join(f'"{c}"' for c in columns)
    counts = {}
    for db in ("main", "fresh"):
        rows = conn.execute(f'SELECT {names}, COUNT(*) FROM {db}."{table}" GROUP BY {names}')  # noqa: S608 - names from the schema
        counts[db] = {tuple(r[:-1]): r[-1] for r in rows}
    for row in sorted(counts["main"].keys() | counts["fresh"].keys(), key=repr):
        a, b = counts["main"].get(row, 0), counts["fresh"].get(row, 0)
        if a != b:
            shown = ", ".join(f"{c}={_show(v)}" for c, v in zip(columns, row, strict=True))
            yield Difference(table, shown, "行数", a, b)


def _except(conn: sqlite3.Connection, table: str, columns: Sequence[str], left: str,
            right: str) -> list[tuple[Any, ...]]:
    """Rows of `left` that `right` does not hold exactly."""
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'SELECT {names} FROM {left}."{table}" EXCEPT SELECT {names} FROM {right}."{table}"'  # noqa: S608 - schema names
    return [tuple(r) for r in conn.execute(sql)]


def _show(value: Any) -> str:
    if value is None:
        return "空"
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)
