"""`make bench`: how well merchants.services.merchant_resolve groups complaint mentions, how fast it is, and how
fast the dashboard answers over a million complaints (bench/dashboard.py).

    make bench                                                                    # grouping; SQLite skips timings
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/redress_bench make bench      # grouping, timing, dashboard
    .venv/bin/python bench/run.py --only grouping --mentions bench/data/mentions.csv
    .venv/bin/python bench/run.py --only timing --merchants 10000                 # a quicker, smaller timing run
    .venv/bin/python bench/run.py --only dashboard --complaints 100000 --dash-merchants 10000

Every part runs in a throwaway test database that Django's test machinery creates (test_<NAME> next to the
DATABASE_URL database, which itself need not exist) and destroys afterwards. Timing and the dashboard need
PostgreSQL: names are matched there with pg_trgm indexes, which SQLite does not have, and the dashboard's data
set is loaded with COPY. Exit status 1 when a target is missed.
"""

import argparse
import csv
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script (`python bench/run.py`), so the project's packages are importable.
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

MENTIONS = ROOT / "bench" / "data" / "mentions.csv"
TARGET_PRECISION = 0.98
TARGET_F1 = 0.95
TARGET_MEDIAN_DB_MS = 5.0
WORST_ERRORS = 15

MERCHANTS = 100_000
IDENTIFIERS_PER_MERCHANT = 5  # a name and four strong identifiers: 500,000 for 100,000 merchants
RESOLUTIONS = 1000
WARM_UP = 30
SEED = 20250603
# The dashboard part's defaults (bench/dashboard.py): issue 6's data set.
DASHBOARD_COMPLAINTS = 1_000_000
DASHBOARD_MERCHANTS = 100_000


# Grouping ---------------------------------------------------------------------------------------------------


@dataclass
class Mention:
    id: str
    gold: str
    claims: dict[str, str]

    def summary(self, width: int = 110) -> str:
        """The mention as a moderator would skim it: names first, then the identifiers."""
        order = ["merchant_name", "mini_program_name", "company_name"]
        parts = [f"“{self.claims[k]}”" for k in order if self.claims.get(k)]
        short = {"merchant_phone": "phone", "payee_account": "payee", "company_uscc": "uscc", "shop_url": "url"}
        parts += [
            f"{short.get(k, k)}={v.strip()}" for k, v in self.claims.items() if v and k not in order and k != "platform"
        ]
        text = " ".join(parts) + f" [{self.claims.get('platform') or 'no platform'}]"
        return text if len(text) <= width else text[: width - 1] + "…"


def read_mentions(path: Path, field_names: list[str]) -> list[Mention]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    missing = {"mention_id", "merchant", *field_names} - set(rows[0] if rows else ())
    if missing:
        raise SystemExit(f"{path}: missing columns {sorted(missing)}")
    return [Mention(row["mention_id"], row["merchant"], {name: row[name] for name in field_names}) for row in rows]


def roots_of(merchant_ids: set[int]) -> dict[int, int]:
    """Each merchant's root: follow merged_into while the merchant is merged, as stored now."""
    from merchants.models import Merchant

    links = {pk: (status, target) for pk, status, target in Merchant.objects.values_list("pk", "status", "merged_into")}
    roots = {}
    for pk in merchant_ids:
        current, seen = pk, set()
        while links[current][0] == Merchant.Status.MERGED and current not in seen:
            seen.add(current)
            current = links[current][1]
        roots[pk] = current
    return roots


