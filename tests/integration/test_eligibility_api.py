"""Eligibility checks, batches, baskets and reviews over real HTTP, on both backends."""

from __future__ import annotations

import uuid

import pytest

from eligo.catalog.gtin import gtin_check_digit
from eligo.security.roles import Role
from tests.integration.test_auth import assert_envelope
from tests.support import LiveServer, TenantKeys, publish_test_list

STATUSES = {"eligible", "lmn", "rx", "not_eligible"}


def make_gtin(seed: int) -> str:
    body = f"{seed:011d}"
    return body + str(gtin_check_digit(body))  # a UPC-A


def test_unseen_title_is_answered_by_the_model(
    eligibility_server: LiveServer, tenant: TenantKeys
) -> None:
    with tenant.client(eligibility_server, Role.MERCHANT) as client:
        response = client.post(
            "/v1/eligibility/check",
            json={"title": "Advil Ibuprofen Tablets 200mg Pain Reliever, 100 ct", "brand": "Advil"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] in STATUSES
    assert body["source"] == "model"
    assert 0.0 <= body["confidence"] <= 1.0
    assert body["model_version"]
    assert body["reason"]
    assert body["needs_review"] is True  # the test server sends every model answer to review
    assert body["review_id"]


def test_gtin_on_the_list_is_answered_by_the_list(
    eligibility_server: LiveServer, tenant: TenantKeys
) -> None:
    gtin = make_gtin(40_000_000 + uuid.uuid4().int % 1_000_000)
    version = publish_test_list(
        eligibility_server.database,
        [{"gtin": "00" + gtin, "name": "Test Thermometer", "status": "eligible"}],
    )
    with tenant.client(eligibility_server, Role.MERCHANT) as client:
        by_upc = client.post("/v1/eligibility/check", json={"gtin": gtin}).json()
        by_gtin14 = client.post("/v1/eligibility/check", json={"gtin": "00" + gtin}).json()
        product = client.get(f"/v1/products/{gtin}")
    assert by_upc["source"] == "list"
    assert by_upc["status"] == "eligible"
    assert by_upc["confidence"] == 1.0
    assert by_upc["list_version"] == version
    assert by_upc["gtin"] == "00" + gtin
    assert by_gtin14 == by_upc
    assert product.status_code == 200
    assert product.json()["name"] == "Test Thermometer"


def test_gtin_not_on_the_list(eligibility_server: LiveServer, tenant: TenantKeys) -> None:
    gtin = make_gtin(50_000_000 + uuid.uuid4().int % 1_000_000)
    with tenant.client(eligibility_server, Role.MERCHANT) as client:
        alone = client.post("/v1/eligibility/check", json={"gtin": gtin}).json()
        with_title = client.post(
            "/v1/eligibility/check", json={"gtin": gtin, "title": "Band-Aid Bandages 30 ct"}
        ).json()
        assert_envelope(client.get(f"/v1/products/{gtin}"), 404, "not_found")
    assert alone["status"] == "not_eligible"
    assert alone["needs_review"] is True
    assert "send the product title" in alone["reason"]
    assert with_title["source"] == "model"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({}, "at least one of gtin or title"),
        ({"brand": "Advil"}, "at least one of gtin or title"),
        ({"gtin": "036000291453"}, "check digit"),
        ({"gtin": "12345"}, "digits"),
        ({"gtin": "abc"}, "gtin"),
        ({"title": "x" * 100_000}, "title"),
        ({"title": "Aspirin\u0000 81mg"}, "title"),
        ({"title": 42}, "title"),
        ({"title": ["a"]}, "title"),
        ({"title": "ok", "price": 3}, "price"),
    ],
)
def test_bad_check_requests(
    eligibility_server: LiveServer, tenant: TenantKeys, body: object, needle: str
) -> None:
    with tenant.client(eligibility_server, Role.MERCHANT) as client:
        response = client.post("/v1/eligibility/check", json=body)
    error = assert_envelope(response, 422, "invalid_input")
    assert needle in str(error["message"]).lower() or needle in str(error["details"]).lower()


def test_batch_answers_in_order_and_limits_size(
    eligibility_server: LiveServer, tenant: TenantKeys
) -> None:
    items = [
        {"title": "Neutrogena Ultra Sheer Sunscreen SPF 55"},
        {"title": "Doritos Nacho Cheese Chips 9.25 oz"},
        {"gtin": make_gtin(60_000_001)},
    ]
    with tenant.client(eligibility_server, Role.MERCHANT) as client:
        response = client.post("/v1/eligibility/check-batch", json={"items": items})
        too_many = client.post(
            "/v1/eligibility/check-batch", json={"items": [{"title": "x"}] * 1001}
        )
        bad_gtin = client.post(
            "/v1/eligibility/check-batch",
            json={"items": [{"title": "ok"}, {"gtin": "036000291453"}]},
        )
    results = response.json()["results"]
    assert len(results) == 3
    assert [r["source"] for r in results] == ["model", "model", "list"]
    assert_envelope(too_many, 422, "invalid_input")
    error = assert_envelope(bad_gtin, 422, "invalid_input")
    assert error["details"][0]["index"] == 1


