"""Tunes complaints.duplicates.PHASH_THRESHOLD on the labelled screenshots of make_screenshots.py.

    .venv/bin/python bench/phash/make_screenshots.py && .venv/bin/python bench/phash/tune.py

Every file is hashed by complaints.processing.process_image, the function the evidence pipeline runs, so the
hashes are the ones stored in Evidence.phash (same decoding, EXIF rotation, downscales, imagehash.phash of the
thumbnail). Every pair of files is then one of: two copies of one original (must be flagged); two originals of one
merchant in one template (two victims of one shop, the pairs complaints/flags.py compares); two originals of
different merchants in one template (two chats in the same app); two templates.

The issue's rule is a threshold that flags (nearly) all copies and no two originals of one template. Where a
template's different originals hash as close as a plain JPEG copy of one of them (pages that differ only in
small text: order pages, bills), no threshold can do that, and the run says so; the threshold is then chosen on
the templates the hash can tell apart: from the smallest value that flags 99% of their copies (or as many as any
threshold does without a false pair) to the largest that flags none of their different originals, the middle.
Exit status 1 when no threshold keeps those templates apart or the committed PHASH_THRESHOLD is outside the range.
"""

import argparse
import csv
import os
import statistics
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Run as a script (`python bench/phash/tune.py`), so the project's packages are importable.
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

from complaints import duplicates, processing  # noqa: E402

SET = ROOT / "var" / "phash-set"
MIN_RECALL = 0.99
TABLE_MAX = 20
# "The same screenshot re-encoded and resized": the copies no threshold may miss.
PLAIN_COPIES = ("jpeg", "resize", "wechat", "png_to_jpeg")
SAME, SAME_MERCHANT = "copies of 1 original", "2 originals, 1 merchant"
SAME_TEMPLATE, OTHER = "2 merchants, 1 app", "2 apps"


@dataclass
class Pairs:
    """Distances of every pair of files, by kind, overall and per template."""

    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_template: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    plain: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # original vs plain copy
    by_transform: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # original vs copy
    examples: dict[str, list[tuple[int, str, str]]] = field(default_factory=lambda: defaultdict(list))


def phash_of(path: Path) -> str:
    with path.open("rb") as stream:
        return processing.process_image(stream).phash


def pairs_of(rows: list[dict], hashes: list[str]) -> Pairs:
    pairs = Pairs()
    for (i, a), (j, b) in combinations(enumerate(rows), 2):
        distance = duplicates.phash_distance(hashes[i], hashes[j])
        if a["original_id"] == b["original_id"]:
            kind = SAME
            if "original" in (a["transform"], b["transform"]):
                copy = b["transform"] if a["transform"] == "original" else a["transform"]
                pairs.by_transform[copy].append(distance)
                if copy in PLAIN_COPIES:
                    pairs.plain[a["template"]].append(distance)
        elif a["template"] != b["template"]:
            kind = OTHER
        else:
            kind = SAME_MERCHANT if a["merchant"] == b["merchant"] else SAME_TEMPLATE
        pairs.by_kind[kind].append(distance)
        if kind != OTHER:
            pairs.by_template[a["template"], kind].append(distance)
            pairs.examples[kind].append((distance, a["file"], b["file"]))
    return pairs


def describe(distances: list[int]) -> str:
    if not distances:
        return "none"
    q = statistics.quantiles(distances, n=100, method="inclusive") if len(distances) > 1 else distances * 99
    return (
        f"n={len(distances):>6}  min={min(distances):>2}  p1={q[0]:>4.1f}  median={statistics.median(distances):>4.1f}"
        f"  p99={q[98]:>4.1f}  max={max(distances):>2}"
    )


def recall(distances: list[int], t: int) -> float:
    return sum(d <= t for d in distances) / len(distances)


