"""Data contracts: training inputs are checked before any training starts.

A contract failure stops the run with a readable report; nothing is written, so the previous
model and data snapshots stay in place and usable.

Checks: schema (non-empty title, known status and category), label set (every status present),
duplicates (conflicting labels for one normalized title; exact duplicates above a share),
train/test leakage (normalized title or GTIN on both sides) and minimum rows per class.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from eligo.eligibility.classifier import STATUS_ORDER
from eligo.eligibility.text import normalize_title
from eligo.mlops.exceptions import ContractViolation

__all__ = ["CheckResult", "ContractReport", "ContractRow", "check_training_data", "enforce"]

MAX_TITLE_CHARS = 1000
MAX_EXAMPLES = 10


class ContractRow(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def category(self) -> str: ...


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    message: str
    examples: tuple[str, ...] = ()


@dataclass
class ContractReport:
    checks: list[CheckResult] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.ok]

    def markdown(self) -> str:
        verdict = "passed" if self.ok else "FAILED"
        sizes = ", ".join(f"{k} {v}" for k, v in self.rows.items())
        lines = [f"# Data contract {verdict} ({sizes})", "", "| check | result | detail |"]
        lines.append("|---|---|---|")
        for c in self.checks:
            lines.append(f"| {c.name} | {'ok' if c.ok else 'FAIL'} | {c.message} |")
        for c in self.failures:
            if c.examples:
                lines += ["", f"{c.name}, first examples:", ""]
                lines += [f"- {example}" for example in c.examples]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "checks": [
                {"name": c.name, "ok": c.ok, "message": c.message, "examples": list(c.examples)}
                for c in self.checks
            ],
        }


def _gtin(row: ContractRow) -> str | None:
    value = getattr(row, "gtin", None)
    return str(value) if value else None


def _schema(
    parts: dict[str, Sequence[ContractRow]], categories: Collection[str] | None
) -> CheckResult:
    bad: list[str] = []
    count = 0
    for part, rows in parts.items():
        for i, row in enumerate(rows):
            problem = None
            if not isinstance(row.title, str) or not row.title.strip():
                problem = "empty title"
            elif len(row.title) > MAX_TITLE_CHARS:
                problem = f"title longer than {MAX_TITLE_CHARS} characters"
            elif "\x00" in row.title:
                problem = "NUL in title"
            elif row.status not in STATUS_ORDER:
                problem = f"unknown status {row.status!r}"
            elif categories is not None and row.category not in categories:
                problem = f"unknown category {row.category!r}"
            if problem:
                count += 1
                if len(bad) < MAX_EXAMPLES:
                    bad.append(f"{part}[{i}]: {problem}")
    return CheckResult(
        "schema",
        not count,
        f"{count} rows break the schema" if count else "all rows valid",
        tuple(bad),
    )


def _label_set(train: Sequence[ContractRow]) -> CheckResult:
    present = {r.status for r in train}
    missing = [s for s in STATUS_ORDER if s not in present]
    if missing:
        return CheckResult("label_set", False, f"statuses absent from train: {', '.join(missing)}")
    return CheckResult("label_set", True, f"all {len(STATUS_ORDER)} statuses present")


def _duplicates(rows: Sequence[ContractRow], max_share: float) -> list[CheckResult]:
    labels: dict[str, set[str]] = defaultdict(set)
    exact = Counter[tuple[str, str]]()
    for row in rows:
        key = normalize_title(row.title)
        labels[key].add(row.status)
        exact[(key, row.status)] += 1
    conflicts = sorted(k for k, v in labels.items() if len(v) > 1)
    extra = sum(n - 1 for n in exact.values() if n > 1)
    share = extra / len(rows) if rows else 0.0
    return [
        CheckResult(
            "conflicting_labels",
            not conflicts,
            f"{len(conflicts)} normalized titles carry more than one status"
            if conflicts
            else "no title carries two statuses",
            tuple(f"{k!r}: {sorted(labels[k])}" for k in conflicts[:MAX_EXAMPLES]),
        ),
        CheckResult(
            "duplicates",
            share <= max_share,
            f"{extra} duplicate rows ({share:.2%}, limit {max_share:.2%})",
            tuple(f"{k!r} x{n}" for (k, _), n in exact.most_common(MAX_EXAMPLES) if n > 1),
        ),
    ]


def _leakage(
    train: Sequence[ContractRow], held_out: dict[str, Sequence[ContractRow]]
) -> CheckResult:
    titles = {normalize_title(r.title) for r in train}
    gtins = {g for r in train if (g := _gtin(r))}
    leaks: list[str] = []
    count = 0
    for part, rows in held_out.items():
        for row in rows:
            key, gtin = normalize_title(row.title), _gtin(row)
            if key in titles or (gtin and gtin in gtins):
                count += 1
                if len(leaks) < MAX_EXAMPLES:
                    why = f"GTIN {gtin}" if gtin and gtin in gtins else f"title {key!r}"
                    leaks.append(f"{part}: {why} is also in train")
    return CheckResult(
        "leakage",
        not count,
        f"{count} held-out rows also in train" if count else "no title or GTIN in both",
        tuple(leaks),
    )


def _min_rows(train: Sequence[ContractRow], minimum: int) -> CheckResult:
    counts = Counter(r.status for r in train)
    low = {s: counts.get(s, 0) for s in STATUS_ORDER if counts.get(s, 0) < minimum}
    detail = ", ".join(f"{s} {counts.get(s, 0)}" for s in STATUS_ORDER)
    if low:
        return CheckResult("min_rows_per_class", False, f"below {minimum}: {detail}")
    return CheckResult("min_rows_per_class", True, detail)


def check_training_data(
    train: Sequence[ContractRow],
    validation: Sequence[ContractRow],
    test: Sequence[ContractRow],
    *,
    min_rows_per_class: int,
    max_duplicate_share: float,
    categories: Collection[str] | None = None,
    extra: dict[str, Sequence[ContractRow]] | None = None,
) -> ContractReport:
    """Run every check; ``extra`` parts (e.g. reviews) are checked for schema and leakage."""
    parts: dict[str, Sequence[ContractRow]] = {
        "train": train,
        "validation": validation,
        "test": test,
        **(extra or {}),
    }
    report = ContractReport(rows={k: len(v) for k, v in parts.items()})
    report.checks.append(_schema(parts, categories))
    report.checks.append(_label_set(train))
    report.checks.extend(
        _duplicates([r for rows in parts.values() for r in rows], max_duplicate_share)
    )
    report.checks.append(_leakage(train, {"validation": validation, "test": test}))
    report.checks.append(_min_rows(train, min_rows_per_class))
    return report


def enforce(report: ContractReport) -> None:
    if not report.ok:
        names = ", ".join(c.name for c in report.failures)
        raise ContractViolation(
            f"Training data failed its contract ({names}); nothing was trained",
            details=report.to_dict(),
        )
