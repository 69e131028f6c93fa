"""Import jobs: a file prepared into a job, and the job run row by row in a worker.

A job is durable: its row is the record of the work (DESIGN.md section 4). It is enqueued after commit, swept
again when the broker lost it, and a run that died resumes where its last saved progress left off; the rows it
imported after that point are then found as already imported. One run at a time holds a job: a lease in the
cache (shared Redis in production) says a run is alive, and each saved progress is fenced by the attempt number,
so a run that lost its lease cannot overwrite a newer run's counters.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext_lazy as _

from complaints.importing.columns import columns_for
from complaints.importing.files import Table, table_read, table_rows
from complaints.importing.rows import CREATED, DUPLICATE, RowOutcome, rows_import
from complaints.models import ImportJob
from complaints.uploads import extension_of, sanitize_filename

logger = logging.getLogger(__name__)

# The job page shows rejected rows; the counters count them all.
REPORT_LIMIT = 1000

PROGRESS_EVERY_ROWS = 25
PROGRESS_EVERY_SECONDS = 5.0
MAX_ATTEMPTS = 3
SWEEP_AFTER = timedelta(minutes=5)
# Refreshed at each saved progress; a run silent for this long is taken for dead and may be resumed.
LEASE_SECONDS = 300

MSG_GAVE_UP = _(
    "The import stopped %(count)d times before finishing and was given up. The rows imported so far are kept: "
    "import the file again to add the others."
)


@dataclass(frozen=True)
class Prepared:
    """A readable file and its columns: what an import job is created from."""

    table: Table
    columns: dict[str, int]

    @property
    def mapping(self) -> dict[str, str]:
        return {name: self.table.headers[index] for name, index in self.columns.items()}

    @property
    def total_rows(self) -> int:
        return len(table_rows(self.table))


def import_prepare(*, data: bytes, name: str, mapping: dict[str, str | None]) -> Prepared:
    """Read the file and find its columns; ValidationError keyed "file" or "mapping" when either is wrong."""
    headers = [h for h in mapping.values() if h]
    table = table_read(data=data, name=name, headers=headers)
    return Prepared(table=table, columns=columns_for(table.headers, mapping))


def language_of(user) -> str:
    try:
        return get_supported_language_variant(user.preferred_language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def source_clean(source: str) -> str:
    """The source name rows are recorded under; importing again under the same name adds nothing."""
    source = (source or "").strip()
    try:
        return ImportJob._meta.get_field("source").clean(source, None)
    except ValidationError as error:
        raise ValidationError({"source": error.error_list}) from None


@transaction.atomic
def import_job_create(
    *, user, source: str, upload, file_name: str, mapping: dict, total_rows: int, enqueue: bool = True
) -> ImportJob:
    """Store the file privately and record the job; a worker runs it after commit (unless `enqueue` is off:
    the management command runs it in its own process)."""
    file_name = sanitize_filename(file_name)
    job = ImportJob(
        source=source_clean(source),
        created_by=user,
        file_name=file_name[: ImportJob._meta.get_field("file_name").max_length],
        mapping=mapping,
        total_rows=total_rows,
    )
    # A generated name: nothing the uploader typed reaches the file system or the bucket.
    job.file.save(f"{uuid.uuid4().hex}.{extension_of(file_name)}", upload, save=False)
    job.save()
    if enqueue:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _lease_key(job_id: int) -> str:
    return f"imports:lease:{job_id}"


def _published_key(job_id: int) -> str:
    return f"imports:published:{job_id}"


def _publish(job_id: int) -> None:
    """A broker outage is logged, not raised: the job stays queued and imports_sweep publishes it again."""
    from complaints.tasks import import_run

    try:
        import_run.delay(job_id)
    except Exception:  # kombu raises several types for an unreachable broker; all mean "later".
        logger.warning("import job %s not enqueued; the sweeper will retry", job_id, exc_info=True)


def _enqueue(job_id: int) -> None:
    cache.set(_published_key(job_id), True, SWEEP_AFTER.total_seconds())
    _publish(job_id)


def imports_sweep(*, limit: int = 100) -> int:
    """Publish again the jobs a broker outage or a dead worker left behind: queued or running, older than
    SWEEP_AFTER, with no live run and not published in the last SWEEP_AFTER."""
    cutoff = timezone.now() - SWEEP_AFTER
    ids = ImportJob.objects.filter(
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING], created_at__lt=cutoff
    ).order_by("created_at")
    published = 0
    for job_id in ids.values_list("pk", flat=True)[:limit]:
        if cache.get(_lease_key(job_id)) is not None:
            continue
        if not cache.add(_published_key(job_id), True, SWEEP_AFTER.total_seconds()):
            continue
        _publish(job_id)
        published += 1
    return published


def _claim(job_id: int, token: str) -> ImportJob | None:
    """Take the job for this run, or None: finished, locked by another claim, or held by a live run.

    A running job with no lease was left by a run that died; it is resumed, and each claim counts an attempt.
    """
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .select_related("created_by")
            .filter(pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
            .first()
        )
        if job is None or not cache.add(_lease_key(job.pk), token, LEASE_SECONDS):
            return None
        job.attempts += 1
        if job.attempts > MAX_ATTEMPTS:
            with translation.override(language_of(job.created_by)):
                job.error = str(MSG_GAVE_UP % {"count": MAX_ATTEMPTS})
            job.status, job.finished_at = ImportJob.Status.FAILED, timezone.now()
            job.save(update_fields=["attempts", "status", "error", "finished_at"])
            cache.delete(_lease_key(job.pk))
            return None
        job.status = ImportJob.Status.RUNNING
        job.save(update_fields=["attempts", "status"])
    return job


def _release(job_id: int, token: str) -> None:
    if cache.get(_lease_key(job_id)) == token:
        cache.delete(_lease_key(job_id))


class _Progress:
    """Saves a run's counters now and then; False once another run has taken the job over."""

    def __init__(self, job: ImportJob, token: str, on_progress):
        self.job, self.token, self.on_progress = job, token, on_progress
        self.unsaved_rows, self.report_changed, self.saved_at = 0, False, time.monotonic()

    def add(self, outcome: RowOutcome) -> bool:
        job = self.job
        job.processed_rows += 1
        if outcome.result == CREATED:
            job.created_count += 1
        elif outcome.result == DUPLICATE:
            job.duplicate_count += 1
        else:
            job.rejected_count += 1
            if len(job.report) < REPORT_LIMIT:
                job.report.append(outcome.report_entry())
                self.report_changed = True
        self.unsaved_rows += 1
        if self.unsaved_rows >= PROGRESS_EVERY_ROWS or time.monotonic() - self.saved_at >= PROGRESS_EVERY_SECONDS:
            return self.save()
        return True

    def save(self, **final) -> bool:
        job = self.job
        values = {
            "total_rows": job.total_rows,
            "processed_rows": job.processed_rows,
            "created_count": job.created_count,
            "duplicate_count": job.duplicate_count,
            "rejected_count": job.rejected_count,
            **final,
        }
        if self.report_changed or final:
            values["report"] = job.report
        # Fenced by the attempt number: a run that lost the job to a newer attempt writes nothing.
        saved = ImportJob.objects.filter(pk=job.pk, attempts=job.attempts, status=ImportJob.Status.RUNNING).update(
            **values
        )
        if not saved:
            logger.warning("import job %s was taken over by a newer run; this one stops", job.pk)
            return False
        cache.set(_lease_key(job.pk), self.token, LEASE_SECONDS)
        self.unsaved_rows, self.report_changed, self.saved_at = 0, False, time.monotonic()
        if self.on_progress is not None:
            self.on_progress(job)
        return True


