"""Write the whole graph to files: Turtle for the union of all graphs, N-Quads with provenance graphs."""

from __future__ import annotations

from pathlib import Path

from kg.store import TripleStore

DUMP_FORMATS = {
    "ai-incidents.ttl": "text/turtle",
    "ai-incidents.nq": "application/n-quads",
}


def dump(store: TripleStore, out_dir: Path) -> list[Path]:
    """Stream the store into ``out_dir`` in every dump format; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, media_type in DUMP_FORMATS.items():
        target = out_dir / name
        partial = target.with_name(target.name + ".partial")
        with partial.open("wb") as output:
            store.dump(output, media_type)
        partial.replace(target)
        written.append(target)
    return written
