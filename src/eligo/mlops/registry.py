"""The model registry (MLflow) and the alias moves around it: promote, rollback, challenger.

Aliases: ``champion`` answers traffic; ``challenger`` gets the canary share or shadows it.
Every move (and every refused promotion) is written to ``mlops_model_events`` and to the audit
chain with the gate that decided it, in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from eligo.eligibility.classifier import EligibilityModel
from eligo.eligibility.embedding import MANIFEST_NAME
from eligo.mlops.exceptions import (
    ForceNotAllowed,
    GateRefused,
    ModelNotRegistered,
    NothingToRollBack,
    RegistryUnavailable,
)
from eligo.mlops.gates import GateResult, evaluate_gate
from eligo.mlops.models import ModelEvent
from eligo.security import audit
from eligo.settings import Settings

logger = logging.getLogger(__name__)

CHAMPION = "champion"
CHALLENGER = "challenger"
# Run metrics shown by `eligo models list|show` and GET /v1/models.
SUMMARY_METRICS = (
    "test_accuracy",
    "test_min_recall",
    "test_eligible_not_eligible_rate",
    "challenge_accuracy",
    "challenge_min_recall",
    "seconds_total",
)


@dataclass
class VersionInfo:
    name: str
    version: int
    run_id: str | None
    created_at: datetime
    aliases: list[str]
    tags: dict[str, str]
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class ModelSummary:
    name: str
    aliases: dict[str, int]
    latest_version: int | None
    versions: list[VersionInfo] = field(default_factory=list)


class Registry:
    """A thin typed face over ``MlflowClient`` (imported on construction, not at import)."""

    def __init__(self, settings: Settings) -> None:
        from eligo.mlops.tracking import configure_mlflow

        self.settings = settings
        self.mlflow = configure_mlflow(settings)
        from mlflow import MlflowClient

        self.client = MlflowClient()

    # -- reading ----------------------------------------------------------------------

    def names(self) -> list[str]:
        return sorted(m.name for m in self.client.search_registered_models())

    def alias_version(self, name: str, alias: str) -> int | None:
        from mlflow.exceptions import MlflowException

        try:
            found = self.client.get_model_version_by_alias(name, alias)
        except MlflowException:
            return None
        return int(found.version)

    def _info(self, mv: Any, *, with_metrics: bool) -> VersionInfo:
        metrics: dict[str, float] = {}
        if with_metrics and mv.run_id:
            from mlflow.exceptions import MlflowException

            try:
                run_metrics = self.client.get_run(mv.run_id).data.metrics
            except MlflowException:
                run_metrics = {}
            metrics = {k: float(run_metrics[k]) for k in SUMMARY_METRICS if k in run_metrics}
        return VersionInfo(
            name=mv.name,
            version=int(mv.version),
            run_id=mv.run_id,
            created_at=datetime.fromtimestamp(int(mv.creation_timestamp) / 1000, tz=UTC),
            aliases=sorted(getattr(mv, "aliases", []) or []),
            tags=dict(mv.tags or {}),
            metrics=metrics,
        )

    def versions(self, name: str, *, with_metrics: bool = True) -> list[VersionInfo]:
        found = self.client.search_model_versions(f"name = '{_quote(name)}'")
        if not found and name not in self.names():
            raise ModelNotRegistered(f"No registered model named {name!r}")
        infos = [self._info(mv, with_metrics=with_metrics) for mv in found]
        # search_model_versions leaves aliases empty; the registered model has them all.
        aliases = self.aliases(name)
        for info in infos:
            info.aliases = sorted(a for a, v in aliases.items() if v == info.version)
        return sorted(infos, key=lambda v: v.version)

    def aliases(self, name: str) -> dict[str, int]:
        from mlflow.exceptions import MlflowException

        try:
            found = self.client.get_registered_model(name)
        except MlflowException as exc:
            raise ModelNotRegistered(f"No registered model named {name!r}") from exc
        return {alias: int(version) for alias, version in (found.aliases or {}).items()}

    def version(self, name: str, version: int) -> VersionInfo:
        from mlflow.exceptions import MlflowException

        try:
            mv = self.client.get_model_version(name, str(version))
        except MlflowException as exc:
            raise ModelNotRegistered(f"{name} has no version {version}") from exc
        return self._info(mv, with_metrics=True)

    def summary(self, name: str) -> ModelSummary:
        versions = self.versions(name)
        aliases = {alias: v.version for v in versions for alias in v.aliases}
        return ModelSummary(
            name=name,
            aliases=aliases,
            latest_version=versions[-1].version if versions else None,
            versions=versions,
        )

    # -- artifacts --------------------------------------------------------------------

    def model_dir(self, name: str, version: int) -> Path:
        """The eligo model directory inside a registered version's pyfunc artifacts."""
        uri = self.client.get_model_version_download_uri(name, str(version))
        parsed = urlparse(uri)
        if parsed.scheme in ("", "file"):
            root = Path(unquote(parsed.path))
        else:
            target = Path(self.settings.data_dir) / "cache" / "registry" / name / str(version)
            if not target.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                self.mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(target))
            root = target
        for candidate in sorted(root.glob("**/model.json")):
            if candidate.parent.parent.name == "artifacts":
                return candidate.parent
        raise ModelNotRegistered(f"{name} v{version} has no eligo model in its artifacts")

    def embedding_dir(self, name: str, version: int) -> Path | None:
        root = self.model_dir(name, version).parent
        for candidate in root.iterdir():
            if candidate.is_dir() and (candidate / MANIFEST_NAME).is_file():
                return candidate
        return None

    def load(self, name: str, version: int) -> EligibilityModel:
        embedding = self.embedding_dir(name, version) or self.settings.eligibility.embedding_dir
        return EligibilityModel.load(self.model_dir(name, version), embedding_dir=embedding)

    def set_alias(self, name: str, alias: str, version: int) -> None:
        self.client.set_registered_model_alias(name, alias, str(version))

    def delete_alias(self, name: str, alias: str) -> None:
        self.client.delete_registered_model_alias(name, alias)


