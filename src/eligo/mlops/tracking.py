"""Tracked training: contracts first, then training, then one MLflow run and a registry version.

``train_tracked`` wraps ``eligibility.training.train_eligibility`` through its public API (its
``corpus_builder`` hook is where the data contract runs, before any fitting). The run holds
params, git sha, data fingerprints, metrics overall and per class, the report, confusion
matrix and calibration PNGs, the misclassified list and the model as a pyfunc with its
signature and input example; the model is registered as a new version of ``eligo-eligibility``.

MLflow is imported inside functions only (``import mlflow`` costs seconds).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from eligo.eligibility.classifier import EligibilityModel, ProductText
from eligo.eligibility.embedding import Embedder
from eligo.eligibility.training import TrainingConfig, TrainingReport, train_eligibility
from eligo.mlops.contracts import ContractReport, check_training_data, enforce
from eligo.mlops.exceptions import RegistryUnavailable
from eligo.settings import Settings

logger = logging.getLogger(__name__)

__all__ = ["TrackedRun", "configure_mlflow", "git_revision", "log_training_run", "train_tracked"]

_REPO_ROOT = Path(__file__).resolve().parents[3]
INPUT_EXAMPLE = (
    ("Advil Ibuprofen 200 mg Tablets 100 ct", "Advil"),
    ("Coca-Cola Classic 12 pack", "Coca-Cola"),
)


@dataclass
class TrackedRun:
    report: TrainingReport
    contract: ContractReport
    run_id: str | None = None
    registered_version: int | None = None
    review_dataset: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def configure_mlflow(settings: Settings) -> ModuleType:
    """Import MLflow, point it at the configured store and make sure the experiment exists."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    try:
        import mlflow
    except ImportError as exc:  # pragma: no cover - mlflow is a core dependency today
        raise RegistryUnavailable("MLflow is not installed") from exc
    uri = settings.mlops.tracking_uri
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    name = settings.mlops.experiment
    if mlflow.get_experiment_by_name(name) is None:
        artifacts = Path(settings.mlops.artifact_dir).resolve()
        artifacts.mkdir(parents=True, exist_ok=True)
        mlflow.create_experiment(name, artifact_location=artifacts.as_uri())
    mlflow.set_experiment(name)
    return mlflow


