"""Importing rows: each row is filed through complaints.services.complaint_submit in its own transaction, so an
imported complaint is validated, linked to its merchant and counted exactly like a filed one."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from complaints.importing.files import Row, Table, table_rows
from complaints.importing.values import _row_id, row_read
from complaints.services import ALREADY_IMPORTED, complaint_submit

MSG_REPEATED_ROW_ID = _("Row id “%(value)s” appears more than once in this file; only its first row is imported.")

CREATED = "created"
DUPLICATE = "duplicate"
REJECTED = "rejected"


@dataclass(frozen=True)
class RowOutcome:
    row: Row
    row_id: str
    result: str
    errors: dict[str, list[str]] = field(default_factory=dict)

    def report_entry(self) -> dict:
        return {"row": self.row_id, "line": self.row.line, "errors": self.errors}


class _Undo(Exception):
    """Rolls back a row's filing: the row had a value that could not be read, or this is a dry run."""


def _messages(errors: dict[str, list[ValidationError]]) -> dict[str, list[str]]:
    return ValidationError(errors).message_dict if errors else {}


def _is_duplicate(error: ValidationError) -> bool:
    return any(e.code == ALREADY_IMPORTED for e in getattr(error, "error_dict", {}).get("source_row", []))


def row_import(
    *, row: Row, columns: dict[str, int], user, source: str, repeated: bool = False, dry_run: bool = False
) -> RowOutcome:
    """File one row in its own transaction. A row with an unreadable value is still passed to complaint_submit
    (then rolled back), so its report lists every problem at once, not one per attempt."""
    filing = row_read(row, columns)
    errors = dict(filing.errors)
    if repeated:
        errors.setdefault("source_row", []).append(
            ValidationError(MSG_REPEATED_ROW_ID, code="repeated", params={"value": filing.row_id})
        )
    # A row without a usable id cannot be filed; it is still checked (and rolled back) for its other errors.
    source, source_row = ("", "") if "source_row" in errors else (source, filing.row_id)
    try:
        with transaction.atomic():
            complaint_submit(
                complainant=user, source=source, source_row=source_row, consent_publish=False, **filing.kwargs
            )
            if errors or dry_run:
                raise _Undo
    except _Undo:
        pass
    except ValidationError as error:
        if _is_duplicate(error):
            return RowOutcome(row=row, row_id=filing.row_id, result=DUPLICATE)
        merged = _messages(errors)
        for name, messages in error.message_dict.items():
            merged.setdefault(name, []).extend(messages)
        return RowOutcome(row=row, row_id=filing.row_id, result=REJECTED, errors=merged)
    if errors:
        return RowOutcome(row=row, row_id=filing.row_id, result=REJECTED, errors=_messages(errors))
    return RowOutcome(row=row, row_id=filing.row_id, result=CREATED)


def _repeated_rows(rows: list[Row], columns: dict[str, int]) -> set[int]:
    """Rows (by number) whose row id an earlier row of the file already has."""
    if "source_row" not in columns:
        return set()
    seen, repeated = set(), set()
    for row in rows:
        row_id = _row_id(row, columns)
        if row_id and row_id in seen:
            repeated.add(row.number)
        seen.add(row_id)
    return repeated


def rows_import(*, table: Table, columns: dict[str, int], user, source: str, start: int = 0, dry_run: bool = False):
    """Yield each row's outcome from the `start`-th row holding data on."""
    rows = table_rows(table)
    repeated = _repeated_rows(rows, columns)
    for row in rows[start:]:
        yield row_import(
            row=row, columns=columns, user=user, source=source, repeated=row.number in repeated, dry_run=dry_run
        )
