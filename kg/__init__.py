"""An open knowledge graph of AI incidents: the library behind the ``kg`` command and the server."""

from kg.build import BuildResult, build
from kg.errors import DataSyntaxError, InvalidData, KgError, NotFound, QueryError, StoreError
from kg.namespaces import KG
from kg.store import EmbeddedStore, TripleStore
from kg.validation import ValidationReport, Violation, validate_dataset, validate_graph

__version__ = "0.1.0"

__all__ = [
    "KG",
    "BuildResult",
    "DataSyntaxError",
    "EmbeddedStore",
    "InvalidData",
    "KgError",
    "NotFound",
    "QueryError",
    "StoreError",
    "TripleStore",
    "ValidationReport",
    "Violation",
    "build",
    "validate_dataset",
    "validate_graph",
]
