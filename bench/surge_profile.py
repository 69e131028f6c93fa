"""Where one JSON filing's time goes, for bench/surge.py: its queries, and a profile of the request in process.

Filings go through django.test.Client (middleware, token authentication, throttles, the view, the service), each in
a transaction rolled back afterwards, so every one meets the same database and nothing is published to Celery.
"""

import cProfile
import pstats
import time
from pathlib import Path

from bench.intake import median

ROOT = Path(__file__).resolve().parent.parent
FILINGS = 30
TOP = 15


def _file(client, token: str, payload: dict):
    from django.db import transaction

    with transaction.atomic():
        response = client.post(
            "/api/v1/complaints/", payload, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
        )
        transaction.set_rollback(True)
    if response.status_code != 201:
        raise SystemExit(f"profile: filing answered {response.status_code}: {response.content[:500]!r}")


def _ours(filename: str) -> bool:
    """The domain's code (complaints, merchants): the middleware and views around it only pass the time on."""
    return filename.startswith((str(ROOT / "complaints"), str(ROOT / "merchants")))


def profile_filing(tokens: list[str], filings) -> dict:
    """Queries of one filing (as SQL), the median wall time of FILINGS filings, and the project's functions
    that take most of a profiled batch's time (cumulative, per filing)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    payloads = [next(filings) for _ in range(FILINGS)]
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for index in range(3):
            _file(client, tokens[index % len(tokens)], payloads[index])
        with CaptureQueriesContext(connection) as captured:
            _file(client, tokens[0], payloads[0])
        # Now: the next request's request_started signal empties the connection's query log.
        queries = [query["sql"] for query in captured.captured_queries]
        walls, cpus = [], []
        for index, payload in enumerate(payloads):
            started, cpu = time.perf_counter(), time.process_time()
            _file(client, tokens[index % len(tokens)], payload)
            walls.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        profile = cProfile.Profile()
        profile.enable()
        for index, payload in enumerate(payloads):
            _file(client, tokens[index % len(tokens)], payload)
        profile.disable()
    stats = pstats.Stats(profile).stats
    total = sum(entry[2] for entry in stats.values())
    ours = [
        (f"{Path(file).relative_to(ROOT)}:{line} {name}", entry[3] / FILINGS * 1000, entry[3] / total)
        for (file, line, name), entry in stats.items()
        if _ours(file)
    ]
    ours.sort(key=lambda row: -row[1])
    return {
        "queries": len(queries),
        "sql": queries,
        "ms": median(walls),
        "cpu_ms": median(cpus),
        "top": ours[:TOP],
        "profiled_ms": total / FILINGS * 1000,
    }
