"""Card scans over real HTTP with the real pipeline, on both backends.

OCR costs about a second per card side on the 2-core box, so the suite scans few, small
synthetic cards and shares one server (and the process-wide scanner) across tests.
"""

from __future__ import annotations

import asyncio
import io
import json
import struct
import threading
import time
import uuid
import zlib
from collections.abc import AsyncGenerator, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from sqlalchemy import LargeBinary, String, Text, select
from sqlalchemy.types import JSON
from starlette.datastructures import Headers

from eligo.cards.dependencies import InMemoryMultiPartParser
from eligo.cards.errors import InvalidImage
from eligo.cards.fields import PHI_FIELDS
from eligo.cards.models import CardScan, CardScanBlob
from eligo.cards.service import precheck_image
from eligo.cards.synth import SynthCard, generate_card
from eligo.db.base import Base
from eligo.db.session import Database
from eligo.notify import service as notify_service
from eligo.notify.models import WebhookEvent
from eligo.security.crypto import PhiCipher
from eligo.security.models import AuditEvent
from eligo.security.roles import Role
from tests.integration.test_auth import assert_envelope
from tests.support import (
    SENSITIVE_VALUES,
    LiveServer,
    TenantKeys,
    create_tenant_with_keys,
    start_live_server,
    test_settings,
)

SCANS = "/v1/cards/scans"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def card_server(database: Database) -> Iterator[LiveServer]:
    settings = test_settings(database)
    settings.cards.poll_interval_seconds = 0.1
    server = start_live_server(settings, database)
    yield server
    server.stop()


def card(layout: str, seed: int) -> SynthCard:
    """A clean synthetic card; its PHI goes on the list the log test greps for."""
    synth = generate_card(layout, seed, "clean")
    for key in PHI_FIELDS & set(synth.truth):
        value = str(synth.truth[key])
        if len(value) >= 6:  # a 3-letter id prefix would match unrelated text
            SENSITIVE_VALUES.add(value)
    return synth