def run_grouping(path: Path) -> bool:
    from django.core.exceptions import ValidationError

    from bench.bcubed import bcubed
    from merchants.models import Merchant, MergeProposal
    from merchants.services import MerchantClaims, merchant_resolve

    mentions = read_mentions(path, MerchantClaims.field_names())
    linked, why, refused, unreadable = {}, {}, [], []
    started = time.perf_counter()
    for mention in mentions:
        claims = MerchantClaims(**mention.claims)
        try:
            resolution = merchant_resolve(claims=claims)
        except (ValueError, ValidationError) as error:
            refused.append((mention, error))
            continue
        linked[mention.id] = resolution.linked.pk
        why[mention.id] = explain(resolution)
        # Claims the resolver skipped as unreadable: formats people really type that the parsers do not know.
        unreadable += [(mention, name, error) for name, error in claims.errors().items()]
    elapsed = time.perf_counter() - started

    roots = roots_of(set(linked.values()))
    gold = {m.id: m.gold for m in mentions}
    # A refused mention is a cluster of its own: it was not grouped with anything.
    predicted = {m.id: roots[linked[m.id]] if m.id in linked else f"refused:{m.id}" for m in mentions}
    scores = bcubed(gold=gold, predicted=predicted)
    open_proposals = MergeProposal.objects.filter(status="open").count()

    print(f"\nGrouping: {len(mentions)} mentions of {len(set(gold.values()))} merchants from {path}")
    print(f"  resolved in {elapsed:.1f} s ({elapsed / len(mentions) * 1000:.1f} ms per mention)")
    print(f"  predicted merchants: {len(set(predicted.values()))}   open merge proposals: {open_proposals}")
    print(f"  refused (raised): {len(refused)}   unreadable claim fields (skipped): {len(unreadable)}")
    precision_ok = scores.precision >= TARGET_PRECISION
    f1_ok = scores.f1 >= TARGET_F1
    print(f"  B-cubed precision {scores.precision:.4f}   target >= {TARGET_PRECISION}   {verdict(precision_ok)}")
    print(f"  B-cubed recall    {scores.recall:.4f}")
    print(f"  B-cubed F1        {scores.f1:.4f}   target >= {TARGET_F1}   {verdict(f1_ok)}")
    for mention, error in refused:
        print(f"  REFUSED {mention.id} {mention.gold}: {error}  {mention.summary()}")
    for mention, name, error in unreadable:
        print(f"  unreadable {mention.id} {name}={mention.claims[name]!r}: {error}")

    names = dict(Merchant.objects.filter(pk__in=set(roots.values())).values_list("pk", "name"))
    print_worst_errors(mentions, predicted, names, why)
    return precision_ok and f1_ok and not refused


def explain(resolution) -> str:
    """What the resolver did with one mention, for the error list."""
    if resolution.created:
        proposal = resolution.proposal
        return f"created, proposed as #{proposal.candidate_id} ({proposal.score:.0f})" if proposal else "created"
    decisive = {"matched", "name_match", "merged"}
    return "linked by " + ", ".join(
        sorted({f"{link.kind} {link.outcome}" for link in resolution.links if link.outcome in decisive})
    )


@dataclass
class GroupingError:
    """Some of one merchant's mentions in the wrong cluster: joined to a cluster another merchant started, or
    split from the cluster that holds most of that merchant's mentions."""

    kind: str  # "joined" or "split"
    gold: str
    cluster: object
    mentions: list[Mention]  # the merchant's mentions in that cluster, in file order; the first one did it
    damage: float  # B-cubed precision (joined) or recall (split) lost, in points


def grouping_errors(mentions: list[Mention], predicted: dict) -> list[GroupingError]:
    """Every join and split, with what it costs: k of a cluster's n mentions that belong elsewhere cost
    2k(n-k)/n item-scores of precision (k items lose (n-k)/n each, the other n-k lose k/n each); splitting k of a
    merchant's m mentions off costs 2k(m-k)/m of recall, the same way."""
    by_cluster, by_gold = defaultdict(list), defaultdict(list)
    for mention in mentions:
        by_cluster[predicted[mention.id]].append(mention)
        by_gold[mention.gold].append(mention)
    points = 100 / len(mentions)
    errors = []
    for cluster, members in by_cluster.items():
        founder = members[0].gold  # whoever came first made the cluster
        for gold in dict.fromkeys(m.gold for m in members if m.gold != founder):
            mine = [m for m in members if m.gold == gold]
            k, n = len(mine), len(members)
            errors.append(GroupingError("joined", gold, cluster, mine, 2 * k * (n - k) / n * points))
    for gold, own in by_gold.items():
        counts = Counter(predicted[m.id] for m in own)  # file order breaks ties
        home = counts.most_common(1)[0][0]
        for cluster in counts:
            if cluster != home:
                mine = [m for m in own if predicted[m.id] == cluster]
                k, m = len(mine), len(own)
                errors.append(GroupingError("split", gold, cluster, mine, 2 * k * (m - k) / m * points))
    errors.sort(key=lambda e: (-e.damage, e.mentions[0].id))
    return errors


