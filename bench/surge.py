"""A surge of filings on one machine, measured against the bare stack under it (issue 9; issue 8's load test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/redress_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/surge.py            # about 8 minutes on 2 CPUs; writes bench/RESULTS.md
    ... bench/surge.py --quick                     # a smaller, shorter run to try changes (var/RESULTS-quick.md)

Needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL); says so and skips otherwise. Everything runs in
a throwaway database, test_<NAME> next to the DATABASE_URL one, and the baseline's test_<NAME>_baseline, both
dropped at the end; Celery tasks go to queues of the run's own, deleted at the end. Parts, in order:

1. reads: the merchant lookup and the public merchant page over the dashboard's data set (bench/reads.py);
2. evidence: images per second in one process, Redress's pipeline against Pillow alone (bench/evidence_bench.py);
3. intake: JSON filings under gunicorn against the bare DRF endpoint (bench/baseline), with 1 and 2 gunicorn
   workers, runs alternating between the two apps; multipart filings with two screenshots likewise
   (bench/filings.py says what is sent, bench/intake.py how);
4. load: multipart filings with 1, then 2, real Celery worker processes, and the time the evidence queue takes
   to drain once the load stops (issue 8's load test);
5. profile: one JSON filing's queries and where its time goes, in process (bench/surge_profile.py).

Every figure is the median of --runs runs. Exit status 1 when a target is missed or a check fails (a 5xx, a
complaint answered 201 but missing, evidence not processed in time). bench/surge_report.py writes the
results. --parts runs some parts only (e.g. --parts intake,load).
"""

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from bench.filings import Filings, photo_pool  # noqa: E402 (the project's path is set up first)
from bench.intake import (  # noqa: E402
    Processes,
    RunStats,
    ServerOptions,
    WaitSampler,
    celery_workers,
    drive,
    gunicorn,
    json_request,
    median,
    multipart_request,
    queue_name,
    server_env,
    task_seconds,
    tokens_cycle,
)

DRAIN_POLL = 0.25
PARTS = ("reads", "evidence", "intake", "load", "profile")
PROFILE_ACCOUNTS = 40
ACCOUNT_IDS = 10**12
THROTTLE_SCOPES = ("user", "filing")  # the throttles a filing counts in, keyed by user id (Django's ":1:" prefix)
REDRESS_PATH, BASELINE_PATH = "/api/v1/complaints/", "/complaints/"


@dataclass
class Options:
    runs: int = 3
    seconds: float = 6.0  # each timed intake run
    load_seconds: float = 3.0  # each load with real Celery workers
    clients: int = 16
    accounts: int = 10_000
    photos: int = 48
    evidence_runs: int = 3
    reads_complaints: int = 1_000_000
    reads_merchants: int = 100_000
    drain_limit: float = 120.0  # seconds the evidence may take to drain after a load
    worker_class: str = "gthread"
    threads: int = 4
    results: Path = ROOT / "bench" / "RESULTS.md"
    parts: str = ",".join(PARTS)
    quick: bool = False

    @classmethod
    def quick_run(cls, **overrides) -> "Options":
        values = dict(runs=2, seconds=4.0, load_seconds=2.0, accounts=3000, photos=16, evidence_runs=2)
        values.update(reads_complaints=100_000, reads_merchants=10_000, quick=True)
        values.update(results=ROOT / "var" / "RESULTS-quick.md")
        return cls(**{**values, **overrides})

    def server(self, workers: int) -> ServerOptions:
        return ServerOptions(workers=workers, worker_class=self.worker_class, threads=self.threads)


@dataclass
class Series:
    """Several timed runs of one configuration, and whether every 201 it got is in the database."""

    label: str
    runs: list[RunStats] = field(default_factory=list)
    lost: int = 0
    waits: Counter = field(default_factory=Counter)  # pg_stat_activity samples of the app's sessions (WaitSampler)
    locked: Counter = field(default_factory=Counter)  # statements sampled waiting for a lock

    def figure(self, name: str) -> float:
        values = {
            "throughput": [r.throughput for r in self.runs],
            "p50": [r.ms(0.5) for r in self.runs],
            "p95": [r.ms(0.95) for r in self.runs],
            "p99": [r.ms(0.99) for r in self.runs],
            "max": [r.ms(1.0) for r in self.runs],
        }[name]
        return median(values)

    def each(self, name: str) -> list[float]:
        return [Series(self.label, [run]).figure(name) for run in self.runs]

    @property
    def filed(self) -> int:
        return sum(len(r.codes) for r in self.runs)

    @property
    def server_errors(self) -> int:
        return sum(r.server_errors for r in self.runs)

    @property
    def refused(self) -> int:
        return sum(r.refused for r in self.runs)

    @property
    def errors(self) -> list[str]:
        return [e for r in self.runs for e in r.errors][:3]


