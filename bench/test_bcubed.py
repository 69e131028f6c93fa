from fractions import Fraction

import pytest

from bench.bcubed import bcubed


def test_scores_a_hand_computed_example():
    # Gold: {a, b, c} and {d, e}. Predicted: {a, b} and {c, d, e}: c is split from its merchant and joined
    # to another.
    gold = {"a": "X", "b": "X", "c": "X", "d": "Y", "e": "Y"}
    predicted = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2}

    scores = bcubed(gold=gold, predicted=predicted)

    # Precision per item: a 2/2, b 2/2, c 1/3, d 2/3, e 2/3 -> 11/15.
    # Recall per item:    a 2/3, b 2/3, c 1/3, d 2/2, e 2/2 -> 11/15.
    assert scores.precision == pytest.approx(float(Fraction(11, 15)))
    assert scores.recall == pytest.approx(float(Fraction(11, 15)))
    assert scores.f1 == pytest.approx(float(Fraction(11, 15)))


def test_weighs_every_item_not_every_cluster():
    # Gold: {a, b, c, d} and {e}. Predicted: all five together. The big merchant's items keep 4/5 precision;
    # the small one's item gets 1/5.
    gold = {"a": "X", "b": "X", "c": "X", "d": "X", "e": "Y"}
    predicted = dict.fromkeys(gold, 0)

    scores = bcubed(gold=gold, predicted=predicted)

    # Precision: (4 * 4/5 + 1/5) / 5 = 17/25; recall 1; F1 = 2 * 17/25 / (1 + 17/25) = 34/42.
    assert scores.precision == pytest.approx(17 / 25)
    assert scores.recall == 1
    assert scores.f1 == pytest.approx(34 / 42)


def test_joining_everything_keeps_recall_and_costs_precision():
    gold = {"a": "X", "b": "X", "c": "Y", "d": "Z"}
    predicted = dict.fromkeys(gold, "all")

    scores = bcubed(gold=gold, predicted=predicted)

    # Precision: a 2/4, b 2/4, c 1/4, d 1/4 -> 6/16.
    assert scores.precision == pytest.approx(6 / 16)
    assert scores.recall == 1
    assert scores.f1 == pytest.approx(2 * (6 / 16) / (1 + 6 / 16))


def test_splitting_everything_keeps_precision_and_costs_recall():
    gold = {"a": "X", "b": "X", "c": "X", "d": "Y"}
    predicted = {item: item for item in gold}

    scores = bcubed(gold=gold, predicted=predicted)

    # Recall: a, b, c 1/3 each, d 1/1 -> 2/4.
    assert scores.precision == 1
    assert scores.recall == pytest.approx(0.5)


def test_a_perfect_clustering_scores_one_whatever_its_labels():
    gold = {"a": "X", "b": "X", "c": "Y"}
    scores = bcubed(gold=gold, predicted={"a": 7, "b": 7, "c": 8})
    assert (scores.precision, scores.recall, scores.f1) == (1, 1, 1)


def test_refuses_mappings_of_different_items():
    with pytest.raises(ValueError, match="same items"):
        bcubed(gold={"a": 1}, predicted={"b": 1})
