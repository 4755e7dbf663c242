"""Typed settings: one root, nested per domain, built lazily by ``get_settings()``.

Environment variables use the ``ELIGO_`` prefix and ``__`` for nesting, e.g.
``ELIGO_DATABASE_URL`` or ``ELIGO_CATALOG__SYNC_INTERVAL_SECONDS``. Secrets may also come
from files in ``ELIGO_SECRETS_DIR`` (one file per field name).
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that ship in examples. They are fine for a laptop and refused anywhere else.
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused outside dev
# 32 zero bytes, base64: obviously not a real key.
DEV_PHI_KEY = base64.b64encode(bytes(32)).decode()
PLACEHOLDER_SECRETS = {DEV_SECRET_KEY, DEV_PHI_KEY, "changethis", "change-me", ""}


class ApiSettings(BaseModel):
    max_json_bytes: int = 1024 * 1024
    max_upload_bytes: int = 15 * 1024 * 1024
    # Merchant catalog uploads (POST /v1/catalog/items) stream up to 1M rows.
    max_import_bytes: int = 200 * 1024 * 1024
    cors_origins: list[str] = Field(default_factory=list)
    # How long a process may answer a key from memory (security/auth_cache.py): a key revoked
    # through another process stops working within this time. 0 checks every request.
    auth_cache_seconds: float = Field(default=2.0, ge=0.0, le=60.0)
    # Move everything alive after start-up (models, routes) out of the garbage collector's
    # reach (gc.freeze): without it, full collections walked the loaded models and paused
    # requests for 200+ ms. Off in test processes, which build many apps in one process.
    gc_freeze_after_start: bool = True
    # Migrate on start: convenient in dev, an explicit `eligo db upgrade` step in prod.
    migrate_on_start: bool = True


class LogSettings(BaseModel):
    level: str = "INFO"
    json_format: bool = True


class EligibilitySettings(BaseModel):
    model_dir: Path = Path("var/models/eligibility")
    embedding_dir: Path = Path("var/models/embedding")
    # An answer below this calibrated confidence carries needs_review and is queued; None uses
    # the threshold the training run chose on its validation split.
    review_threshold: float | None = None


class CatalogSettings(BaseModel):
    feed_url: str | None = None
    sync_interval_seconds: int = 0  # 0 disables the in-service scheduler
    max_bad_share: float = 0.05
    max_removed_share: float = 0.20
    batch_size: int = 5000
    # Pause after every batch of every phase (fingerprint load, parse/diff, apply): leaves the
    # CPU and the database to the request path, at the cost of a longer sync (docs/sync.md).
    batch_pause_seconds: float = 0.0
    # Sync lease: a holder that stops renewing (crash, SIGKILL) loses it after this long.
    lease_seconds: int = 60
    # Quarantined rows stored per run (all are counted; the first ones are kept for the report).
    max_quarantine_rows_stored: int = 10_000
    # The in-service scheduler runs each sync as a child process ("subprocess": keeps the API's
    # interpreter free) or in a thread of the API process ("thread").
    scheduler_mode: Literal["subprocess", "thread"] = "subprocess"
    # A sync child process lowers its CPU priority by this much (0: unchanged).
    sync_nice: int = 10
    # ... keeps to one CPU (the last it may use), leaving the others to the request path ...
    sync_pin_cpu: bool = True
    # ... and runs under SCHED_IDLE, back to normal scheduling at sync_nice if it starves
    # (catalog/background.py; Linux, needs CAP_SYS_NICE or a matching RLIMIT_NICE).
    sync_idle_class: bool = True


class CardSettings(BaseModel):
    field_threshold: float = 0.6
    image_retention_days: int = 7
    max_megapixels: float = 40.0
    # Scan service: an in-process worker pool picks queued scans (claims are atomic, so
    # several server processes can share one queue).
    worker_enabled: bool = True
    worker_threads: int = 1
    poll_interval_seconds: float = 1.0
    # A scan claimed by a worker that died is claimable again after this long.
    lease_seconds: float = 300.0
    # A scan whose worker died this many times is failed instead of retried again.
    max_attempts: int = 3
    # Load the OCR models when the server starts instead of on the first scan.
    preload_scanner: bool = False
    # OCR models derived from the shipped ones (int8 detector, Latin recogniser; built by
    # `eligo cards build-ocr-models`); without them the shipped models are read, slower.
    ocr_model_dir: Path = Path("var/models/cards-ocr")
    # ?wait=true gives up waiting for a free scan slot after this long (the scan stays queued).
    wait_timeout_seconds: float = 60.0
    # How often the server deletes images past their retention (0: only `eligo card-admin purge`).
    purge_interval_seconds: float = 3600.0


class GateSettings(BaseModel):
    """Promotion gate on the fixed gold set (the hand-written challenge set)."""

    # Floors sit under the first production model's gold figures (accuracy 0.84, rx recall
    # 0.70 on the challenge set): they stop a broken model; the champion comparison stops a
    # worse one.
    min_accuracy: float = 0.80
    min_recall: float = 0.65  # every status
    max_eligible_not_eligible: float = 0.05
    # Largest allowed drop against the current champion (absolute, accuracy and each recall).
    tolerance: float = 0.01
    recall_tolerance: float = 0.02


class ContractSettings(BaseModel):
    min_rows_per_class: int = 20
    # Exact duplicate rows tolerated before the contract fails (share of all rows).
    max_duplicate_share: float = 0.01


class MonitorSettings(BaseModel):
    # None: on, except with env=test (its alarms would land in other tests' audit chains).
    enabled: bool | None = None
    window_size: int = 500  # predictions per drift window
    min_window: int = 100  # a shorter window (flushed on shutdown) raises no alarm
    psi_threshold: float = 0.25  # PSI of the predicted-status shares vs the reference
    # The reference scores training titles (over-confident by construction), so held-out
    # traffic already shows a confidence PSI near 0.5: its threshold is higher.
    psi_confidence_threshold: float = 1.0
    centroid_threshold: float = 0.25  # cosine distance of the input-embedding centroid
    abstention_threshold: float = 0.30  # absolute rise of the needs_review share


class MlopsSettings(BaseModel):
    tracking_uri: str = "sqlite:///var/mlflow.db"
    artifact_dir: Path = Path("var/mlruns")
    experiment: str = "eligo-eligibility"
    eligibility_model: str = "eligo-eligibility"
    # Serve the registry's champion; None: yes, except with env=test (tests serve model_dir).
    serve_from_registry: bool | None = None
    alias_poll_seconds: float = 5.0
    # off | canary (a share of traffic answered by challenger) | shadow (challenger scores
    # in the background, champion answers).
    routing: Literal["off", "canary", "shadow"] = "off"
    canary_share: float = Field(default=0.0, ge=0.0, le=1.0)
    # Canary stickiness: per tenant, or per X-Routing-Key header (falls back to the tenant).
    canary_sticky: Literal["tenant", "request_key"] = "tenant"
    review_dataset_dir: Path = Path("var/datasets/reviews")
    gate: GateSettings = Field(default_factory=GateSettings)
    contracts: ContractSettings = Field(default_factory=ContractSettings)
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)


class NotifySettings(BaseModel):
    # Run the webhook delivery worker as a thread inside the API process; otherwise run
    # `eligo webhooks deliver` as its own process (or both: deliveries are leased).
    worker_enabled: bool = False
    poll_interval_seconds: float = 1.0
    batch_size: int = 10
    timeout_seconds: float = 10.0
    # A claimed delivery is re-claimable after this long (a worker died mid-delivery).
    lease_seconds: float = 60.0
    # Retry n waits about base * 2**(n-1), capped, with jitter; after max age: dead letter.
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 6 * 3600.0
    max_age_seconds: float = 3 * 86400.0
    # Loopback and private receivers are refused in prod unless this is set.
    allow_private_targets: bool = False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ELIGO_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        secrets_dir=os.environ.get("ELIGO_SECRETS_DIR") or None,
    )

    env: Literal["dev", "test", "prod"] = "dev"
    database_url: str = "sqlite:///var/eligo.db"
    data_dir: Path = Path("var")
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    # AES-256-GCM key for PHI at rest, base64 of 32 bytes, and its id (kept with each blob
    # so keys can be rotated).
    phi_key: SecretStr = SecretStr(DEV_PHI_KEY)
    phi_key_id: str = "k1"

    api: ApiSettings = Field(default_factory=ApiSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    eligibility: EligibilitySettings = Field(default_factory=EligibilitySettings)
    catalog: CatalogSettings = Field(default_factory=CatalogSettings)
    cards: CardSettings = Field(default_factory=CardSettings)
    mlops: MlopsSettings = Field(default_factory=MlopsSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)

    @model_validator(mode="after")
    def _enforce_real_secrets(self) -> Settings:
        if self.env == "prod":
            for name in ("secret_key", "phi_key"):
                secret: SecretStr = getattr(self, name)
                if secret.get_secret_value() in PLACEHOLDER_SECRETS:
                    raise ValueError(
                        f"ELIGO_{name.upper()} is a placeholder; set a real secret outside dev"
                    )
        key = base64.b64decode(self.phi_key.get_secret_value() or "", validate=False)
        if len(key) != 32:
            raise ValueError("ELIGO_PHI_KEY must be base64 of exactly 32 bytes")
        return self

    @property
    def phi_key_bytes(self) -> bytes:
        return base64.b64decode(self.phi_key.get_secret_value())


@lru_cache
def get_settings() -> Settings:
    return Settings()


async def app_settings(request: Request) -> Settings:
    """The settings the running app was built with (tests build apps with their own).

    Async because it does no I/O: FastAPI runs sync dependencies in a worker thread."""
    settings: Settings = request.app.state.settings
    return settings


if TYPE_CHECKING:
    from fastapi import Depends, Request

    SettingsDep = Annotated[Settings, Depends(app_settings)]


def __getattr__(name: str) -> object:
    """``SettingsDep``, built on first use: FastAPI takes ~0.2 s to import, and a sync process
    reads its settings to lower its CPU priority before it does any heavy import (PEP 562)."""
    if name != "SettingsDep":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from fastapi import Depends, Request

    globals()["Request"] = Request  # FastAPI resolves app_settings' annotation from here
    dependency = Annotated[Settings, Depends(app_settings)]
    globals()["SettingsDep"] = dependency
    return dependency