def git_revision() -> dict[str, str]:
    """The code version of this run: commit sha and whether the tree had local changes."""
    git = shutil.which("git")
    if git is None:
        return {"git_sha": "unknown", "git_dirty": "unknown"}
    try:
        sha = subprocess.run(  # noqa: S603 - fixed argv, no user input
            [git, "rev-parse", "HEAD"], cwd=_REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(  # noqa: S603 - fixed argv, no user input
            [git, "status", "--porcelain", "--untracked-files=no"],
            cwd=_REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {"git_sha": "unknown", "git_dirty": "unknown"}
    return {"git_sha": sha, "git_dirty": str(bool(status.strip())).lower()}


def _flatten(prefix: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    else:
        out[prefix] = str(value)[:500]


def _misclassified_csv(report: TrainingReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["set", "title", "expected", "predicted", "confidence", "category", "source"])
    for evaluation in (report.test, report.challenge):
        if evaluation is None:
            continue
        for miss in evaluation.misclassified:
            writer.writerow(
                [
                    evaluation.name,
                    miss.title,
                    miss.expected,
                    miss.predicted,
                    miss.confidence,
                    miss.category or "",
                    miss.source or "",
                ]
            )
    return buffer.getvalue()


def _calibration(model: EligibilityModel, rows: Sequence[Any], title: str) -> bytes | None:
    from eligo.mlops.plots import calibration_png

    if not rows:
        return None
    probs = model.predict_proba([ProductText(title=r.title, brand=r.brand or None) for r in rows])
    index = {s: i for i, s in enumerate(model.statuses)}
    truth = np.array([index[r.status] for r in rows])
    return calibration_png(probs.max(axis=1), probs.argmax(axis=1) == truth, title)


def _write_artifacts(
    directory: Path,
    report: TrainingReport,
    contract: ContractReport,
    model: EligibilityModel,
    test_rows: Sequence[Any],
) -> None:
    from eligo.mlops.plots import confusion_png

    (directory / "report.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    (directory / "report.md").write_text((report.model_dir / "report.md").read_text())
    (directory / "data_contract.md").write_text(contract.markdown())
    (directory / "data_contract.json").write_text(json.dumps(contract.to_dict(), indent=2))
    (directory / "misclassified.csv").write_text(_misclassified_csv(report))
    for evaluation in (report.test, report.challenge):
        if evaluation is not None:
            png = confusion_png(
                evaluation.confusion, evaluation.statuses, f"{evaluation.name} confusion matrix"
            )
            (directory / f"confusion_{evaluation.name}.png").write_bytes(png)
    calibration = _calibration(model, test_rows, "calibration (test split)")
    if calibration is not None:
        (directory / "calibration_test.png").write_bytes(calibration)
    if report.challenge is not None:
        from eligo.eligibility.corpus import load_challenge_set

        challenge = _calibration(model, load_challenge_set(), "calibration (challenge set)")
        if challenge is not None:
            (directory / "calibration_challenge.png").write_bytes(challenge)


def log_training_run(
    settings: Settings,
    report: TrainingReport,
    contract: ContractReport,
    *,
    test_rows: Sequence[Any] = (),
    tags: dict[str, str] | None = None,
    register: bool = True,
) -> tuple[str, int | None]:
    """Log one finished training as an MLflow run; returns (run id, registered version)."""
    mlflow = configure_mlflow(settings)
    import pandas as pd  # type: ignore[import-untyped]
    from mlflow.models import ModelSignature, infer_signature
    from mlflow.types.schema import ColSpec, Schema

    from eligo.mlops.pyfunc import EligibilityPyfunc, predict_frame

    # The embedding the run trained with (TrainingReport.embedding_dir), not the settings'.
    model = EligibilityModel.load(report.model_dir, embedding_dir=report.embedding_dir)
    params: dict[str, str] = {}
    _flatten("", report.params, params)
    for part, fingerprint in report.data.items():
        params[f"data.{part}.rows"] = str(fingerprint["rows"])
        params[f"data.{part}.sha256"] = str(fingerprint["sha256"])
    run_tags = {
        **git_revision(),
        "model_content_version": report.model_version,
        "data_contract": "passed" if contract.ok else "failed",
        "embedder": str(report.params["embedder"]["kind"]),
        **(tags or {}),
    }
    example = pd.DataFrame(
        {"title": [t for t, _ in INPUT_EXAMPLE], "brand": [b for _, b in INPUT_EXAMPLE]}
    )
    # brand is optional: a plain client may send titles only.
    inferred = infer_signature(example, predict_frame(model, example))
    signature = ModelSignature(
        inputs=Schema([ColSpec("string", "title"), ColSpec("string", "brand", required=False)]),
        outputs=inferred.outputs,
    )
    artifacts = {"model_dir": str(report.model_dir)}
    if report.embedding_dir is not None:  # static embedder: ship its vectors with the model
        artifacts["embedding_dir"] = str(report.embedding_dir)
    with mlflow.start_run(run_name=f"eligibility-{report.model_version}") as run:
        mlflow.set_tags(run_tags)
        mlflow.log_params(params)
        mlflow.log_metrics(report.metrics)
        with tempfile.TemporaryDirectory(prefix="eligo-run-") as tmp:
            directory = Path(tmp)
            _write_artifacts(directory, report, contract, model, test_rows)
            mlflow.log_artifacts(str(directory), artifact_path="evaluation")
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=EligibilityPyfunc(),
            artifacts=artifacts,
            signature=signature,
            input_example=example,
            pip_requirements=["eligo"],
            registered_model_name=settings.mlops.eligibility_model if register else None,
        )
        version = getattr(info, "registered_model_version", None)
        if version is not None:
            from mlflow import MlflowClient

            client = MlflowClient()
            for key, value in run_tags.items():
                client.set_model_version_tag(
                    settings.mlops.eligibility_model, str(version), key, value
                )
        run_id = str(run.info.run_id)
    logger.info("Logged training run %s (registered version %s)", run_id, version)
    return run_id, int(version) if version is not None else None


def train_tracked(
    config: TrainingConfig,
    out_dir: Path,
    *,
    settings: Settings,
    progress: bool = True,
    shared_data: Path | None = None,
    embedder: Embedder | None = None,
    extra_rows: Sequence[Any] = (),
    review_dataset: str | None = None,
    track: bool = True,
    register: bool = True,
) -> TrackedRun:
    """Contract-check the data, train, then log and register the run.

    ``extra_rows`` (reviewed labels) join the corpus and override corpus rows with the same
    normalized title; a contract failure raises ``ContractViolation`` before any fitting.
    """
    from eligo.eligibility import corpus as corpus_module
    from eligo.eligibility.taxonomy import load_taxonomy
    from eligo.eligibility.text import normalize_title

    captured: dict[str, Any] = {}
    categories = {c.id for c in load_taxonomy().categories}

    def builder(*, seed: int, shared_data: Path | None, scale: float) -> list[Any]:
        rows: list[Any] = corpus_module.build_corpus(
            seed=seed, shared_data=shared_data, scale=scale
        )
        if extra_rows:
            overridden = {normalize_title(r.title) for r in extra_rows}
            rows = [r for r in rows if normalize_title(r.title) not in overridden]
            rows += list(extra_rows)
        split = corpus_module.split_corpus(rows, seed=seed)
        contract = check_training_data(
            split.train,
            split.validation,
            split.test,
            min_rows_per_class=settings.mlops.contracts.min_rows_per_class,
            max_duplicate_share=settings.mlops.contracts.max_duplicate_share,
            categories=categories,
        )
        captured["contract"], captured["test"] = contract, split.test
        logger.info("Data contract %s", "passed" if contract.ok else "FAILED")
        enforce(contract)
        return rows

    report = train_eligibility(
        config,
        out_dir,
        progress,
        shared_data=shared_data,
        embedder=embedder,
        corpus_builder=builder,
    )
    tracked = TrackedRun(
        report=report, contract=captured["contract"], review_dataset=review_dataset
    )
    if track:
        tags = {"review_dataset": review_dataset} if review_dataset else {}
        try:
            tracked.run_id, tracked.registered_version = log_training_run(
                settings,
                report,
                tracked.contract,
                test_rows=captured["test"],
                tags=tags,
                register=register,
            )
        except Exception as exc:  # MLflow is optional: the trained model stays usable
            tracked.extra["tracking_error"] = f"{type(exc).__name__}: {exc}"[:500]
            logger.warning("training run not logged to MLflow: %s", tracked.extra["tracking_error"])
    return tracked
