"""``eligo train ...``: build the embedding model and train the eligibility classifier."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

logger = logging.getLogger(__name__)

app = typer.Typer(help="Train eligo's models (offline, on this machine).", no_args_is_help=True)


class EmbeddingKind(StrEnum):
    static = "static"
    hashing = "hashing"


def _embedding_dir(option: Path | None) -> Path:
    if option is not None:
        return option
    from eligo.settings import get_settings

    return get_settings().eligibility.embedding_dir


@app.command("embedding")
def embedding(
    out: Annotated[
        Path | None,
        typer.Option(help="Output directory [default: settings.eligibility.embedding_dir]"),
    ] = None,
    pca_dims: Annotated[int, typer.Option(help="Embedding dimensions after PCA")] = 256,
    force: Annotated[bool, typer.Option(help="Rebuild even if a model is already there")] = False,
) -> None:
    """Distil the static title-embedding model from the packaged MiniLM (needs torch, ~30 s)."""
    from eligo.eligibility.embedding import (
        MANIFEST_NAME,
        EmbeddingError,
        StaticEmbedder,
        build_static_embedding,
    )

    directory = _embedding_dir(out)
    if not force and (directory / MANIFEST_NAME).is_file():
        existing = StaticEmbedder(directory)
        typer.echo(f"Embedding already built in {directory} (checksum {existing.checksum[:12]})")
        return
    started = time.perf_counter()
    try:
        build_static_embedding(directory, pca_dims=pca_dims)
    except EmbeddingError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=1) from exc
    built = StaticEmbedder(directory)
    typer.echo(
        f"Embedding written to {directory}: dim {built.dim}, checksum {built.checksum[:12]}, "
        f"{time.perf_counter() - started:.1f} s"
    )


@app.command("eligibility")
def eligibility(
    out: Annotated[
        Path | None,
        typer.Option(help="Model directory [default: settings.eligibility.model_dir]"),
    ] = None,
    scale: Annotated[
        float, typer.Option(help="Share of the full corpus (0.05 for a quick run)")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed for corpus, split and training")] = 2026,
    embedding: Annotated[
        EmbeddingKind, typer.Option(help="static (production) or hashing (no model file)")
    ] = EmbeddingKind.static,
    embedding_dir: Annotated[
        Path | None,
        typer.Option(help="Static embedding directory [default: settings]; built if missing"),
    ] = None,
    shared_data: Annotated[
        Path | None,
        typer.Option(help="Shared data folder [default: $ELIGO_SHARED_DATA or ../shared/data]"),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars")] = True,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the metrics as JSON instead of a summary")
    ] = False,
    num_boost_round: Annotated[
        int | None, typer.Option(help="Boosting rounds cap [default: the training config's]")
    ] = None,
    track: Annotated[
        bool, typer.Option(help="Check data contracts, log to MLflow, register a version")
    ] = True,
    with_reviews: Annotated[
        bool, typer.Option(help="Add reviewed labels (a new versioned review dataset)")
    ] = False,
    review_dataset: Annotated[
        int | None, typer.Option(help="Use this review dataset version instead of a new one")
    ] = None,
) -> None:
    """Train the eligibility classifier, evaluate it and write report.json/report.md."""
    from eligo.eligibility.embedding import MANIFEST_NAME, build_static_embedding
    from eligo.eligibility.training import TrainingConfig, train_eligibility
    from eligo.settings import get_settings

    settings = get_settings()
    model_dir = out or settings.eligibility.model_dir
    emb_dir = _embedding_dir(embedding_dir)
    if embedding is EmbeddingKind.static and not (emb_dir / MANIFEST_NAME).is_file():
        typer.echo(f"No embedding model in {emb_dir}: building it first")
        build_static_embedding(emb_dir)
    config = TrainingConfig(
        seed=seed, scale=scale, embedding=embedding.value, embedding_dir=emb_dir
    )
    if num_boost_round is not None:
        config = dataclasses.replace(config, num_boost_round=num_boost_round)
    if track or with_reviews or review_dataset is not None:
        from eligo.cli.models import train_with_tracking

        report = train_with_tracking(
            config,
            model_dir,
            progress=progress,
            shared_data=shared_data,
            track=track,
            with_reviews=with_reviews or review_dataset is not None,
            review_dataset=review_dataset,
        )
    else:
        report = train_eligibility(config, model_dir, progress=progress, shared_data=shared_data)
    if json_output:
        typer.echo(json.dumps(report.metrics, indent=2, sort_keys=True))
        return
    test, challenge = report.test, report.challenge
    typer.echo(f"Model {report.model_version} written to {report.model_dir}")
    typer.echo(
        f"test: accuracy {test.accuracy:.2%}, min recall {test.min_recall:.2%}, "
        f"eligible<->not_eligible {test.eligible_not_eligible_rate:.2%}, "
        f"coverage {test.coverage:.2%} at threshold {report.review_threshold:.3f}"
    )
    if challenge is not None:
        typer.echo(
            f"challenge: accuracy {challenge.accuracy:.2%}, min recall "
            f"{challenge.min_recall:.2%}, eligible<->not_eligible "
            f"{challenge.eligible_not_eligible_rate:.2%}"
        )
    typer.echo(
        f"Training took {report.timings['total']:.1f} s; report: {report.artifacts['report_md']}"
    )
