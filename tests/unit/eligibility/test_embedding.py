from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.normalizers import Lowercase
from tokenizers.pre_tokenizers import Whitespace

from eligo.eligibility.embedding import (
    CachedEmbedder,
    Embedder,
    EmbeddingError,
    EmbeddingMismatchError,
    HashingEmbedder,
    StaticEmbedder,
    embedder_from_spec,
)

_VOCAB = ["[UNK]", "ibuprofen", "tablets", "sunscreen", "spf", "50", "lipstick", "red"]


def _toy_static_model(directory: Path, seed: int = 0, dim: int = 6) -> np.ndarray:
    """A model2vec-layout directory with a word-level tokenizer and random vectors."""
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(WordLevel({w: i for i, w in enumerate(_VOCAB)}, unk_token="[UNK]"))
    tokenizer.normalizer = Lowercase()
    tokenizer.pre_tokenizer = Whitespace()
    tokenizer.save(str(directory / "tokenizer.json"))
    vectors = np.random.default_rng(seed).normal(size=(len(_VOCAB), dim)).astype(np.float16)
    save_file({"embeddings": vectors}, str(directory / "model.safetensors"))
    (directory / "config.json").write_text(json.dumps({"normalize": True}))
    return vectors.astype(np.float32)


def test_hashing_embedder_is_deterministic_unit_length_and_semantic_enough() -> None:
    embedder = HashingEmbedder(dim=64)
    titles = ["Advil Ibuprofen 200 mg", "Advil Ibuprofen 200 mg tablets", "Red lipstick matte"]
    first = embedder.embed(titles)
    again = HashingEmbedder(dim=64).embed(titles)
    assert first.shape == (3, 64)
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)
    assert first[0] @ first[1] > first[0] @ first[2] + 0.3
    assert isinstance(embedder, Embedder)


def test_hashing_embedder_empty_text_is_a_zero_row() -> None:
    rows = HashingEmbedder(dim=16).embed(["", "!!!"])
    assert not rows.any()


def test_static_embedder_mean_pools_known_tokens_and_drops_unknown(tmp_path: Path) -> None:
    vectors = _toy_static_model(tmp_path)
    embedder = StaticEmbedder(tmp_path)
    out = embedder.embed(["Ibuprofen tablets", "ibuprofen zzz-unknown", "", "zzz"])
    expected = (vectors[1] + vectors[2]) / 2
    np.testing.assert_allclose(out[0], expected / np.linalg.norm(expected), rtol=1e-5)
    np.testing.assert_allclose(out[1], vectors[1] / np.linalg.norm(vectors[1]), rtol=1e-5)
    assert not out[2].any()
    assert not out[3].any()
    assert embedder.dim == 6


def test_static_embedder_matches_model2vec_reference(tmp_path: Path) -> None:
    from model2vec import StaticModel

    _toy_static_model(tmp_path)
    titles = ["Sunscreen SPF 50", "red lipstick", "ibuprofen tablets ibuprofen"]
    ours = StaticEmbedder(tmp_path).embed(titles)
    reference = StaticModel.from_pretrained(str(tmp_path), normalize=True).encode(titles)
    np.testing.assert_allclose(ours, reference, atol=1e-3)


def test_static_embedder_serving_never_imports_torch(tmp_path: Path) -> None:
    _toy_static_model(tmp_path)
    code = (
        "import sys; from pathlib import Path; "
        "from eligo.eligibility.embedding import StaticEmbedder; "
        f"StaticEmbedder(Path({str(tmp_path)!r})).embed(['ibuprofen tablets']); "
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') "
        "if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_static_checksum_follows_vectors_and_spec_refuses_a_different_file(tmp_path: Path) -> None:
    _toy_static_model(tmp_path / "a", seed=0)
    _toy_static_model(tmp_path / "b", seed=1)
    a, b = StaticEmbedder(tmp_path / "a"), StaticEmbedder(tmp_path / "b")
    assert a.checksum != b.checksum
    assert StaticEmbedder(tmp_path / "a").checksum == a.checksum
    assert embedder_from_spec(a.spec, tmp_path / "a").checksum == a.checksum
    with pytest.raises(EmbeddingMismatchError):
        embedder_from_spec(a.spec, tmp_path / "b")


def test_missing_static_model_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="eligo train embedding"):
        StaticEmbedder(tmp_path)


def test_cached_embedder_returns_inner_vectors_and_stays_bounded() -> None:
    inner = HashingEmbedder(dim=32)
    cached = CachedEmbedder(inner, max_entries=3)
    titles = ["a b", "c d", "a b", "e f", "g h"]
    np.testing.assert_array_equal(cached.embed(titles), inner.embed(titles))
    # A repeated text inside one batch is embedded once.
    assert cached.misses == 4
    assert cached.hits == 0
    assert len(cached) == 3
    # "a b" was evicted (least recently used); "g h" is still cached.
    cached.embed(["g h"])
    assert cached.hits == 1
    cached.embed(["a b"])
    assert cached.misses == 5
    assert cached.checksum == inner.checksum