def png_of(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of any size: rows of zeros compress about 1000:1."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    compressor = zlib.compressobj(9)
    row = bytes(1 + (width + 7) // 8)
    parts = [compressor.compress(row) for _ in range(height)]
    idat = b"".join(parts) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def jpeg_of(image_bytes: bytes, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(image_bytes)).convert(mode).save(out, format="JPEG", quality=90)
    return out.getvalue()


def receipt_photo() -> bytes:
    """A till receipt (long, narrow, all text) on a wooden table: not a card."""
    paper = Image.new("RGB", (380, 1100), (246, 244, 238))
    draw = ImageDraw.Draw(paper)
    font = ImageFont.load_default(size=22)
    lines = ["CORNER PHARMACY #114", "123 MAIN ST", "SPRINGFIELD", ""]
    lines += [f"ITEM {100 + 37 * i}   {i + 1}.{(17 * i) % 100:02d}" for i in range(18)]
    lines += ["", "SUBTOTAL   88.10", "TAX   5.21", "TOTAL   93.31", "THANK YOU"]
    for i, line in enumerate(lines):
        draw.text((24, 30 + 34 * i), line, fill=(30, 30, 30), font=font)
    frame = Image.new("RGB", (1400, 1400), (92, 64, 44))
    frame.paste(paper.rotate(4, expand=True, fillcolor=(92, 64, 44)), (480, 120))
    out = io.BytesIO()
    frame.filter(ImageFilter.GaussianBlur(0.8)).save(out, format="JPEG", quality=88)
    return out.getvalue()


def blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(out, format="PNG")
    return out.getvalue()


def upload(
    client: httpx.Client, front: bytes, back: bytes | None = None, **params: Any
) -> httpx.Response:
    files = {"front": ("front.png", front, "application/octet-stream")}
    if back is not None:
        files["back"] = ("back.png", back, "application/octet-stream")
    return client.post(SCANS, files=files, params=params, timeout=300)


def wait_for(client: httpx.Client, scan_id: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(f"{SCANS}/{scan_id}").json()
        if body["status"] in ("completed", "failed"):
            return body
        assert time.monotonic() < deadline, f"scan still {body['status']}"
        time.sleep(0.2)


def blobs(database: Database, scan_id: str) -> dict[str, CardScanBlob]:
    with database.sessionmaker() as session:
        rows = session.execute(select(CardScanBlob).where(CardScanBlob.scan_id == scan_id))
        return {row.part: row for row in rows.scalars()}


def audit_actions(database: Database, scan_id: str) -> list[str]:
    with database.sessionmaker() as session:
        rows = session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "card_scan", AuditEvent.object_id == scan_id)
            .order_by(AuditEvent.seq)
        )
        return list(rows.scalars())


@pytest.fixture(scope="session")
def card_owner(database: Database) -> TenantKeys:
    return create_tenant_with_keys(database)


@pytest.fixture(scope="session")
def completed_scan(card_server: LiveServer, card_owner: TenantKeys) -> dict[str, Any]:
    """One card scanned with ?wait=true (front only). Tests read it; the last one deletes it."""
    synth = card("bluestate", 1)
    with card_owner.client(card_server, Role.MERCHANT) as client:
        response = upload(client, synth.front.image, wait="true")
    assert response.status_code == 200, response.text
    return {"truth": synth.truth, "body": response.json()}


# --------------------------------------------------------------------------- scanning


def test_wait_returns_the_fields_and_nothing_is_plain_at_rest(
    card_server: LiveServer, card_owner: TenantKeys, completed_scan: dict[str, Any]
) -> None:
    body, truth = completed_scan["body"], completed_scan["truth"]
    assert body["status"] == "completed"
    assert (body["stage"], body["progress"]) == ("done", 1.0)
    assert body["has_back"] is False
    result = body["result"]
    assert isinstance(result["card_detected"], bool)
    assert result["fields"]["member_id"]["value"] == truth["member_id"]
    assert result["fields"]["member_name"]["value"] == truth["member_name"]
    assert set(result["fields"]["member_id"]) >= {"value", "scores", "box", "side"}
    assert body["field_count"] == len(result["fields"])
    assert "front" in result["quality"]

    # Sealed with the configured key; the key id is kept beside each blob and inside it.
    stored = blobs(card_server.database, body["id"])
    assert set(stored) == {"front", "result"}
    key_id = card_server.app.state.settings.phi_key_id
    for blob in stored.values():
        assert blob.key_id == key_id
        assert blob.blob.startswith(b"E1" + bytes([len(key_id)]) + key_id.encode())
    assert audit_actions(card_server.database, body["id"]) == [
        "card_scan.created",
        "card_scan.result_read",
    ]

    needles = [truth["member_id"], truth["member_name"]]
    assert_no_plaintext(card_server.database, needles)


def assert_no_plaintext(database: Database, needles: list[str]) -> None:
    """Every text, JSON and binary column of every table, and on SQLite the files' bytes."""
    found: list[str] = []
    with database.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            columns = [
                c for c in table.columns if isinstance(c.type, String | Text | LargeBinary | JSON)
            ]
            if not columns:
                continue
            for row in session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    raw = (
                        bytes(value)
                        if isinstance(value, bytes | memoryview)
                        else json.dumps(value, ensure_ascii=False).encode()
                        if not isinstance(value, str)
                        else value.encode()
                    )
                    found += [f"{table.name}.{column.name}" for n in needles if n.encode() in raw]
    assert not found, f"plaintext PHI in {sorted(set(found))}"
    if database.backend == "sqlite":
        path = database.engine.url.database
        assert path
        for suffix in ("", "-wal"):
            try:
                data = open(path + suffix, "rb").read()  # noqa: SIM115 - read at once
            except FileNotFoundError:
                continue
            leaked = [n for n in needles if n.encode() in data or n.encode("utf-16-le") in data]
            assert not leaked, f"plaintext PHI in the SQLite file{suffix}"


def test_queued_scan_reports_progress_then_result_and_notifies(
    card_server: LiveServer, card_owner: TenantKeys
) -> None:
    synth = card("unitedcare", 2)
    assert synth.back is not None
    cipher = PhiCipher.from_settings(card_server.app.state.settings)
    with card_server.database.sessionmaker() as session:
        notify_service.create_endpoint(
            session,
            tenant_id=card_owner.tenant_id,
            url=f"http://127.0.0.1:9/cards-{uuid.uuid4().hex}",
            events=["card_scan.completed"],
            description="card scan hook",
            actor="test",
            cipher=cipher,
            allow_private_targets=True,
        )
    with card_owner.client(card_server, Role.MERCHANT) as client:
        response = upload(client, synth.front.image, synth.back.image)
        assert response.status_code == 202, response.text
        queued = response.json()
        assert queued["status"] in ("queued", "processing")
        assert queued["result"] is None
        assert queued["has_back"] is True
        assert queued["images_expire_at"] is not None
        done = wait_for(client, queued["id"])
        listing = client.get(SCANS, params={"limit": 500})
    assert done["status"] == "completed", done
    assert done["result"]["fields"]["member_id"]["value"] == synth.truth["member_id"]
    assert {"front", "back"} <= set(done["result"]["quality"])

    # The listing shows the scan without any field value.
    assert listing.status_code == 200
    [item] = [s for s in listing.json() if s["id"] == queued["id"]]
    assert "result" not in item
    assert item["status"] == "completed"
    assert item["field_count"] == len(done["result"]["fields"])
    assert synth.truth["member_id"] not in listing.text
    assert synth.truth["member_name"] not in listing.text
    with card_owner.client(card_server, Role.MERCHANT) as client:
        created = item["created_at"]
        later = client.get(SCANS, params={"before": "2999-01-01T00:00:00", "status": "completed"})
        earlier = client.get(SCANS, params={"before": created})
        assert_envelope(client.get(SCANS, params={"status": "deleted"}), 422, "invalid_input")
    assert queued["id"] in [s["id"] for s in later.json()]
    assert queued["id"] not in [s["id"] for s in earlier.json()]

    # One webhook event, ids and status only.
    with card_server.database.sessionmaker() as session:
        events = session.execute(
            select(WebhookEvent).where(
                WebhookEvent.tenant_id == card_owner.tenant_id,
                WebhookEvent.idempotency_key == f"card_scan:{queued['id']}",
            )
        ).scalars()
        assert [(e.type, e.payload) for e in events] == [
            ("card_scan.completed", {"scan_id": queued["id"], "status": "completed"})
        ]
    assert_no_plaintext(
        card_server.database, [synth.truth["member_id"], synth.truth["member_name"]]
    )


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("zero_byte", 422, "empty_image"),
        ("not_an_image", 415, "not_an_image"),
        ("gif", 415, "unsupported_image_format"),
        ("png_10000x10000", 413, "decompression_bomb"),
        ("bomb_30000x30000", 413, "decompression_bomb"),
        ("truncated_jpeg", 422, "truncated_image"),
        ("receipt", 422, "not_a_card"),
        ("blank_page", 422, "not_a_card"),
    ],
)
def test_bad_inputs_get_a_clear_4xx_with_wait(
    card_server: LiveServer, card_owner: TenantKeys, name: str, status: int, code: str
) -> None:
    photo = bad_input(name)
    with card_owner.client(card_server, Role.MERCHANT) as client:
        error = assert_envelope(upload(client, photo, wait="true"), status, code)
        if name == "bomb_30000x30000":
            # The back is checked as strictly as the front.
            back_error = assert_envelope(
                upload(client, blank_png(), photo, wait="true"), status, code
            )
            assert back_error["details"] == {"part": "back"}
        assert client.get("/healthz").status_code == 200
        assert client.get(SCANS).status_code == 200
    if name == "blank_page":  # 320 x 200: the capture advice comes along
        assert "move closer" in str(error["message"])
    if code in ("truncated_image", "not_a_card"):  # found by the scan: its id, to delete it
        details = error["details"]
        assert isinstance(details, dict)
        assert set(details) == {"scan_id"}
    else:  # refused before anything was stored
        assert error["details"] == {"part": "front"}


