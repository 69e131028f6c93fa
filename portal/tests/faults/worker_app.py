"""The Celery app of the fault tests' workers: `celery -A portal.tests.faults.worker_app worker`.

It is the portal's app with image processing made to misbehave as FAULTS_MODE says, so a test can kill a
worker in the middle of a task with no hook in production code:

- "hang-once": the first image writes the id of the process handling it to FAULTS_DIR/running, then sleeps
  (the test kills that process); every later image is processed normally, by any worker sharing FAULTS_DIR.
- "crash": every image kills the process handling it with SIGKILL, as a crash in a decoder would.

FAULTS_VISIBILITY_TIMEOUT shortens Redis's visibility timeout (an hour by default), and makes the worker look
for expired messages every second, so a message held by a dead worker comes back in seconds.
"""

import os
import signal
import time
from pathlib import Path

from complaints import processing
from portal.celery import app

MODE = os.environ.get("FAULTS_MODE", "")
FAULTS_DIR = Path(os.environ.get("FAULTS_DIR", "."))
HANG_SECONDS = 60
_process_image = processing.process_image


def _hang_once(stream):
    marker = FAULTS_DIR / "running"
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        time.sleep(HANG_SECONDS)
    return _process_image(stream)


def _crash(stream):
    os.kill(os.getpid(), signal.SIGKILL)


if MODE == "hang-once":
    processing.process_image = _hang_once
elif MODE == "crash":
    processing.process_image = _crash

if "FAULTS_VISIBILITY_TIMEOUT" in os.environ:
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": int(os.environ["FAULTS_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

__all__ = ["app"]
