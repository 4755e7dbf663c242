"""``eligo sync`` and ``eligo catalog`` as an operator runs them: real processes, both databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from eligo.catalog.models import MerchantItem
from eligo.catalog.reference_feed import ReferenceFeed, ReferenceFeedServer, shared_data_dir
from eligo.db.session import Database
from eligo.security.models import AuditEvent
from tests.support import ROOT, create_tenant_with_keys

pytestmark = pytest.mark.skipif(
    not (shared_data_dir() / "off_us_grocery_upcs").is_dir(),
    reason="shared data not available (set ELIGO_SHARED_DATA)",
)


def eligo(db: Database, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ELIGO_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "ELIGO_LOG__LEVEL": "WARNING",
        "ELIGO_CATALOG__SYNC_NICE": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "eligo.cli.main", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_sync_versions_diff_rollback_import(fresh_database: Database, tmp_path: Path) -> None:
    db = fresh_database
    feed = ReferenceFeed(600, seed=9)
    with ReferenceFeedServer(feed) as server:
        url = server.url + "/feed.csv.gz"
        first = eligo(db, "sync", "run", "--feed", url, "--json")
        unchanged = eligo(db, "sync", "run", "--feed", url)
        published = server.publish(10.0)
        second = eligo(db, "sync", "run", "--feed", url)
    assert first.returncode == 0, first.stderr
    outcome = json.loads(first.stdout.strip().splitlines()[-1])
    assert outcome["status"] == "succeeded"
    assert outcome["list_version"] == 1
    assert unchanged.returncode == 0
    assert "sync unchanged" in unchanged.stdout
    assert second.returncode == 0, second.stderr
    assert "version 2 (based on 1)" in second.stdout

    runs = eligo(db, "sync", "runs", "--json")
    assert [json.loads(line)["status"] for line in runs.stdout.splitlines()] == [
        "succeeded",
        "unchanged",
        "succeeded",
    ]
    shown = eligo(db, "sync", "show", outcome["run_id"])
    assert json.loads(shown.stdout)["list_version"] == 1

    diff = eligo(db, "catalog", "diff", "1", "2", "--json")
    got = {(c["kind"], c["gtin"]) for c in map(json.loads, diff.stdout.splitlines())}
    assert got == {(c.kind, c.gtin) for c in published.changes}

    rolled = eligo(db, "catalog", "rollback", "1", "--yes")
    assert rolled.returncode == 0, rolled.stderr
    assert "version 3 published with the content of version 1" in rolled.stdout
    versions = eligo(db, "catalog", "versions").stdout.splitlines()
    assert [line.split()[:3] for line in versions] == [
        ["v1", "superseded", "600"],
        ["v2", "superseded", "600"],
        ["*", "v3", "active"],
    ]
    again = eligo(db, "catalog", "rollback", "3", "--yes")
    assert again.returncode == 1
    assert "already the active version" in again.stderr

    keys = create_tenant_with_keys(db)
    upload = tmp_path / "items.csv"
    record = feed.version(1).records[0]  # type: ignore[union-attr]
    upload.write_text(f"sku,gtin,title\nA1,{record.gtin},Listed\nA2,123,Bad barcode\n")
    imported = eligo(db, "catalog", "import", str(upload), "--tenant", keys.name)
    assert imported.returncode == 0, imported.stderr
    assert "inserted 1" in imported.stdout
    assert "rejected 1" in imported.stdout
    assert "line 3: bad_gtin" in imported.stdout
    with db.sessionmaker() as session:
        item = session.execute(
            select(MerchantItem).where(MerchantItem.tenant_id == keys.tenant_id)
        ).scalar_one()
        actions = set(session.execute(select(AuditEvent.action)).scalars())
    assert (item.status, item.status_source) == (record.status, "list")
    assert {"catalog.sync", "catalog.rollback", "catalog.items_imported"} <= actions
