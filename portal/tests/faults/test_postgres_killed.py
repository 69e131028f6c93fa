"""Fault: PostgreSQL killed with `kill -9` during a burst of filings.

A throwaway cluster (servers.PostgresCluster, fsync on, as shipped) is migrated and serves gunicorn running the
portal as in production: sync workers, persistent connections with health checks. Threads file complaints
through the API with a token; mid-burst the postmaster and its backends get SIGKILL, and after a moment the
cluster starts again (crash recovery from the WAL) while the burst goes on. Every filing answered 201 must be
in the database after the restart, and filing must work again without restarting the application.

The test needs no Django test database: it runs the same in the PostgreSQL and the SQLite CI pass.
"""

import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from portal.tests.faults.evidence import NARRATIVE
from portal.tests.faults.servers import PostgresCluster, free_port, wait_until

pytestmark = [pytest.mark.faults]

THREADS = 6
# Filings answered before the kill, and after the restart, before the burst stops.
SUCCESSES = 12
# Run by `manage.py shell`: one Django start-up for both.
MIGRATE_AND_CREATE_ACCOUNT = """
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from portal.accounts.models import User
call_command("migrate", interactive=False, verbosity=0)
user = User.objects.create_user("burst@example.com", email_verified=True)
print(Token.objects.create(user=user).key)
"""


@dataclass
class Portal:
    port: int
    token: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def cluster():
    cluster = PostgresCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


def _request(port: int, method: str, path: str, **kwargs) -> tuple[int, bytes]:
    """One HTTP request to the local portal: its status and body, or (0, b"") when no answer came."""
    http = HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        http.request(method, path, **kwargs)
        response = http.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""
    finally:
        http.close()


@pytest.fixture
def portal(cluster, tmp_path):
    """gunicorn serving the portal on the throwaway cluster, migrated, with one verified account's API token."""
    with psycopg.connect(cluster.url(), autocommit=True) as connection:
        connection.execute("CREATE DATABASE redress")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": cluster.url("redress"),
        # Tasks run in the web process (no broker), as on a laptop: this test is about the database.
        "CELERY_BROKER_URL": "memory://",
        "EVIDENCE_ROOT": str(tmp_path / "evidence"),
        "EVIDENCE_S3_BUCKET": "",
        "THROTTLE_FILING": "100000/hour",
        "THROTTLE_USER": "100000/minute",
    }
    account = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", MIGRATE_AND_CREATE_ACCOUNT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert account.returncode == 0, account.stderr
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", "3", "--timeout", "30", "--preload"]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        wait_until(lambda: _request(port, "GET", "/api/v1/")[0], what="gunicorn to answer", log=log_path.read_text)
        yield Portal(port=port, token=account.stdout.split()[-1], log_path=log_path)
    finally:
        # The whole process group (master and workers) at once: nothing is left to finish, and a shutdown takes
        # gunicorn seconds.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _file(portal: Portal, n: int) -> tuple[int, str]:
    """POST one filing; its HTTP status (0 when no answer came) and, when created, its tracking code."""
    body = {
        "merchant_name": "果园小店",
        "platform": "wechat_mini_program",
        "category": "not_delivered",
        "narrative": NARRATIVE,
        "order_number": f"BURST-{n}",
    }
    status, answer = _request(
        portal.port,
        "POST",
        "/api/v1/complaints/",
        body=json.dumps(body),
        headers={"Content-Type": "application/json", "Authorization": f"Token {portal.token}"},
    )
    return status, json.loads(answer)["code"] if status == 201 else ""


class Burst:
    """Threads filing without pause until stopped; every answer is kept, labelled with the phase it ended in."""

    def __init__(self, portal: Portal):
        self.portal = portal
        self.phase = "before"
        self.answers: list[tuple[str, int, str]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(THREADS)]

    def _run(self, thread: int) -> None:
        n = 0
        while not self._stop.is_set():
            status, code = _file(self.portal, thread * 100_000 + n)
            n += 1
            with self._lock:
                self.answers.append((self.phase, status, code))

    def count(self, phase: str, *, created: bool) -> int:
        with self._lock:
            return sum(1 for p, status, _code in self.answers if p == phase and (status == 201) == created)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def test_every_filing_answered_201_is_there_after_postgresql_is_killed_and_restarted(cluster, portal):
    with Burst(portal) as burst:
        wait_until(lambda: burst.count("before", created=True) >= SUCCESSES, what="filings before the kill")
        burst.phase = "outage"
        cluster.kill9()
        wait_until(lambda: burst.count("outage", created=False) >= THREADS, what="filings to fail", timeout=10)
        cluster.start()
        burst.phase = "after"
        wait_until(
            lambda: burst.count("after", created=True) >= SUCCESSES,
            what="filings to succeed again after the restart",
            log=lambda: f"{portal.log()}\n{cluster.log()}",
        )

    answered = {code for _phase, status, code in burst.answers if status == 201}
    with psycopg.connect(cluster.url("redress")) as connection:
        saved = {code for (code,) in connection.execute("SELECT code FROM complaints_complaint")}
    assert len(answered) >= 2 * SUCCESSES
    assert answered - saved == set(), "filings answered 201 but missing after the restart"
    assert "database system was interrupted" in cluster.log() or "not properly shut down" in cluster.log()
