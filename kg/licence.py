"""The licence the graph is published under, and the attributions its sources ask for."""

from __future__ import annotations

from rdflib import URIRef

from kg import queries
from kg.store import Solutions, TripleStore

LICENCE = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
LICENCE_NAME = "CC BY-SA 4.0"
NOTICE = (
    "The AI Incidents knowledge graph is published under CC BY-SA 4.0 "
    "(https://creativecommons.org/licenses/by-sa/4.0/). It is derived from the AIAAIC Repository "
    "(© AIAAIC, CC BY-SA 4.0 and AIAAIC's terms: public-interest use, link to each page, no commercial "
    "adaptation; https://www.aiaaic.org/), the AI Incident Database (CC BY-SA 4.0, report contents excluded; "
    "https://incidentdatabase.ai/) and the MIT AI Risk Repository (CC BY 4.0; https://airisk.mit.edu/)."
)
"""The licence and attributions in one paragraph (as the README states them)."""


def attributions(store: TripleStore) -> list[str]:
    """The citations the sources of the graph's named graphs ask for, each once, sorted."""
    result = store.query(queries.load("attributions"))
    assert isinstance(result, Solutions)
    return list(dict.fromkeys(str(row["citation"]) for row in result.rows))


def rights_statement(store: TripleStore) -> str:
    """The notice followed by the attributions stated in the data."""
    return " ".join([NOTICE, *attributions(store)])
