"""How bench/surge.py sends filings and what receives them: the load clients, their statistics, and the gunicorn
and Celery processes.

Clients are threads on loopback, each opening a new connection per request as a reverse proxy does towards
gunicorn by default (so gunicorn's workers share the load as they accept it); latency is the client's wall time
from connect to the last byte of the answer.
"""

import http.client
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOUNDARY = "----redress-bench-7d1f0c"
READY_TIMEOUT = 60
LOG_NUMBERS = itertools.count(1)


def percentile(values, share: float) -> float:
    """The share-quantile of values by linear interpolation between the nearest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values) -> float:
    return percentile(values, 0.5)


# How it is sent ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes
    headers: dict


def json_request(path: str, payload: dict, token: str | None) -> Request:
    headers = {"Content-Type": "application/json", "Accept-Language": "zh-hans"}
    if token:
        headers["Authorization"] = f"Token {token}"
    return Request(path, json.dumps(payload, ensure_ascii=False).encode(), headers)


def multipart_request(path: str, payload: dict, files: list[bytes], token: str | None) -> Request:
    parts = []
    for name, value in payload.items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{text}\r\n'.encode())
    for index, data in enumerate(files):
        header = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="evidence"; '
            f'filename="Screenshot_2025{index:02d}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        )
        parts += [header.encode(), data, b"\r\n"]
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Accept-Language": "zh-hans"}
    if token:
        headers["Authorization"] = f"Token {token}"
    return Request(path, b"".join(parts), headers)


@dataclass
class RunStats:
    """One timed run: every answer's status and latency, the tracking codes of the 201s."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: Counter = field(default_factory=Counter)  # HTTP status, 0 for a connection that failed
    codes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # first bytes of unexpected answers

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, share: float) -> float:
        return percentile(self.latencies, share) * 1000

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500 or status == 0)

    @property
    def refused(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 201)


