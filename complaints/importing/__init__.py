"""Bulk import: complaints from the spreadsheets victims' groups and consumer associations already keep.

Reading a CSV (UTF-8, or GB18030 as Chinese Excel exports it) or an .xlsx into rows (files), finding which column
holds which complaint field (columns), reading cell values the way people type them (values), filing each row
through complaints.services.complaint_submit (rows), so an imported complaint is validated, linked to its merchant
and counted exactly like a filed one, and running an ImportJob row by row in a worker (jobs).
"""

from complaints.importing.columns import FIELDS, columns_for, mapping_parse
from complaints.importing.files import file_check, table_read, table_rows
from complaints.importing.jobs import (
    Prepared,
    import_job_create,
    import_job_get_for_user,
    import_job_run,
    import_jobs_recent,
    import_prepare,
    imports_sweep,
    language_of,
    source_clean,
)
from complaints.importing.rows import CREATED, DUPLICATE, REJECTED, rows_import

__all__ = [
    "CREATED",
    "DUPLICATE",
    "FIELDS",
    "REJECTED",
    "Prepared",
    "columns_for",
    "file_check",
    "import_job_create",
    "import_job_get_for_user",
    "import_job_run",
    "import_jobs_recent",
    "import_prepare",
    "imports_sweep",
    "language_of",
    "mapping_parse",
    "rows_import",
    "source_clean",
    "table_read",
    "table_rows",
]
