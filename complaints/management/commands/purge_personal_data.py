"""`manage.py purge_personal_data [--dry-run] [--days N]`

The retention job (complaints.privacy.personal_data_purge): erases the personal data of complaints closed more
than settings.PERSONAL_DATA_RETENTION_DAYS ago (or N days) and deletes import spreadsheets finished as long ago.
The complaints stay, counted as before. Run daily (Celery beat, or cron).
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from complaints.privacy import personal_data_purge

MSG_DRY_RUN = _("Would erase the personal data of %(complaints)d complaints and %(imports)d import spreadsheets.")
MSG_DONE = _("Erased the personal data of %(complaints)d complaints and %(imports)d import spreadsheets.")
MSG_FAILED = _("%(failed)d complaints could not be erased (see the log); the next run tries again.")


class Command(BaseCommand):
    help = "Erase the personal data of complaints closed longer than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be erased; change nothing.")
        parser.add_argument(
            "--days", type=int, default=None, help="Retention in days (default: PERSONAL_DATA_RETENTION_DAYS)."
        )

    def handle(self, *args, dry_run, days, **options):
        if days is not None and days < 0:
            raise CommandError("--days must not be negative.")
        older_than = timedelta(days=days) if days is not None else None
        result = personal_data_purge(older_than=older_than, dry_run=dry_run)
        counts = {"complaints": result.complaints, "imports": result.imports}
        self.stdout.write(str((MSG_DRY_RUN if dry_run else MSG_DONE) % counts))
        if result.failed:
            raise CommandError(str(MSG_FAILED % {"failed": result.failed}))
