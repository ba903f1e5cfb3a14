"""Where the ontology, shapes and data shipped with the package are found, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE / "_bundled"
_CHECKOUT = _PACKAGE.parent


def _locate(name: str) -> Path:
    """The bundled copy of a top-level folder in a wheel, else the folder of the source checkout."""
    for candidate in (_BUNDLED / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the package ships no '{name}' folder (looked in {_BUNDLED} and {_CHECKOUT})")


def ontology_dir() -> Path:
    """Folder of the ontology's Turtle files."""
    return _locate("ontology")


def shapes_dir() -> Path:
    """Folder of the SHACL shapes."""
    return _locate("shapes")


def packaged_data_dir() -> Path:
    """The copy of ``data/`` shipped with the package."""
    return _locate("data")


def resolve_data_dir(explicit: Path | None, cwd: Path | None = None) -> Path:
    """The data to build from: ``explicit``, else ``./data`` when it exists, else the packaged copy."""
    if explicit is not None:
        return explicit
    local = (cwd or Path.cwd()) / "data"
    if local.is_dir():
        return local
    return packaged_data_dir()
