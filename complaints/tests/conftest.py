"""Fixtures for the evidence pipeline: Celery publishing to a real (or a dead) broker, and a real worker.

The root conftest runs tasks eagerly. These fixtures switch the running Celery app to publish for real,
and `celery_worker` starts `celery -A portal worker` as a separate process on the test database, so the
tests see what production sees: a message crosses Redis and another process does the work.

Redis is looked for at TEST_REDIS_URL (default redis://127.0.0.1:6379/15). When it cannot be reached the
worker tests skip with the reason, except in CI (the CI variable set to anything), where they fail.
"""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Nothing listens on port 1: connecting fails at once, like a broker that is down.
UNREACHABLE_BROKER_URL = "redis://127.0.0.1:1/0"
WORKER_READY_TIMEOUT = 60


def _reset_broker_caches() -> None:
    """Forget the broker connections Celery cached for the previous URL.

    Celery 5.7 caches the connection pool in `app._pool` and, on `app.amqp`, the producer pool
    (`_producer_pool`) and the queues and router built from task_default_queue. Dropping `app.amqp` (a
    cached property) makes Celery build all of them again from the current configuration, as
    `Celery._after_fork` does for the first two.
    """
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


@contextmanager
def celery_publishing_to(broker_url: str, *, queue: str | None = None):
    """Make the test process's Celery app publish tasks to `broker_url` (not run them eagerly).

    Celery reads the CELERY_BROKER_URL environment variable before its broker_url setting, so a shell that sets
    it (as for make bench) would send the tasks to that broker instead: it is pointed at `broker_url` too."""
    conf = celery_app.conf
    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: conf[key] for key in keys}
    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = broker_url
    conf.update(broker_url=broker_url, task_always_eager=False, task_default_queue=queue or saved["task_default_queue"])
    _reset_broker_caches()
    try:
        yield celery_app
    finally:
        if saved_env is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        conf.update(saved)
        _reset_broker_caches()


@pytest.fixture
def dead_broker():
    """Celery publishing to a broker that refuses connections: every enqueue fails."""
    with celery_publishing_to(UNREACHABLE_BROKER_URL):
        yield UNREACHABLE_BROKER_URL


def _redis_error(url: str) -> str:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        return str(error)
    return ""


@pytest.fixture(scope="session")
def redis_url():
    """The real Redis the worker tests use; skip without it, except in CI where its absence is a failure."""
    error = _redis_error(REDIS_URL)
    if error:
        reason = f"Redis at {REDIS_URL} is unreachable ({error}); the real-worker tests need it."
        if os.environ.get("CI"):
            pytest.fail(f"{reason} CI is set, so a missing broker fails the run.", pytrace=False)
        print(f"\nSKIPPED: {reason}")
        pytest.skip(reason)
    return REDIS_URL


def worker_database_url() -> str:
    """A DATABASE_URL for the test database this test runs on, for another process to open."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = quote(db["HOST"] or "", safe="")
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"
    raise NotImplementedError(f"no worker DATABASE_URL for {db['ENGINE']}")


class Worker:
    """A running `celery -A portal worker` consuming its own queue; `publishing()` sends tasks to it."""

    def __init__(self, *, broker_url: str, queue: str, log_path: Path, process: subprocess.Popen):
        self.broker_url = broker_url
        self.queue = queue
        self.log_path = log_path
        self.process = process

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def publishing(self):
        return celery_publishing_to(self.broker_url, queue=self.queue)

    def succeeded(self, task_name: str) -> int:
        """How many runs of `task_name` the worker has logged as finished."""
        return sum(1 for line in self.log().splitlines() if f"Task {task_name}[" in line and " succeeded in " in line)

    def wait_for(self, condition, *, timeout: float = 60, what: str = "the worker") -> None:
        """Poll `condition` until it holds; fail with the worker's log when it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}) waiting for {what}:\n{self.log()}")
            time.sleep(0.2)
        pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}; worker log:\n{self.log()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        # SIGTERM is Celery's warm shutdown: the task in hand finishes, then the worker exits.
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def celery_worker(transactional_db, redis_url, tmp_path):
    """A real worker process on the test database, the test's evidence directory and a queue of its own.

    It depends on transactional_db so it stops before the database is flushed: the worker only sees
    committed rows, so the tests using it are `django_db(transaction=True)`.
    """
    queue = f"redress-test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EVIDENCE_ROOT": settings.STORAGES["evidence"]["OPTIONS"]["location"],
        "EVIDENCE_S3_BUCKET": "",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker",
        "--pool=solo", "--concurrency=1", "--without-heartbeat", "--without-mingle", "--without-gossip",
        "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    worker = Worker(broker_url=redis_url, queue=queue, log_path=log_path, process=process)
    try:
        worker.wait_for(lambda: " ready." in worker.log(), timeout=WORKER_READY_TIMEOUT, what="the worker to start")
        yield worker
    finally:
        _stop(process)
        # Leave nothing behind in Redis: the queue's list and kombu's bindings of it.
        client = redis.Redis.from_url(redis_url)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