@dataclass
class Drain:
    """A load with real Celery workers: the intake, then how long the evidence took once the load stopped."""

    workers: int
    load: Series
    images: int = 0  # evidence files filed during the load (warm-up included)
    pending_at_stop: int = 0
    drain_seconds: float | None = None  # None: not drained within the limit
    queue_seconds: float | None = None  # until the queue itself was empty too
    ready: int = 0
    not_ready: int = 0
    pictures: int = 0  # different screenshots drawn for the load
    reused: int = 0  # uploads that had to reuse one
    tasks: dict[str, list[float]] = field(default_factory=dict)  # seconds each finished task took, by name

    def task_ms(self, name: str) -> float:
        return median(self.tasks[name]) * 1000 if self.tasks.get(name) else 0.0

    @property
    def images_per_second_per_worker(self) -> float:
        if not self.drain_seconds:
            return 0.0
        return self.pending_at_stop / self.drain_seconds / self.workers


class Pictures:
    """Each screenshot once, then again from the start (counted) should the load need more."""

    def __init__(self, photos: list[bytes]):
        self.photos, self.given, self.reused = photos, 0, 0

    def __next__(self) -> bytes:
        photo = self.photos[self.given % len(self.photos)]
        self.reused += self.given >= len(self.photos)
        self.given += 1
        return photo


@dataclass
class Results:
    options: Options
    machine: dict = field(default_factory=dict)
    reads_data: str = ""
    identifiers_added: int = 0
    reads: list = field(default_factory=list)
    evidence: object = None
    photo_kb: float = 0.0
    profile: dict = field(default_factory=dict)
    explain: list = field(default_factory=list)
    intake: dict[str, Series] = field(default_factory=dict)
    drains: list[Drain] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


