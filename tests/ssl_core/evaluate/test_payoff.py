"""The label-efficiency curve in words: few labels (10%) and all, each against the best other
curve at that share, above / below / within the noise of the held-out images."""

from __future__ import annotations

from ssl_core.evaluate.payoff import payoff_words


def curve(*points: tuple[float, int, float]) -> list[dict]:
    return [{"fraction": f, "labels": n, "mean": m, "std": 0.0} for f, n, m in points]


EFFICIENCY = {
    "fractions": [0.01, 0.1, 1.0], "draws": 3, "pool": 700, "test": 300,
    "curves": {
        "run-1": curve((0.01, 7, 0.40), (0.1, 70, 0.80), (1.0, 700, 0.90)),
        "raw pixels": curve((0.01, 7, 0.30), (0.1, 70, 0.50), (1.0, 700, 0.60)),
        "untrained small_cnn": curve((0.01, 7, 0.35), (0.1, 70, 0.55), (1.0, 700, 0.88)),
    },
}


def test_it_reads_ten_percent_and_all_labels_against_the_best_baseline_there():
    words = payoff_words(EFFICIENCY, "run-1", {"run-1": "SimCLR · 5 min"})
    assert words.startswith("SimCLR · 5 min: with 70 labels (10%) 80%, above the best baseline "
                            "(untrained small_cnn, 55%); with all 700 labels 90%, within noise of the best "
                            "baseline (untrained small_cnn, 88%).")
    # 2 sqrt((.9 .1 + .88 .12) / 300) to 2 sqrt((.8 .2 + .55 .45) / 300), in points as the verdict says it (walk 11
    # read "7%" as a share); each comparison is judged by its own (walk 23: "a gap under 11 points", the largest, beside
    # a 9.2-point gap called "above")
    assert "Noise: a gap under 5 to 7 points, by the accuracies compared, on these 300 held-out images." in words
    even = [{"fraction": f, "labels": n, "mean": m, "std": 0.01} for f, n, m in ((0.1, 70, 0.8), (1.0, 700, 0.2))]
    alone = {**EFFICIENCY, "curves": {"run-1": even, "raw pixels": even}}  # one margin at both shares
    assert payoff_words(alone, "run-1", {}).endswith(" Noise: a gap under 7 points on these 300 held-out images.")


def test_the_untrained_network_is_said_where_another_baseline_is_the_best():
    """Walk 19: 'above the best baseline (TF-IDF)' under 'Nothing learned yet' against the
    untrained network, which the sentence never named."""
    tfidf = {**EFFICIENCY, "curves": {**EFFICIENCY["curves"],
                                      "TF-IDF": curve((0.01, 7, 0.45), (0.1, 70, 0.84), (1.0, 700, 0.95))}}
    words = payoff_words(tfidf, "run-1", {}, unit="examples", twin="untrained small_cnn")
    assert words.startswith("run-1: with 70 labels (10%) 80%, within noise of the best baseline (TF-IDF, 84%) and "
                            "above the untrained network (55%); with all 700 labels 90%, below the best baseline "
                            "(TF-IDF, 95%) and within noise of the untrained network (88%).")
    # where the untrained network is the best baseline, it is named once
    assert payoff_words(EFFICIENCY, "run-1", {}, twin="untrained small_cnn") == payoff_words(EFFICIENCY, "run-1", {})
    # the untrained network judged itself has no twin beside it
    assert "untrained network" not in payoff_words(tfidf, "untrained small_cnn", {}, twin="untrained small_cnn")


def test_below_the_baseline_is_said_so():
    words = payoff_words(EFFICIENCY, "raw pixels", {})
    assert "with 70 labels (10%) 50%, below the best baseline (run-1, 80%)" in words


def test_without_baselines_it_gives_the_accuracies_alone():
    alone = {**EFFICIENCY, "curves": {"run-1": EFFICIENCY["curves"]["run-1"]}}
    assert payoff_words(alone, "run-1", {}) == "run-1: with 70 labels (10%) 80%; with all 700 labels 90%."


def test_the_sentence_counts_what_the_dataset_holds():
    assert payoff_words(EFFICIENCY, "run-1", {}, unit="examples").endswith(" held-out examples.")


def test_the_share_said_is_the_share_of_labels_drawn():
    """A stranger read 'with 16 labels (10%) ... with all 180 labels': 10% of each of four
    classes of 45 rounds down to 4; the share said is 16 of 180."""
    few = {"fractions": [0.1, 1.0], "draws": 3, "pool": 180, "test": 80,
           "curves": {"run-1": curve((0.1, 16, 0.67), (1.0, 180, 0.9))}}
    assert payoff_words(few, "run-1", {}) == "run-1: with 16 labels (9%) 67%; with all 180 labels 90%."


def test_on_unequal_classes_it_puts_both_against_the_largest_class():
    """Walk 14: every curve under 'always answering the largest class' (66%) while the sentence
    said only 'within noise of the best baseline'."""
    unequal = {"fractions": [0.1, 1.0], "draws": 3, "pool": 970, "test": 430, "largest_class": 0.66,
               "curves": {"run-1": curve((0.1, 97, 0.67), (1.0, 970, 0.49)),
                          "untrained small_cnn": curve((0.1, 97, 0.60), (1.0, 970, 0.55))}}
    words = payoff_words(unequal, "run-1", {}, least={"name": "largest class", "accuracy": 0.66})
    assert ("On these held-out images, always answering the largest class scores 66%: 67% with 97 labels is within "
            "noise of it, "
            "49% with all 970 labels below it.") in words
    assert words.endswith(" held-out images.")


def test_on_equal_classes_chance_is_not_said():
    words = payoff_words(EFFICIENCY, "run-1", {}, least={"name": "chance", "accuracy": 1 / 3})
    assert "Always" not in words and words == payoff_words(EFFICIENCY, "run-1", {})


def test_the_largest_class_said_is_its_score_on_the_held_out_images():
    """Walk 42: 'with all 28 labels 83% ... Always answering the largest class scores 88%' of 40 parts, where on
    the 12 held-out ones the curve is scored on it scores 83%: the curve sat on that floor, not under it."""
    parts = {"fractions": [0.1, 1.0], "draws": 3, "pool": 28, "test": 12, "largest_class": 10 / 12,
             "curves": {"run-1": curve((0.1, 3, 0.58), (1.0, 28, 10 / 12))}}
    words = payoff_words(parts, "run-1", {}, least={"name": "largest class", "accuracy": 0.875})
    assert "On these held-out images, always answering the largest class scores 83%: 58% with 3 labels is within " \
           "noise of it, 83% with all 28 " \
           "labels within noise of it." in words
