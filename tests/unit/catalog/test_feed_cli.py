"""`eligo feed export` and `eligo feed check` on files (no server, no database)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligo.catalog.reference_feed import shared_data_dir
from eligo.cli.feed import app

runner = CliRunner()


@pytest.mark.skipif(
    not (shared_data_dir() / "off_us_grocery_upcs").is_dir(), reason="shared data not available"
)
def test_export_then_check(tmp_path: Path) -> None:
    out = tmp_path / "feed.jsonl.gz"
    result = runner.invoke(app, ["export", str(out), "--products", "400", "--version", "2"])
    assert result.exit_code == 0, result.output
    assert "wrote 400 records" in result.output
    result = runner.invoke(app, ["check", str(out)])
    assert result.exit_code == 0, result.output
    assert "400 valid, 0 quarantined" in result.output


def test_check_reports_bad_rows_and_exit_codes(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        "gtin,name,brand,status,category,updated_at\n"
        "036000291452,A,,eligible,,\n"
        "036000291453,B,,eligible,,\n"
    )
    result = runner.invoke(app, ["check", str(path), "--max-bad-share", "0.6"])
    assert result.exit_code == 0, result.output
    assert "line 3: GTIN check digit should be 2, got 3" in result.output
    assert "bad_gtin: 1" in result.output
    assert runner.invoke(app, ["check", str(path)]).exit_code == 2  # 50% > 5%
    (tmp_path / "empty.csv").write_text("")
    result = runner.invoke(app, ["check", str(tmp_path / "empty.csv")])
    assert result.exit_code == 1
    assert "empty" in result.output


def test_export_refuses_unknown_suffix(tmp_path: Path) -> None:
    if not (shared_data_dir() / "off_us_grocery_upcs").is_dir():
        pytest.skip("shared data not available")
    result = runner.invoke(app, ["export", str(tmp_path / "feed.xml"), "--products", "10"])
    assert result.exit_code == 2
