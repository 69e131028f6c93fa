"""bench/surge.py's report: the console table and bench/RESULTS.md (machine, versions, commands, every figure as
the median of the runs with each run's value, ratios against the bare stack, verdicts, EXPLAIN of the hot
queries). A part left out with --parts leaves its sections out."""

import os
import platform
import shlex
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path

from bench.intake import median

TARGET_JSON_RATIO = 0.6
TARGET_P99_MS = 250.0
TARGET_EVIDENCE_RATIO = 0.7
TARGET_READ_MS = 20.0
PACKAGES = ["Django", "djangorestframework", "gunicorn", "celery", "psycopg", "Pillow", "ImageHash", "redis"]


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _field(text: str, key: str, separator: str) -> str:
    return next((line.split(separator, 1)[1].strip() for line in text.splitlines() if line.startswith(key)), "")


def machine(broker_url: str) -> dict:
    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    memory_kb = int((_field(_read("/proc/meminfo"), "MemTotal", ":") or "0 kB").split()[0])
    return {
        "cpu": f"{_field(_read('/proc/cpuinfo'), 'model name', ':') or platform.processor()}, {os.cpu_count()} CPUs",
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "os": f"{_field(_read('/etc/os-release'), 'PRETTY_NAME', '=').strip(chr(34))}, Linux {platform.release()}",
        "python": sys.version.split()[0],
        "postgresql": postgres,
        "redis": redis.Redis.from_url(broker_url).info("server")["redis_version"],
        "versions": {name: metadata.version(name) for name in PACKAGES},
        "load_before": os.getloadavg()[0],
        "command": shlex.join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _runs(values) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def _ratio(a, b) -> float:
    return a.figure("throughput") / b.figure("throughput") if b.figure("throughput") else 0.0


def targets(results) -> list[tuple[str, str, str, bool]]:
    """(figure, measured, target, ok) for each target and check of the parts that ran."""
    rows, intake = [], results.intake
    if "json/2/redress" in intake:
        redress = intake["json/2/redress"]
        ratio = _ratio(redress, intake["json/2/baseline"])
        rows.append(
            (
                "JSON filings/s, Redress / bare DRF, 2 workers",
                f"{ratio:.2f}x",
                f">= {TARGET_JSON_RATIO}x",
                ratio >= TARGET_JSON_RATIO,
            )
        )
        p99 = redress.figure("p99")
        rows.append(
            (
                "JSON filing p99 at 16 clients, 2 workers",
                f"{p99:.0f} ms",
                f"< {TARGET_P99_MS:.0f} ms",
                p99 < TARGET_P99_MS,
            )
        )
    if results.evidence:
        ratio = results.evidence.ratio
        rows.append(
            (
                "images/s per process, Redress / Pillow open+save",
                f"{ratio:.2f}x",
                f">= {TARGET_EVIDENCE_RATIO}x",
                ratio >= TARGET_EVIDENCE_RATIO,
            )
        )
    for timing in results.reads:
        if timing.what.startswith(("lookup API", "merchant page")):
            rows.append(
                (
                    f"{timing.what}, median server time",
                    f"{timing.median:.1f} ms",
                    f"< {TARGET_READ_MS:.0f} ms",
                    timing.median < TARGET_READ_MS,
                )
            )
    every = [*intake.values(), *(d.load for d in results.drains)]
    if every:
        errors = sum(s.server_errors for s in every)
        rows.append(("5xx answers or failed connections, all runs", str(errors), "0", errors == 0))
        refused = sum(s.refused for s in every)
        rows.append(("answers other than 201, all runs", str(refused), "0", refused == 0))
        lost = sum(s.lost for s in every)
        rows.append(
            (f"complaints answered 201 but missing (of {sum(s.filed for s in every):,})", str(lost), "0", lost == 0)
        )
    for drain in results.drains:
        drained = drain.queue_seconds is not None
        text = f"{drain.queue_seconds:.1f} s" if drained else "not drained"
        rows.append(
            (
                f"evidence processed and queue empty after the load, {drain.workers} worker(s)",
                text,
                f"< {results.options.drain_limit:.0f} s",
                drained,
            )
        )
        rows.append(
            (
                f"evidence not processed to ready, {drain.workers} worker(s)",
                str(drain.not_ready),
                "0",
                drain.not_ready == 0,
            )
        )
    return rows  # fmt: skip


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return [*lines, *("| " + " | ".join(str(c) for c in row) + " |" for row in rows), ""]


def _machine(results) -> list[str]:
    m = results.machine
    rows = [["CPU", m["cpu"]], ["memory", m["memory"]], ["OS", m["os"]], ["Python", m["python"]]]
    rows += [["PostgreSQL", m["postgresql"]], ["Redis", m["redis"]]]
    rows += [["packages", ", ".join(f"{k} {v}" for k, v in m["versions"].items())]]
    rows += [["load average", f"{m['load_before']:.1f} before, {m.get('load_after', 0):.1f} after"]]
    return ["## Machine", "", *_table(["", ""], rows)]


def _how(results) -> list[str]:
    m, o = results.machine, results.options
    threads = f", {o.threads} threads per worker" if o.worker_class == "gthread" else ""
    return [
        "## How it was run",
        "",
        "```sh",
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/redress_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\",
        f"    .venv/bin/python {m['command']}",
        "```",
        "",
        f"- gunicorn {o.worker_class}{threads}, the same options for Redress and the bare app; PostgreSQL, Redis and"
        " the clients on the same machine.",
        f"- {o.clients} concurrent clients (threads, a new loopback connection per request, as a proxy opens them);"
        f" {o.runs} runs of {o.seconds:.0f} s per configuration after 2 untimed requests per client, Redress and the"
        " bare app alternating. Latency is the client's, connect to last byte.",
        "- Before each timed run both databases are ANALYZEd, as autovacuum keeps them in production (this"
        " machine's PostgreSQL runs without autovacuum, and a run's database starts empty).",
        f"- Each filing from the next of {o.accounts:,} accounts (token authentication, the production throttles);"
        " 60% name the vanished shop (its name written six ways, its app ID or phone often), 25% a busy shop, 15% a"
        " shop nobody named before.",
        f"- Multipart filings carry two of {o.photos} generated 1080x2340 JPEG screenshots"
        f" (about {results.photo_kb:.0f} KB each) in `evidence` parts.",
        "- The bare app (bench/baseline): Django + DRF, a ModelSerializer create endpoint for a row as wide as a"
        " complaint; no authentication, throttles, sessions or translations; uploads saved with the default storage.",
        *([f"- Reads: {results.reads_data}."] if results.reads_data else []),
        "",
    ]


def _series_row(series) -> list[str]:
    return [
        series.label,
        f"**{series.figure('throughput'):.1f}** ({_runs(series.each('throughput'))})",
        f"{series.figure('p50'):.0f}",
        f"{series.figure('p95'):.0f}",
        f"{series.figure('p99'):.0f} ({_runs(series.each('p99'))})",
        f"{series.figure('max'):.0f}",
        f"{series.filed:,}",
        str(series.refused),
        str(series.server_errors),
        str(series.lost),
    ]


def _intake(results) -> list[str]:
    intake = results.intake
    if not intake:
        return []
    lines = ["## Intake", ""]
    for kind in ("json", "multipart"):
        if f"{kind}/2/redress" in intake:
            redress, bare = intake[f"{kind}/2/redress"], intake[f"{kind}/2/baseline"]
            lines.append(
                f"- {kind}, 2 workers: Redress {redress.figure('throughput'):.1f} filings/s, bare DRF"
                f" {bare.figure('throughput'):.1f}: **{_ratio(redress, bare):.2f}x**."
            )
    header = ["configuration", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "filed", "non-201", "5xx", "lost"]
    return [
        *lines,
        "",
        *_table(header, [_series_row(s) for s in [*intake.values(), *(d.load for d in results.drains)]]),
    ]


def _waits(results) -> list[str]:
    """Where Redress's JSON filings spend their transactions' time (2 workers), from pg_stat_activity samples."""
    series = results.intake.get("json/2/redress")
    if series is None or not series.waits:
        return []
    total = sum(series.waits.values())
    rows = [[what, f"{count / total:.0%}"] for what, count in series.waits.most_common()]
    text = (
        f"pg_stat_activity of Redress's database every 20 ms during the JSON runs with 2 workers: {total:,} samples"
        " of busy sessions. Time in a transaction waiting for the app is the app's own work (Python, Redis) while"
        " the transaction is open; a lock wait is a filing queueing for another's row or lock."
    )
    lines = ["## Where the filings' transactions wait", "", text, "", *_table(["sessions", "share"], rows)]
    if series.locked:
        locked = sum(series.locked.values())
        rows = [[f"`{statement}`", f"{count / locked:.0%}"] for statement, count in series.locked.most_common(5)]
        lines += ["", *_table(["statement waiting for a lock", "share"], rows)]
    return lines


def _scale(results) -> list[str]:
    rows = []
    for app in ("redress", "baseline"):
        if f"json/1/{app}" in results.intake:
            one, two = results.intake[f"json/1/{app}"], results.intake[f"json/2/{app}"]
            rows.append(
                [
                    f"{app}, JSON filings/s",
                    f"{one.figure('throughput'):.1f}",
                    f"{two.figure('throughput'):.1f}",
                    f"{_ratio(two, one):.2f}x",
                ]
            )
    if len(results.drains) == 2:
        one, two = (d.pending_at_stop / d.drain_seconds if d.drain_seconds else 0.0 for d in results.drains)
        rows.append(
            [
                "evidence images/s while draining, all workers",
                f"{one:.1f}",
                f"{two:.1f}",
                f"{two / one:.2f}x" if one else "-",
            ]
        )
        one, two = results.drains[0].load, results.drains[1].load
        rows.append(
            [
                "multipart filings/s during the load",
                f"{one.figure('throughput'):.1f}",
                f"{two.figure('throughput'):.1f}",
                f"{_ratio(two, one):.2f}x",
            ]
        )
    if not rows:
        return []
    return ["## Scale-out: 1 and 2 processes", "", *_table(["", "1", "2", "growth"], rows)]  # fmt: skip


def _drains(results) -> list[str]:
    if not results.drains:
        return []
    limit = results.options.drain_limit
    header = ["Celery workers", "load", "filings", "images", "pending at stop", "drained after"]
    header += ["images/s per worker, draining", "evidence task, ms", "images/s per worker, evidence alone"]
    header += ["flags task, ms (max)"]
    rows = [
        [
            str(d.workers),
            f"{results.options.load_seconds:.0f} s at {d.load.figure('throughput'):.1f} filings/s",
            f"{d.load.filed:,}",
            f"{d.images:,}" + (f" ({d.reused} reused)" if d.reused else ""),
            f"{d.pending_at_stop:,}",
            f"{d.drain_seconds:.1f} s" if d.drain_seconds is not None else f"not in {limit:.0f} s",
            f"{d.images_per_second_per_worker:.1f}",
            f"{d.task_ms('evidence_process'):.0f}",
            f"{1000 / d.task_ms('evidence_process'):.1f}" if d.task_ms("evidence_process") else "-",
            f"{d.task_ms('complaint_flags'):.0f} ({max(d.tasks.get('complaint_flags', [0])) * 1000:.0f})",
        ]
        for d in results.drains
    ]
    text = (
        "Multipart filings under gunicorn (2 workers) with 1, then 2, `celery -A portal worker --pool=solo` processes"
        " running; then the time until every evidence file filed is processed and the queue is empty. The queue also"
        " holds each filing's duplicate and brigading checks (`complaint_flags`). Images/s per worker while draining"
        " counts the files pending when the load stopped over the drain time; the evidence task's median time (from"
        " the workers' logs) gives the rate of a worker that processed evidence alone."
    )
    return ["## Load with real Celery workers (issue 8, item 7)", "", text, "", *_table(header, rows)]


def _evidence(results) -> list[str]:
    evidence = results.evidence
    if not evidence:
        return []
    text = (
        f"Over {evidence.photos} screenshots, {results.options.evidence_runs} runs: Redress's `process_image`"
        f" **{median(evidence.redress):.1f}** images/s ({_runs(evidence.redress)}), Pillow open + save as JPEG"
        f" {median(evidence.bare):.1f} ({_runs(evidence.bare)}): **{evidence.ratio:.2f}x**. Where the pipeline's time"
        " goes (a profile of one pass):"
    )
    rows = [[step, f"{share:.0%}"] for step, share in evidence.breakdown]
    return ["## Evidence processing, one process", "", text, "", *_table(["step", "share"], rows)]


def _reads(results) -> list[str]:
    if not results.reads:
        return []
    rows = [[f"{t.what} `{t.url}`", f"{t.median:.1f}", f"{t.p95:.1f}", str(t.queries)] for t in results.reads]
    return ["## Reads (server time)", "", *_table(["read", "median ms", "p95 ms", "queries"], rows)]


def _profile(results) -> list[str]:
    profile = results.profile
    if not profile:
        return []
    text = (
        f"{profile['queries']} queries (with BEGIN, savepoints and COMMIT); {profile['ms']:.1f} ms wall,"
        f" {profile['cpu_ms']:.1f} ms CPU in process, medians. The project's functions by cumulative time per filing,"
        " under cProfile:"
    )
    rows = [[f"`{name}`", f"{ms:.2f}", f"{share:.0%}"] for name, ms, share in profile["top"]]
    return [
        "## One JSON filing",
        "",
        text,
        "",
        *_table(["function", "ms per filing", "share"], rows),
        "<details><summary>The queries</summary>",
        "",
        "```sql",
        *(sql[:400] for sql in profile["sql"]),
        "```",
        "",
        "</details>",
        "",
    ]


def _explain(results) -> list[str]:
    if not results.explain:
        return []
    lines = ["## EXPLAIN ANALYZE of the hot queries", ""]
    for what, sql, plan in results.explain:
        lines += [f"### {what}", "", "```sql", sql[:1500], "```", "", "```", plan, "```", ""]
    return lines


def markdown(results) -> str:
    lines = [
        "# Surge benchmark results",
        "",
        f"Written by `bench/surge.py` on {results.machine['date']}. Every figure is the median of the runs; each run's"
        " value is in parentheses. docs/scaling.md says how to run more web and worker processes.",
        "",
        *_machine(results),
        *_how(results),
        "## Targets and checks",
        "",
        *_table(["figure", "measured", "target", ""], [[a, b, c, verdict(d)] for a, b, c, d in targets(results)]),
        *_intake(results),
        *_waits(results),
        *_scale(results),
        *_drains(results),
        *_evidence(results),
        *_reads(results),
        *_profile(results),
        *_explain(results),
        "## Time per part",
        "",
        *_table(["part", "s"], [[k, f"{v:.0f}"] for k, v in results.seconds.items()]),
    ]
    return "\n".join(lines).rstrip() + "\n"


def write(results, path: Path) -> bool:
    rows = targets(results)
    print("\nSurge results:")
    width = max((len(row[0]) for row in rows), default=0)
    for figure, measured, target, ok in rows:
        print(f"  {figure:{width}}  {measured:>12}  {target:>10}  {verdict(ok)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(results), encoding="utf-8")
    print(f"  written to {path}")
    return all(row[3] for row in rows)
