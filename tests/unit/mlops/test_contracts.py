"""Data contracts: each check catches its own kind of bad data, and good data passes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from eligo.mlops.contracts import ContractReport, check_training_data, enforce
from eligo.mlops.exceptions import ContractViolation

STATUSES = ("eligible", "lmn", "rx", "not_eligible")


@dataclass(frozen=True)
class Row:
    title: str
    status: str
    category: str = "cat"
    gtin: str | None = None


def rows(prefix: str, per_status: int = 3) -> list[Row]:
    return [Row(f"{prefix} {s} item {i}", s) for s in STATUSES for i in range(per_status)]


def run(
    train: list[Row], validation: list[Row] | None = None, test: list[Row] | None = None
) -> ContractReport:
    return check_training_data(
        train,
        validation if validation is not None else rows("val"),
        test if test is not None else rows("test"),
        min_rows_per_class=3,
        max_duplicate_share=0.05,
        categories={"cat"},
    )


def failed(report: ContractReport) -> set[str]:
    return {c.name for c in report.failures}


def test_good_data_passes() -> None:
    report = run(rows("train"))
    assert report.ok, report.markdown()
    enforce(report)
    assert report.rows == {"train": 12, "validation": 12, "test": 12}


def test_schema_catches_empty_titles_unknown_status_and_category() -> None:
    bad = [*rows("train"), Row("  ", "eligible"), Row("x", "maybe"), Row("y", "rx", "nope")]
    report = run(bad)
    assert failed(report) == {"schema"}
    schema = next(c for c in report.checks if c.name == "schema")
    assert schema.message.startswith("3 rows")
    assert any("maybe" in e for e in schema.examples)


def test_label_set_and_minimum_rows_per_class() -> None:
    train = [r for r in rows("train") if r.status != "rx"]
    assert failed(run(train)) == {"label_set", "min_rows_per_class"}
    thin = [*rows("train", 3)[:-1]]  # one not_eligible row short
    assert failed(run(thin)) == {"min_rows_per_class"}


def test_conflicting_labels_and_duplicate_share() -> None:
    train = [*rows("train"), Row("Train Eligible Item 0!", "rx")]  # same normalized title
    assert "conflicting_labels" in failed(run(train))
    dupes = rows("train") + [Row("train lmn item 1", "lmn")] * 3
    assert failed(run(dupes)) == {"duplicates"}


def test_leakage_by_title_and_by_gtin() -> None:
    train = [*rows("train"), Row("unique product", "rx", gtin="00012345678905")]
    test = [*rows("test"), Row("TRAIN ELIGIBLE ITEM 2", "eligible")]
    assert failed(run(train, test=test)) == {"leakage"}
    by_gtin = [*rows("test"), Row("another name", "rx", gtin="00012345678905")]
    report = run(train, test=by_gtin)
    assert failed(report) == {"leakage"}
    assert "GTIN" in next(c for c in report.checks if c.name == "leakage").examples[0]


def test_enforce_raises_with_a_readable_report() -> None:
    report = run([Row("", "eligible")])
    with pytest.raises(ContractViolation) as caught:
        enforce(report)
    assert "schema" in caught.value.message
    assert "| schema | FAIL |" in report.markdown()
    assert caught.value.details["ok"] is False