def print_worst_errors(mentions: list[Mention], predicted: dict, names: dict[int, str], why: dict[str, str]) -> None:
    """The joins and splits that cost most, each with the mention that made it: what the victim typed, what
    the resolver did with it, where it went."""
    errors = grouping_errors(mentions, predicted)
    members = defaultdict(Counter)
    for mention in mentions:
        members[predicted[mention.id]][mention.gold] += 1

    def cluster_text(cluster) -> str:
        if not isinstance(cluster, int):
            return str(cluster)
        inside = ", ".join(f"{gold} {count}" for gold, count in members[cluster].most_common(4))
        return f"#{cluster} “{names.get(cluster, '')}” ({inside})"

    print(
        f"\nWorst errors ({min(WORST_ERRORS, len(errors))} of {len(errors)} joins and splits, by B-cubed points lost):"
    )
    for error in errors[:WORST_ERRORS]:
        first = error.mentions[0]
        measure = "precision" if error.kind == "joined" else "recall"
        where = "into" if error.kind == "joined" else "off to"
        print(
            f"  {error.kind:6} -{error.damage:.2f} {measure:9} {error.gold}: {len(error.mentions)} mention(s)"
            f" {where} {cluster_text(error.cluster)}"
        )
        print(f"      {first.id} {first.summary()}")
        print(f"      {why.get(first.id, 'refused')}")
        if len(error.mentions) > 1:
            print(f"      also {' '.join(m.id for m in error.mentions[1:12])}")


# Timing -----------------------------------------------------------------------------------------------------

# Characters shop names are made of: the common ones (优, 品, 汇, 鑫...) and enough others that names share
# characters about as often as real ones do.
SHOP_WORDS = list("易优鑫美佳惠乐康云星金华嘉恒瑞锦欣悦尚品汇宜盛达宏丰泰安顺鸿福源博创新辰宇晨晟骏宝诚信德润")
SHOP_WORDS += list("鲜果茶香米粒甜蜜桃花森绿橙蓝红紫青白小大好万千百家园坊阁轩居堂")
SHOP_WORDS += list("天地人和春夏秋冬东南西北中山水石木林竹梅兰菊松月日光明清风雅韵诗书画琴艺文学")
SHOP_WORDS += list("龙凤麟鹤鹿熊猫虎豹狮马牛羊鱼鸟蝶蜂雪雨云霞彩虹晶玉珠翠银铜铁钢")
SHOP_WORDS += list("富贵吉祥如意平喜庆丽秀芳菲莉萌酷潮尚品质精致简约时代未来智慧")
TRADES = ["商城", "优选", "小铺", "严选", "生活馆", "旗舰店", "百货", "数码", "服饰", "美妆", "食品", "家居", "母婴"]
TRADES += ["茶叶", "水果", "宠物", "图书", "户外", "珠宝", "电器", "科技", "网络", "超市", "特产", "鞋业", ""]
PLATFORMS = ["wechat_mini_program", "wechat_social", "taobao_tmall", "jd", "pinduoduo", "douyin", "kuaishou"]
PLATFORMS += ["xiaohongshu", "website", "app"]
MOBILE_PREFIXES = ["130", "131", "132", "155", "156", "166", "171", "173", "175", "176", "180", "181", "189"]
CARD_BINS = ["622202", "621700", "622848", "623058", "621661", "621799", "620522"]


@dataclass
class Synthetic:
    """A generated merchant: its platform, name, and the strong identifiers it is loaded with."""

    pk: int
    platform: str
    name: str
    name_key: str = ""
    name_pinyin: str = ""
    strong: list[tuple[str, str]] = field(default_factory=list)  # (claim field, value as typed)
    keys: list[tuple[str, str]] = field(default_factory=list)  # (kind, normalized) of each strong identifier


