"""The books' reports as files: XLSX for the accountant's spreadsheet, CSV (UTF-8 with BOM, so Excel
reads the Chinese) for anything else. Amounts stay exact: Decimal in, two decimals out."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font
from werkzeug.wrappers import Response

Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Table:
    """A report as a title, a header row and rows, ready to be written out."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    notes: Sequence[str] = ()


FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting with these


def _safe(cell: Cell) -> Cell:
    """Text a spreadsheet must show as text, never run as a formula (a summary typed as "=1+1", say)."""
    if isinstance(cell, str) and cell.startswith(FORMULA):
        return "'" + cell
    return cell


_NOT_IN_SHEET_TITLES = str.maketrans(dict.fromkeys("\\/?*[]:", "-"))  # Excel refuses these in a sheet's name


def sheet_title(title: str) -> str:
    """A sheet name Excel accepts: none of \\ / ? * [ ] :, at most 31 characters, no apostrophe at either end."""
    return title.translate(_NOT_IN_SHEET_TITLES)[:31].strip("'") or "报表"


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return f"{cell:.2f}"
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def as_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe(table.title)])
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([_text(_safe(cell)) for cell in row])
    for note in table.notes:
        writer.writerow([note])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(table.title)
    sheet.append([table.title])
    sheet["A1"].data_type = "s"  # the title holds the book's name: text, never a formula
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(table.header))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([cell if not isinstance(cell, Decimal) else cell.quantize(Decimal("0.01")) for cell in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA):
                cell.data_type = "s"  # stored as text: openpyxl would otherwise write a formula
            elif isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for note in table.notes:
        sheet.append([note])
    for column in sheet.columns:
        width = max(len(_text(cell.value)) for cell in column[1:]) if len(column) > 1 else 8
        sheet.column_dimensions[column[0].column_letter].width = min(max(width * 1.6, 8), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMATS = ("xlsx", "csv")


def download(table: Table, fmt: str) -> Response:
    """The table as a file to save, named after its title; `fmt` is one of FORMATS."""
    data = as_xlsx(table) if fmt == "xlsx" else as_csv(table)
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                else "text/csv; charset=utf-8")
    filename = quote(f"{table.title}.{fmt}")
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})
