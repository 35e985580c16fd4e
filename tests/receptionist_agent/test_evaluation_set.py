"""The labelled evaluation set: large enough, every kind covered, and at least 97% right per kind."""

from __future__ import annotations

from tools.eval_nlu import TARGET, evaluate, load_cases


def test_evaluation_set_is_large_and_covers_every_kind():
    cases = load_cases()
    assert set(cases) == {"intent", "yes_no", "doctor", "datetime", "name", "phone"}
    assert sum(len(items) for items in cases.values()) >= 400
    assert all(len(items) >= 50 for items in cases.values())
    assert all(any(case["expected"] is None for case in items) for items in cases.values()), \
        "every kind has utterances that must not be given a value"


def test_accuracy_per_kind_meets_the_target():
    results = evaluate()
    below = {kind: (f"{result['accuracy']:.1%}", result["failures"][:5])
             for kind, result in results.items() if result["accuracy"] < TARGET}
    assert not below
