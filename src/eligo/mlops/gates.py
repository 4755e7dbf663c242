"""The promotion gate: absolute floors and no regression against the champion.

Both models are scored now, with the same code, on the fixed gold set (the hand-written
challenge set, never used for training or tuning), so the comparison is like for like even
when the stored run metrics came from older code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from eligo.eligibility.evaluation import Evaluation
from eligo.settings import GateSettings

__all__ = ["GateCheck", "GateResult", "evaluate_gate", "gold_metrics"]


@dataclass(frozen=True)
class GateCheck:
    name: str
    ok: bool
    candidate: float
    limit: float
    champion: float | None = None
    kind: str = "floor"  # floor | ceiling | regression


@dataclass
class GateResult:
    passed: bool
    candidate_version: int
    champion_version: int | None
    checks: list[GateCheck] = field(default_factory=list)
    candidate_metrics: dict[str, float] = field(default_factory=dict)
    champion_metrics: dict[str, float] = field(default_factory=dict)
    gold_rows: int = 0

    @property
    def failures(self) -> list[GateCheck]:
        return [c for c in self.checks if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failures"] = [c.name for c in self.failures]
        return data

    def text(self) -> str:
        """A report a person can read in a terminal."""
        against = (
            f"champion v{self.champion_version}" if self.champion_version else "no champion yet"
        )
        verdict = "PASSED" if self.passed else "REFUSED"
        lines = [
            f"Gate {verdict}: candidate v{self.candidate_version} vs {against} "
            f"on the gold set ({self.gold_rows} titles)",
            f"{'check':<34} {'candidate':>10} {'champion':>10} {'limit':>10}  result",
        ]
        for c in self.checks:
            champion = f"{c.champion:.4f}" if c.champion is not None else "-"
            lines.append(
                f"{c.name:<34} {c.candidate:>10.4f} {champion:>10} {c.limit:>10.4f}  "
                f"{'ok' if c.ok else 'FAIL'}"
            )
        return "\n".join(lines)


def gold_metrics(evaluation: Evaluation) -> dict[str, float]:
    out = {
        "accuracy": evaluation.accuracy,
        "eligible_not_eligible_rate": evaluation.eligible_not_eligible_rate,
        "min_recall": evaluation.min_recall,
        "n": float(evaluation.n),
    }
    for status, metrics in evaluation.per_status.items():
        if metrics.support:
            out[f"recall_{status}"] = metrics.recall
    return out


def evaluate_gate(
    candidate: Evaluation,
    champion: Evaluation | None,
    gate: GateSettings,
    *,
    candidate_version: int,
    champion_version: int | None,
) -> GateResult:
    cand = gold_metrics(candidate)
    champ = gold_metrics(champion) if champion is not None else {}
    checks = [
        GateCheck(
            "accuracy >= floor",
            cand["accuracy"] >= gate.min_accuracy,
            cand["accuracy"],
            gate.min_accuracy,
        ),
        GateCheck(
            "min recall >= floor",
            cand["min_recall"] >= gate.min_recall,
            cand["min_recall"],
            gate.min_recall,
        ),
        GateCheck(
            "eligible<->not_eligible <= ceiling",
            cand["eligible_not_eligible_rate"] <= gate.max_eligible_not_eligible,
            cand["eligible_not_eligible_rate"],
            gate.max_eligible_not_eligible,
            kind="ceiling",
        ),
    ]
    if champion is not None:
        limit = champ["accuracy"] - gate.tolerance
        checks.append(
            GateCheck(
                "accuracy vs champion",
                cand["accuracy"] >= limit,
                cand["accuracy"],
                limit,
                champ["accuracy"],
                "regression",
            )
        )
        for name in sorted(k for k in champ if k.startswith("recall_")):
            value = cand.get(name, 0.0)
            limit = champ[name] - gate.recall_tolerance
            checks.append(
                GateCheck(
                    f"{name} vs champion", value >= limit, value, limit, champ[name], "regression"
                )
            )
    return GateResult(
        passed=all(c.ok for c in checks),
        candidate_version=candidate_version,
        champion_version=champion_version,
        checks=checks,
        candidate_metrics=cand,
        champion_metrics=champ,
        gold_rows=candidate.n,
    )