def _quote(name: str) -> str:
    return name.replace("'", "''")


def open_registry(settings: Settings) -> Registry:
    try:
        return Registry(settings)
    except ImportError as exc:  # pragma: no cover
        raise RegistryUnavailable("MLflow is not installed") from exc


def registry_enabled(settings: Settings) -> bool:
    """Whether this process uses the registry (serving, model routes): on when a store exists,
    unless ``serve_from_registry`` is false; by default off with ``env=test``, whose servers
    must not pick up a developer's ``var/mlflow.db``."""
    enabled = settings.mlops.serve_from_registry
    if enabled is None:
        enabled = settings.env != "test"
    return bool(enabled) and registry_exists(settings)


def registry_exists(settings: Settings) -> bool:
    """Cheap check (no MLflow import): is there a local store, or a server URI, at all?"""
    uri = settings.mlops.tracking_uri
    if uri.startswith("sqlite:///"):
        return Path(uri.removeprefix("sqlite:///")).is_file()
    return bool(uri)


# -- alias moves ----------------------------------------------------------------------


@dataclass
class AliasMove:
    name: str
    alias: str
    version: int | None
    previous_version: int | None
    action: str
    gate: GateResult | None = None


def _record(
    session: Session,
    move: AliasMove,
    *,
    actor: str,
    reason: str | None,
    detail: dict[str, Any],
) -> None:
    session.add(
        ModelEvent(
            model_name=move.name,
            action=move.action,
            alias=move.alias,
            version=move.version,
            previous_version=move.previous_version,
            actor=actor,
            reason=reason,
            gate=detail,
        )
    )
    audit.record(
        session,
        action=f"model.{move.action}",
        actor=actor,
        object_type="registered_model",
        object_id=f"{move.name}:{move.version}",
        detail={
            "alias": move.alias,
            "version": move.version,
            "previous_version": move.previous_version,
            "reason": reason,
            **detail,
        },
    )


def _gate_detail(gate: GateResult) -> dict[str, Any]:
    return {
        "passed": gate.passed,
        "failures": [c.name for c in gate.failures],
        "candidate": {k: round(v, 5) for k, v in gate.candidate_metrics.items()},
        "champion": {k: round(v, 5) for k, v in gate.champion_metrics.items()},
        "gold_rows": gate.gold_rows,
    }


