"""`manage.py import_complaints FILE --source NAME --as EMAIL [--mapping JSON-or-path] [--dry-run]`

Imports a victims' group's or a consumer association's spreadsheet (CSV or .xlsx, one complaint per row) the way
the moderators' upload page does: the file is kept as an ImportJob, run in this process, and listed on the
imports page. Rows are filed as the --as account; importing the same file again under the same --source adds
nothing. --dry-run checks every row and saves nothing. Progress goes to stderr, the summary and the rejected rows
to stdout.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from complaints import importing
from complaints.models import ImportJob

MSG_NO_USER = _("No account has the email address “%(email)s”.")
MSG_CANNOT_READ = _("Cannot read “%(path)s”: %(error)s.")
MSG_PROGRESS = _("%(processed)d of %(total)d rows")
MSG_SUMMARY = _(
    "%(total)d rows: %(created)d complaints created, %(duplicates)d already imported, %(rejected)d rejected."
)
MSG_DRY_RUN_SUMMARY = _(
    "Dry run, nothing was saved. %(total)d rows: %(created)d complaints would be created, %(duplicates)d already "
    "imported, %(rejected)d rejected."
)
MSG_REJECTED_ROW = _("Row %(row)s (line %(line)d):")
MSG_REPORT_TRUNCATED = _("Only the first %(count)d rejected rows are listed.")


def _plain(text):
    return text


class Command(BaseCommand):
    help = "Import complaints from a CSV or .xlsx spreadsheet, one complaint per row."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument("--source", required=True, help="who the rows come from; rows are unique per source")
        parser.add_argument("--as", dest="user_email", required=True, help="email of the account filing the rows")
        parser.add_argument(
            "--mapping",
            default="",
            help='column mapping as JSON, e.g. \'{"narrative": "经过"}\', or the path of a JSON file holding it',
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")

    def handle(self, *args, file, source, user_email, mapping, dry_run, **options):
        user = get_user_model().objects.filter(email__iexact=user_email.strip()).first()
        if user is None:
            raise CommandError(MSG_NO_USER % {"email": user_email})
        path = Path(file)
        data = self._read(path)
        try:
            source = importing.source_clean(source)
            prepared = importing.import_prepare(
                data=data, name=path.name, mapping=importing.mapping_parse(self._mapping_text(mapping))
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if dry_run:
            self._dry_run(prepared=prepared, user=user, source=source)
            return
        job = importing.import_job_create(
            user=user,
            source=source,
            upload=ContentFile(data),
            file_name=path.name,
            mapping=prepared.mapping,
            total_rows=prepared.total_rows,
            enqueue=False,
        )
        importing.import_job_run(job_id=job.pk, on_progress=self._progress)
        job.refresh_from_db()
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.error)
        self._summary(MSG_SUMMARY, job.processed_rows, job.created_count, job.duplicate_count, job.rejected_count)
        self._report(job.report, job.rejected_count)

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(MSG_CANNOT_READ % {"path": path, "error": error.strerror or error}) from None

    def _mapping_text(self, value: str) -> str:
        """JSON typed on the command line, or the path of a file holding it."""
        value = (value or "").strip()
        if not value or value.startswith("{"):
            return value
        return self._read(Path(value)).decode("utf-8-sig", errors="replace")

    def _progress(self, job) -> None:
        self.stderr.write(MSG_PROGRESS % {"processed": job.processed_rows, "total": job.total_rows}, _plain)

    def _dry_run(self, *, prepared: importing.Prepared, user, source: str) -> None:
        counts = {importing.CREATED: 0, importing.DUPLICATE: 0, importing.REJECTED: 0}
        report = []
        total = prepared.total_rows
        with translation.override(importing.language_of(user)):
            outcomes = importing.rows_import(
                table=prepared.table, columns=prepared.columns, user=user, source=source, dry_run=True
            )
            for processed, outcome in enumerate(outcomes, start=1):
                counts[outcome.result] += 1
                if outcome.result == importing.REJECTED and len(report) < importing.jobs.REPORT_LIMIT:
                    report.append(outcome.report_entry())
                if processed % importing.jobs.PROGRESS_EVERY_ROWS == 0 or processed == total:
                    self.stderr.write(MSG_PROGRESS % {"processed": processed, "total": total}, _plain)
        self._summary(
            MSG_DRY_RUN_SUMMARY,
            total,
            counts[importing.CREATED],
            counts[importing.DUPLICATE],
            counts[importing.REJECTED],
        )
        self._report(report, counts[importing.REJECTED])

    def _summary(self, message, total: int, created: int, duplicates: int, rejected: int) -> None:
        params = {"total": total, "created": created, "duplicates": duplicates, "rejected": rejected}
        self.stdout.write(message % params, self.style.SUCCESS)

    def _report(self, report: list[dict], rejected: int) -> None:
        for entry in report:
            self.stdout.write(MSG_REJECTED_ROW % {"row": entry["row"], "line": entry["line"]})
            for name, messages in entry["errors"].items():
                for message in messages:
                    self.stdout.write(f"  {name}: {message}")
        if rejected > len(report):
            self.stdout.write(MSG_REPORT_TRUNCATED % {"count": len(report)})
