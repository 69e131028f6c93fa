"""Throwaway servers the fault tests may stop or kill: redis-server, a PostgreSQL cluster and an SMTP sink.

Each listens on a free port of its own, so killing it disturbs nothing else. A missing binary skips the test
with the reason outside CI and fails it in CI (the CI variable set), as the worker and browser tests do.
"""

import contextlib
import email
import email.policy
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
import redis

READY_TIMEOUT = 30


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} CI is set, so this fails the run.", pytrace=False)
    print(f"\nSKIPPED: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, what: str, timeout: float = READY_TIMEOUT, log=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}\n{log()}")


def _kill(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.kill()
        process.wait(timeout=10)


class RedisServer:
    """A broker without persistence: killing it loses its queues, as a crashed or replaced broker may."""

    def __init__(self, directory: Path):
        self.binary = shutil.which("redis-server") or unavailable("redis-server is not installed")
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=5)

    def _answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.RedisError:
            return False

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        log_path = self.directory / "redis.log"
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.directory, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        wait_until(self._answers, what=f"redis-server on port {self.port}", log=log_path.read_text)

    def kill(self) -> None:
        """SIGKILL: the broker is gone at once, with whatever it held."""
        _kill(self.process)
        self.process = None


class PostgresCluster:
    """A cluster of its own (initdb in a temporary directory), its postmaster a child of this process.

    PostgreSQL refuses to run as root, so under root (as CI runs) the cluster belongs to the `postgres` user.
    """

    def __init__(self):
        self.bin = self._bin_dir()
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="redress-faults-pg-"))
        self.data = self.directory / "data"
        self.log_path = self.directory / "postgres.log"
        self.owner = {}
        if os.geteuid() == 0:
            try:
                shutil.chown(self.directory, user="postgres", group="postgres")
            except LookupError:
                unavailable("running as root and there is no `postgres` user to own a throwaway cluster")
            self.owner = {"user": "postgres", "group": "postgres", "extra_groups": []}
        self.process = None

    @staticmethod
    def _bin_dir() -> Path:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
        initdb = Path(candidates[-1]) if candidates else shutil.which("initdb")
        if not initdb:
            unavailable("PostgreSQL's initdb is not installed (apt-get install -y postgresql)")
        return Path(initdb).parent

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def init(self) -> None:
        command = [self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--locale=C.UTF-8", "--no-sync"]  # fmt: skip
        subprocess.run(command, cwd=self.directory, check=True, capture_output=True, timeout=60, **self.owner)

    def _answers(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def start(self) -> None:
        command = [self.bin / "postgres", "-D", self.data, "-p", str(self.port), "-k", self.directory,
                   "-c", "listen_addresses=127.0.0.1",
                   # Crash recovery starts by syncing the data directory: one syncfs() instead of an fsync per file.
                   "-c", "recovery_init_sync_method=syncfs"]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.directory,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                **self.owner,
            )
        wait_until(self._answers, what=f"PostgreSQL on port {self.port}", log=self.log)

    def _backends(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def kill9(self) -> None:
        """`kill -9` the postmaster and its backends: no shutdown checkpoint, recovery from the WAL on start."""
        backends = self._backends()
        self.process.send_signal(signal.SIGKILL)
        for pid in backends:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def destroy(self) -> None:
        if self.process is not None:
            self.kill9()
        shutil.rmtree(self.directory, ignore_errors=True)


class SmtpSink:
    """A local SMTP server keeping every message it accepts. `stop()` then `start()` on the same port is an outage;
    `refusing` answers every connection with 421 (a server up but not taking mail); `data_delay` holds the reply
    to DATA, so a sender stays in the middle of sending."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[dict] = []
        self.refusing = False
        self.data_delay = 0.0
        self.server = None
        self._lock = threading.Lock()

    def start(self) -> None:
        sink = self

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                if sink.refusing:
                    self.reply("421 4.3.2 Service not available, try again later")
                    return
                self.reply("220 sink ESMTP")
                envelope = {"from": "", "to": []}
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.reply("250 sink")
                    elif verb == b"MAIL":
                        envelope = {"from": _address(line), "to": []}
                        self.reply("250 OK")
                    elif verb == b"RCPT":
                        envelope["to"].append(_address(line))
                        self.reply("250 OK")
                    elif verb == b"DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        data = b"".join(iter(self._data_line, None))
                        time.sleep(sink.data_delay)
                        sink.keep(envelope, data)
                        self.reply("250 OK queued")
                    elif verb == b"QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("250 OK" if verb in (b"RSET", b"NOOP") else "502 Command not implemented")

            def _data_line(self):
                line = self.rfile.readline()
                if line in (b".\r\n", b""):
                    return None
                return line[1:] if line.startswith(b"..") else line

        self.server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def keep(self, envelope: dict, data: bytes) -> None:
        message = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            body = message.get_body(preferencelist=("plain",)).get_content()
            self.messages.append({**envelope, "subject": str(message["Subject"]), "body": body})

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _address(line: bytes) -> str:
    text = line.decode(errors="replace")
    return text[text.find("<") + 1 : text.find(">")]
