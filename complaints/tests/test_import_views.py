import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from complaints import importing
from complaints.import_views import MSG_QUEUED
from complaints.models import Complaint, ImportJob
from complaints.tests.test_importing import (
    CHINESE_HEADERS,
    CHINESE_ROWS,
    ENGLISH_HEADERS,
    ENGLISH_ROWS,
    SOURCE,
    csv_bytes,
    prepared_job,
    run,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

IMPORTS = reverse("complaints:imports")


def english(message, **params) -> str:
    """A message as the English page shows it, HTML-escaped."""
    with translation.override("en"):
        return escape(str(message) % params if params else str(message))


def logged_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def job_urls(job) -> list[str]:
    return [
        reverse("complaints:import_detail", kwargs={"uuid": job.uuid}),
        reverse("complaints:import_progress", kwargs={"uuid": job.uuid}),
        reverse("complaints:import_rejected_csv", kwargs={"uuid": job.uuid}),
    ]


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def mod(moderator):
    return logged_in(moderator)


@pytest.fixture
def finished_job(moderator):
    return run(prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="名单.csv"))


# Who may see the pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cast", ["complainant", "merchant_rep", "regulator"])
def test_the_import_pages_do_not_exist_for_anyone_but_moderators(request, cast, finished_job):
    client = logged_in(request.getfixturevalue(cast))

    for url in [IMPORTS, *job_urls(finished_job)]:
        assert client.get(url).status_code == 404
    response = client.post(
        IMPORTS, {"source": SOURCE, "file": upload("x.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))}
    )
    assert response.status_code == 404
    assert ImportJob.objects.count() == 1


def test_the_import_pages_do_not_exist_for_anonymous_visitors(finished_job):
    for url in [IMPORTS, *job_urls(finished_job)]:
        assert Client().get(url).status_code == 404


def test_an_unknown_job_is_404(mod):
    assert (
        mod.get(
            reverse("complaints:import_detail", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"})
        ).status_code
        == 404
    )


def test_wrong_methods_are_refused(mod, finished_job):
    assert mod.put(IMPORTS).status_code == 405
    for url in job_urls(finished_job):
        assert mod.post(url).status_code == 405


def test_the_upload_needs_a_csrf_token(moderator):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(moderator)

    response = client.post(
        IMPORTS, {"source": SOURCE, "file": upload("x.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))}
    )

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


# Uploading ------------------------------------------------------------------------------------------------


def test_the_moderator_sees_the_upload_form_and_recent_imports(mod, finished_job):
    response = mod.get(IMPORTS)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'name="source"' in body and 'name="mapping"' in body
    assert reverse("complaints:import_detail", kwargs={"uuid": finished_job.uuid}) in body
    assert "名单.csv" in body


def test_uploading_a_csv_creates_a_job_that_a_worker_runs(mod, moderator, django_capture_on_commit_callbacks):
    data = csv_bytes(CHINESE_HEADERS, CHINESE_ROWS)

    with django_capture_on_commit_callbacks(execute=True):
        response = mod.post(IMPORTS, {"source": SOURCE, "file": upload("名单.csv", data), "mapping": ""})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("complaints:import_detail", kwargs={"uuid": job.uuid})
    assert (job.source, job.file_name, job.created_by, job.total_rows) == (SOURCE, "名单.csv", moderator, 3)
    assert job.mapping["narrative"] == "经过"
    # Kept in private storage under a generated name.
    assert "名单" not in job.file.name and job.file.name.endswith(".csv")
    assert job.status == ImportJob.Status.DONE
    assert Complaint.objects.filter(source=SOURCE).count() == 2
    page = mod.get(response.url)
    assert english(MSG_QUEUED, rows=3) in page.content.decode()


def test_uploading_an_xlsx_with_a_mapping(mod, django_capture_on_commit_callbacks):
    headers = [h if h != "Narrative" else "Story" for h in ENGLISH_HEADERS]
    data = xlsx_bytes(headers, ENGLISH_ROWS)

    with django_capture_on_commit_callbacks(execute=True):
        response = mod.post(
            IMPORTS, {"source": SOURCE, "file": upload("list.xlsx", data), "mapping": '{"narrative": "Story"}'}
        )

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.mapping["narrative"], job.created_count) == ("Story", 2)


def test_a_job_stays_queued_when_the_broker_is_down(mod, dead_broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = mod.post(
            IMPORTS, {"source": SOURCE, "file": upload("x.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))}
        )

    assert response.status_code == 302
    assert ImportJob.objects.get().status == ImportJob.Status.QUEUED


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 200, importing.files.MSG_NOT_TEXT),
        ("list.xlsx", bytes(range(256)) * 16, importing.files.MSG_NOT_XLSX),
        ("setup.exe", b"MZ\x90\x00", importing.files.MSG_EXTENSION),
        ("list.txt", b"a,b\n1,2\n", importing.files.MSG_EXTENSION),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_on_the_form(mod, name, data, message):
    response = mod.post(IMPORTS, {"source": SOURCE, "file": upload(name, data)})

    assert response.status_code == 200
    assert english(message, name=name) in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused(mod, monkeypatch):
    monkeypatch.setattr(importing.files, "MAX_FILE_BYTES", 100)

    response = mod.post(IMPORTS, {"source": SOURCE, "file": upload("x.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))})

    assert response.status_code == 200
    assert english(importing.files.MSG_TOO_BIG, name="x.csv", limit="100\xa0bytes") in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("mapping", "message", "params"),
    [
        ("{narrative", importing.columns.MSG_MAPPING_FORMAT, {}),
        ('{"narrative": "详细经过"}', importing.columns.MSG_NO_COLUMN, {"column": "详细经过", "field": "narrative"}),
    ],
)
def test_a_wrong_mapping_is_refused_on_the_form(mod, mapping, message, params):
    data = csv_bytes(CHINESE_HEADERS, CHINESE_ROWS)

    response = mod.post(IMPORTS, {"source": SOURCE, "file": upload("x.csv", data), "mapping": mapping})

    assert response.status_code == 200
    assert english(message, **params) in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_source_is_required(mod):
    response = mod.post(IMPORTS, {"source": "", "file": upload("x.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))})

    assert response.status_code == 200
    assert not ImportJob.objects.exists()


# Following a job ----------------------------------------------------------------------------------------


def test_a_queued_job_page_polls_its_progress(mod, moderator):
    job = prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv")
    progress_url = reverse("complaints:import_progress", kwargs={"uuid": job.uuid})

    page = mod.get(reverse("complaints:import_detail", kwargs={"uuid": job.uuid})).content.decode()

    assert f'hx-get="{progress_url}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert "0 of 3 rows processed" in page


def test_the_progress_fragment_shows_the_counters_and_stops_polling_when_done(
    mod, finished_job, django_assert_max_num_queries
):
    url = reverse("complaints:import_progress", kwargs={"uuid": finished_job.uuid})

    with django_assert_max_num_queries(4):
        response = mod.get(url)

    body = response.content.decode()
    assert "<html" not in body
    assert "hx-trigger" not in body
    assert "3 of 3 rows processed" in body
    assert reverse("complaints:import_rejected_csv", kwargs={"uuid": finished_job.uuid}) in body


def test_the_job_page_lists_the_rejected_rows_with_their_column(mod, finished_job):
    page = mod.get(reverse("complaints:import_detail", kwargs={"uuid": finished_job.uuid})).content.decode()

    [entry] = finished_job.report
    for message in entry["errors"]["company_uscc"]:
        assert escape(message) in page
    assert "统一社会信用代码" in page  # the column the problem is in
    assert "Columns used" in page


def test_the_rejected_rows_download_as_csv_for_excel(mod, finished_job):
    response = mod.get(reverse("complaints:import_rejected_csv", kwargs={"uuid": finished_job.uuid}))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Line", "Row", "Column", "Problem"]
    columns = {row[2] for row in rows[1:]}
    assert {"统一社会信用代码", "经过", "投诉类型"} <= columns
    assert all(row[:2] == ["4", "3"] for row in rows[1:])


def test_the_download_defuses_cells_a_spreadsheet_would_run(mod, moderator):
    job = prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv")
    job.report = [{"row": "=HYPERLINK(1)", "line": 2, "errors": {"category": ["@SUM(A1)"]}}]
    job.status = ImportJob.Status.DONE
    job.save()

    response = mod.get(reverse("complaints:import_rejected_csv", kwargs={"uuid": job.uuid}))

    row = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))[1]
    assert row == ["2", "'=HYPERLINK(1)", "投诉类型", "'@SUM(A1)"]
