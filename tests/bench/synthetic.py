"""A synthetic AI-incident graph of any size (about 48 triples per incident), as N-Quads in one named graph."""

from __future__ import annotations

import random
from pathlib import Path

KG = "https://w3id.org/ai-incidents/def/"
ID = "https://w3id.org/ai-incidents/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
TITLE = "http://purl.org/dc/terms/title"
GRAPH = "https://w3id.org/ai-incidents/graph/synthetic"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
ISSUES = [f"{ID}concept/ethical-issue/issue-{n}" for n in range(20)]
COUNTRIES = [f"{ID}concept/jurisdiction/c{n}" for n in range(60)]
ROLES = [f"{KG}deployer", f"{KG}developer", f"{KG}dataSupplier"]


def incident_iri(n: int) -> str:
    return f"{ID}incident/SYN{n:06d}"


def _incident(n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    inc, system, source = incident_iri(n), f"{ID}system/SYN{n:06d}", f"{ID}source/syn-{n}"
    lit = lambda text: '"' + text + '"'
    triples = [
        (inc, RDF_TYPE, f"<{KG}Incident>"), (inc, NOTATION, lit(f"SYN{n:06d}")), (inc, LABEL, lit(f"Synthetic incident {n}")),
        (inc, f"{KG}occurred", f'"{2010 + n % 15}-{1 + n % 12:02d}-{1 + n % 28:02d}"^^<{XSD_DATE}>'),
        (inc, f"{KG}involvesSystem", f"<{system}>"), (inc, f"{KG}describedBy", f"<{source}>"),
        (system, RDF_TYPE, f"<{KG}AISystem>"), (system, LABEL, lit(f"System {n}")),
        (source, RDF_TYPE, f"<{KG}NewsArticle>"), (source, TITLE, lit(f"Report on incident {n}")),
    ]
    for issue in rng.sample(ISSUES, 3):
        triples.append((inc, f"{KG}ethicalIssue", f"<{issue}>"))
    triples.append((inc, f"{KG}jurisdiction", f"<{rng.choice(COUNTRIES)}>"))
    for k, role in enumerate(ROLES):
        inv, org = f"{ID}involvement/syn-{n}-{k}", f"{ID}org/org-{rng.randrange(2000)}"
        triples += [
            (inv, RDF_TYPE, f"<{KG}Involvement>"), (inv, f"{KG}involvedIn", f"<{system}>"), (inv, f"{KG}agent", f"<{org}>"),
            (inv, f"{KG}role", f"<{role}>"), (inv, f"{KG}status", f"<{KG}alleged>"), (inv, f"{KG}source", f"<{source}>"),
            (org, RDF_TYPE, f"<{KG}Organisation>"), (org, LABEL, lit(f"Organisation {org.rsplit('-', 1)[1]}")),
        ]
    for k in range(4):
        claim = f"{ID}claim/syn-{n}-{k}"
        triples += [(claim, RDF_TYPE, f"<{KG}Claim>"), (claim, f"{KG}claimAbout", f"<{inc}>"), (claim, f"{KG}claimText", lit(f"Claim {k} about {n}"))]
    return triples


def write(path: Path, triples: int, seed: int = 7) -> int:
    """Write about ``triples`` triples as N-Quads; return the number of incidents."""
    rng = random.Random(seed)
    incidents, written = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < triples:
            for s, p, o in _incident(incidents, rng):
                out.write(f"<{s}> <{p}> {o} <{GRAPH}> .\n")
                written += 1
            incidents += 1
    return incidents
