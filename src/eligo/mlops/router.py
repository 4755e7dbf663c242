"""Model routes: the registry (versions, aliases, history) and what serving sees live."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Path, Request

from eligo.db.session import SessionDep
from eligo.mlops import registry as registry_module
from eligo.mlops.exceptions import ModelNotRegistered
from eligo.mlops.schemas import (
    LiveOut,
    ModelDetailOut,
    ModelEventOut,
    ModelListOut,
    ModelSummaryOut,
    ModelVersionOut,
)
from eligo.security.dependencies import AdminPrincipal
from eligo.settings import Settings, SettingsDep

router = APIRouter(tags=["models"])

ModelName = Annotated[str, Path(max_length=200, pattern=r"^[A-Za-z0-9._-]+$")]
_registry_lock = threading.Lock()


def _registry(request: Request, settings: Settings) -> registry_module.Registry | None:
    """The app's registry client, built once (imports MLflow); None when there is no store
    (or the registry is off for this process)."""
    if not registry_module.registry_enabled(settings):
        return None
    with _registry_lock:
        found: registry_module.Registry | None = getattr(request.app.state, "mlops_registry", None)
        if found is None:
            found = registry_module.open_registry(settings)
            request.app.state.mlops_registry = found
    return found


@router.get("/models")
def list_models(request: Request, principal: AdminPrincipal, settings: SettingsDep) -> ModelListOut:
    """Registered models with their aliases (champion, challenger) and latest version."""
    del principal
    registry = _registry(request, settings)
    if registry is None:
        return ModelListOut(items=[])
    items = []
    for name in registry.names():
        versions = registry.versions(name, with_metrics=False)
        items.append(
            ModelSummaryOut(
                name=name,
                aliases={a: v.version for v in versions for a in v.aliases},
                latest_version=versions[-1].version if versions else None,
                versions=len(versions),
            )
        )
    return ModelListOut(items=items)


@router.get("/models/{name}")
def get_model(
    name: ModelName,
    request: Request,
    session: SessionDep,
    principal: AdminPrincipal,
    settings: SettingsDep,
) -> ModelDetailOut:
    """Every version with its run metrics and tags, and the history of alias moves."""
    del principal
    registry = _registry(request, settings)
    if registry is None:
        raise ModelNotRegistered(f"No registered model named {name!r}")
    summary = registry.summary(name)
    history = registry_module.history(session, name)
    return ModelDetailOut(
        name=summary.name,
        aliases=summary.aliases,
        versions=[ModelVersionOut.model_validate(v) for v in summary.versions],
        history=[ModelEventOut.model_validate(e) for e in history],
    )


@router.get("/models/{name}/live")
def live(name: ModelName, request: Request, principal: AdminPrincipal) -> LiveOut:
    """Serving now: champion/challenger, routing, agreement and latency per version, drift."""
    del principal
    serving = getattr(request.app.state, "model_serving", None)
    if serving is None or serving.state.name != name:
        raise ModelNotRegistered(f"{name!r} is not served by this process")
    return LiveOut.model_validate(serving.state.live())
