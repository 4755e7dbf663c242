"""``eligo check`` and ``eligo classify``: eligibility from the command line, models loaded once."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from eligo.cli.common import cli_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from eligo.eligibility.classifier import EligibilityModel
    from eligo.eligibility.service import Decision, Query

OUTPUT_COLUMNS = ("status", "confidence", "needs_review", "source", "category", "reason")


def _load_model() -> EligibilityModel:
    from eligo.eligibility.runtime import load_model

    model = load_model(cli_settings())
    if model is None:
        typer.echo("error: no eligibility model; build one with `make models`", err=True)
        raise typer.Exit(1)
    return model


@contextmanager
def _list_session() -> Iterator[Session | None]:
    """A session on the configured database when it holds a list; None otherwise."""
    from sqlalchemy.exc import SQLAlchemyError

    from eligo.catalog import service as catalog_service
    from eligo.db.session import Database

    database = Database.from_url(cli_settings().database_url)
    try:
        with database.sessionmaker() as session:
            try:
                usable = catalog_service.active_version(session) > 0
            except SQLAlchemyError:
                usable = False
            yield session if usable else None
    finally:
        database.dispose()


def _decide_offline(
    session: Session | None,
    model: EligibilityModel,
    queries: Sequence[Query],
) -> list[Decision]:
    """List hit when the database has one, else the model. Bad GTINs are ignored, not fatal."""
    from eligo.catalog import service as catalog_service
    from eligo.catalog.gtin import InvalidGtin, normalize_gtin
    from eligo.eligibility import service

    gtins: list[str | None] = []
    for query in queries:
        try:
            gtins.append(normalize_gtin(query.gtin) if query.gtin else None)
        except InvalidGtin:
            gtins.append(None)
    version = catalog_service.active_version(session) if session is not None else 0
    hits = (
        catalog_service.lookup_many(session, gtins=[g for g in gtins if g], version=version)
        if session is not None
        else {}
    )
    listed = service.decide_from_list(hits, gtins, version)
    todo = [i for i, d in enumerate(listed) if d is None]
    answers = service.model_decisions(
        model,
        [queries[i] for i in todo],
        gtins=[gtins[i] for i in todo],
        list_version=version,
        review_threshold=cli_settings().eligibility.review_threshold,
    )
    for index, answer in zip(todo, answers, strict=True):
        listed[index] = answer
    return [d for d in listed if d is not None]


def check(
    title: Annotated[str, typer.Argument(help="Product title as a listing shows it")],
    gtin: Annotated[str | None, typer.Option(help="UPC-A, EAN-13 or GTIN-14")] = None,
    brand: Annotated[str | None, typer.Option(help="Brand")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON")] = False,
) -> None:
    """Check one product's FSA/HSA eligibility."""
    from eligo.eligibility.service import Query

    model = _load_model()
    with _list_session() as session:
        [decision] = _decide_offline(session, model, [Query(gtin=gtin, title=title, brand=brand)])
    if as_json:
        document = {k: v for k, v in decision.__dict__.items() if k != "neighbours"}
        document["neighbours"] = [n.__dict__ for n in decision.neighbours]
        typer.echo(json.dumps(document, indent=2))
        return
    flag = "  (needs review)" if decision.needs_review else ""
    typer.echo(f"{decision.status}  confidence {decision.confidence:.2f}{flag}")
    typer.echo(f"source:   {decision.source}")
    typer.echo(f"category: {decision.category}")
    typer.echo(f"reason:   {decision.reason}")
    if decision.citation:
        typer.echo(f"citation: {decision.citation}")


def classify(
    input_csv: Annotated[Path, typer.Argument(help="CSV with a 'title' column", exists=True)],
    out: Annotated[Path, typer.Option("--out", help="Output CSV")],
    batch_size: Annotated[int, typer.Option(min=1, help="Titles per model batch")] = 4096,
) -> None:
    """Classify every row of a CSV; keeps all input columns and adds the decision columns."""
    from tqdm import tqdm

    from eligo.eligibility.service import Query

    model = _load_model()
    with input_csv.open(newline="", encoding="utf-8-sig") as handle:
        total = max(sum(1 for _ in handle) - 1, 0)
    with (
        input_csv.open(newline="", encoding="utf-8-sig") as source,
        out.open("w", newline="", encoding="utf-8") as sink,
        _list_session() as session,
    ):
        reader = csv.DictReader(source)
        columns = list(reader.fieldnames or [])
        if "title" not in columns:
            typer.echo(f"error: {input_csv} has no 'title' column (columns: {columns})", err=True)
            raise typer.Exit(2)
        added = [c for c in OUTPUT_COLUMNS if c not in columns]
        writer = csv.DictWriter(sink, fieldnames=columns + added, extrasaction="ignore")
        writer.writeheader()
        with tqdm(total=total, unit="title", file=sys.stderr, disable=None) as bar:
            batch: list[dict[str, str]] = []
            for row in reader:
                batch.append(row)
                if len(batch) >= batch_size:
                    _write_batch(writer, batch, session, model, Query)
                    bar.update(len(batch))
                    batch = []
            if batch:
                _write_batch(writer, batch, session, model, Query)
                bar.update(len(batch))
    typer.echo(f"wrote {out}", err=True)


def _write_batch(
    writer: csv.DictWriter[str],
    rows: list[dict[str, str]],
    session: Session | None,
    model: EligibilityModel,
    query_type: type[Query],
) -> None:
    queries = [
        query_type(
            gtin=(row.get("gtin") or "").strip() or None,
            title=(row.get("title") or "").strip() or " ",
            brand=(row.get("brand") or "").strip() or None,
            description=(row.get("description") or "").strip() or None,
        )
        for row in rows
    ]
    for row, decision in zip(rows, _decide_offline(session, model, queries), strict=True):
        row.update(
            status=decision.status,
            confidence=f"{decision.confidence:.4f}",
            needs_review=str(decision.needs_review).lower(),
            source=decision.source,
            category=decision.category or "",
            reason=decision.reason,
        )
        writer.writerow(row)