def run_gate(
    registry: Registry, name: str, version: int, gold: list[Any] | None = None
) -> GateResult:
    """Score the candidate and the current champion on the gold set and apply the gate."""
    from eligo.eligibility.corpus import load_challenge_set
    from eligo.eligibility.training import evaluate_rows

    rows = gold if gold is not None else load_challenge_set()
    registry.version(name, version)  # 404 before any loading
    candidate = evaluate_rows(registry.load(name, version), rows, "gold")
    champion_version = registry.alias_version(name, CHAMPION)
    champion = None
    if champion_version is not None and champion_version != version:
        champion = evaluate_rows(registry.load(name, champion_version), rows, "gold")
    return evaluate_gate(
        candidate,
        champion,
        registry.settings.mlops.gate,
        candidate_version=version,
        champion_version=champion_version if champion is not None else None,
    )


def promote(
    session: Session,
    registry: Registry,
    *,
    name: str,
    version: int,
    actor: str,
    force: bool = False,
    reason: str | None = None,
    gold: list[Any] | None = None,
) -> AliasMove:
    """Move ``champion`` to ``version`` if the gate passes (or, forced, with a reason).

    A refusal is recorded and audited too, then raised as ``GateRefused`` carrying the report.
    """
    if force and not (reason and reason.strip()):
        raise ForceNotAllowed("A forced promotion needs a reason")
    gate = run_gate(registry, name, version, gold)
    previous = registry.alias_version(name, CHAMPION)
    if not gate.passed and not force:
        move = AliasMove(name, CHAMPION, version, previous, "promotion_refused", gate)
        _record(session, move, actor=actor, reason=reason, detail=_gate_detail(gate))
        session.commit()
        raise GateRefused(
            f"{name} v{version} did not pass the gate: " + ", ".join(c.name for c in gate.failures),
            details=gate.to_dict(),
        )
    action = "promoted" if gate.passed else "force_promoted"
    move = AliasMove(name, CHAMPION, version, previous, action, gate)
    registry.set_alias(name, CHAMPION, version)
    _record(session, move, actor=actor, reason=reason, detail=_gate_detail(gate))
    session.commit()
    logger.info("%s v%s is champion (%s, was v%s)", name, version, action, previous)
    return move


def rollback(
    session: Session,
    registry: Registry,
    *,
    name: str,
    actor: str,
    to_version: int | None = None,
    reason: str | None = None,
) -> AliasMove:
    """Point ``champion`` back at the version it held before the last move (or ``to_version``)."""
    current = registry.alias_version(name, CHAMPION)
    target = to_version
    if target is None:
        last = session.execute(
            select(ModelEvent)
            .where(
                ModelEvent.model_name == name,
                ModelEvent.alias == CHAMPION,
                ModelEvent.action.in_(("promoted", "force_promoted", "rolled_back")),
                ModelEvent.version == current,
            )
            .order_by(ModelEvent.created_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        target = last.previous_version if last is not None else None
    if target is None or target == current:
        raise NothingToRollBack(f"{name} has no earlier champion to roll back to")
    registry.version(name, target)
    move = AliasMove(name, CHAMPION, target, current, "rolled_back")
    registry.set_alias(name, CHAMPION, target)
    metrics = registry.version(name, target).metrics
    _record(
        session,
        move,
        actor=actor,
        reason=reason,
        detail={"target_run_metrics": {k: round(v, 5) for k, v in metrics.items()}},
    )
    session.commit()
    logger.info("%s rolled back from v%s to v%s", name, current, target)
    return move


def set_challenger(
    session: Session, registry: Registry, *, name: str, version: int | None, actor: str
) -> AliasMove:
    """Set (or with None, clear) the ``challenger`` alias: it only ever gets the canary share
    or shadows traffic, so no gate applies; the move is audited all the same."""
    previous = registry.alias_version(name, CHALLENGER)
    if version is None:
        if previous is not None:
            registry.delete_alias(name, CHALLENGER)
        move = AliasMove(name, CHALLENGER, None, previous, "challenger_cleared")
    else:
        registry.version(name, version)
        registry.set_alias(name, CHALLENGER, version)
        move = AliasMove(name, CHALLENGER, version, previous, "challenger_set")
    _record(session, move, actor=actor, reason=None, detail={})
    session.commit()
    return move


def history(session: Session, name: str, limit: int = 50) -> list[ModelEvent]:
    return list(
        session.execute(
            select(ModelEvent)
            .where(ModelEvent.model_name == name)
            .order_by(ModelEvent.created_at.desc())
            .limit(limit)
        ).scalars()
    )
