"""Split text into the token ids of an uncased BERT WordPiece vocabulary (all-MiniLM-L6-v2's ``vocab.txt``)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

MAX_WORD_CHARS = 100  # a longer word is one unknown token
CONTINUATION = "##"
WHITESPACE = frozenset("\t\n\r\x0b\x0c\x85\u2028\u2029")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0x2A700 <= code <= 0x2B73F or 0x2B740 <= code <= 0x2B81F or 0x2B820 <= code <= 0x2CEAF
            or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F)


def normalise(text: str) -> str:
    """Drop control characters, turn whitespace into spaces, space out CJK ideographs, lower-case, strip accents."""
    out = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD:
            continue
        if char in WHITESPACE or unicodedata.category(char) == "Zs":
            out.append(" ")
        elif unicodedata.category(char).startswith("C"):
            continue
        elif _is_cjk(code):
            out.append(f" {char} ")
        else:
            out.append(char)
    lowered = "".join(out).lower()
    return "".join(c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn")


def words(text: str) -> list[str]:
    """Whitespace-separated words of normalised text, each punctuation character a word of its own."""
    found: list[str] = []
    for chunk in normalise(text).split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    found.append(current)
                    current = ""
                found.append(char)
            else:
                current += char
        if current:
            found.append(current)
    return found


class WordPiece:
    """A vocabulary (one token per line of ``vocab.txt``, its id the line number) and its greedy tokeniser."""

    def __init__(self, vocabulary: list[str]) -> None:
        self.ids = {token: i for i, token in enumerate(vocabulary)}
        self.unknown = self.ids["[UNK]"]
        self.start = self.ids["[CLS]"]
        self.end = self.ids["[SEP]"]

    @classmethod
    def read(cls, path: Path) -> WordPiece:
        return cls(path.read_text(encoding="utf-8").splitlines())

    def pieces(self, word: str) -> list[int]:
        """Longest known prefix first, then ``##``-continued pieces; a word with an unknown rest is [UNK]."""
        if len(word) > MAX_WORD_CHARS:
            return [self.unknown]
        found: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            piece = None
            while start < end:
                candidate = (CONTINUATION if start else "") + word[start:end]
                if candidate in self.ids:
                    piece = self.ids[candidate]
                    break
                end -= 1
            if piece is None:
                return [self.unknown]
            found.append(piece)
            start = end
        return found

    def encode(self, text: str, length: int) -> list[int]:
        """[CLS], the text's pieces, [SEP]: at most ``length`` ids (the text's end is cut)."""
        ids = [piece for word in words(text) for piece in self.pieces(word)]
        return [self.start, *ids[:length - 2], self.end]