class QueryTimer:
    """Sums the time spent in each query Django sends (connection.execute_wrapper)."""

    def __init__(self):
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def shop_name(rng: random.Random) -> str:
    core = "".join(rng.choice(SHOP_WORDS) for _ in range(rng.choice([2, 2, 3, 3, 4])))
    return core + rng.choice(TRADES)


def card(rng: random.Random) -> str:
    from stdnum import luhn

    body = rng.choice(CARD_BINS) + "".join(rng.choice("0123456789") for _ in range(12))
    return body + luhn.calc_check_digit(body)


def strong_claim(rng: random.Random, platform: str, slot: int, pk: int) -> tuple[str, str]:
    """A strong identifier typed in its field: a phone and a bank card, the platform's own ID (a mini-program
    app ID, a shop link, a website or a WeChat ID), and an Alipay email. Unique by construction (the merchant's
    pk is in it) except the phone and card, which are random."""
    if slot == 0:
        return "merchant_phone", rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    if slot == 1:
        return "payee_account", card(rng)
    if slot == 2:
        if platform == "wechat_mini_program":
            return "app_id", f"wx{pk:08x}{rng.getrandbits(32):08x}"
        if platform in {"taobao_tmall", "jd", "pinduoduo"}:
            return "shop_url", {
                "taobao_tmall": f"shop{100_000_000 + pk}.taobao.com",
                "jd": f"mall.jd.com/index-{1_000_000_000 + pk}.html",
                "pinduoduo": f"mobile.yangkeduo.com/mall_page.html?mall_id={200_000_000 + pk}",
            }[platform]
        if platform in {"website", "app"}:
            return "shop_url", f"www.shop{pk}-{rng.choice(['mall', 'buy', 'go', 'vip'])}.com"
        return "wechat_id", f"bench_{pk}_{rng.choice(['kf', 'vip', 'shop'])}"
    return "payee_account", f"pay{pk}@{rng.choice(['163.com', 'qq.com', '126.com'])}"


def parsed_strong(claim_field: str, value: str):
    from merchants import identifiers as ids

    return next(p for p in ids.parse_claim(claim_field, value) if p.kind in ids.STRONG_KINDS)


def build_synthetic(rng: random.Random, count: int) -> list[Synthetic]:
    """Merchants with their identifiers normalised the way merchant_resolve normalises claims."""
    from merchants import identifiers as ids

    merchants, taken = [], set()
    for pk in range(1, count + 1):
        merchant = Synthetic(pk, rng.choice(PLATFORMS), shop_name(rng))
        merchant.name_key, merchant.name_pinyin = ids.normalize_name(merchant.name), ids.name_pinyin(merchant.name)
        for slot in range(IDENTIFIERS_PER_MERCHANT - 1):
            claim = strong_claim(rng, merchant.platform, slot, pk)
            key = parsed_strong(*claim)
            while (key.kind, key.normalized) in taken:  # a random phone or card drawn twice
                claim = strong_claim(rng, merchant.platform, slot, pk)
                key = parsed_strong(*claim)
            taken.add((key.kind, key.normalized))
            merchant.strong.append(claim)
            merchant.keys.append((key.kind, key.normalized))
        merchants.append(merchant)
    return merchants


def copy_rows(model, columns: list[str], rows) -> None:
    """COPY rows into a model's table; columns not given take the field's default."""
    from django.db import connection

    given = set(columns)
    rest = [f for f in model._meta.concrete_fields if f.column not in given and not f.primary_key]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    names = ", ".join(connection.ops.quote_name(c) for c in [*columns, *(f.column for f in rest)])
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row((*row, *defaults))


MERCHANT_COLUMNS = ["id", "uuid", "name", "kind", "status", "platform_id", "company_name", "uscc"]
MERCHANT_COLUMNS += ["registered_region", "created_at", "updated_at"]


