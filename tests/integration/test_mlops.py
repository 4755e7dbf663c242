"""MLOps end to end: tracked training, registry and gate, hot swap, canary, drift, review retrain.

One temporary MLflow store per module; two real tiny models (hashing embedder): v1 with the
normal config and v2 deliberately worse (3 boosting rounds, no taxonomy features).
"""

from __future__ import annotations

import csv
import os
import random
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from eligo.db.session import Database
from eligo.eligibility.corpus import build_corpus, default_shared_data, split_corpus
from eligo.eligibility.training import TrainingConfig
from eligo.mlops import registry as registry_module
from eligo.mlops import retrain
from eligo.mlops.exceptions import ContractViolation, ForceNotAllowed, GateRefused
from eligo.mlops.models import DriftWindow
from eligo.mlops.registry import CHALLENGER, CHAMPION, Registry
from eligo.mlops.serving import canary_bucket
from eligo.mlops.tracking import train_tracked
from eligo.notify import service as notify_service
from eligo.notify.models import WebhookEvent
from eligo.security.crypto import PhiCipher
from eligo.security.models import AuditEvent
from eligo.security.roles import Role
from eligo.settings import Settings
from tests.support import LiveServer, TenantKeys, start_live_server, test_settings

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
# MLflow 3.17 warns on import and its SQLite store uses SQLAlchemy APIs deprecated in 2.1:
# not ours to fix. Our own code stays under filterwarnings=error.
pytestmark = [
    pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SADeprecationWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning:mlflow"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:mlflow"),
    pytest.mark.filterwarnings("ignore::FutureWarning:mlflow"),
]
NAME = "eligo-eligibility"
TITLES = [
    "Advil Ibuprofen 200 mg Tablets 100 ct",
    "Neutrogena Ultra Sheer Sunscreen SPF 55",
    "Nature Made Vitamin D3 2000 IU Softgels",
    "Contour Next Blood Glucose Test Strips 50 ct",
    "Coca-Cola Classic 12 pack cans",
    "Always Ultra Thin Pads Overnight",
    "Amoxicillin 500 mg Capsules",
    "Olay Regenerist Night Cream",
]


def mlops_settings(root: Path, database: Database | None = None) -> Settings:
    settings = test_settings(database) if database is not None else Settings(env="test")
    settings.api.gc_freeze_after_start = False
    settings.mlops.tracking_uri = f"sqlite:///{root / 'mlflow.db'}"
    settings.mlops.artifact_dir = root / "mlruns"
    settings.mlops.review_dataset_dir = root / "reviews"
    # A tiny hashing model is far from production floors; the gate logic is what is tested.
    settings.mlops.gate.min_accuracy = 0.5
    settings.mlops.gate.min_recall = 0.3
    settings.mlops.gate.max_eligible_not_eligible = 0.2
    return settings


@dataclass
class Store:
    root: Path
    v1: int
    v2: int
    v1_model: str  # content versions, as responses name them
    v2_model: str
    run_v1: str

    def settings(self, database: Database | None = None) -> Settings:
        return mlops_settings(self.root, database)

    def registry(self) -> Registry:
        return registry_module.open_registry(self.settings())


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    root = tmp_path_factory.mktemp("mlflow")
    settings = mlops_settings(root)
    good = TrainingConfig(scale=0.05, embedding="hashing", num_boost_round=60)
    worse = TrainingConfig(
        scale=0.05, embedding="hashing", num_boost_round=3, use_keywords=False, use_signals=False
    )
    first = train_tracked(good, root / "model-1", settings=settings, progress=False)
    second = train_tracked(worse, root / "model-2", settings=settings, progress=False)
    assert first.registered_version is not None
    assert second.registered_version is not None
    assert first.run_id is not None
    return Store(
        root,
        first.registered_version,
        second.registered_version,
        first.report.model_version,
        second.report.model_version,
        first.run_id,
    )


# --------------------------------------------------------------------------- tracking


