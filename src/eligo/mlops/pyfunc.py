"""The eligibility model as an MLflow pyfunc, so a plain Python shell can load and call it::

    import mlflow
    model = mlflow.pyfunc.load_model("models:/eligo-eligibility@champion")
    model.predict(pandas.DataFrame({"title": ["Advil 200 mg tablets"]}))

Imports mlflow at module level: import this module only where MLflow is wanted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
from mlflow.pyfunc.model import PythonModel

from eligo.eligibility.classifier import EligibilityModel, ProductText

OUTPUT_COLUMNS = ("status", "confidence", "needs_review", "category", "model_version")


def predict_frame(model: EligibilityModel, frame: pd.DataFrame) -> pd.DataFrame:
    titles = [str(t) for t in frame["title"]]
    brands = [str(b) if b else None for b in frame["brand"]] if "brand" in frame else None
    items = [
        ProductText(title=t, brand=brands[i] if brands else None) for i, t in enumerate(titles)
    ]
    predictions = model.predict(items)
    return pd.DataFrame(
        {
            "status": [p.status for p in predictions],
            "confidence": [float(p.confidence) for p in predictions],
            "needs_review": [bool(p.needs_review) for p in predictions],
            "category": [p.category or "" for p in predictions],
            "model_version": [model.version] * len(predictions),
        }
    )


class EligibilityPyfunc(PythonModel):
    """Artifacts: ``model_dir`` (the eligo model directory) and, for the static embedder,
    ``embedding_dir`` (its vectors, checksum-verified on load)."""

    def __init__(self) -> None:
        self.model: EligibilityModel | None = None

    def load_context(self, context: Any) -> None:
        artifacts: dict[str, str] = context.artifacts
        embedding = artifacts.get("embedding_dir")
        self.model = EligibilityModel.load(
            Path(artifacts["model_dir"]), embedding_dir=Path(embedding) if embedding else None
        )

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        del context, params
        if self.model is None:
            raise RuntimeError("load_context was not called")
        return predict_frame(self.model, model_input)
