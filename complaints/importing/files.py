"""Reading an uploaded spreadsheet into a Table of Rows.

A file is refused by its name and size before it is read; a CSV is decoded as UTF-8, or as GB18030 as Chinese
Excel exports it, and an .xlsx is opened only when what it unpacks to is within the limits. The header row is
found among the top rows, and the data rows under it keep their numbers in the sheet.
"""

import csv
import io
import itertools
import unicodedata
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from complaints.importing.columns import _header_key, _known_header_keys
from complaints.uploads import extension_of, sanitize_filename

EXTENSIONS = ("csv", "xlsx")
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 200
# An .xlsx is a zip: what it unpacks to is capped as well, so ten megabytes cannot expand into gigabytes.
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
# Sheets often start with a title or notes above the header row.
HEADER_SEARCH_ROWS = 10
# Excel keeps formatted but empty rows; a gap this long ends the table instead of being read to row 1,048,576.
MAX_BLANK_GAP = 1000

MSG_EXTENSION = _("“%(name)s” is not a CSV or Excel (.xlsx) file.")
MSG_TOO_BIG = _("“%(name)s” is larger than %(limit)s.")
MSG_EMPTY = _("“%(name)s” is empty.")
MSG_NOT_TEXT = _("“%(name)s” is not a CSV text file. Save the spreadsheet as CSV (UTF-8) or as .xlsx.")
MSG_BAD_CSV = _("“%(name)s” could not be read as CSV near line %(line)d.")
MSG_NOT_XLSX = _("“%(name)s” could not be opened as an Excel workbook. Save it as .xlsx or as CSV (UTF-8).")
MSG_XLSX_TOO_LARGE = _("“%(name)s” holds more data than an import takes. Split it into smaller files.")
MSG_NO_HEADER = _("“%(name)s” has no header row: a row naming the columns must come before the data.")
MSG_TOO_MANY_ROWS = _("“%(name)s” has more than %(limit)d rows. Split it into smaller files.")


@dataclass
class Table:
    """A sheet's header row and the data rows under it (blank ones kept, so row numbers match the sheet)."""

    headers: list[str]
    header_line: int
    rows: list[list] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    """One data row: its line in the sheet, its 1-based number under the header, its cells."""

    line: int
    number: int
    cells: list


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError({"file": [ValidationError(message, code=code, params=params)]})


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def file_check(*, name: str, size: int) -> None:
    """Refuse a file by its name and size alone, before reading it."""
    name = sanitize_filename(name)
    if extension_of(name) not in EXTENSIONS:
        raise _refuse(MSG_EXTENSION, "unsupported_type", name=name)
    if size == 0:
        raise _refuse(MSG_EMPTY, "empty", name=name)
    if size > MAX_FILE_BYTES:
        raise _refuse(MSG_TOO_BIG, "too_big", name=name, limit=filesizeformat(MAX_FILE_BYTES))


def _decode(data: bytes, name: str) -> str:
    # NUL bytes never occur in a text CSV; executables, images and zips are full of them.
    if b"\x00" in data:
        raise _refuse(MSG_NOT_TEXT, "not_text", name=name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text):
            break
        return text
    raise _refuse(MSG_NOT_TEXT, "not_text", name=name)


def _delimiter(text: str) -> str:
    """Comma, tab or semicolon, whichever the first lines use most (European Excel writes semicolons)."""
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    counts = {delimiter: sample.count(delimiter) for delimiter in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _csv_rows(data: bytes, name: str):
    text = _decode(data, name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for row in reader:
            yield row[:MAX_COLUMNS]
    except csv.Error:
        raise _refuse(MSG_BAD_CSV, "unreadable", name=name, line=reader.line_num) from None


def _xlsx_rows(data: bytes, name: str):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _refuse(MSG_NOT_XLSX, "unreadable", name=name) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise _refuse(MSG_XLSX_TOO_LARGE, "too_big", name=name)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types (KeyError, ValueError, XML errors) for a broken workbook.
        raise _refuse(MSG_NOT_XLSX, "unreadable", name=name) from None
    try:
        sheet = workbook.active or workbook.worksheets[0]
        yield from (list(row) for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))
    except Exception:
        raise _refuse(MSG_NOT_XLSX, "unreadable", name=name) from None
    finally:
        workbook.close()


def table_read(*, data: bytes, name: str, headers: list[str] = ()) -> Table:
    """The sheet in a CSV or .xlsx file. The header row is the first of the top rows naming a known field or
    one of `headers` (a mapping's columns), else the first row with any text."""
    name = sanitize_filename(name)
    file_check(name=name, size=len(data))
    rows = _csv_rows(data, name) if extension_of(name) == "csv" else _xlsx_rows(data, name)
    try:
        return _table(rows, name=name, wanted=set(_known_header_keys()) | {_header_key(h) for h in headers})
    finally:
        rows.close()


def _table(rows, *, name: str, wanted: set[str]) -> Table:
    top = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    header_index = next(
        (i for i, row in enumerate(top) if any(_header_key(cell) in wanted for cell in row if not _blank(cell))),
        next((i for i, row in enumerate(top) if any(not _blank(cell) for cell in row)), None),
    )
    if header_index is None:
        raise _refuse(MSG_NO_HEADER, "no_header", name=name)
    names = ["" if _blank(cell) else str(cell).strip() for cell in top[header_index]]
    table = Table(headers=names, header_line=header_index + 1)
    gap = 0
    for row in itertools.chain(top[header_index + 1 :], rows):
        if all(_blank(cell) for cell in row):
            gap += 1
            if gap > MAX_BLANK_GAP:
                break
            continue
        if len(table.rows) + gap >= MAX_ROWS:
            raise _refuse(MSG_TOO_MANY_ROWS, "too_many_rows", name=name, limit=MAX_ROWS)
        table.rows.extend([[]] * gap)
        table.rows.append(row)
        gap = 0
    return table


def table_rows(table: Table) -> list[Row]:
    """The data rows that hold anything, numbered as they sit under the header."""
    return [
        Row(line=table.header_line + number, number=number, cells=cells)
        for number, cells in enumerate(table.rows, start=1)
        if cells
    ]