def test_run_logs_params_metrics_artifacts_and_a_loadable_pyfunc(store: Store) -> None:
    import mlflow
    import pandas as pd  # type: ignore[import-untyped]

    registry = store.registry()
    run = registry.client.get_run(store.run_v1)
    assert len(run.data.tags["git_sha"]) in (40, 7) or run.data.tags["git_sha"] == "unknown"
    assert run.data.tags["data_contract"] == "passed"
    assert len(run.data.params["data.train.sha256"]) == 64
    assert int(run.data.params["data.train.rows"]) > 500
    assert run.data.params["num_boost_round"] == "60"
    for metric in ("test_accuracy", "test_recall_eligible", "challenge_accuracy"):
        assert 0.0 < run.data.metrics[metric] <= 1.0
    artifacts = {a.path for a in registry.client.list_artifacts(store.run_v1, "evaluation")}
    for name in (
        "report.md",
        "report.json",
        "confusion_test.png",
        "calibration_test.png",
        "misclassified.csv",
        "data_contract.md",
    ):
        assert f"evaluation/{name}" in artifacts
    # Both runs are visible to a plain MLflow client, and the version loads as a pyfunc.
    runs = mlflow.search_runs(experiment_names=[store.settings().mlops.experiment])
    assert len(runs) >= 2
    model = mlflow.pyfunc.load_model(f"models:/{NAME}/{store.v1}")
    out = model.predict(pd.DataFrame({"title": TITLES[:3]}))
    assert list(out["model_version"]) == [store.v1_model] * 3
    assert set(out["status"]) <= {"eligible", "lmn", "rx", "not_eligible"}
    assert model.metadata.get_input_schema().input_names() == ["title", "brand"]


def test_a_contract_failure_stops_before_training(store: Store, tmp_path: Path) -> None:
    from eligo.eligibility.corpus.records import LabelledTitle

    bad = [LabelledTitle("Mystery product", "", "maybe", "nowhere", "review", "review:1")]
    out = tmp_path / "never"
    with pytest.raises(ContractViolation) as caught:
        train_tracked(
            TrainingConfig(scale=0.05, embedding="hashing"),
            out,
            settings=store.settings(),
            progress=False,
            extra_rows=bad,
        )
    failed = {c["name"] for c in caught.value.details["checks"] if not c["ok"]}
    assert "schema" in failed
    assert not out.exists()


# --------------------------------------------------------------------------- gate


def _audit_actions(database: Database, after: int) -> list[AuditEvent]:
    with database.sessionmaker() as session:
        query = (
            select(AuditEvent)
            .where(AuditEvent.seq > after, AuditEvent.action.startswith("model."))
            .order_by(AuditEvent.seq)
        )
        return list(session.execute(query).scalars())


def _audit_head(database: Database) -> int:
    with database.sessionmaker() as session:
        seqs = session.execute(select(AuditEvent.seq)).scalars().all()
    return max(seqs, default=0)


def test_gate_promotes_refuses_forces_and_rolls_back(store: Store, database: Database) -> None:
    registry = store.registry()
    if registry.alias_version(NAME, CHAMPION) is not None:
        registry.delete_alias(NAME, CHAMPION)
    head = _audit_head(database)
    with database.sessionmaker() as session:
        move = registry_module.promote(session, registry, name=NAME, version=store.v1, actor="t")
        assert move.action == "promoted"
        assert move.gate is not None
        assert move.gate.passed
        assert registry.alias_version(NAME, CHAMPION) == store.v1

        with pytest.raises(GateRefused) as refused:
            registry_module.promote(session, registry, name=NAME, version=store.v2, actor="t")
        failures = refused.value.details["failures"]
        assert "accuracy vs champion" in failures
        assert registry.alias_version(NAME, CHAMPION) == store.v1

        with pytest.raises(ForceNotAllowed):
            registry_module.promote(
                session, registry, name=NAME, version=store.v2, actor="t", force=True
            )
        forced = registry_module.promote(
            session,
            registry,
            name=NAME,
            version=store.v2,
            actor="t",
            force=True,
            reason="incident drill",
        )
        assert forced.action == "force_promoted"
        assert registry.alias_version(NAME, CHAMPION) == store.v2

        back = registry_module.rollback(session, registry, name=NAME, actor="t")
        assert (back.previous_version, back.version) == (store.v2, store.v1)
        assert registry.alias_version(NAME, CHAMPION) == store.v1
    events = _audit_actions(database, head)
    actions = [e.action for e in events]
    assert actions == [
        "model.promoted",
        "model.promotion_refused",
        "model.force_promoted",
        "model.rolled_back",
    ]
    assert events[0].detail["candidate"]["accuracy"] > 0.5
    assert events[2].detail["reason"] == "incident drill"

    import mlflow

    champion = mlflow.pyfunc.load_model(f"models:/{NAME}@champion")
    assert champion.metadata.run_id == store.run_v1


