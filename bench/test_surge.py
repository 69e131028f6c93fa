"""The surge benchmark's parts that run quickly: statistics, what the clients send, the bare app, the plumbing."""

import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from bench import surge_report
from bench.filings import PHOTO_SIDE, VANISHED, Filings, screenshot
from bench.intake import (
    RunStats,
    json_request,
    median,
    multipart_request,
    percentile,
    task_seconds,
    wait_category,
)
from bench.surge import Options, Pictures, Results, Series, parse_options
from complaints.duplicates import PHASH_THRESHOLD, is_near_duplicate_narrative, phash_distance
from complaints.models import Complaint
from complaints.processing import process_image
from merchants.services import MerchantClaims
from portal.api.tests.helpers import api_client
from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def test_percentiles_interpolate_between_ranks():
    assert percentile([4, 1, 3, 2], 0.5) == 2.5
    assert percentile([1, 2, 3, 4, 5], 0.99) == pytest.approx(4.96)
    assert (percentile([7, 9], 0.0), percentile([7, 9], 1.0)) == (7, 9)
    assert median([5]) == 5
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_a_runs_figures_count_every_answer():
    stats = RunStats(seconds=2.0, latencies=[0.01, 0.02, 0.03, 0.5], statuses=Counter({201: 2, 429: 1, 500: 1}))
    assert stats.throughput == 2.0
    assert stats.ms(1.0) == 500
    assert (stats.refused, stats.server_errors) == (2, 1)
    stats.statuses[0] += 1  # a connection that failed counts as a server error
    assert stats.server_errors == 2


def test_the_filing_stream_is_seeded_readable_and_mostly_about_the_vanished_shop():
    first, again = Filings(seed=3), Filings(seed=3)
    filings = [next(first) for _ in range(400)]
    assert filings == [next(again) for _ in range(400)]
    for filing in filings:
        claims = MerchantClaims(**{name: filing.get(name, "") for name in MerchantClaims.field_names()})
        assert not claims.is_empty() and claims.errors() == {}, filing
    vanished = sum(filing["merchant_name"] in VANISHED["names"] for filing in filings)
    assert 0.5 < vanished / len(filings) < 0.7


def test_independent_accounts_are_seldom_near_duplicates():
    filings = Filings(seed=5)
    accounts = [next(filings)["narrative"] for _ in range(80)]
    pairs = [(a, b) for i, a in enumerate(accounts) for b in accounts[i + 1 :]]
    alike = sum(is_near_duplicate_narrative(a, b) for a, b in pairs)
    # The victims' group template, copied by a few, is alike on purpose; independent accounts are not.
    assert alike / len(pairs) < 0.02


def test_screenshots_are_phone_sized_photos_the_pipeline_accepts_and_tells_apart():
    pictures = [screenshot(seed) for seed in (1, 2)]
    for data in pictures:
        with Image.open(io.BytesIO(data)) as image:
            assert (image.format, image.size) == ("JPEG", PHOTO_SIDE)
        assert 200 * 1024 < len(data) < 450 * 1024
    hashes = [process_image(io.BytesIO(data)).phash for data in pictures]
    assert phash_distance(*hashes) > PHASH_THRESHOLD


@pytest.mark.django_db
def test_redress_files_what_the_clients_send(complainant):
    client = api_client(complainant)
    filings = Filings(seed=8)

    request = json_request("/api/v1/complaints/", next(filings), token=None)
    response = client.post(request.path, request.body, content_type=request.headers["Content-Type"])
    assert response.status_code == 201, response.content

    request = multipart_request("/api/v1/complaints/", next(filings), [screenshot(3), screenshot(4)], token=None)
    response = client.post(request.path, request.body, content_type=request.headers["Content-Type"])
    assert response.status_code == 201, response.content
    assert len(response.json()["evidence"]) == 2
    assert Complaint.objects.filter(complainant=complainant).count() == 2


