"""B-cubed precision, recall and F1 of a clustering against gold labels (Bagga and Baldwin, 1998).

Every item is scored on its own and the scores are averaged: an item's precision is the share of its
predicted cluster that truly belongs with it, its recall the share of its true cluster that was put with it.
So a big merchant wrongly joined to a small one costs the small one's complaints most, as it should. Pure: no
Django, no database.
"""

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


def bcubed(*, gold: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]) -> Scores:
    """Score `predicted` (item -> predicted cluster) against `gold` (item -> true cluster); both must label
    the same items. Cluster labels are only compared for equality within their own mapping."""
    if gold.keys() != predicted.keys():
        raise ValueError("gold and predicted must label the same items")
    if not gold:
        raise ValueError("nothing to score")
    gold_sizes = Counter(gold.values())
    predicted_sizes = Counter(predicted.values())
    # How many items each (gold cluster, predicted cluster) pair shares.
    overlap = Counter((gold[item], predicted[item]) for item in gold)
    precision = recall = 0.0
    for item in gold:
        shared = overlap[(gold[item], predicted[item])]
        precision += shared / predicted_sizes[predicted[item]]
        recall += shared / gold_sizes[gold[item]]
    precision, recall = precision / len(gold), recall / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)
