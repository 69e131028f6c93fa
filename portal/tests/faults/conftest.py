"""Fixtures for the fault tests: throwaway servers (servers.py) and Celery workers a test may kill.

The workers run as in production (`celery worker`, prefork unless a test asks for solo) against a throwaway
Redis, on the test database and evidence directory, so rows must be committed for them to see: the tests
using them are `django_db(transaction=True)`. Each worker gets a process group of its own, so a test can
SIGKILL the whole worker (main process and pool) and teardown can end whatever is left of it.
"""

import contextlib
import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings

from complaints.tests.conftest import Worker, celery_publishing_to, worker_database_url
from portal.celery import app as celery_app
from portal.tests.faults.servers import RedisServer, SmtpSink

WORKER_READY_TIMEOUT = 60


@pytest.fixture
def broker(tmp_path):
    """A redis-server of the test's own, running; the test may kill and start it."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def publishing(broker):
    """The test process's Celery app publishes to the throwaway broker's default queue (nothing runs eagerly)."""
    with celery_publishing_to(broker.url) as app:
        yield app


@pytest.fixture
def smtp(settings):
    """An SMTP sink (not yet started: the mail server is down) and Django sending through it for real."""
    sink = SmtpSink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        sink.stop()


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL to a worker's process group (its main process and pool children): no warm shutdown, no ack."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


class FaultWorker(Worker):
    """A worker the test may kill; `running_pid()` is the process worker_app's "hang-once" image hangs in."""

    def __init__(self, *, faults_dir, **kwargs):
        super().__init__(**kwargs)
        self.faults_dir = faults_dir

    def running_pid(self, timeout: float = 30) -> int:
        marker = self.faults_dir / "running"
        self.wait_for(lambda: marker.exists() and marker.read_text(), timeout=timeout, what="an image to hang")
        return int(marker.read_text())

    def kill(self) -> None:
        _kill_group(self.process)


@pytest.fixture
def start_worker(transactional_db, broker, tmp_path):
    """Start `celery worker` processes on the throwaway broker: start_worker(mode=..., pool=..., visibility=...).

    `mode` picks worker_app's misbehaviour ("" for the portal's app as it is); `visibility` shortens Redis's
    visibility timeout to that many seconds. Depends on transactional_db so workers stop before the flush.
    """
    started = []
    faults_dir = tmp_path / "faults"
    faults_dir.mkdir()

    def start(*, mode: str = "", pool: str = "prefork", visibility: int | None = None) -> FaultWorker:
        name = f"faults{len(started) + 1}"
        log_path = tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": broker.url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EVIDENCE_ROOT": settings.STORAGES["evidence"]["OPTIONS"]["location"],
            "EVIDENCE_S3_BUCKET": "",
            "PYTHONUNBUFFERED": "1",
            "FAULTS_MODE": mode,
            "FAULTS_DIR": str(faults_dir),
        }
        if visibility is not None:
            env["FAULTS_VISIBILITY_TIMEOUT"] = str(visibility)
        app = "portal.tests.faults.worker_app" if mode or visibility is not None else "portal"
        command = [
            sys.executable, "-m", "celery", "-A", app, "worker", f"--pool={pool}", "--concurrency=1",
            "--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=INFO", "-n", f"{name}@%h",
        ]  # fmt: skip
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
        started.append(process)
        worker = FaultWorker(
            broker_url=broker.url,
            queue=celery_app.conf.task_default_queue,
            log_path=log_path,
            process=process,
            faults_dir=faults_dir,
        )
        worker.wait_for(lambda: " ready." in worker.log(), timeout=WORKER_READY_TIMEOUT, what=f"{name} to start")
        return worker

    try:
        yield start
    finally:
        # At once, not a warm shutdown: the test is over, and a dead worker runs nothing during the flush.
        for process in started:
            _kill_group(process)