BASELINE_CHECK = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from bench.baseline.models import BareComplaint
call_command("migrate", run_syncdb=True, verbosity=0)
filing = json.loads(sys.argv[1])
client = Client()
plain = client.post("/complaints/", filing, content_type="application/json")
files = [SimpleUploadedFile("a.jpg", b"one"), SimpleUploadedFile("b.jpg", b"two")]
multipart = client.post("/complaints/", {**filing, "evidence": files})
row = BareComplaint.objects.get(code=multipart.json()["code"])
print(json.dumps([plain.status_code, multipart.status_code, len(row.files), row.narrative == filing["narrative"]]))
"""


def test_the_bare_app_creates_a_complaint_row_from_json_and_from_multipart(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.baseline.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'baseline.sqlite3'}",
        "BASELINE_MEDIA_ROOT": str(tmp_path / "media"),
    }
    filing = next(Filings(seed=1))
    result = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, "-c", BASELINE_CHECK, json.dumps(filing)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(result.stdout.splitlines()[-1]) == [201, 201, 2, True]
    assert len(list((tmp_path / "media").iterdir())) == 2


def test_task_times_are_read_from_the_workers_logs(tmp_path):
    log = tmp_path / "celery.log"
    log.write_text(
        "[2026-11-22 12:04:06,398: INFO/MainProcess] Task complaints.tasks.evidence_process[a9f3-b7ed] succeeded in"
        " 0.25s: None\n[...] Task complaints.tasks.complaint_flags[e98c] succeeded in 1.5s: None\n"
        "[...] Task complaints.tasks.evidence_process[3e6c] received\n"
    )
    assert task_seconds([log]) == {"evidence_process": [0.25], "complaint_flags": [1.5]}


def test_pictures_are_given_once_each_then_counted_as_reused():
    pictures = Pictures([b"a", b"b"])
    assert [next(pictures) for _ in range(5)] == [b"a", b"b", b"a", b"b", b"a"]
    assert pictures.reused == 3


def test_the_gunicorn_hook_sends_a_runs_tasks_to_its_own_queue(monkeypatch):
    from bench.gunicorn_hooks import post_worker_init

    monkeypatch.setitem(celery_app.conf, "task_default_queue", celery_app.conf.task_default_queue)
    monkeypatch.setenv("BENCH_CELERY_QUEUE", "redress-bench-test")
    try:
        post_worker_init(worker=None)
        assert celery_app.conf.task_default_queue == "redress-bench-test"
        assert celery_app.amqp.default_queue.name == "redress-bench-test"
    finally:
        # Built again from the restored configuration when next used.
        celery_app._pool = None
        celery_app.__dict__.pop("amqp", None)


def test_options_take_quick_defaults_and_overrides():
    assert parse_options([]) == Options()
    quick = parse_options(["--quick", "--runs", "5", "--parts", "intake"])
    assert (quick.quick, quick.runs, quick.parts, quick.reads_complaints) == (True, 5, "intake", 100_000)
    assert parse_options(["--seconds", "2.5"]).seconds == 2.5


def test_sessions_are_told_apart_by_what_they_wait_for():
    assert wait_category("idle in transaction", "Client", "ClientRead") == "in a transaction, waiting for the app"
    assert wait_category("active", "Lock", "transactionid") == "waiting for a lock (transactionid)"
    assert wait_category("active", "IO", "WALSync") == "waiting for IO (WALSync)"
    assert wait_category("active", None, None) == "running"


def test_the_report_says_where_the_filings_transactions_wait():
    waits = Counter({"running": 1, "waiting for a lock (tuple)": 3})
    redress = Series("json, 2 gunicorn worker(s), redress", waits=waits)
    redress.locked.update({"INSERT INTO stats": 3})
    results = Results(Options(), intake={"json/2/redress": redress})

    lines = surge_report._waits(results)

    assert "| waiting for a lock (tuple) | 75% |" in lines
    assert "| `INSERT INTO stats` | 100% |" in lines
    assert surge_report._waits(Results(Options())) == []
