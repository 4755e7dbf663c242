"""The application factory. Nothing is built at import: settings, engine and models come from
``create_app`` and its lifespan, so tests can build as many apps (and backends) as they like."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware

import eligo
from eligo.api.errors import install_error_handlers
from eligo.api.middleware import Metrics, MetricsMiddleware, RequestContextMiddleware
from eligo.api.routes import api_router, service_router
from eligo.cards.worker import start_scan_service
from eligo.db import migrate
from eligo.db.session import Database
from eligo.eligibility import runtime as eligibility_runtime
from eligo.mlops import serving as mlops_serving
from eligo.security.auth_cache import AuthCache
from eligo.settings import Settings, get_settings

logger = logging.getLogger(__name__)

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"

# A readiness probe returns None when ready, or a short reason when not.
ReadinessProbe = Callable[[], str | None]


def operation_id(route: APIRoute) -> str:
    """Stable ids for the OpenAPI document and the generated SDK: ``<tag>-<function name>``."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owns_database = database is None
        db = database or Database.from_url(settings.database_url)
        if settings.api.migrate_on_start and settings.env != "prod":
            migrate.upgrade(db.engine)
        app.state.database = db
        holder = app.state.eligibility_models
        # Registry champion (hot-swapped on alias moves), canary/shadow routing, drift.
        serving = mlops_serving.start_serving(
            settings, holder, database=db, metrics_registry=app.state.metrics.registry
        )
        app.state.model_serving = serving
        if holder.current is None:
            model = eligibility_runtime.load_model(settings)
            if model is not None:
                holder.swap(model)
        webhook_worker = None
        if settings.notify.worker_enabled:
            from eligo.notify.worker import start_background_worker

            webhook_worker = start_background_worker(db, settings)
        # Card scans: worker pool (settings.cards), image retention purge, readiness probe.
        card_scans = start_scan_service(db, settings)
        app.state.card_scans = card_scans
        app.state.readiness_probes["card_scanner"] = card_scans.readiness
        from eligo.catalog.scheduler import build_scheduler

        sync_scheduler = build_scheduler(settings, db)
        if sync_scheduler is not None:
            sync_scheduler.start()
        if settings.api.gc_freeze_after_start:
            gc.collect()
            gc.freeze()
        logger.info("eligo %s started on %s", eligo.__version__, db.backend)
        try:
            yield
        finally:
            serving.stop()
            if webhook_worker is not None:
                webhook_worker.stop()
            card_scans.stop()
            if sync_scheduler is not None:
                sync_scheduler.stop()
            if owns_database:
                db.dispose()

    app = FastAPI(
        title="eligo",
        version=eligo.__version__,
        summary="FSA/HSA product eligibility, insurance-card scanning and the MLOps under them.",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.auth_cache = AuthCache(settings.api.auth_cache_seconds)
    app.state.eligibility_models = eligibility_runtime.ModelHolder()
    app.state.readiness_probes = {"eligibility_model": app.state.eligibility_models.readiness}
    install_error_handlers(app)
    app.include_router(service_router)
    app.include_router(api_router)
    _mount_docs(app)

    # Order: the outermost middleware is added last.
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST", "DELETE", "PUT", "PATCH"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    app.add_middleware(
        RequestContextMiddleware,
        max_json_bytes=settings.api.max_json_bytes,
        max_upload_bytes=settings.api.max_upload_bytes,
        max_import_bytes=settings.api.max_import_bytes,
    )
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    return app


def _mount_docs(app: FastAPI) -> None:
    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="eligo API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="eligo API",
            redoc_js_url="/static/docs/redoc.standalone.js",
            redoc_favicon_url="/static/docs/favicon.png",
            with_google_fonts=False,
        )