def _platform_admin_key(path: Path) -> str:
    from eligo.db import migrate
    from eligo.security import service
    from tests.support import SENSITIVE_VALUES

    database = Database.from_url(f"sqlite:///{path}")
    try:
        migrate.upgrade(database.engine)
        with database.sessionmaker() as session:
            issued = service.bootstrap_platform_admin(session, actor="test")
    finally:
        database.dispose()
    SENSITIVE_VALUES.add(issued.secret)
    return issued.secret


def test_cli_lists_shows_refuses_forces_and_rolls_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eligo.cli.main import app
    from eligo.settings import get_settings

    monkeypatch.setenv("ELIGO_MLOPS__TRACKING_URI", f"sqlite:///{store.root / 'mlflow.db'}")
    monkeypatch.setenv("ELIGO_MLOPS__ARTIFACT_DIR", str(store.root / "mlruns"))
    monkeypatch.setenv("ELIGO_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ELIGO_MLOPS__GATE__MIN_ACCURACY", "0.5")
    monkeypatch.setenv("ELIGO_MLOPS__GATE__MIN_RECALL", "0.3")
    monkeypatch.setenv("ELIGO_MLOPS__GATE__MAX_ELIGIBLE_NOT_ELIGIBLE", "0.2")
    get_settings.cache_clear()
    try:
        registry = store.registry()
        registry.set_alias(NAME, CHAMPION, store.v1)
        runner = CliRunner()
        listed = runner.invoke(app, ["models", "list"])
        assert listed.exit_code == 0, listed.output
        assert f"champion=v{store.v1}" in listed.output
        shown = runner.invoke(app, ["models", "show", NAME])
        assert shown.exit_code == 0
        assert f"v{store.v2}" in shown.output
        refused = runner.invoke(app, ["models", "promote", NAME, str(store.v2)])
        assert refused.exit_code == 2, refused.output
        assert "Gate REFUSED" in refused.output
        assert "accuracy vs champion" in refused.output
        no_key = runner.invoke(
            app, ["models", "promote", NAME, str(store.v2), "--force", "--reason", "x"]
        )
        assert no_key.exit_code == 3
        assert registry.alias_version(NAME, CHAMPION) == store.v1
        # A platform admin key and a reason force it through; rollback restores v1.
        admin_key = _platform_admin_key(tmp_path / "cli.db")
        forced = runner.invoke(
            app,
            [
                "models",
                "promote",
                NAME,
                str(store.v2),
                "--force",
                "--reason",
                "drill",
                "--admin-key",
                admin_key,
            ],
        )
        assert forced.exit_code == 0, forced.output
        assert "(FORCED)" in forced.output
        assert registry.alias_version(NAME, CHAMPION) == store.v2
        back = runner.invoke(app, ["models", "rollback", NAME, "--reason", "drill over"])
        assert back.exit_code == 0, back.output
        assert registry.alias_version(NAME, CHAMPION) == store.v1
    finally:
        get_settings.cache_clear()


# --------------------------------------------------------------------------- serving


@pytest.fixture(scope="module")
def serving_server(store: Store, database: Database) -> Iterator[LiveServer]:
    registry = store.registry()
    registry.set_alias(NAME, CHAMPION, store.v1)
    registry.set_alias(NAME, CHALLENGER, store.v2)
    settings = store.settings(database)
    settings.mlops.serve_from_registry = True
    settings.mlops.alias_poll_seconds = 0.2
    settings.mlops.routing = "canary"
    settings.mlops.canary_share = 0.2
    settings.mlops.canary_sticky = "request_key"
    settings.eligibility.model_dir = store.root / "no-such-model"
    server = start_live_server(settings, database)
    yield server
    server.stop()


def _check(client: httpx.Client, title: str, key: str | None = None) -> tuple[int, str | None]:
    headers = {"X-Routing-Key": key} if key else {}
    response = client.post("/v1/eligibility/check", json={"title": title}, headers=headers)
    body = response.json()
    return response.status_code, body.get("model_version")


