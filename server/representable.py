"""Refuse a result its format cannot carry, instead of sending an ill-formed body or blaming the store.

XML 1.0 cannot hold most control characters (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F) nor U+FFFE/U+FFFF,
not even as character references, so a SPARQL XML or RDF/XML result holding one would not be XML: it is refused
with 406 naming the character and the formats that can carry it (escaping would change the value the client
reads). A serialiser that cannot express the result at all (JSON-LD and RDF 1.2 triple terms) is refused with 406
too: the result is fine, only that format cannot say it.
"""

from __future__ import annotations

import re

from kg.errors import StoreError, Unrepresentable

XML_TYPES = frozenset({"application/sparql-results+xml", "application/rdf+xml"})
NOT_IN_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
"""UTF-8 bytes of the characters XML 1.0 forbids (control bytes never occur inside a multi-byte UTF-8 sequence)."""
OTHER_FORMATS = {
    "application/sparql-results+xml": "SPARQL JSON, CSV or TSV",
    "application/rdf+xml": "Turtle, N-Triples, N-Quads, TriG or JSON-LD",
}


def check_well_formed(body: bytes, media_type: str | None) -> None:
    """Raise Unrepresentable when ``body`` is XML of ``media_type`` holding a character XML 1.0 cannot carry."""
    if media_type not in XML_TYPES:
        return
    found = NOT_IN_XML.search(body)
    if found is None:
        return
    character = found.group().decode("utf-8")
    raise Unrepresentable(
        f"the result holds the character U+{ord(character):04X}, which XML 1.0 cannot carry, so it cannot be sent as "
        f"{media_type}: ask for {OTHER_FORMATS[media_type]}"
    )


def unrepresentable(error: StoreError) -> Unrepresentable | None:
    """The refusal for an engine serialiser that cannot express this result (None: a real store error)."""
    cause = error.__cause__
    if isinstance(cause, OSError) and cause.errno is None and "does not support" in str(cause):
        return Unrepresentable(f"the result cannot be written in the format asked for: {cause}; ask for Turtle, "
                             "N-Triples or N-Quads")
    return None
