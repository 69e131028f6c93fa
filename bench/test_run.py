import pytest

from bench.bcubed import bcubed
from bench.run import Mention, grouping_errors


def mentions(*golds):
    return [Mention(f"M{i}", gold, {}) for i, gold in enumerate(golds)]


def test_a_join_costs_the_precision_it_loses_and_names_the_mention_that_made_it():
    # X founded cluster 1 (3 mentions); Y's 2 mentions joined it; Y's third mention is alone.
    items = mentions("X", "Y", "X", "Y", "X", "Y")
    predicted = {"M0": 1, "M1": 1, "M2": 1, "M3": 1, "M4": 1, "M5": 2}

    errors = grouping_errors(items, predicted)

    joined = [e for e in errors if e.kind == "joined"]
    assert [(e.gold, e.cluster, [m.id for m in e.mentions]) for e in joined] == [("Y", 1, ["M1", "M3"])]
    scores = bcubed(gold={m.id: m.gold for m in items}, predicted=predicted)
    # Two merchants to a cluster: the join's cost is exactly the precision lost, in points.
    assert joined[0].damage == pytest.approx(100 * (1 - scores.precision))


def test_a_split_is_counted_against_the_merchants_main_cluster():
    items = mentions("X", "X", "X", "X")
    predicted = {"M0": 1, "M1": 1, "M2": 1, "M3": 2}

    errors = grouping_errors(items, predicted)

    assert [(e.kind, e.cluster, [m.id for m in e.mentions]) for e in errors] == [("split", 2, ["M3"])]
    scores = bcubed(gold={m.id: m.gold for m in items}, predicted=predicted)
    assert errors[0].damage == pytest.approx(100 * (1 - scores.recall))


def test_a_perfect_grouping_has_no_errors():
    items = mentions("X", "Y", "X")
    assert grouping_errors(items, {"M0": 1, "M1": 2, "M2": 1}) == []