def load(merchants: list[Synthetic]) -> int:
    """Bulk-load the merchants and their identifiers; returns how many identifiers."""
    from django.core.management.color import no_style
    from django.db import connection
    from django.utils import timezone

    from merchants import identifiers as ids
    from merchants.models import Identifier, Merchant, Platform

    platforms = dict(Platform.objects.values_list("code", "pk"))
    missing = set(PLATFORMS) - platforms.keys()
    if missing:
        raise SystemExit(f"platforms missing from the database: {sorted(missing)}")
    now = timezone.now()
    copy_rows(
        Merchant,
        MERCHANT_COLUMNS,
        (
            (m.pk, uuid.uuid4(), m.name, "online_shop", "active", platforms[m.platform], "", "", "", now, now)
            for m in merchants
        ),
    )

    def identifier_rows():
        for m in merchants:
            yield (m.pk, ids.NAME, "weak", m.name, m.name_key, m.name_pinyin, now)
            for (_field, value), (kind, normalized) in zip(m.strong, m.keys, strict=True):
                yield (m.pk, kind, "strong", value, normalized, "", now)

    copy_rows(
        Identifier,
        ["merchant_id", "kind", "strength", "value", "normalized", "pinyin", "created_at"],
        identifier_rows(),
    )
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Merchant, Identifier]):
            cursor.execute(statement)
        cursor.execute("ANALYZE merchants_merchant")
        cursor.execute("ANALYZE merchants_identifier")
    return Identifier.objects.count()


def typed(rng: random.Random, claim_field: str, value: str) -> str:
    """The same identifier as another victim would type it."""
    if claim_field == "merchant_phone":
        return rng.choice([value, f"{value[:3]} {value[3:7]} {value[7:]}", f"+86 {value[:3]}-{value[3:7]}-{value[7:]}"])
    if claim_field == "payee_account" and value.isdigit():
        return rng.choice([value, " ".join(value[i : i + 4] for i in range(0, len(value), 4))])
    if claim_field == "app_id":
        return rng.choice([value, value.upper()])
    if claim_field == "shop_url":
        return rng.choice([value, f"https://{value}"])
    return value


def near_name(rng: random.Random, name: str) -> str:
    """A name as a victim remembers it: a shop word added, a character dropped, or in brackets."""
    roll = rng.random()
    if roll < 0.4:
        return name + rng.choice(["官方旗舰店", "商城", "小程序", "店"])
    if roll < 0.7 and len(name) > 3:
        cut = rng.randrange(len(name))
        return name[:cut] + name[cut + 1 :]
    return f"【{name}】"


def timing_claims(rng: random.Random, merchants: list[Synthetic], count: int) -> list[tuple[str, dict]]:
    """40% name a loaded merchant by a strong identifier, 30% by a near name only, 30% a merchant not loaded."""
    claims = []
    for _i in range(count):
        roll, m = rng.random(), rng.choice(merchants)
        if roll < 0.4:
            claim_field, value = rng.choice(m.strong)
            fields = {"platform": m.platform, claim_field: typed(rng, claim_field, value)}
            if rng.random() < 0.6:
                fields["merchant_name"] = near_name(rng, m.name)
            claims.append(("strong hit", fields))
        elif roll < 0.7:
            claims.append(("name only", {"platform": m.platform, "merchant_name": near_name(rng, m.name)}))
        else:
            phone = "199" + f"{rng.randrange(10**8):08d}"  # no loaded merchant has a 199 number
            fields = {"platform": rng.choice(PLATFORMS), "merchant_name": shop_name(rng), "merchant_phone": phone}
            claims.append(("new merchant", fields))
    return claims