def test_canary_share_is_about_twenty_percent_and_sticky(
    store: Store, serving_server: LiveServer, tenant: TenantKeys
) -> None:
    serving_server.app.state.settings.mlops.routing = "canary"
    keys = [f"shopper-{i}" for i in range(1000)]
    expected = sum(canary_bucket(f"key:{k}") < 0.2 for k in keys)
    local = threading.local()

    def one(index: int) -> tuple[int, str | None]:
        if not hasattr(local, "client"):
            local.client = tenant.client(serving_server, Role.MERCHANT)
        return _check(local.client, TITLES[index % len(TITLES)], keys[index])

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(one, range(len(keys))))
    assert all(code == 200 for code, _ in results)
    versions = [v for _, v in results]
    assert set(versions) == {store.v1_model, store.v2_model}
    share = versions.count(store.v2_model) / len(versions)
    assert 0.16 <= share <= 0.24, share
    assert versions.count(store.v2_model) == expected
    # Sticky: the same key gets the same model again.
    with tenant.client(serving_server, Role.MERCHANT) as client:
        again = [_check(client, TITLES[0], keys[i])[1] for i in range(20)]
    assert again == versions[:20]
    with tenant.client(serving_server, Role.ADMIN) as client:
        deadline = time.monotonic() + 10
        while True:
            live = client.get(f"/v1/models/{NAME}/live").json()
            if live["agreement"]["compared"] > 0 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert live["champion"]["registry_version"] == store.v1
    assert live["challenger"]["registry_version"] == store.v2
    assert live["versions"][store.v2_model]["role"] == "challenger"
    assert live["versions"][store.v1_model]["latency_ms"]["p50"] > 0
    assert 0.0 <= live["agreement"]["rate"] <= 1.0


def test_model_routes_list_show_and_need_admin(
    store: Store, serving_server: LiveServer, tenant: TenantKeys
) -> None:
    with tenant.client(serving_server, Role.ADMIN) as admin:
        listed = admin.get("/v1/models").json()["items"]
        [model] = [m for m in listed if m["name"] == NAME]
        assert model["aliases"][CHALLENGER] == store.v2
        assert model["versions"] >= 2
        detail = admin.get(f"/v1/models/{NAME}").json()
        v1 = next(v for v in detail["versions"] if v["version"] == store.v1)
        assert v1["metrics"]["test_accuracy"] > 0.5
        assert v1["tags"]["data_contract"] == "passed"
        assert admin.get("/v1/models/no-such-model").status_code == 404
        assert admin.get("/v1/models/no-such-model/live").status_code == 404
    with tenant.client(serving_server, Role.MERCHANT) as merchant:
        assert merchant.get("/v1/models").status_code == 403


def test_shadow_scores_the_challenger_while_only_the_champion_answers(
    store: Store, serving_server: LiveServer, tenant: TenantKeys
) -> None:
    state = serving_server.app.state.model_serving.state
    settings = serving_server.app.state.settings
    settings.mlops.routing = "shadow"
    try:
        before = state.live()["agreement"]["compared"]
        with tenant.client(serving_server, Role.MERCHANT) as client:
            versions = {_check(client, TITLES[i % len(TITLES)], f"s{i}")[1] for i in range(40)}
        assert versions == {store.v1_model}
        deadline = time.monotonic() + 60
        while state.live()["agreement"]["compared"] < before + 40 and time.monotonic() < deadline:
            time.sleep(0.1)
        live = state.live()
        dropped = live["agreement"]["dropped_requests"]
        assert live["agreement"]["compared"] >= before + 40 - dropped
        assert live["versions"][store.v2_model]["latency_ms"]["samples"] > 0
    finally:
        settings.mlops.routing = "canary"


