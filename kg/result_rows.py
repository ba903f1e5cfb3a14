"""Whether a serialised result could hold more rows than a cap, from its size alone (to skip counting them).

Counting the rows of a result means parsing it again; most results are far too small to be over the cap. Each
format the engine writes spends at least a few bytes on every row (SPARQL JSON ``{}`` and a comma, SPARQL XML
``<result/>``, CSV a line end ``\\r\\n``, N-Triples ``<> <> <> .`` and more), so a body shorter than the cap times
that minimum cannot hold too many rows. Formats without a safe minimum (Turtle's object lists) count one byte.
"""

from __future__ import annotations

MIN_ROW_BYTES = {
    "application/sparql-results+json": 3,  # {} plus the comma between rows (the last has none: n rows >= 3n - 1)
    "application/sparql-results+xml": 9,  # <result/>
    "text/csv": 2,  # \r\n
    "application/n-triples": 10,  # the shortest absolute IRIs: <a:> <a:> <a:> .\n is 16
    "application/n-quads": 10,
}


def may_exceed(body_bytes: int, media_type: str, max_rows: int) -> bool:
    """Whether a body of ``body_bytes`` in ``media_type`` could hold more than ``max_rows`` rows (or triples).

    >>> JSON = "application/sparql-results+json"
    >>> may_exceed(29_000, JSON, 10_000), may_exceed(31_000, JSON, 10_000)
    (False, True)
    >>> may_exceed(10_001, "text/turtle", 10_000)
    True
    """
    return body_bytes + 1 > max_rows * MIN_ROW_BYTES.get(media_type, 1)