def test_basket_totals_add_up(eligibility_server: LiveServer, tenant: TenantKeys) -> None:
    gtin = make_gtin(70_000_000 + uuid.uuid4().int % 1_000_000)
    publish_test_list(
        eligibility_server.database,
        [{"gtin": gtin.zfill(14), "name": "Rx Lisinopril 10mg", "status": "rx"}],
    )
    titles = ["Cetirizine Allergy Tablets", "Paper Towels 6 Rolls", "Vitamin C 1000mg"]
    items = [
        {"sku": f"S{i}", "title": titles[i % 3], "quantity": 1 + i % 4, "unit_price_cents": 199 + i}
        for i in range(500)
    ]
    items.append({"sku": "RX1", "gtin": gtin, "quantity": 1, "unit_price_cents": 1500})
    with tenant.client(eligibility_server, Role.MERCHANT) as client:
        response = client.post("/v1/baskets", json={"items": items})
    assert response.status_code == 200, response.text
    body = response.json()
    totals = body["totals"]
    expected_total = sum(i["quantity"] * i["unit_price_cents"] for i in items)
    assert totals["basket_total_cents"] == expected_total
    assert (
        totals["eligible_cents"]
        + totals["lmn_cents"]
        + totals["rx_cents"]
        + totals["not_eligible_cents"]
        == expected_total
    )
    assert totals["iias"]["rx_total_cents"] == 1500  # the list line; model lines need review
    counted = sum(li["line_total_cents"] for li in body["lines"] if li["counts_toward_healthcare"])
    assert counted == totals["iias"]["healthcare_total_cents"]
    assert len(body["lines"]) == 501


def test_bad_baskets(eligibility_server: LiveServer, tenant: TenantKeys) -> None:
    with tenant.client(eligibility_server, Role.MERCHANT) as client:
        for items in (
            [],
            [{"title": "x", "quantity": 0, "unit_price_cents": 1}],
            [{"title": "x", "quantity": 1, "unit_price_cents": -5}],
            [{"title": "x", "quantity": 1.5, "unit_price_cents": 5}],
            [{"title": "x", "quantity": 1, "unit_price_cents": "12.99"}],
            [{"quantity": 1, "unit_price_cents": 5}],
        ):
            assert_envelope(client.post("/v1/baskets", json={"items": items}), 422, "invalid_input")


def test_repeats_in_one_batch_share_one_review(
    eligibility_server: LiveServer, tenant: TenantKeys
) -> None:
    title = f"Generic Pain Relief Rub {uuid.uuid4().hex[:6]} 3oz"
    other = f"Generic Sleep Aid Caplets {uuid.uuid4().hex[:6]} 24ct"
    items = [{"title": title}, {"title": other}, {"title": title.lower()}]
    with tenant.client(eligibility_server, Role.MERCHANT) as merchant:
        response = merchant.post("/v1/eligibility/check-batch", json={"items": items})
        assert response.status_code == 200, response.text
        decisions = response.json()["results"]
        merchant.post("/v1/eligibility/check", json={"title": title})
    assert decisions[0]["review_id"] == decisions[2]["review_id"]
    assert decisions[0]["review_id"] != decisions[1]["review_id"]
    with tenant.client(eligibility_server, Role.REVIEWER) as reviewer:
        queue = {i["id"]: i for i in reviewer.get("/v1/reviews?limit=500").json()["items"]}
    assert queue[decisions[0]["review_id"]]["hits"] == 3
    assert queue[decisions[1]["review_id"]]["hits"] == 1


def test_review_applies_to_the_tenant_at_once(
    eligibility_server: LiveServer, tenant: TenantKeys, other_tenant: TenantKeys
) -> None:
    title = f"Zyrtec-like Allergy Relief {uuid.uuid4().hex[:6]} 24ct"
    with tenant.client(eligibility_server, Role.MERCHANT) as merchant:
        first = merchant.post("/v1/eligibility/check", json={"title": title}).json()
        merchant.post("/v1/eligibility/check", json={"title": title})  # traffic raises priority
        assert_envelope(merchant.get("/v1/reviews"), 403, "forbidden")
    with tenant.client(eligibility_server, Role.REVIEWER) as reviewer:
        queue = reviewer.get("/v1/reviews").json()["items"]
        item = next(i for i in queue if i["id"] == first["review_id"])
        assert item["hits"] == 2
        assert item["title"] == title
        done = reviewer.post(f"/v1/reviews/{item['id']}", json={"status": "eligible"})
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "reviewed"
        assert_envelope(
            reviewer.post(f"/v1/reviews/{item['id']}", json={"status": "maybe"}),
            422,
            "invalid_input",
        )
    with tenant.client(eligibility_server, Role.MERCHANT) as merchant:
        again = merchant.post("/v1/eligibility/check", json={"title": title.upper()}).json()
    assert again["source"] == "tenant_review"
    assert again["status"] == "eligible"
    assert again["needs_review"] is False
    with other_tenant.client(eligibility_server, Role.MERCHANT) as stranger:
        theirs = stranger.post("/v1/eligibility/check", json={"title": title}).json()
    assert theirs["source"] == "model"