def bad_input(name: str) -> bytes:
    if name == "zero_byte":
        return b""
    if name == "not_an_image":
        return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"
    if name == "gif":
        out = io.BytesIO()
        Image.new("P", (400, 250)).save(out, format="GIF")
        return out.getvalue()
    if name == "png_10000x10000":
        return png_of(10_000, 10_000)
    if name == "bomb_30000x30000":
        return png_of(30_000, 30_000)
    if name == "truncated_jpeg":
        whole = jpeg_of(generate_card("medicare", 3, "clean").front.image)
        return whole[: len(whole) * 6 // 10]
    if name == "receipt":
        return receipt_photo()
    if name == "blank_page":
        return blank_png()
    raise AssertionError(name)


def test_bad_images_found_by_the_worker_fail_the_scan_safely(
    card_server: LiveServer, card_owner: TenantKeys
) -> None:
    with card_owner.client(card_server, Role.MERCHANT) as client:
        truncated = upload(client, bad_input("truncated_jpeg"))
        receipt = upload(client, receipt_photo())
        assert (truncated.status_code, receipt.status_code) == (202, 202)
        failed_truncated = wait_for(client, truncated.json()["id"])
        failed_receipt = wait_for(client, receipt.json()["id"])
        assert client.get("/healthz").status_code == 200
    # The scanner's readiness probe (/readyz also waits for models this server lacks).
    assert card_server.app.state.readiness_probes["card_scanner"]() is None
    assert failed_truncated["status"] == "failed"
    assert failed_truncated["error"]["code"] == "truncated_image"
    assert failed_truncated["error"]["message"]
    assert failed_truncated["result"] is None
    assert failed_receipt["error"]["code"] == "not_a_card"
    # A failed scan keeps no result (a rejected photo may still show a person).
    assert set(blobs(card_server.database, failed_receipt["id"])) == {"front"}


def test_a_cmyk_jpeg_is_scanned(card_server: LiveServer, card_owner: TenantKeys) -> None:
    synth = card("medicare", 4)
    cmyk = jpeg_of(synth.front.image, "CMYK")
    assert Image.open(io.BytesIO(cmyk)).mode == "CMYK"
    with card_owner.client(card_server, Role.MERCHANT) as client:
        response = upload(client, cmyk, wait="true")
    assert response.status_code == 200, response.text
    fields = response.json()["result"]["fields"]
    assert fields["member_name"]["value"] == synth.truth["member_name"]


def test_uploads_must_be_multipart_with_a_front_file(
    card_server: LiveServer, card_owner: TenantKeys
) -> None:
    with card_owner.client(card_server, Role.MERCHANT) as client:
        assert_envelope(
            client.post(SCANS, json={"front": "aGVsbG8="}), 415, "unsupported_media_type"
        )
        only_back = client.post(SCANS, files={"back": ("b.png", blank_png(), "image/png")})
        assert_envelope(only_back, 422, "invalid_input")
        as_field = client.post(
            SCANS,
            data={"front": "not a file"},
            files={"back": ("b.png", blank_png(), "image/png")},
        )
        assert_envelope(as_field, 422, "invalid_input")
        too_big = client.post(
            SCANS, files={"front": ("f.png", bytes(16 * 1024 * 1024), "image/png")}
        )
        assert_envelope(too_big, 413, "payload_too_large")


MAGIC = [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP", b"GIF89a"]


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(MAGIC), rest=st.binary(max_size=600))
def test_the_upfront_check_refuses_junk_with_an_image_error(prefix: bytes, rest: bytes) -> None:
    """Whatever the bytes, the check answers a format or an InvalidImage (a 4xx), never
    another exception (a 500)."""
    status = 200
    try:
        precheck_image(prefix + rest, max_megapixels=40)
    except InvalidImage as exc:
        status = exc.http_status
    assert status == 200 or 400 <= status < 500


def test_uploaded_photos_stay_in_memory() -> None:
    """Starlette spools file parts over 1 MB to a temporary file: plaintext PHI on disk."""
    photo = bytes(5 * 1024 * 1024)
    body = (
        b'--xx\r\nContent-Disposition: form-data; name="front"; filename="f.jpg"\r\n\r\n'
        + photo
        + b"\r\n--xx--\r\n"
    )

    async def stream() -> AsyncGenerator[bytes, None]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    async def parse() -> Any:
        headers = Headers({"content-type": "multipart/form-data; boundary=xx"})
        return await InMemoryMultiPartParser(headers, stream()).parse()

    form = asyncio.run(parse())
    part = form["front"]
    assert part.file._rolled is False  # still a memory buffer
    assert part.file.read() == photo


def test_concurrent_uploads_reads_and_deletes_never_fail(
    card_server: LiveServer, card_owner: TenantKeys, completed_scan: dict[str, Any]
) -> None:
    """Audited reads, uploads and deletes race each other and the worker (SQLite: no
    "database is locked" from a read transaction that turns into a write)."""
    scan_id = completed_scan["body"]["id"]
    statuses: list[tuple[str, int]] = []

    def client_loop() -> None:
        with card_owner.client(card_server, Role.MERCHANT) as client:
            for _ in range(5):
                posted = upload(client, blank_png())
                statuses.append(("post", posted.status_code))
                statuses.append(("get", client.get(f"{SCANS}/{scan_id}").status_code))
                deleted = client.delete(f"{SCANS}/{posted.json()['id']}")
                statuses.append(("delete", deleted.status_code))

    threads = [threading.Thread(target=client_loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(set(statuses)) == [("delete", 200), ("get", 200), ("post", 202)]
    assert len(statuses) == 60


# --------------------------------------------------------------------------- tenants, delete


def test_a_foreign_tenant_can_neither_read_nor_delete_a_scan_its_owner_can(
    card_server: LiveServer,
    card_owner: TenantKeys,
    other_tenant: TenantKeys,
    completed_scan: dict[str, Any],
) -> None:
    scan_id = completed_scan["body"]["id"]
    for role in Role:
        with other_tenant.client(card_server, role) as client:
            assert_envelope(client.get(f"{SCANS}/{scan_id}"), 404, "not_found")
            assert_envelope(client.delete(f"{SCANS}/{scan_id}"), 404, "not_found")
            assert scan_id not in client.get(SCANS, params={"limit": 500}).text
    assert set(blobs(card_server.database, scan_id)) == {"front", "result"}

    # Its owner can, and deleting erases the photo and the result.
    with card_owner.client(card_server, Role.MERCHANT) as client:
        assert client.get(f"{SCANS}/{scan_id}").json()["status"] == "completed"
        response = client.delete(f"{SCANS}/{scan_id}")
        assert response.status_code == 200, response.text
        assert response.json()["deleted"] is True
        assert_envelope(client.get(f"{SCANS}/{scan_id}"), 404, "not_found")
        assert_envelope(client.delete(f"{SCANS}/{scan_id}"), 404, "not_found")
        assert scan_id not in client.get(SCANS, params={"limit": 500}).text
    assert blobs(card_server.database, scan_id) == {}
    with card_server.database.sessionmaker() as session:
        tombstone = session.get(CardScan, scan_id)
        assert tombstone is not None
        assert tombstone.status == "deleted"
        assert tombstone.deleted_at is not None
    assert audit_actions(card_server.database, scan_id)[-1] == "card_scan.deleted"
