"""gunicorn settings for bench/surge.py (`--config python:bench.gunicorn_hooks`), the same for Redress and the
baseline: each run's Celery tasks go to a queue of its own (BENCH_CELERY_QUEUE), so a benchmark never feeds the
default queue of workers that share the Redis, and the runner can empty and delete it afterwards."""

import os


def post_worker_init(worker):
    queue = os.environ.get("BENCH_CELERY_QUEUE")
    if not queue:
        return
    from portal.celery import app

    app.conf.task_default_queue = queue
    # Celery builds its queues and producer pool from the configuration on first use; make sure that is after.
    app._pool = None
    app.__dict__.pop("amqp", None)
