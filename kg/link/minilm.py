"""Run a BERT sentence encoder (all-MiniLM-L6-v2's weights, read from safetensors) on numpy: mean-pooled, unit length."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.errors import DataSyntaxError
from kg.link.wordpiece import WordPiece

DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
BATCH = 32  # texts encoded together (sorted by length, so little padding)


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file: a little-endian header length, a JSON header, then the raw data."""
    data = path.read_bytes()
    try:
        (size,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + size])
        base = 8 + size
        tensors = {}
        for name, spec in header.items():
            if name == "__metadata__":
                continue
            begin, end = spec["data_offsets"]
            array = np.frombuffer(data, dtype=DTYPES[spec["dtype"]], count=(end - begin) // np.dtype(
                DTYPES[spec["dtype"]]).itemsize, offset=base + begin)
            tensors[name] = array.reshape(spec["shape"]).astype(np.float32, copy=False)
    except (struct.error, ValueError, KeyError, TypeError) as error:
        raise DataSyntaxError(str(path), None, f"not a safetensors file: {error}") from error
    return tensors


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function to about 1e-7 (Abramowitz and Stegun 7.1.26): numpy has none, and BERT's GELU needs it."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight + bias


@dataclass(frozen=True)
class Encoder:
    """A BERT encoder's weights and shape, its tokeniser, and the longest input it reads (in tokens)."""

    weights: dict[str, np.ndarray]
    tokeniser: WordPiece
    layers: int
    heads: int
    eps: float
    length: int

    @classmethod
    def read(cls, folder: Path) -> Encoder:
        """The model in ``folder``: config.json, vocab.txt, model.safetensors (and sentence_bert_config.json)."""
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            sentence = folder / "sentence_bert_config.json"
            length = json.loads(sentence.read_text(encoding="utf-8"))["max_seq_length"] if sentence.exists() else 256
            return cls(read_safetensors(folder / "model.safetensors"), WordPiece.read(folder / "vocab.txt"),
                       int(config["num_hidden_layers"]), int(config["num_attention_heads"]),
                       float(config["layer_norm_eps"]), int(length))
        except (OSError, ValueError, KeyError) as error:
            raise DataSyntaxError(str(folder), None, f"not a BERT sentence-embedding model: {error}") from error

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.weights[name + ".weight"].T + self.weights[name + ".bias"]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Hidden states of a padded batch (``ids`` and ``mask`` of shape batch × tokens)."""
        w = self.weights
        batch, tokens = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:tokens] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        width = x.shape[-1] // self.heads
        blocked = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."

            def split(name: str) -> np.ndarray:
                return self._linear(x, p + name).reshape(batch, tokens, self.heads, width).transpose(0, 2, 1, 3)

            q, k, v = split("attention.self.query"), split("attention.self.key"), split("attention.self.value")
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(width) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            context = context.transpose(0, 2, 1, 3).reshape(batch, tokens, -1)
            x = _layer_norm(self._linear(context, p + "attention.output.dense") + x,
                            w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"],
                            self.eps)
            inner = _gelu(self._linear(x, p + "intermediate.dense"))
            x = _layer_norm(self._linear(inner, p + "output.dense") + x, w[p + "output.LayerNorm.weight"],
                            w[p + "output.LayerNorm.bias"], self.eps)
        return x

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length vector per text: the mean of its tokens' last hidden states."""
        encoded = [self.tokeniser.encode(text, self.length) for text in texts]
        out = np.zeros((len(texts), self.weights["embeddings.word_embeddings.weight"].shape[1]), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        for begin in range(0, len(order), BATCH):
            chosen = order[begin:begin + BATCH]
            tokens = max(len(encoded[i]) for i in chosen)
            ids = np.zeros((len(chosen), tokens), np.int64)
            mask = np.zeros((len(chosen), tokens), np.float32)
            for row, i in enumerate(chosen):
                ids[row, :len(encoded[i])] = encoded[i]
                mask[row, :len(encoded[i])] = 1.0
            hidden = self._forward(ids, mask)
            pooled = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            out[chosen] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out
