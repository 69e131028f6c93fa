"""Writes of the dashboards app: the record of every export."""

from django.db import transaction
from django.utils import timezone

from portal.dashboards.models import ExportLog


@transaction.atomic
def export_log_start(*, user, table: str, fmt: str, filters: dict) -> ExportLog:
    """Record an export as it starts, before any row leaves: who, which table, which format, which filters."""
    log = ExportLog(user=user, table=table, format=fmt, filters=filters)
    log.full_clean()
    log.save()
    return log


@transaction.atomic
def export_log_finish(*, log: ExportLog, rows: int) -> ExportLog:
    """Mark the export complete once its last row is written, with the number of rows it carried."""
    log.rows = rows
    log.finished_at = timezone.now()
    log.save(update_fields=["rows", "finished_at"])
    return log