def test_moving_the_alias_mid_load_swaps_without_a_failed_request(
    store: Store, serving_server: LiveServer, tenant: TenantKeys
) -> None:
    settings = serving_server.app.state.settings
    settings.mlops.routing = "off"
    registry = store.registry()
    stop = threading.Event()
    seen: list[tuple[float, int, str | None]] = []
    lock = threading.Lock()

    def hammer() -> None:
        with tenant.client(serving_server, Role.MERCHANT) as client:
            i = 0
            while not stop.is_set():
                code, version = _check(client, TITLES[i % len(TITLES)])
                with lock:
                    seen.append((time.monotonic(), code, version))
                i += 1

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        moved_at = time.monotonic()
        registry.set_alias(NAME, CHAMPION, store.v2)
        deadline = moved_at + 20
        while time.monotonic() < deadline:
            with lock:
                if any(v == store.v2_model for _, _, v in seen):
                    break
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        registry.set_alias(NAME, CHAMPION, store.v1)
        settings.mlops.routing = "canary"
    assert seen
    assert all(code == 200 for _, code, _ in seen)
    versions = [v for _, _, v in seen]
    assert store.v1_model in versions
    assert store.v2_model in versions
    assert versions[-1] == store.v2_model
    swaps = serving_server.app.state.model_serving.state.swaps
    assert any(s["to_version"] == store.v2 and s["alias"] == "champion" for s in swaps)


# --------------------------------------------------------------------------- drift


@pytest.fixture(scope="module")
def drift_server(store: Store, database: Database) -> Iterator[LiveServer]:
    settings = store.settings(database)
    settings.mlops.serve_from_registry = True
    settings.mlops.alias_poll_seconds = 0.2
    settings.mlops.monitor.enabled = True
    settings.mlops.monitor.window_size = 200
    settings.mlops.monitor.min_window = 100
    server = start_live_server(settings, database)
    yield server
    server.stop()


def _grocery_titles(n: int) -> list[str]:
    path = default_shared_data() / "off_us_grocery_upcs" / "off_2018_upc_names.csv"
    if not path.is_file():
        pytest.skip("shared grocery data not available")
    with path.open(encoding="utf-8", newline="") as handle:
        names = [row["product_name"] for row in csv.DictReader(handle) if row["product_name"]]
    return random.Random(7).sample(names[50_000:], n)


def _normal_titles(n: int) -> list[str]:
    split = split_corpus(build_corpus(seed=2026, scale=0.05), seed=2026)
    return random.Random(7).sample([r.title for r in split.test], n)


def _windows_of(database: Database, version: str) -> list[DriftWindow]:
    with database.sessionmaker() as session:
        return list(
            session.execute(
                select(DriftWindow)
                .where(DriftWindow.model_version == version)
                .order_by(DriftWindow.ended_at)
            ).scalars()
        )


def _send_window(server: LiveServer, tenant: TenantKeys, titles: list[str]) -> None:
    with tenant.client(server, Role.MERCHANT) as client:
        for start in range(0, len(titles), 100):
            items = [{"title": t[:900]} for t in titles[start : start + 100]]
            response = client.post("/v1/eligibility/check-batch", json={"items": items})
            assert response.status_code == 200


