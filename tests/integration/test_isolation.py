"""Tenant isolation: every /v1 route x every role of one tenant, aimed at another tenant's objects.

The matrix is generated from the app's route table: a route missing from PROBES fails the test,
so each new route must say how it would be aimed at a foreign tenant.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from PIL import Image
from sqlalchemy import select

from eligo.cards import service as cards_service
from eligo.cards.models import CardScan, CardScanBlob
from eligo.eligibility.models import ReviewItem
from eligo.notify import service as notify_service
from eligo.notify.models import WebhookDelivery, WebhookEndpoint
from eligo.security.crypto import PhiCipher
from eligo.security.models import ApiKey
from eligo.security.roles import Role
from tests.support import LiveServer, TenantKeys


@dataclass
class Victim:
    keys: TenantKeys
    review_id: str
    review_title: str
    webhook_id: str = ""
    webhook_url: str = ""
    delivery_id: str = ""
    scan_id: str = ""
    scan_member_id: str = ""


# (method, route template) -> a request aimed at the victim's objects: path params and body.
Probe = Callable[[Victim], dict[str, Any]]
PROBES: dict[tuple[str, str], Probe] = {
    ("GET", "/v1/me"): lambda v: {},
    ("GET", "/v1/tenants"): lambda v: {},
    ("POST", "/v1/tenants"): lambda v: {"json": {"name": v.keys.name, "kind": "merchant"}},
    ("GET", "/v1/tenants/{tenant_id}"): lambda v: {"path": {"tenant_id": v.keys.tenant_id}},
    ("GET", "/v1/keys"): lambda v: {"params": {"tenant_id": v.keys.tenant_id}},
    ("POST", "/v1/keys"): lambda v: {
        "json": {"name": "intruder", "role": "admin", "tenant_id": v.keys.tenant_id}
    },
    ("DELETE", "/v1/keys/{key_id}"): lambda v: {"path": {"key_id": v.keys.key_ids[Role.ADMIN]}},
    ("GET", "/v1/audit"): lambda v: {"params": {"limit": 1000}},
    ("POST", "/v1/eligibility/check"): lambda v: {"json": {"title": "isolation probe"}},
    ("POST", "/v1/eligibility/check-batch"): lambda v: {
        "json": {"items": [{"title": "isolation probe"}]}
    },
    ("POST", "/v1/baskets"): lambda v: {
        "json": {"items": [{"title": "isolation probe", "quantity": 1, "unit_price_cents": 1}]}
    },
    ("GET", "/v1/reviews"): lambda v: {"params": {"limit": 500}},
    ("POST", "/v1/reviews/{review_id}"): lambda v: {
        "path": {"review_id": v.review_id},
        "json": {"status": "not_eligible"},
    },
    ("GET", "/v1/products/{gtin}"): lambda v: {"path": {"gtin": "00012345678905"}},
    ("GET", "/v1/sync/runs"): lambda v: {"params": {"limit": 200}},
    ("GET", "/v1/sync/runs/{run_id}"): lambda v: {"path": {"run_id": "0" * 32}},
    ("GET", "/v1/catalog/items"): lambda v: {"params": {"limit": 500}},
    ("POST", "/v1/catalog/items"): lambda v: {
        "json": [{"sku": "isolation-probe", "title": "isolation probe"}]
    },
    ("POST", "/v1/webhooks"): lambda v: {
        "json": {"url": "http://127.0.0.1:9/intruder", "events": ["sync.completed"]}
    },
    ("GET", "/v1/webhooks"): lambda v: {},
    ("GET", "/v1/webhooks/{endpoint_id}"): lambda v: {"path": {"endpoint_id": v.webhook_id}},
    ("DELETE", "/v1/webhooks/{endpoint_id}"): lambda v: {"path": {"endpoint_id": v.webhook_id}},
    ("POST", "/v1/webhooks/{endpoint_id}/rotate-secret"): lambda v: {
        "path": {"endpoint_id": v.webhook_id}
    },
    ("GET", "/v1/webhooks/{endpoint_id}/deliveries"): lambda v: {
        "path": {"endpoint_id": v.webhook_id}
    },
    ("POST", "/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay"): lambda v: {
        "path": {"endpoint_id": v.webhook_id, "delivery_id": v.delivery_id}
    },
    ("POST", "/v1/cards/scans"): lambda v: {"params": {"wait": "true"}},
    ("GET", "/v1/cards/scans"): lambda v: {"params": {"limit": 500}},
    ("GET", "/v1/cards/scans/{scan_id}"): lambda v: {"path": {"scan_id": v.scan_id}},
    ("DELETE", "/v1/cards/scans/{scan_id}"): lambda v: {"path": {"scan_id": v.scan_id}},
    # Registered models are platform-wide (no tenant objects); probes check nothing leaks.
    ("GET", "/v1/models"): lambda v: {},
    ("GET", "/v1/models/{name}"): lambda v: {"path": {"name": "eligo-eligibility"}},
    ("GET", "/v1/models/{name}/live"): lambda v: {"path": {"name": "eligo-eligibility"}},
}


def make_victim(server: LiveServer, keys: TenantKeys) -> Victim:
    title = f"victim-only product {uuid.uuid4().hex}"
    with server.database.sessionmaker() as session:
        item = ReviewItem(
            tenant_id=keys.tenant_id,
            match_key=f"title:{title}",
            title=title,
            predicted_status="lmn",
            confidence=0.5,
            model_version="test",
            priority=0.5,
        )
        session.add(item)
        session.commit()
        victim = Victim(keys, item.id, title)
    add_victim_webhook(server, victim)
    add_victim_scan(server, victim)
    return victim


def add_victim_webhook(server: LiveServer, victim: Victim) -> None:
    """A webhook endpoint of the victim's with one dead delivery (replayable by its owner)."""
    victim.webhook_url = f"http://127.0.0.1:9/victim-{uuid.uuid4().hex}"
    with server.database.sessionmaker() as session:
        issued = notify_service.create_endpoint(
            session,
            tenant_id=victim.keys.tenant_id,
            url=victim.webhook_url,
            events=["sync.completed"],
            description="victim hook",
            actor="test",
            cipher=PhiCipher.from_settings(server.app.state.settings),
            allow_private_targets=True,
        )
        notify_service.enqueue_event(
            session,
            tenant_id=victim.keys.tenant_id,
            event_type="sync.completed",
            payload={"probe": True},
            idempotency_key=f"isolation-{uuid.uuid4().hex}",
        )
        delivery = session.execute(
            select(WebhookDelivery).where(WebhookDelivery.endpoint_id == issued.endpoint.id)
        ).scalar_one()
        delivery.state = "dead"
        session.commit()
        victim.webhook_id = issued.endpoint.id
        victim.delivery_id = delivery.id


