"""`intranet verify --views`: the live read models against a fresh fold of the log, on a real
office with money and members; an insider's SQL in the read-model file is named, and
`intranet rebuild` repairs it."""

from __future__ import annotations

from pathlib import Path

from tests.integrity_helpers import demo, demo_template, intranet, sql, views_file

__all__ = ["demo", "demo_template"]  # fixtures


def _a_cash_line(data_dir: Path) -> tuple[str, str, int, int]:
    """One debit to cash on hand (101) in a book: its key and amount in fen."""
    rows = sql(views_file(data_dir), "SELECT book_id, key, line_no, debit FROM lines WHERE account LIKE '101%'"
                                     " AND debit > 0 ORDER BY book_id, key, line_no LIMIT 1")
    assert rows, "the demo books have no cash receipts"
    book_id, key, line_no, debit = rows[0]
    return str(book_id), str(key), int(line_no), int(debit)


def _an_active_member(data_dir: Path) -> str:
    (member_id,), *_ = sql(views_file(data_dir), "SELECT member_id FROM members WHERE status = 'active'"
                                                  " ORDER BY member_id LIMIT 1")
    return str(member_id)


def test_the_demo_offices_read_models_match_a_fresh_fold(demo: Path) -> None:
    pointer = (demo / "views.current").read_text()

    result = intranet(demo, "verify", "--views")

    assert result.returncode == 0, result.stderr
    assert "读模型与按记录重建的结果一致" in result.stdout
    assert (demo / "views.current").read_text() == pointer  # the scratch fold is never pointed at
    assert not list(demo.glob(".views-check-*"))


def test_a_forged_cash_line_amount_is_named_with_both_values(demo: Path) -> None:
    book_id, key, line_no, debit = _a_cash_line(demo)
    sql(views_file(demo), "UPDATE lines SET debit = debit + 100000 WHERE book_id = ? AND key = ? AND line_no = ?",
        (book_id, key, line_no))

    result = intranet(demo, "verify", "--views")

    assert result.returncode == 1
    assert (f"读模型 lines（book_id=“{book_id}”, key=“{key}”, line_no={line_no}） 的 debit："
            f"现存 {debit + 100000}，按记录重建为 {debit}") in result.stderr
    assert "有 1 处不符" in result.stderr
    assert "核验通过" not in result.stdout


def test_a_member_status_changed_by_sql_is_named(demo: Path) -> None:
    member_id = _an_active_member(demo)
    sql(views_file(demo), "UPDATE members SET status = 'withdrawn' WHERE member_id = ?", (member_id,))

    result = intranet(demo, "verify", "--views")

    assert result.returncode == 1
    assert (f"读模型 members（member_id=“{member_id}”） 的 status：现存 “withdrawn”，按记录重建为 “active”"
            in result.stderr)


def test_a_deleted_cash_line_and_an_inserted_one_are_named(demo: Path) -> None:
    book_id, key, line_no, _debit = _a_cash_line(demo)
    live = views_file(demo)
    sql(live, "INSERT INTO lines SELECT book_id, key, 99, account, debit, credit, memo, voucher_date, closing,"
              " position FROM lines WHERE book_id = ? AND key = ? AND line_no = ?", (book_id, key, line_no))
    sql(live, "DELETE FROM lines WHERE book_id = ? AND key = ? AND line_no = ?", (book_id, key, line_no))

    result = intranet(demo, "verify", "--views")

    assert result.returncode == 1
    assert f"读模型 lines（book_id=“{book_id}”, key=“{key}”, line_no=99）：现存文件多出此行" in result.stderr
    assert f"读模型 lines（book_id=“{book_id}”, key=“{key}”, line_no={line_no}）：现存文件缺少此行" in result.stderr


def test_a_trigger_planted_in_the_read_model_file_is_named(demo: Path) -> None:
    sql(views_file(demo), "CREATE TRIGGER skim AFTER INSERT ON lines BEGIN UPDATE lines SET debit = 0"
                          " WHERE rowid = new.rowid; END")

    result = intranet(demo, "verify", "--views")

    assert result.returncode == 1
    assert "读模型 skim（结构）：现存 “trigger CREATE TRIGGER skim" in result.stderr


def test_a_projection_position_moved_forward_is_named(demo: Path) -> None:
    (position,), *_ = sql(views_file(demo), "SELECT position FROM projection_state WHERE name = 'roster'")
    sql(views_file(demo), "UPDATE projection_state SET position = position + 1000 WHERE name = 'roster'")

    result = intranet(demo, "verify", "--views")

    assert result.returncode == 1
    assert f"读模型 projection_state（name=“roster”） 的 position：现存 {position + 1000}，按记录重建为 {position}" \
        in result.stderr


def test_rebuild_repairs_what_verify_views_found(demo: Path) -> None:
    book_id, key, line_no, debit = _a_cash_line(demo)
    member_id = _an_active_member(demo)
    sql(views_file(demo), "UPDATE lines SET debit = debit + 100000 WHERE book_id = ? AND key = ? AND line_no = ?",
        (book_id, key, line_no))
    sql(views_file(demo), "UPDATE members SET status = 'withdrawn' WHERE member_id = ?", (member_id,))
    assert intranet(demo, "verify", "--views").returncode == 1

    rebuilt = intranet(demo, "rebuild")
    result = intranet(demo, "verify", "--views")

    assert rebuilt.returncode == 0, rebuilt.stderr
    assert result.returncode == 0, result.stderr
    assert sql(views_file(demo), "SELECT debit FROM lines WHERE book_id = ? AND key = ? AND line_no = ?",
               (book_id, key, line_no)) == [(debit,)]
    assert sql(views_file(demo), "SELECT status FROM members WHERE member_id = ?", (member_id,)) == [("active",)]