def choose(same: list[int], different: list[int]) -> tuple[int, int] | None:
    """The range of thresholds that flag no different pair and 99% of copies (or the most any such threshold
    flags), or None when even 0 flags a different pair."""
    if min(different) == 0:
        return None
    high = min(different) - 1
    wanted = min(MIN_RECALL, recall(same, high))
    low = next(t for t in range(high + 1) if recall(same, t) >= wanted)
    return low, high


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=SET, help="directory with labels.csv (make_screenshots.py --out)")
    args = parser.parse_args(argv)
    labels = args.set / "labels.csv"
    if not labels.exists():
        print(f"no {labels}; run bench/phash/make_screenshots.py first", file=sys.stderr)
        return 1
    with labels.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    with ProcessPoolExecutor() as pool:
        hashes = list(pool.map(phash_of, [args.set / row["file"] for row in rows], chunksize=8))
    pairs = pairs_of(rows, hashes)
    templates = list(dict.fromkeys(row["template"] for row in rows))
    originals = len({row["original_id"] for row in rows})
    ones = {bin(int(h, 16)).count("1") for h in hashes}
    print(f"{len(rows)} files: {originals} originals in {len(templates)} templates, each with its re-shared copies.")
    print(f"Hamming distances between 64-bit phashes (bits set per hash: {sorted(ones)}).\n")
    print("Pairs of files, by kind:")
    for kind in (SAME, SAME_MERCHANT, SAME_TEMPLATE, OTHER):
        print(f"  {kind:<24} {describe(pairs.by_kind[kind])}")
    print("\nOriginal vs each kind of copy:")
    for name, values in sorted(pairs.by_transform.items(), key=lambda item: (max(item[1]), item[0])):
        print(f"  {name:<14} {describe(values)}")

    # A template the hash can tell apart: its different originals are all further apart than any plain copy.
    print("\nPer template: copies (max; plain copies max) vs different originals (min: 1 merchant; 2 merchants)")
    separable = []
    for template in templates:
        same = pairs.by_template[template, SAME]
        merchant = pairs.by_template[template, SAME_MERCHANT]
        others = pairs.by_template[template, SAME_TEMPLATE]
        apart = bool(merchant + others) and min(merchant + others) > max(pairs.plain[template])
        separable += [template] if apart else []
        print(
            f"  {template:<14} copies max {max(same):>2}; plain max {max(pairs.plain[template]):>2}   "
            f"different min {min(merchant) if merchant else '-':>2}; {min(others) if others else '-':>2}   "
            + ("separable" if apart else "NOT separable: different originals as close as a plain copy")
        )
    for kind in (SAME, SAME_MERCHANT, SAME_TEMPLATE):
        pick = sorted(pairs.examples[kind], reverse=kind == SAME)[:3]
        label = "farthest copies" if kind == SAME else f"closest different originals ({kind})"
        print(f"  {label}: " + "; ".join(f"{d} {a} ~ {b}" for d, a, b in pick))

    same_all = pairs.by_kind[SAME]
    same_sep = [d for t in separable for d in pairs.by_template[t, SAME]]
    diff_sep = [d for t in separable for k in (SAME_MERCHANT, SAME_TEMPLATE) for d in pairs.by_template[t, k]]
    diff_rest = [d for t in templates if t not in separable for k in (SAME_MERCHANT, SAME_TEMPLATE)
                 for d in pairs.by_template[t, k]]  # fmt: skip
    header = ("t", "copies", "recall", "recall sep.", "FP sep.", "FP not sep.", "FP 2 tmpl", "precision")
    print("\n" + " ".join(f"{h:>11}" for h in header))
    for t in range(TABLE_MAX + 1):
        hits = sum(d <= t for d in same_all)
        false = [sum(d <= t for d in group) for group in (diff_sep, diff_rest, pairs.by_kind[OTHER])]
        flagged = hits + sum(false)
        cells = [t, hits, f"{hits / len(same_all):.4f}", f"{recall(same_sep, t):.4f}" if same_sep else "-", *false,
                 f"{hits / flagged:.4f}" if flagged else "-"]  # fmt: skip
        print(" ".join(f"{c:>11}" for c in cells))

    print(f"\nNot separable at any threshold: {', '.join(t for t in templates if t not in separable) or 'none'}.")
    if not separable:
        print("No template's screenshots can be told apart by the hash: no threshold to choose.")
        return 1
    chosen = choose(same_sep, diff_sep)
    if chosen is None:
        print("Different originals of the separable templates share a hash: no threshold keeps them apart.")
        return 1
    low, high = chosen
    middle = (low + high) // 2
    print(
        f"Separable templates ({', '.join(separable)}): thresholds {low}..{high} flag no two different originals and"
        f" {recall(same_sep, low):.2%} of copies ({MIN_RECALL:.0%} wanted; the most without a false pair:"
        f" {recall(same_sep, high):.2%}). Middle: {middle}."
    )
    if len(ones) == 1:
        print(f"Every hash has {ones.pop()} bits set, so distances are even: t and t + 1 flag the same pairs.")
    committed = duplicates.PHASH_THRESHOLD
    plain = [d for values in pairs.plain.values() for d in values]
    print(
        f"At {committed} (committed): plain copies flagged {recall(plain, committed):.2%}, "
        f"all copies {recall(same_all, committed):.2%}; different originals of the non-separable templates flagged "
        f"{recall(diff_rest, committed) if diff_rest else 0:.2%}."
    )
    if not low <= committed <= high:
        print(f"complaints/duplicates.py has PHASH_THRESHOLD = {committed}, outside {low}..{high}: set it to {middle}")
        return 1
    print(f"complaints/duplicates.py has PHASH_THRESHOLD = {committed}, inside {low}..{high}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
