import io
import json

import pytest
from django.core.management import CommandError, call_command

from complaints import importing
from complaints.management.commands.import_complaints import (
    MSG_CANNOT_READ,
    MSG_DRY_RUN_SUMMARY,
    MSG_NO_USER,
    MSG_PROGRESS,
    MSG_REJECTED_ROW,
    MSG_SUMMARY,
)
from complaints.models import Complaint, ImportJob
from complaints.tests.test_importing import (
    CHINESE_HEADERS,
    CHINESE_ROWS,
    ENGLISH_HEADERS,
    ENGLISH_ROWS,
    SOURCE,
    csv_bytes,
    rendered,
    write,
    xlsx_bytes,
)
from merchants.identifiers import MSG_USCC_CHECK

pytestmark = pytest.mark.django_db


def import_complaints(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_complaints", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def summary(message=MSG_SUMMARY, **counts) -> str:
    return rendered(message, **counts)


def test_the_command_imports_a_csv_and_prints_the_summary_and_rejected_rows(tmp_path, moderator):
    path = write(tmp_path, "名单.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))

    out, err = import_complaints(str(path), "--source", SOURCE, "--as", moderator.email)

    assert summary(total=3, created=2, duplicates=0, rejected=1) in out
    assert rendered(MSG_REJECTED_ROW, row="3", line=4) in out
    assert f"  company_uscc: {rendered(MSG_USCC_CHECK)}" in out
    assert rendered(MSG_PROGRESS, processed=3, total=3) in err
    assert Complaint.objects.filter(source=SOURCE, complainant=moderator).count() == 2
    job = ImportJob.objects.get()
    assert (job.status, job.file_name, job.created_by) == (ImportJob.Status.DONE, "名单.csv", moderator)


def test_running_the_command_twice_adds_nothing(tmp_path, moderator):
    path = write(tmp_path, "list.xlsx", xlsx_bytes(ENGLISH_HEADERS, ENGLISH_ROWS))
    import_complaints(str(path), "--source", SOURCE, "--as", moderator.email)

    out, _err = import_complaints(str(path), "--source", SOURCE, "--as", moderator.email.upper())

    assert summary(total=2, created=0, duplicates=2, rejected=0) in out
    assert Complaint.objects.count() == 2


def test_a_dry_run_checks_every_row_and_saves_nothing(tmp_path, moderator):
    path = write(tmp_path, "名单.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))

    out, err = import_complaints(str(path), "--source", SOURCE, "--as", moderator.email, "--dry-run")

    assert summary(MSG_DRY_RUN_SUMMARY, total=3, created=2, duplicates=0, rejected=1) in out
    assert rendered(MSG_REJECTED_ROW, row="3", line=4) in out
    assert rendered(MSG_PROGRESS, processed=3, total=3) in err
    assert not Complaint.objects.exists()
    assert not ImportJob.objects.exists()


def test_a_dry_run_after_an_import_counts_the_rows_already_imported(tmp_path, moderator):
    path = write(tmp_path, "名单.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))
    import_complaints(str(path), "--source", SOURCE, "--as", moderator.email)

    out, _err = import_complaints(str(path), "--source", SOURCE, "--as", moderator.email, "--dry-run")

    assert summary(MSG_DRY_RUN_SUMMARY, total=3, created=0, duplicates=2, rejected=1) in out


def test_a_mapping_is_taken_as_json_or_from_a_file(tmp_path, moderator):
    headers = ["店", "分类", "情况说明"]
    rows = [["易联购", "未发货", CHINESE_ROWS[0][7]]]
    path = write(tmp_path, "x.csv", csv_bytes(headers, rows))
    mapping = {"merchant_name": "店", "category": "分类", "narrative": "情况说明"}
    mapping_path = write(tmp_path, "mapping.json", json.dumps(mapping, ensure_ascii=False).encode())

    out, _err = import_complaints(str(path), "--source", "a", "--as", moderator.email, "--mapping", json.dumps(mapping))
    assert summary(total=1, created=1, duplicates=0, rejected=0) in out
    out, _err = import_complaints(str(path), "--source", "b", "--as", moderator.email, "--mapping", str(mapping_path))
    assert summary(total=1, created=1, duplicates=0, rejected=0) in out


def test_an_unknown_account_is_a_clear_error(tmp_path):
    path = write(tmp_path, "x.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))

    with pytest.raises(CommandError) as caught:
        import_complaints(str(path), "--source", SOURCE, "--as", "nobody@example.com")
    assert str(caught.value) == rendered(MSG_NO_USER, email="nobody@example.com")


def test_a_missing_file_is_a_clear_error(tmp_path, moderator):
    missing = tmp_path / "missing.csv"

    with pytest.raises(CommandError) as caught:
        import_complaints(str(missing), "--source", SOURCE, "--as", moderator.email)
    assert str(caught.value) == rendered(MSG_CANNOT_READ, path=missing, error="No such file or directory")


def test_an_executable_renamed_csv_is_a_clear_error(tmp_path, moderator):
    path = write(tmp_path, "setup.csv", b"MZ\x90\x00\x03\x00\x00\x00" * 100)

    with pytest.raises(CommandError) as caught:
        import_complaints(str(path), "--source", SOURCE, "--as", moderator.email)
    assert str(caught.value) == rendered(importing.files.MSG_NOT_TEXT, name="setup.csv")
    assert not ImportJob.objects.exists()


def test_an_unknown_mapping_field_is_a_clear_error(tmp_path, moderator):
    path = write(tmp_path, "x.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))

    with pytest.raises(CommandError) as caught:
        import_complaints(str(path), "--source", SOURCE, "--as", moderator.email, "--mapping", '{"victim": "受害人"}')
    assert str(caught.value) == rendered(
        importing.columns.MSG_UNKNOWN_FIELD, field="victim", fields=", ".join(importing.FIELDS)
    )


def test_a_mapping_that_is_not_json_is_a_clear_error(tmp_path, moderator):
    path = write(tmp_path, "x.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))

    with pytest.raises(CommandError) as caught:
        import_complaints(str(path), "--source", SOURCE, "--as", moderator.email, "--mapping", "{narrative: 经过}")
    assert str(caught.value) == rendered(importing.columns.MSG_MAPPING_FORMAT)


def test_a_failed_job_is_a_command_error(tmp_path, moderator, monkeypatch):
    path = write(tmp_path, "x.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS))
    monkeypatch.setattr(importing.jobs, "MAX_ATTEMPTS", 0)

    with pytest.raises(CommandError) as caught:
        import_complaints(str(path), "--source", SOURCE, "--as", moderator.email)
    assert str(caught.value) == rendered(importing.jobs.MSG_GAVE_UP, count=0)