def add_victim_scan(server: LiveServer, victim: Victim) -> None:
    """A completed card scan of the victim's, its result sealed like the worker seals it.

    Created already claimed by the test, so the server's scan worker never picks it up."""
    photo = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(photo, format="PNG")
    victim.scan_member_id = f"VICTIM{uuid.uuid4().hex[:10].upper()}"
    cipher = PhiCipher.from_settings(server.app.state.settings)
    result = {"fields": {"member_id": {"value": victim.scan_member_id, "side": "front"}}}
    with server.database.sessionmaker() as session:
        scan = cards_service.create_scan(
            session,
            tenant_id=victim.keys.tenant_id,
            actor="test",
            upload=cards_service.Upload(front=photo.getvalue()),
            cipher=cipher,
            max_megapixels=40,
            claim=("isolation-test", timedelta(hours=1)),
        )
        session.add(
            cards_service.seal(
                cipher,
                tenant_id=victim.keys.tenant_id,
                scan_id=scan.id,
                part="result",
                data=json.dumps(result).encode(),
            )
        )
        scan.status = "completed"
        scan.lease_owner = None
        session.commit()
        victim.scan_id = scan.id


def api_routes(server: LiveServer) -> list[tuple[str, str]]:
    return sorted(
        (method, str(context.path))
        for context in iter_route_contexts(server.app.routes)
        if isinstance(context.original_route, APIRoute) and str(context.path).startswith("/v1/")
        for method in context.methods or ()
    )


def test_every_route_has_a_probe(live_server: LiveServer) -> None:
    missing = [route for route in api_routes(live_server) if route not in PROBES]
    assert not missing, f"add these routes to the isolation matrix: {missing}"


@pytest.mark.parametrize("role", list(Role))
def test_no_cross_tenant_read_or_write(
    eligibility_server: LiveServer, tenant: TenantKeys, other_tenant: TenantKeys, role: Role
) -> None:
    server = eligibility_server
    attacker = tenant
    victim = make_victim(server, other_tenant)
    markers = [
        victim.keys.tenant_id,
        victim.keys.name,
        victim.review_id,
        victim.review_title,
        victim.webhook_id,
        victim.webhook_url,
        victim.delivery_id,
        victim.scan_id,
        victim.scan_member_id,
        *victim.keys.key_ids.values(),
    ]
    with attacker.client(server, role) as client:
        for method, template in api_routes(server):
            probe = PROBES[(method, template)](victim)
            path = template.format(**probe.get("path", {}))
            response = client.request(
                method, path, json=probe.get("json"), params=probe.get("params")
            )
            assert response.status_code < 500
            if response.is_success:
                leaked = [m for m in markers if m in response.text]
                assert not leaked, f"{role} {method} {template} leaked {leaked}"
    # Nothing of the victim's changed: no key revoked, none added, the review untouched.
    with server.database.sessionmaker() as session:
        keys = session.execute(
            select(ApiKey).where(ApiKey.tenant_id == victim.keys.tenant_id)
        ).scalars()
        assert {(k.id, k.revoked_at) for k in keys} == {
            (key_id, None) for key_id in victim.keys.key_ids.values()
        }
        review = session.get(ReviewItem, victim.review_id)
        assert review is not None
        assert review.state == "pending"
        hook = session.get(WebhookEndpoint, victim.webhook_id)
        assert hook is not None
        assert hook.deleted_at is None
        assert hook.secret_rotated_at is None
        delivery = session.get(WebhookDelivery, victim.delivery_id)
        assert delivery is not None
        assert (delivery.state, delivery.replay_count) == ("dead", 0)
        scan = session.get(CardScan, victim.scan_id)
        assert scan is not None
        assert (scan.status, scan.deleted_at) == ("completed", None)
        parts = session.execute(
            select(CardScanBlob.part).where(CardScanBlob.scan_id == victim.scan_id)
        ).scalars()
        assert set(parts) == {"front", "result"}