def _wait_window(database: Database, version: str, seen: set[str]) -> list[DriftWindow]:
    """Windows of ``version`` not in ``seen``, once at least one has been stored."""
    # Generous: windows close on a background thread of a server on a shared, busy machine.
    deadline = time.monotonic() + 120
    while True:
        found = [w for w in _windows_of(database, version) if w.id not in seen]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _run_monitor_report(database: Database, out: Path) -> None:
    from eligo.cli.main import app
    from eligo.settings import get_settings

    url = database.engine.url.render_as_string(hide_password=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ELIGO_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(
                app, ["monitor", "report", "--since", "1h", "--out", str(out)]
            )
        finally:
            get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "drift alarms; report written to" in result.output


def test_shifted_stream_raises_the_drift_alarm_and_a_normal_one_does_not(
    store: Store,
    drift_server: LiveServer,
    database: Database,
    tenant: TenantKeys,
    tmp_path: Path,
) -> None:
    store.registry().set_alias(NAME, CHAMPION, store.v1)
    state = drift_server.app.state.model_serving.state
    deadline = time.monotonic() + 10
    while state.champion_version != store.v1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state.champion_version == store.v1
    with database.sessionmaker() as session:
        notify_service.create_endpoint(
            session,
            tenant_id=tenant.tenant_id,
            url=f"http://127.0.0.1:9/drift-{uuid.uuid4().hex}",
            events=["model.drift_detected"],
            description="drift hook",
            actor="test",
            cipher=PhiCipher.from_settings(drift_server.app.state.settings),
            allow_private_targets=True,
        )
        session.commit()
    head = _audit_head(database)

    before = {w.id for w in _windows_of(database, store.v1_model)}
    _send_window(drift_server, tenant, _normal_titles(200))
    normal = _wait_window(database, store.v1_model, before)
    assert len(normal) == 1
    assert normal[0].n == 200
    assert not normal[0].drift, normal[0].reasons

    _send_window(drift_server, tenant, _grocery_titles(200))
    shifted = _wait_window(database, store.v1_model, before | {normal[0].id})
    assert len(shifted) == 1
    assert shifted[0].drift
    assert any("PSI" in r for r in shifted[0].reasons)

    drift_audits = [e for e in _audit_actions(database, head) if e.action == "model.drift_detected"]
    assert [e.detail["window_id"] for e in drift_audits] == [shifted[0].id]
    with database.sessionmaker() as session:
        events = (
            session.execute(
                select(WebhookEvent).where(
                    WebhookEvent.tenant_id == tenant.tenant_id,
                    WebhookEvent.type == "model.drift_detected",
                )
            )
            .scalars()
            .all()
        )
    assert len(events) == 1
    assert events[0].payload["window_id"] == shifted[0].id
    report = tmp_path / "drift.html"
    _run_monitor_report(database, report)
    page = report.read_text()
    assert "with a drift alarm" in page
    assert page.count("data:image/png;base64,") >= 4
    with tenant.client(drift_server, Role.MERCHANT) as client:
        metrics = client.get("/metrics").text
    assert f'eligo_model_drift_alarm{{model="{NAME}",version="{store.v1_model}"}} 1.0' in metrics


# --------------------------------------------------------------------------- review -> retrain


def test_reviewed_labels_become_a_dataset_that_a_tracked_run_names(
    store: Store, eligibility_server: LiveServer, database: Database, tenant: TenantKeys
) -> None:
    statuses = ["eligible", "lmn", "rx", "not_eligible"]
    tag = uuid.uuid4().hex[:8]
    candidates = [f"Reviewed product {tag} number {i} variant {i * 7}" for i in range(100)]
    # The eligibility server queues every model answer: take 50 queued ones.
    with tenant.client(eligibility_server, Role.MERCHANT) as client:
        response = client.post(
            "/v1/eligibility/check-batch", json={"items": [{"title": t} for t in candidates]}
        )
        queued = [
            (title, d["review_id"])
            for title, d in zip(candidates, response.json()["results"], strict=True)
            if d["review_id"]
        ][:50]
    assert len(queued) == 50
    titles = [title for title, _ in queued]
    review_ids = [review_id for _, review_id in queued]
    with tenant.client(eligibility_server, Role.REVIEWER) as client:
        for i, review_id in enumerate(review_ids):
            reviewed = client.post(f"/v1/reviews/{review_id}", json={"status": statuses[i % 4]})
            assert reviewed.status_code == 200
    # The tenant's labels answer its checks at once, before any retraining.
    with tenant.client(eligibility_server, Role.MERCHANT) as client:
        again = client.post("/v1/eligibility/check", json={"title": titles[2]}).json()
    assert (again["source"], again["status"]) == ("tenant_review", "rx")

    settings = store.settings()
    with database.sessionmaker() as session:
        dataset = retrain.snapshot_reviews(session, settings, actor="test")
        repeat = retrain.snapshot_reviews(session, settings, actor="test")
    assert repeat.version == dataset.version  # unchanged labels: same version
    rows = retrain.load_review_rows(dataset)
    assert sum(tag in r.title for r in rows) == 50
    tracked = train_tracked(
        TrainingConfig(scale=0.05, embedding="hashing", num_boost_round=60),
        store.root / f"model-reviews-{tag}",
        settings=settings,
        progress=False,
        extra_rows=rows,
        review_dataset=f"reviews-v{dataset.version}",
    )
    assert tracked.registered_version is not None
    registry = store.registry()
    info = registry.version(NAME, tracked.registered_version)
    assert info.tags["review_dataset"] == f"reviews-v{dataset.version}"
    assert tracked.report.data["train"]["sources"].get("review", 0) > 0
    registry.set_alias(NAME, CHAMPION, store.v1)
    gate = registry_module.run_gate(registry, NAME, tracked.registered_version)
    assert gate.candidate_version == tracked.registered_version
    assert {c.name for c in gate.checks} >= {"accuracy >= floor", "accuracy vs champion"}
