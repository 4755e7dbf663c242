"""Merchant catalogs and sync reports over real HTTP, kept current by real syncs, both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from eligo.catalog.gtin import gtin_check_digit
from eligo.catalog.merchant import import_file
from eligo.catalog.models import MerchantItem
from eligo.catalog.reference_feed import ReferenceFeed, ReferenceFeedServer, shared_data_dir
from eligo.catalog.sources import HttpFeedSource, RetryPolicy
from eligo.catalog.sync import run_sync
from eligo.db.session import Database
from eligo.notify import service as notify_service
from eligo.notify.models import WebhookEvent
from eligo.security import service as security_service
from eligo.security.crypto import PhiCipher
from eligo.security.roles import Role
from eligo.settings import CatalogSettings
from tests.integration.test_auth import assert_envelope
from tests.support import (
    SENSITIVE_VALUES,
    LiveServer,
    TenantKeys,
    create_tenant_with_keys,
    http_client,
    start_live_server,
    test_settings,
)

needs_data = pytest.mark.skipif(
    not (shared_data_dir() / "off_us_grocery_upcs").is_dir(),
    reason="shared data not available (set ELIGO_SHARED_DATA)",
)
FAST = RetryPolicy(max_attempts=3, base_seconds=0.01, max_seconds=0.05)


def upc(seed: int) -> str:
    body = f"{seed:011d}"
    return body + str(gtin_check_digit(body))


@pytest.fixture
def app(fresh_database: Database) -> Iterator[LiveServer]:
    server = start_live_server(test_settings(fresh_database), fresh_database)
    yield server
    server.stop()


def post_csv(client: httpx.Client, text: str) -> dict[str, Any]:
    response = client.post(
        "/v1/catalog/items", content=text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_csv_upload_upserts_by_sku_and_reports_bad_rows(app: LiveServer) -> None:
    keys = create_tenant_with_keys(app.database)
    other = create_tenant_with_keys(app.database)
    csv_text = "sku,gtin,title\n" + "".join(
        f"SKU-{i:04d},{upc(10_000 + i)},Product {i}\n" for i in range(300)
    )
    csv_text += "SKU-BAD,036000291453,Wrong check digit\n"  # bad GTIN
    csv_text += "SKU-NOTITLE,036000291452,\n"  # missing title
    csv_text += 'SKU-Q,"unterminated,x\n'  # malformed
    csv_text += "SKU-NOGTIN,,No barcode at all\n"  # fine: GTIN is optional
    with keys.client(app, Role.MERCHANT) as client:
        first = post_csv(client, csv_text)
        again = post_csv(client, "sku,title,gtin\nSKU-0000,Renamed product," + upc(10_000) + "\n")
        pages: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 120}
            if cursor:
                params["cursor"] = cursor
            page = client.get("/v1/catalog/items", params=params).json()
            pages.append(page)
            cursor = page["next_cursor"]
            if not cursor:
                break
    assert first["received"] == 304
    assert first["inserted"] == 301
    assert first["rejected"] == 3
    errors = {e["sku"] or e["line"]: e["code"] for e in first["errors"]}
    assert errors["SKU-BAD"] == "bad_gtin"
    assert errors["SKU-NOTITLE"] == "missing_title"
    assert "malformed_row" in errors.values()
    assert again["updated"] == 1
    assert again["inserted"] == 0
    items = [item for page in pages for item in page["items"]]
    assert len(pages) == 3
    assert len(items) == 301
    assert [i["sku"] for i in items] == sorted(i["sku"] for i in items)
    by_sku = {i["sku"]: i for i in items}
    assert by_sku["SKU-0000"]["title"] == "Renamed product"
    assert by_sku["SKU-0000"]["gtin"] == "00" + upc(10_000)
    assert by_sku["SKU-NOGTIN"]["gtin"] is None
    with other.client(app, Role.ADMIN) as client:
        assert client.get("/v1/catalog/items").json()["items"] == []


def test_json_array_and_json_lines_uploads(app: LiveServer) -> None:
    keys = create_tenant_with_keys(app.database)
    rows: list[dict[str, Any]] = [
        {"sku": f"J-{i}", "gtin": upc(20_000 + i), "title": f"Json {i}"} for i in range(50)
    ]
    rows.append({"sku": "J-bad", "gtin": 12345, "title": "x"})
    with keys.client(app, Role.MERCHANT) as client:
        as_array = client.post("/v1/catalog/items", json=rows)
        lines = "\n".join(json.dumps({**r, "title": r["title"] + "!"}) for r in rows[:10])
        as_lines = client.post(
            "/v1/catalog/items",
            content=lines.encode(),
            headers={"Content-Type": "application/x-ndjson"},
        )
        unclosed = client.post(
            "/v1/catalog/items",
            content=b'[{"sku":"x","title":"y"}',
            headers={"Content-Type": "application/json"},
        )
        wrong_type = client.post(
            "/v1/catalog/items", content=b"<xml/>", headers={"Content-Type": "application/xml"}
        )
        listed = client.get("/v1/catalog/items", params={"limit": 500}).json()["items"]
    assert as_array.status_code == 200, as_array.text
    assert as_array.json()["inserted"] == 50
    assert as_array.json()["errors"][0]["code"] == "bad_gtin"
    assert as_lines.json()["updated"] == 10
    assert_envelope(unclosed, 400, "bad_request")
    assert_envelope(wrong_type, 415, "unsupported_media_type")
    assert {i["title"] for i in listed if i["sku"] == "J-1"} == {"Json 1!"}


@needs_data
def test_syncs_keep_item_statuses_and_notify_only_their_merchants(
    app: LiveServer, tmp_path: Path
) -> None:
    db = app.database
    feed = ReferenceFeed(1500, seed=5)
    a = create_tenant_with_keys(db)
    b = create_tenant_with_keys(db)
    records = list(feed.current.records)
    # A holds the first 600 products (and one product not on the list), B the last 600.
    a_file = tmp_path / "a.csv"
    a_file.write_text(
        "sku,gtin,title\n"
        + "".join(
            f"A{i},{r.gtin},{r.name.replace(',', ' ')}\n" for i, r in enumerate(records[:600])
        )
        + f"A-off,{upc(99_999)},Not on the list\n"
    )
    b_file = tmp_path / "b.jsonl"
    b_file.write_text(
        "\n".join(
            json.dumps({"sku": f"B{i}", "gtin": r.gtin, "title": r.name})
            for i, r in enumerate(records[-600:])
        )
    )
    with db.sessionmaker() as session:
        report = import_file(session, tenant_id=a.tenant_id, path=str(a_file))
        assert report.inserted == 601
        assert report.on_list == 0  # no list yet
        assert import_file(session, tenant_id=b.tenant_id, path=str(b_file)).inserted == 600
        cipher = PhiCipher.from_settings(test_settings(db))
        for keys in (a, b):
            notify_service.create_endpoint(
                session,
                tenant_id=keys.tenant_id,
                url="http://127.0.0.1:9/hook",
                events=["product.eligibility_changed", "sync.completed"],
                description="test",
                actor="test",
                cipher=cipher,
                allow_private_targets=True,
            )
        session.commit()

    settings = CatalogSettings(batch_size=400)
    with ReferenceFeedServer(feed) as srv:
        source = HttpFeedSource(srv.url + "/feed.csv.gz", retry=FAST)
        assert run_sync(db.sessionmaker, settings, source=source).status == "succeeded"
        published = srv.publish(10.0)
        second = run_sync(db.sessionmaker, settings, source=source)
        assert second.status == "succeeded"

    current = {r.gtin: r.status for r in published.records}
    with db.sessionmaker() as session:
        items = list(session.execute(select(MerchantItem)).scalars())
        events = list(
            session.execute(
                select(WebhookEvent).where(WebhookEvent.tenant_id.in_([a.tenant_id, b.tenant_id]))
            ).scalars()
        )
    for item in items:
        if item.gtin in current:
            assert (item.status, item.status_source) == (current[item.gtin], "list")
        else:
            assert item.status_source is None  # removed from the list or never on it
    changed = {
        c.gtin: c for c in published.changes if c.kind in ("status_changed", "added", "removed")
    }
    for keys, mine in ((a, records[:600]), (b, records[-600:])):
        own = {r.gtin for r in mine}
        notes = [
            e
            for e in events
            if e.tenant_id == keys.tenant_id and e.type == "product.eligibility_changed"
        ]
        # Version 1 (everything added) and version 2: one event each, their GTINs only.
        assert len(notes) == 2
        latest = max(notes, key=lambda e: e.payload["list_version"])
        assert latest.payload["list_version"] == 2
        got = {c["gtin"] for c in latest.payload["changes"]}
        assert got == {g for g in changed if g in own}
        first = min(notes, key=lambda e: e.payload["list_version"])
        assert {c["gtin"] for c in first.payload["changes"]} == own
        completed = [
            e for e in events if e.tenant_id == keys.tenant_id and e.type == "sync.completed"
        ]
        assert len(completed) == 2


def test_sync_runs_are_for_admins(app: LiveServer) -> None:
    db = app.database
    keys: TenantKeys = create_tenant_with_keys(db)
    with db.sessionmaker() as session:
        issued = security_service.bootstrap_platform_admin(session, actor="test")
    SENSITIVE_VALUES.add(issued.secret)
    with keys.client(app, Role.MERCHANT) as merchant, keys.client(app, Role.ADMIN) as admin:
        denied = merchant.get("/v1/sync/runs")
        listed = admin.get("/v1/sync/runs")
        missing = admin.get("/v1/sync/runs/" + "0" * 32)
    with http_client(app.url, issued.secret) as platform:
        platform_list = platform.get("/v1/sync/runs")
    assert denied.status_code == 403
    assert listed.status_code == 200
    assert listed.json() == {"runs": []}
    assert_envelope(missing, 404, "not_found")
    assert platform_list.status_code == 200


@needs_data
def test_sync_run_report_lists_quarantined_rows(app: LiveServer) -> None:
    from eligo.catalog.reference_feed import FaultPlan

    db = app.database
    keys = create_tenant_with_keys(db)
    with ReferenceFeedServer(
        ReferenceFeed(800, seed=2), faults=FaultPlan(garbage_percent=3)
    ) as srv:
        outcome = run_sync(
            db.sessionmaker,
            CatalogSettings(),
            source=HttpFeedSource(srv.url + "/feed.jsonl?per_page=300", retry=FAST),
        )
    assert outcome.status == "succeeded"
    with keys.client(app, Role.ADMIN) as admin:
        runs = admin.get("/v1/sync/runs").json()["runs"]
        detail = admin.get(f"/v1/sync/runs/{outcome.run_id}").json()
    assert [r["id"] for r in runs] == [outcome.run_id]
    assert runs[0]["list_version"] == 1
    assert runs[0]["quarantined"] == outcome.quarantined > 0
    assert len(detail["quarantined_rows"]) == outcome.quarantined
    assert all(r["reason"] and r["code"] for r in detail["quarantined_rows"])


def test_catalog_upload_may_exceed_the_json_body_limit(app: LiveServer) -> None:
    """Imports have their own limit (ELIGO_API__MAX_IMPORT_BYTES), far above 1 MiB JSON."""
    keys = create_tenant_with_keys(app.database)
    rows = "".join(f"SKU-{i:06d},,A merchant product title number {i:06d}\n" for i in range(30_000))
    csv_text = "sku,gtin,title\n" + rows
    assert len(csv_text) > 1024 * 1024
    with keys.client(app, Role.MERCHANT) as client:
        body = post_csv(client, csv_text)
        assert client.get("/v1/catalog/items", params={"limit": 1}).status_code == 200
    assert body["received"] == 30_000
    assert body["inserted"] == 30_000
