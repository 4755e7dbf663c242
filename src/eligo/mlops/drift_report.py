"""The HTML drift report (``eligo monitor report``): window statistics over time, with plots."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eligo.db.types import utcnow
from eligo.mlops.models import DriftWindow
from eligo.settings import MonitorSettings

__all__ = ["parse_since", "render_report", "windows_since"]

_SINCE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str) -> timedelta:
    """``7d``, ``12h``, ``30m``, ``2w``, ``90s``."""
    match = _SINCE.match(text.strip())
    if match is None:
        raise ValueError(f"cannot read {text!r}: use a number and one of s, m, h, d, w (e.g. 7d)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def windows_since(session: Session, since: datetime, model: str | None = None) -> list[DriftWindow]:
    query = select(DriftWindow).where(DriftWindow.ended_at >= since)
    if model:
        query = query.where(DriftWindow.model_name == model)
    return list(session.execute(query.order_by(DriftWindow.ended_at)).scalars())


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def render_report(
    windows: Sequence[DriftWindow], settings: MonitorSettings, *, since: datetime
) -> str:
    """A self-contained HTML page (plots inlined as PNG)."""
    from eligo.mlops.plots import series_png

    generated = utcnow()
    alarms = [w for w in windows if w.drift]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>eligo drift report</title>",
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
        "padding:3px 6px}.drift{background:#fdd}</style></head><body>",
        "<h1>Drift report</h1>",
        f"<p>Windows ended since {since:%Y-%m-%d %H:%M} UTC "
        f"(generated {generated:%Y-%m-%d %H:%M} UTC): "
        f"<b>{len(windows)}</b> windows, <b>{len(alarms)}</b> with a drift alarm. "
        f"Thresholds: status PSI {settings.psi_threshold}, confidence PSI "
        f"{settings.psi_confidence_threshold}, centroid distance {settings.centroid_threshold},"
        f" abstention rise {settings.abstention_threshold}.</p>",
    ]
    by_version: dict[tuple[str, str], list[DriftWindow]] = {}
    for w in windows:
        by_version.setdefault((w.model_name, w.model_version), []).append(w)
    if not windows:
        parts.append("<p>No windows in this period: is traffic reaching a model?</p>")
    for (name, version), rows in by_version.items():
        times = [w.ended_at for w in rows]
        stat = [w.stats for w in rows]
        parts.append(f"<h2>{html.escape(name)} {html.escape(version)}</h2>")
        parts.append(
            _img(
                series_png(
                    times,
                    {
                        "status PSI": [s["psi_status"] for s in stat],
                        "confidence PSI": [s["psi_confidence"] for s in stat],
                    },
                    "PSI against the training reference",
                    settings.psi_threshold,
                ),
                "PSI",
            )
        )
        parts.append(
            _img(
                series_png(
                    times,
                    {"centroid distance": [s["centroid_distance"] for s in stat]},
                    "input embedding centroid: cosine distance to training",
                    settings.centroid_threshold,
                ),
                "centroid distance",
            )
        )
        parts.append(
            _img(
                series_png(
                    times,
                    {
                        "mean confidence": [s["mean_confidence"] for s in stat],
                        "abstention rate": [s["abstention_rate"] for s in stat],
                    },
                    "confidence and abstention",
                ),
                "confidence",
            )
        )
        statuses = sorted({k for s in stat for k in s["status_shares"]})
        parts.append(
            _img(
                series_png(
                    times,
                    {k: [s["status_shares"].get(k, 0.0) for s in stat] for k in statuses},
                    "predicted status shares",
                ),
                "status shares",
            )
        )
        parts.append(
            "<table><tr><th>ended (UTC)</th><th>n</th><th>status PSI</th><th>conf PSI</th>"
            "<th>centroid</th><th>abstention</th><th>drift</th></tr>"
        )
        for w in rows:
            s = w.stats
            reasons = html.escape("; ".join(w.reasons)) if w.reasons else ""
            parts.append(
                f"<tr class='{'drift' if w.drift else ''}'><td>{w.ended_at:%Y-%m-%d %H:%M:%S}"
                f"</td><td>{w.n}</td><td>{s['psi_status']:.3f}</td>"
                f"<td>{s['psi_confidence']:.3f}</td><td>{s['centroid_distance']:.3f}</td>"
                f"<td>{s['abstention_rate']:.3f}</td><td>{reasons}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