def _fail(job: ImportJob, error: ValidationError) -> None:
    job.status, job.error, job.finished_at = ImportJob.Status.FAILED, " ".join(error.messages), timezone.now()
    ImportJob.objects.filter(pk=job.pk, attempts=job.attempts).update(
        status=job.status, error=job.error, finished_at=job.finished_at
    )


def import_job_run(*, job_id: int, on_progress=None) -> ImportJob | None:
    """Import a job's rows from where its saved progress stands; None when another run has it or it is over.

    `on_progress(job)` is called after each saved progress (the management command prints it).
    """
    token = uuid.uuid4().hex
    job = _claim(job_id, token)
    if job is None:
        return None
    try:
        with translation.override(language_of(job.created_by)):
            try:
                with job.file.open("rb") as stream:
                    data = stream.read()
                table = table_read(data=data, name=job.file_name, headers=[h for h in job.mapping.values() if h])
                columns = columns_for(table.headers, job.mapping, detect=False)
            except ValidationError as error:
                _fail(job, error)
                return job
            job.total_rows = len(table_rows(table))
            progress = _Progress(job, token, on_progress)
            outcomes = rows_import(
                table=table, columns=columns, user=job.created_by, source=job.source, start=job.processed_rows
            )
            for outcome in outcomes:
                if not progress.add(outcome):
                    return None
            job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
            if not progress.save(status=job.status, finished_at=job.finished_at):
                return None
            return job
    finally:
        _release(job.pk, token)


# Reading jobs ------------------------------------------------------------------------------------------


def import_jobs_recent(*, user, limit: int = 20) -> list[ImportJob]:
    if not (user.is_authenticated and user.is_moderator):
        raise Http404
    return list(ImportJob.objects.select_related("created_by")[:limit])


def import_job_get_for_user(*, user, uuid) -> ImportJob:
    """A job for a moderator; 404 to anyone else, as if it did not exist."""
    if not (user.is_authenticated and user.is_moderator):
        raise Http404
    job = ImportJob.objects.select_related("created_by").filter(uuid=uuid).first()
    if job is None:
        raise Http404
    return job