def clear_merchants() -> None:
    """Timing starts from empty merchant tables, so the data set is the size stated whatever the grouping part
    left behind."""
    from django.db import connection

    from merchants.models import Identifier, Merchant, MerchantMerge, MergeProposal

    tables = ", ".join(m._meta.db_table for m in [MerchantMerge, MergeProposal, Identifier, Merchant])
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_timing(merchant_count: int) -> bool:
    from django.db import connection, transaction

    from merchants.services import MerchantClaims, merchant_resolve

    if connection.vendor != "postgresql":
        print(
            f"\nTiming: skipped on {connection.vendor}. The target is for PostgreSQL, where names are matched with"
            " pg_trgm indexes; run DATABASE_URL=postgres://postgres@127.0.0.1:5432/redress_bench make bench"
        )
        return True
    rng = random.Random(SEED)
    print(f"\nTiming on PostgreSQL ({connection.settings_dict['NAME']}):")
    clear_merchants()
    started = time.perf_counter()
    merchants = build_synthetic(rng, merchant_count)
    generated = time.perf_counter()
    identifiers = load(merchants)
    loaded = time.perf_counter()
    print(
        f"  loaded {merchant_count:,} merchants and {identifiers:,} identifiers in {loaded - started:.0f} s"
        f" (generating and normalising {generated - started:.0f} s, COPY and ANALYZE {loaded - generated:.0f} s)"
    )

    claims = timing_claims(rng, merchants, WARM_UP + RESOLUTIONS)
    results = []
    for index, (category, fields) in enumerate(claims):
        timer = QueryTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer), transaction.atomic():
            merchant_resolve(claims=MerchantClaims(**fields))
            # Undo it, so every resolution meets the same data set.
            transaction.set_rollback(True)
        wall = time.perf_counter() - started
        if index >= WARM_UP:
            results.append((category, timer.seconds * 1000, wall * 1000, timer.queries))

    db_ms = [r[1] for r in results]
    wall_ms = [r[2] for r in results]
    median_db = statistics.median(db_ms)
    ok = median_db < TARGET_MEDIAN_DB_MS
    print(f"  {len(results)} resolutions (after {WARM_UP} to warm up), each rolled back:")
    print(
        f"    database ms per complaint: median {median_db:.2f}  p95 {percentile(db_ms, 0.95):.2f}"
        f"  max {max(db_ms):.2f}"
    )
    print(
        f"    wall ms per complaint:     median {statistics.median(wall_ms):.2f}  p95 {percentile(wall_ms, 0.95):.2f}"
        f"  max {max(wall_ms):.2f}"
    )
    print(f"    queries per complaint:     median {statistics.median(r[3] for r in results):.0f}")
    for category in ["strong hit", "name only", "new merchant"]:
        rows = [r for r in results if r[0] == category]
        print(
            f"    {category:13} ({len(rows):3}): median database {statistics.median(r[1] for r in rows):.2f} ms,"
            f" wall {statistics.median(r[2] for r in rows):.2f} ms"
        )
    print(f"  median database time {median_db:.2f} ms   target < {TARGET_MEDIAN_DB_MS} ms   {verdict(ok)}")
    return ok


# Main -------------------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description="Merchant resolution (3), dashboard (6) and surge (9) benchmarks.")
    parser.add_argument("--only", choices=["grouping", "timing", "dashboard", "surge"], help="run one part only")
    parser.add_argument("--mentions", type=Path, default=MENTIONS, help="labelled mentions CSV")
    parser.add_argument("--merchants", type=int, default=MERCHANTS, help="merchants to load for timing")
    parser.add_argument(
        "--complaints", type=int, default=DASHBOARD_COMPLAINTS, help="complaints to seed for the dashboard"
    )
    parser.add_argument(
        "--dash-merchants", type=int, default=DASHBOARD_MERCHANTS, help="merchants to seed for the dashboard"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    (ROOT / "var").mkdir(exist_ok=True)  # where the SQLite test database goes
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        ok = True
        if args.only in (None, "grouping"):
            ok &= run_grouping(args.mentions)
        if args.only in (None, "timing"):
            ok &= run_timing(args.merchants)
        if args.only in (None, "dashboard"):
            from bench.dashboard import run_dashboard

            ok &= run_dashboard(args.complaints, args.dash_merchants)
        if args.only in (None, "surge"):
            # Last, in the same database: its reads use the million complaints the dashboard part seeded.
            from bench.surge import Options, run_surge

            ok &= run_surge(Options())
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
    print(f"\nmake bench: {verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