def _send(port: int, request: Request) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("POST", request.path, body=request.body, headers={**request.headers, "Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _code(body: bytes) -> str | None:
    try:
        return json.loads(body).get("code")
    except ValueError:
        return None


def drive(port: int, requests, *, clients: int, seconds: float, warm_up: int = 2) -> RunStats:
    """`clients` threads send requests from the iterator `requests` for `seconds` after `warm_up` untimed requests
    each; returns what answered. The run lasts until the last request started in time has its answer."""
    stats, lock = RunStats(), threading.Lock()
    next_request = threading.Lock()
    deadline = [0.0]

    def begin():
        # Runs once all clients are warm, before any is released: every one sees the deadline.
        deadline[0] = time.perf_counter() + seconds

    start = threading.Barrier(clients + 1, action=begin)

    def take() -> Request:
        with next_request:
            return next(requests)

    def client():
        for _ in range(warm_up):
            try:
                _send(port, take())
            except OSError:
                continue  # counted in the timed requests if it persists
        start.wait()
        while time.perf_counter() < deadline[0]:
            request = take()
            began = time.perf_counter()
            try:
                status, body = _send(port, request)
            except OSError as error:
                status, body = 0, repr(error).encode()
            latency = time.perf_counter() - began
            code = _code(body) if status == 201 else None
            with lock:
                stats.latencies.append(latency)
                stats.statuses[status] += 1
                if code:
                    stats.codes.append(code)
                elif len(stats.errors) < 5:
                    stats.errors.append(f"{status} {body[:300]!r}")

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = deadline[0] - seconds
    for thread in threads:
        thread.join()
    stats.seconds = time.perf_counter() - began
    return stats


# The processes that receive it ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class ServerOptions:
    """gunicorn's options, the same for Redress and the baseline."""

    workers: int = 2
    worker_class: str = "gthread"
    threads: int = 4

    def args(self) -> list[str]:
        args = ["--workers", str(self.workers), "--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        return args

    def describe(self) -> str:
        threads = f" x {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"{self.workers} {self.worker_class} worker(s){threads}"


class Processes:
    """Subprocesses of one phase (gunicorn, Celery workers), their output in log files, all stopped on exit."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.running: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, command: list[str], env: dict, cwd: Path = ROOT) -> Path:
        log = self.log_dir / f"{name}-{next(LOG_NUMBERS)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self.running.append((process, log))
        return log

    def check(self) -> None:
        for process, log in self.running:
            if process.poll() is not None:
                raise SystemExit(
                    f"{log.name} exited ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}"
                )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for process, _log in reversed(self.running):
            if process.poll() is None:
                process.terminate()  # gunicorn and Celery both shut down gracefully on SIGTERM
        for process, _log in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.running.clear()


def gunicorn(processes: Processes, app: str, options: ServerOptions, env: dict, ready: str, cwd: Path = ROOT) -> int:
    """Start gunicorn serving `app` (a WSGI path) from `cwd` on a free loopback port; returns the port once an
    empty POST to the path `ready` answers (anything: a refusal is enough)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", *options.args()]
    command += ["--config", "python:bench.gunicorn_hooks", "--log-level", "warning", "--timeout", "120"]
    processes.start(app.split(".")[0] + "-gunicorn", command, env, cwd)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        processes.check()
        try:
            _send(port, Request(ready, b"", {}))
            return port
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn for {app} did not answer within {READY_TIMEOUT} s")


def celery_workers(processes: Processes, count: int, queue: str, env: dict) -> list[Path]:
    """Start `count` Celery worker processes (one task at a time each) on `queue`; returns once all are ready."""
    logs = []
    for index in range(count):
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--concurrency=1"]
        command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=INFO"]
        command += ["-Q", queue, "-n", f"{queue}-{index}@%h"]
        logs.append(processes.start("celery", command, env))
    deadline = time.monotonic() + READY_TIMEOUT
    while not all(" ready." in log.read_text(errors="replace") for log in logs):
        processes.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"Celery workers not ready within {READY_TIMEOUT} s")
        time.sleep(0.2)
    return logs


TASK_DONE = re.compile(r"Task ([\w.]+)\[[^\]]+\] succeeded in ([\d.]+)s")


def task_seconds(logs: list[Path]) -> dict[str, list[float]]:
    """How long each task the workers finished took, by task name, from their INFO logs."""
    seconds: dict[str, list[float]] = {}
    for log in logs:
        for name, duration in TASK_DONE.findall(log.read_text(errors="replace")):
            seconds.setdefault(name.rsplit(".", 1)[-1], []).append(float(duration))
    return seconds


def tokens_cycle(tokens: list[str]):
    """Each filing from the next account: with thousands of accounts, each files a handful of times an hour,
    as victims do, so the per-account filing throttle never refuses and its history stays short."""
    return itertools.cycle(tokens)


def queue_name(phase: str) -> str:
    return f"redress-bench-{phase}-{uuid.uuid4().hex[:8]}"


def server_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BENCH_")}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


# What the database's sessions wait for ------------------------------------------------------------------------------

WAIT_SAMPLE_SECONDS = 0.02


def wait_category(state: str, wait_event_type: str | None, wait_event: str | None) -> str:
    """What a session of the app's database is doing, as pg_stat_activity shows it: waiting for the app inside a
    transaction (the app's own work: Python, Redis), waiting for a lock, for the disk or the WAL, or running."""
    if state == "idle in transaction":
        return "in a transaction, waiting for the app"
    if wait_event_type == "Lock":
        return f"waiting for a lock ({wait_event})"
    if wait_event_type in ("IO", "LWLock"):
        return f"waiting for {wait_event_type} ({wait_event})"
    if wait_event_type == "Client":
        return "waiting for the app's next statement"
    return "running" if not wait_event_type else f"waiting: {wait_event_type} ({wait_event})"


class WaitSampler:
    """Samples pg_stat_activity of one database every WAIT_SAMPLE_SECONDS in a thread of its own, over its own
    connection: the share of the busy sessions' time in each wait_category, and the statements waiting for locks.
    Idle sessions (between requests) are left out."""

    def __init__(self, conninfo: str, database: str):
        self.conninfo, self.database = conninfo, database
        self.samples: Counter = Counter()
        self.locked: Counter = Counter()  # statements waiting for a lock (their first 100 characters)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        query = (
            "SELECT state, wait_event_type, wait_event, left(query, 100) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid() AND state <> 'idle'"
        )
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            while not self._stop.is_set():
                for state, wait_type, wait_event, statement in connection.execute(query, [self.database]):
                    self.samples[wait_category(state, wait_type, wait_event)] += 1
                    if wait_type == "Lock":
                        self.locked[" ".join(statement.split())] += 1
                self._stop.wait(WAIT_SAMPLE_SECONDS)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