class Surge:
    def __init__(self, options: Options):
        from django.db import connection

        self.options = options
        self.results = Results(options)
        self.db = connection.settings_dict
        self.broker = os.environ["CELERY_BROKER_URL"]
        self.run_id = os.urandom(4).hex()
        # The throttles' cache, shared by the web processes as in production: CACHE_URL, or the broker's Redis.
        self.cache_url = os.environ.get("CACHE_URL") or self.broker
        self.user_ids: list[int] = []
        self.work = Path(tempfile.mkdtemp(prefix="surge-", dir=ROOT / "var"))
        self.logs = self.work / "logs"
        self.logs.mkdir()
        self.queues: list[str] = []
        self.tokens: list[str] = []
        self.photos: list[bytes] = []
        self.baseline_name = f"{self.db['NAME']}_baseline"[:63]

    # Set-up and clean-up -------------------------------------------------------------------------------

    def database_url(self, name: str) -> str:
        from urllib.parse import quote

        db = self.db
        credentials = quote(db["USER"] or "", safe="") + (
            ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
        )
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{credentials}@{quote(db['HOST'] or '', safe='')}{port}/{quote(name, safe='')}"

    def redress_env(self, queue: str) -> dict:
        return server_env(
            DJANGO_SETTINGS_MODULE="portal.settings",
            DATABASE_URL=self.database_url(self.db["NAME"]),
            CELERY_BROKER_URL=self.broker,
            CELERY_TASK_ALWAYS_EAGER="0",
            CACHE_URL=self.cache_url,
            EVIDENCE_ROOT=str(self.work / "evidence"),
            EVIDENCE_S3_BUCKET="",
            BENCH_CELERY_QUEUE=queue,
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            TRUSTED_PROXY_COUNT="0",
        )

    def baseline_env(self) -> dict:
        return server_env(
            DJANGO_SETTINGS_MODULE="bench.baseline.settings",
            DATABASE_URL=self.database_url(self.baseline_name),
            BASELINE_MEDIA_ROOT=str(self.work / "baseline-media"),
        )

    def create_baseline_database(self) -> None:
        import subprocess

        from django.db import connection

        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.baseline_name}"')
            cursor.execute(f"CREATE DATABASE \"{self.baseline_name}\" TEMPLATE template0 ENCODING 'UTF8'")
        command = [sys.executable, "-m", "django", "migrate", "--run-syncdb", "--verbosity", "0"]
        subprocess.run(command, cwd=ROOT, env=self.baseline_env(), check=True)  # noqa: S603

    def create_accounts(self) -> None:
        """Complainants with verified addresses and API tokens, made in bulk."""
        import secrets

        from django.contrib.auth.hashers import make_password
        from rest_framework.authtoken.models import Token

        from portal.accounts.models import User

        password = make_password(None)
        # Ids of this run's own (a random block far above the sequence): the throttles' cache keys carry the user
        # id and outlive the database, so another run's accounts must not meet them.
        first = ACCOUNT_IDS + int.from_bytes(os.urandom(4)) * self.options.accounts
        users = User.objects.bulk_create(
            User(pk=first + i, email=f"surge-{self.run_id}-{i}@bench.example", password=password, email_verified=True)
            for i in range(self.options.accounts)
        )
        self.user_ids = [user.pk for user in users]
        tokens = Token.objects.bulk_create(Token(key=secrets.token_hex(20), user=user) for user in users)
        self.tokens = [token.key for token in tokens]
        # One round of the accounts across all runs; the last few are kept for the in-process profile.
        self.accounts = tokens_cycle(self.tokens[:-PROFILE_ACCOUNTS])

    def clean_up(self) -> None:
        import redis
        from django.db import connection

        client = redis.Redis.from_url(self.broker)
        for queue in self.queues:
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        cache = redis.Redis.from_url(self.cache_url)
        for start in range(0, len(self.user_ids), 1000):
            ids = self.user_ids[start : start + 1000]
            cache.delete(*(f":1:throttle_{scope}_{pk}" for pk in ids for scope in THROTTLE_SCOPES))
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.baseline_name}"')
        shutil.rmtree(self.work / "evidence", ignore_errors=True)
        shutil.rmtree(self.work / "baseline-media", ignore_errors=True)

    # Parts ---------------------------------------------------------------------------------------------

    def timed_part(self, name: str, part) -> None:
        print(f"\n[{name}]", flush=True)
        started = time.perf_counter()
        part()
        self.results.seconds[name] = time.perf_counter() - started
        print(f"  ({self.results.seconds[name]:.0f} s)", flush=True)

    def part_reads(self) -> None:
        from bench import reads

        self.results.reads_data = reads.ensure_dataset(self.options.reads_complaints, self.options.reads_merchants)
        self.results.identifiers_added = reads.add_identifiers()
        self.results.reads = reads.measure(0.5 if self.options.quick else 1.0)
        for timing in self.results.reads:
            print(f"  {timing.what:45} median {timing.median:6.1f} ms  p95 {timing.p95:6.1f}  {timing.queries} queries")
        self.results.explain = reads.explain_hot_queries()

    def part_evidence(self) -> None:
        from bench import evidence_bench

        speed = evidence_bench.measure(self.photos[:16], self.options.evidence_runs)
        self.results.evidence = speed
        print(
            f"  Redress {median(speed.redress):.1f} images/s, Pillow alone {median(speed.bare):.1f}: {speed.ratio:.2f}x"
        )

    def part_profile(self) -> None:
        from bench.surge_profile import profile_filing

        self.results.profile = profile_filing(self.tokens[-PROFILE_ACCOUNTS:], Filings(seed=99))
        profile = self.results.profile
        print(f"  {profile['queries']} queries per JSON filing, {profile['ms']:.1f} ms, {profile['cpu_ms']:.1f} ms CPU")

    def requests(self, app: str, kind: str, seed: int, pictures=None):
        """The stream of requests of one run: the same filings for both apps (same seed). Multipart filings take
        two of the pool's photos, or the next two of `pictures`."""
        import random

        filings, rng = Filings(seed=seed), random.Random(seed)
        path = REDRESS_PATH if app == "redress" else BASELINE_PATH
        for payload in filings:
            token = next(self.accounts) if app == "redress" else None
            if kind == "json":
                yield json_request(path, payload, token)
            else:
                files = [next(pictures), next(pictures)] if pictures else rng.sample(self.photos, 2)
                yield multipart_request(path, payload, files, token)

    def check_lost(self, app: str, codes: list[str]) -> int:
        """How many of the codes answered with 201 are not in the database."""
        if app == "redress":
            from complaints.models import Complaint

            found = sum(
                Complaint.objects.filter(code__in=codes[i : i + 5000]).count() for i in range(0, len(codes), 5000)
            )
            return len(codes) - found
        import psycopg

        with psycopg.connect(self.database_url(self.baseline_name)) as conn:
            found = conn.execute("SELECT count(*) FROM baseline_barecomplaint WHERE code = ANY(%s)", [codes]).fetchone()
        return len(codes) - found[0]

    def analyze(self, app: str) -> None:
        """Fresh planner statistics, as autovacuum keeps them in production: the run's database starts empty and
        grows with every run, and a server with autovacuum off (as this machine's) would plan the resolution's
        lookups on the statistics of empty tables, scanning whole indexes."""
        import psycopg

        name = self.db["NAME"] if app == "redress" else self.baseline_name
        with psycopg.connect(self.database_url(name), autocommit=True) as connection:
            connection.execute("ANALYZE")

    def alternate(self, ports: dict[str, int], kind: str, workers: int) -> None:
        """--runs timed runs of each app, alternating, so both meet the same machine. What Redress's database
        sessions wait for is sampled meanwhile (WaitSampler)."""
        series = {app: Series(f"{kind}, {workers} gunicorn worker(s), {app}") for app in ports}
        for run in range(self.options.runs):
            for app, port in ports.items():
                self.analyze(app)
                sampler = WaitSampler(self.database_url(self.db["NAME"]), self.db["NAME"])
                with sampler if app == "redress" else contextlib.nullcontext():
                    stats = drive(
                        port,
                        self.requests(app, kind, seed=1000 * workers + run),
                        clients=self.options.clients,
                        seconds=self.options.seconds,
                    )
                series[app].waits.update(sampler.samples)
                series[app].locked.update(sampler.locked)
                series[app].runs.append(stats)
                series[app].lost += self.check_lost(app, stats.codes)
                print(
                    f"  {series[app].label:50} {stats.throughput:6.1f} req/s  p50 {stats.ms(0.5):6.1f}  p99"
                    f" {stats.ms(0.99):6.1f} ms  non-201 {stats.refused}",
                    flush=True,
                )
                for error in stats.errors[:2]:
                    print(f"    {error[:200]}")
        for app, one in series.items():
            self.results.intake[f"{kind}/{workers}/{app}"] = one

    def part_intake(self) -> None:
        for workers in (1, 2):
            queue = queue_name(f"intake{workers}")
            self.queues.append(queue)
            options = self.options.server(workers)
            with Processes(self.logs) as processes:
                ports = {
                    "redress": gunicorn(
                        processes, "portal.wsgi:application", options, self.redress_env(queue), REDRESS_PATH
                    ),
                    "baseline": gunicorn(
                        processes, "bench.baseline.wsgi:application", options, self.baseline_env(), BASELINE_PATH
                    ),
                }
                self.alternate(ports, "json", workers)
                if workers == 2:
                    self.alternate(ports, "multipart", workers)

    def part_load(self) -> None:
        for count in (1, 2):
            # A queue (and so a gunicorn) of each load's own: what one load left undone does not slow the next.
            queue = queue_name(f"load{count}")
            self.queues.append(queue)
            env = self.redress_env(queue)
            pictures = self.load_pictures(seed=count)
            with Processes(self.logs) as processes:
                port = gunicorn(processes, "portal.wsgi:application", self.options.server(2), env, REDRESS_PATH)
                logs = celery_workers(processes, count, queue, env)
                drain = self.load_and_drain(port, count, queue, pictures)
                drain.tasks = task_seconds(logs)
                self.results.drains.append(drain)
                seconds = "not drained" if drain.drain_seconds is None else f"drained in {drain.drain_seconds:.1f} s"
                print(
                    f"  {count} Celery worker(s): {drain.load.figure('throughput'):.1f} filings/s during the load,"
                    f" {drain.pending_at_stop} of {drain.images} images pending at the end, {seconds};"
                    f" {drain.images_per_second_per_worker:.1f} images/s per worker while draining; tasks take"
                    f" {drain.task_ms('evidence_process'):.0f} ms (evidence), {drain.task_ms('complaint_flags'):.0f} ms"
                    " (flags)",
                    flush=True,
                )

    def load_pictures(self, seed: int) -> "Pictures":
        """Screenshots for one load, each uploaded once: the evidence pipeline compares every picture with the
        merchant's others, and the pool's photos, uploaded again and again, would be flagged as the same picture
        thousands of times. Enough for the load at the multipart rate the intake part measured (or 40 filings/s),
        with a margin; should the load outrun them, pictures are reused and the report says how many."""
        measured = self.results.intake.get("multipart/2/redress")
        rate = measured.figure("throughput") if measured else 40.0
        count = 2 * int(rate * self.options.load_seconds * 1.3 + 2 * self.options.clients)
        started = time.perf_counter()
        pictures = Pictures(photo_pool(count, seed=100 + seed, processes=2))
        print(f"  drew {count} screenshots in {time.perf_counter() - started:.0f} s", flush=True)
        return pictures

    def load_and_drain(self, port: int, workers: int, queue: str, pictures: "Pictures") -> Drain:
        import redis

        from complaints.models import Evidence

        broker = redis.Redis.from_url(self.broker)
        first = (Evidence.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        stats = drive(
            port,
            self.requests("redress", "multipart", seed=5000 + workers, pictures=pictures),
            clients=self.options.clients,
            seconds=self.options.load_seconds,
        )
        stopped = time.perf_counter()
        ours = Evidence.objects.filter(pk__gte=first)
        drain = Drain(workers, Series(f"load with {workers} Celery worker(s)", [stats]))
        drain.load.lost = self.check_lost("redress", stats.codes)
        drain.images = ours.count()
        drain.pending_at_stop = ours.filter(status=Evidence.Status.PENDING).count()
        while time.perf_counter() - stopped < self.options.drain_limit:
            pending = ours.filter(status=Evidence.Status.PENDING).exists()
            if not pending and drain.drain_seconds is None:
                drain.drain_seconds = time.perf_counter() - stopped
            if not pending and broker.llen(queue) == 0:
                drain.queue_seconds = time.perf_counter() - stopped
                break
            time.sleep(DRAIN_POLL)
        drain.ready = ours.filter(status=Evidence.Status.READY).count()
        drain.not_ready = drain.images - drain.ready
        drain.pictures, drain.reused = len(pictures.photos), pictures.reused
        return drain

    def run(self) -> bool:
        from bench import surge_report

        parts = self.options.parts.split(",")
        unknown = set(parts) - set(PARTS)
        if unknown:
            raise SystemExit(f"unknown parts {sorted(unknown)}; the parts are {', '.join(PARTS)}")
        self.results.machine = surge_report.machine(self.broker)
        print(f"\nSurge on PostgreSQL ({self.db['NAME']}) and Redis; results to {self.options.results}")
        try:
            if "reads" in parts:
                self.timed_part("reads", self.part_reads)
            self.timed_part("set-up", lambda: self.setup(parts))
            # The profile after the loads: the merchants they named exist, as in a surge.
            for name in ("evidence", "intake", "load", "profile"):
                if name in parts:
                    self.timed_part(name, getattr(self, f"part_{name}"))
        finally:
            self.clean_up()
        self.results.machine["load_after"] = os.getloadavg()[0]
        print(f"\n  gunicorn's and the Celery workers' logs: {self.logs.relative_to(ROOT)}")
        return surge_report.write(self.results, self.options.results)

    def setup(self, parts: list[str]) -> None:
        """Accounts, the bare app's database and the photos, for the parts that need them."""
        if {"profile", "intake", "load"} & set(parts):
            self.create_accounts()
        if "intake" in parts:
            self.create_baseline_database()
        if {"evidence", "intake", "load"} & set(parts):
            self.photos = photo_pool(self.options.photos, processes=2)
            self.results.photo_kb = median([len(photo) for photo in self.photos]) / 1024


def run_surge(options: Options) -> bool:
    """The surge benchmark in the database Django is connected to (bench/run.py's test database, or main's)."""
    from django.db import connection

    if connection.vendor != "postgresql" or not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        print(
            "\nSurge: skipped. It needs PostgreSQL and Redis: DATABASE_URL=postgres://postgres@127.0.0.1:5432/"
            "redress_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make bench"
        )
        return True
    return Surge(options).run()


def parse_options(argv=None) -> Options:
    parser = argparse.ArgumentParser(description="Intake surge, evidence and reads against the bare stack (issue 9).")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs over a smaller data set")
    defaults = Options()
    for name, value in vars(defaults).items():
        if name != "quick":
            kind = Path if isinstance(value, Path) else type(value)
            parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=None, help=f"default {value}")
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in vars(args).items() if k != "quick" and v is not None}
    return Options.quick_run(**overrides) if args.quick else Options(**overrides)


def main() -> int:
    options = parse_options()
    import django

    django.setup()
    from django.db import connection

    (ROOT / "var").mkdir(exist_ok=True)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        ok = run_surge(options)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
    print(f"\nsurge: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
