"""Moderators' bulk import pages: upload a spreadsheet, follow its progress, read and download the rejected rows.

Everyone else gets 404: these pages do not exist for them. The work is complaints.importing's; a job runs in a
worker, and its page polls a small progress fragment while it is queued or running.
"""

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from complaints import importing
from complaints.decorators import moderator_required
from complaints.models import Complaint, ImportJob
from complaints.spreadsheets import csv_cell

MSG_QUEUED = _("The file was accepted: %(rows)d rows are queued for import.")
MSG_ROW_ID = _("Row id")
MSG_CSV_LINE = _("Line")
MSG_CSV_ROW = _("Row")
MSG_CSV_COLUMN = _("Column")
MSG_CSV_PROBLEM = _("Problem")

FILE_ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Field labels for the mapping and the report; the victim reference and the row id are not complaint fields.
EXTRA_LABELS = {"complainant_ref": _("victim reference"), "source_row": MSG_ROW_ID, NON_FIELD_ERRORS: MSG_CSV_ROW}


def field_label(name: str) -> str:
    if name in EXTRA_LABELS:
        return capfirst(EXTRA_LABELS[name])
    try:
        return capfirst(Complaint._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a report written by an older version may name a field since removed.
        return name


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet"), widget=forms.FileInput(attrs={"accept": FILE_ACCEPT}))
    source = forms.CharField(
        label=_("Source"),
        max_length=ImportJob._meta.get_field("source").max_length,
        help_text=_(
            "Who the rows come from, for example “Haoyunlai victims' group”. Importing the same file again under "
            "the same source adds nothing new."
        ),
    )
    mapping = forms.CharField(
        label=_("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "dir": "ltr"}),
        help_text=_(
            "Optional. Common headers in Chinese and English are recognised. For others, give JSON from field to "
            'column header, for example {"narrative": "情况说明", "amount": "被骗金额"}; null leaves a field out.'
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request, in the page's language.
        self.fields["file"].help_text = _(
            "A .csv or .xlsx file of at most %(limit)s: a header row naming the columns, then one complaint per row."
        ) % {"limit": filesizeformat(importing.files.MAX_FILE_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            importing.file_check(name=upload.name, size=upload.size)
        except ValidationError as error:
            raise ValidationError(error.error_dict["file"]) from None
        return upload

    def clean_mapping(self):
        try:
            return importing.mapping_parse(self.cleaned_data["mapping"])
        except ValidationError as error:
            raise ValidationError(error.error_dict["mapping"]) from None

    def clean(self):
        cleaned = super().clean()
        upload, mapping = cleaned.get("file"), cleaned.get("mapping")
        if upload is None or mapping is None:
            return cleaned
        upload.seek(0)
        try:
            self.prepared = importing.import_prepare(data=upload.read(), name=upload.name, mapping=mapping)
        except ValidationError as error:
            # Keyed "file" or "mapping": each message shows under the field to fix.
            self.add_error(None, error)
        return cleaned


@moderator_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    """The upload form and the recent jobs."""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            upload.seek(0)
            try:
                job = importing.import_job_create(
                    user=request.user,
                    source=form.cleaned_data["source"],
                    upload=upload,
                    file_name=upload.name,
                    mapping=form.prepared.mapping,
                    total_rows=form.prepared.total_rows,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, MSG_QUEUED % {"rows": job.total_rows})
                return redirect("complaints:import_detail", uuid=job.uuid)
    else:
        form = ImportForm()
    context = {
        "form": form,
        "jobs": importing.import_jobs_recent(user=request.user),
        "fields": [(name, field_label(name)) for name in importing.FIELDS],
    }
    return render(request, "complaints/imports/list.html", context)


def _progress_context(job: ImportJob) -> dict:
    finished = job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED)
    context = {
        "job": job,
        "polling": not finished,
        "counts": [
            (capfirst(ImportJob._meta.get_field(name).verbose_name), getattr(job, name))
            for name in ("created_count", "duplicate_count", "rejected_count")
        ],
        "percent": round(100 * job.processed_rows / job.total_rows) if job.total_rows else 0,
    }
    if finished:
        context["report"] = [
            {
                "row": entry["row"],
                "line": entry.get("line"),
                "errors": [
                    {"field": field_label(name), "column": job.mapping.get(name) or "", "messages": problems}
                    for name, problems in entry["errors"].items()
                ],
            }
            for entry in job.report
        ]
        context["report_truncated"] = job.rejected_count > len(job.report)
    return context


@moderator_required
@require_safe
def import_detail(request, uuid):
    job = importing.import_job_get_for_user(user=request.user, uuid=uuid)
    mapping = [{"field": field_label(name), "column": column} for name, column in job.mapping.items() if column]
    return render(request, "complaints/imports/detail.html", {"mapping": mapping, **_progress_context(job)})


@moderator_required
@require_safe
def import_progress(request, uuid):
    """The job's progress alone, polled by the job page while the job is queued or running."""
    job = importing.import_job_get_for_user(user=request.user, uuid=uuid)
    return render(request, "complaints/imports/_progress.html", _progress_context(job))


@moderator_required
@require_safe
def import_rejected_csv(request, uuid):
    """The rejected rows as CSV (UTF-8 with BOM, so Excel shows Chinese), one line per problem, to fix and
    import again."""
    job = importing.import_job_get_for_user(user=request.user, uuid=uuid)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([MSG_CSV_LINE, MSG_CSV_ROW, MSG_CSV_COLUMN, MSG_CSV_PROBLEM])
    for entry in job.report:
        for name, problems in entry["errors"].items():
            column = job.mapping.get(name) or field_label(name)
            for problem in problems:
                writer.writerow(
                    [csv_cell(entry.get("line", "")), csv_cell(entry["row"]), csv_cell(column), csv_cell(problem)]
                )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{job.uuid}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
