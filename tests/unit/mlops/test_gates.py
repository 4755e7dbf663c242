"""The promotion gate on evaluations computed from known predictions."""

from __future__ import annotations

import numpy as np

from eligo.eligibility.evaluation import Evaluation, evaluate
from eligo.mlops.gates import evaluate_gate
from eligo.settings import GateSettings

STATUSES = ("eligible", "lmn", "rx", "not_eligible")


def evaluation(correct_per_status: dict[str, int], n_per_status: int = 10) -> Evaluation:
    """n items per status; the first ``correct`` of each are right, the rest say not_eligible
    (or eligible for not_eligible rows)."""
    labels, probs = [], []
    for s in STATUSES:
        for i in range(n_per_status):
            labels.append(s)
            row = np.full(len(STATUSES), 0.02)
            if i < correct_per_status[s]:
                guess = s
            else:
                guess = "eligible" if s == "not_eligible" else "not_eligible"
            row[STATUSES.index(guess)] = 0.94
            probs.append(row)
    return evaluate("gold", labels, np.array(probs), STATUSES, review_threshold=0.5)


GATE = GateSettings(
    min_accuracy=0.8,
    min_recall=0.7,
    max_eligible_not_eligible=0.1,
    tolerance=0.01,
    recall_tolerance=0.05,
)


def test_first_candidate_meets_floors_only() -> None:
    good = evaluation(dict.fromkeys(STATUSES, 9))
    result = evaluate_gate(good, None, GATE, candidate_version=1, champion_version=None)
    assert result.passed
    assert [c.kind for c in result.checks] == ["floor", "floor", "ceiling"]
    assert "no champion yet" in result.text()


def test_floor_failures_are_named() -> None:
    weak = evaluation({"eligible": 10, "lmn": 10, "rx": 5, "not_eligible": 10})
    result = evaluate_gate(weak, None, GATE, candidate_version=2, champion_version=None)
    assert not result.passed
    assert [c.name for c in result.failures] == ["min recall >= floor"]
    assert result.checks[0].ok  # accuracy 0.875 still above 0.8


def test_regression_against_the_champion_including_per_class_recall() -> None:
    champion = evaluation(dict.fromkeys(STATUSES, 10))
    # Same overall accuracy would need 40/40; this drops rx recall by 0.1 and accuracy by 0.025.
    candidate = evaluation({"eligible": 10, "lmn": 10, "rx": 9, "not_eligible": 10})
    result = evaluate_gate(candidate, champion, GATE, candidate_version=3, champion_version=1)
    assert not result.passed
    names = [c.name for c in result.failures]
    assert names == ["accuracy vs champion", "recall_rx vs champion"]
    regression = result.failures[1]
    assert regression.champion == 1.0
    assert abs(regression.limit - 0.95) < 1e-9
    text = result.text()
    assert "REFUSED" in text
    assert "champion v1" in text
    assert result.to_dict()["failures"] == names


def test_within_tolerance_passes() -> None:
    candidate = evaluation({"eligible": 90, "lmn": 90, "rx": 88, "not_eligible": 89}, 100)
    champion = evaluation(dict.fromkeys(STATUSES, 90), n_per_status=100)
    result = evaluate_gate(candidate, champion, GATE, candidate_version=4, champion_version=3)
    # accuracy 0.8925 vs 0.9 - 0.01; rx recall 0.88 vs 0.9 - 0.05
    assert result.passed, result.text()
