"""Full-text search over HTTP (``/api/search``) on the real live server, on both backends: the searches people type
find their targets first, facets combine and count what SPARQL counts, the export holds the whole result set,
bad parameters are named in a 400, and a search past its deadline answers 504."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import httpx
import pytest
from live_server import LiveServer, start_server, stop_server

from kg.namespaces import ID
from kg.store import TripleStore

GB = str(ID["concept/jurisdiction/gb"])
FACIAL = str(ID["concept/technology/facial-recognition"])
JSON = {"Accept": "application/json"}


def get(server: LiveServer, params: dict[str, object] | list[tuple[str, str]], headers: dict[str, str] = JSON,
        wait: float = 300) -> httpx.Response:
    """GET /api/search, waiting while a replica is still writing its index (503 with Retry-After)."""
    deadline = time.monotonic() + wait
    while True:
        response = httpx.get(server.url + "/api/search", params=params, headers=headers, timeout=60)  # type: ignore[arg-type]
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        time.sleep(2)


def found(server: LiveServer, **params: object) -> dict:
    response = get(server, params)
    assert response.status_code == 200, response.text
    return response.json()


def incidents_where(store: TripleStore, pattern: str) -> set[str]:
    rows = store.query(f"SELECT DISTINCT ?incident WHERE {{ ?incident a kg:Incident . {pattern} }}").rows
    return {str(row["incident"]) for row in rows}


def export(server: LiveServer, **params: object) -> dict:
    return found(server, format="json", **params)


@pytest.mark.parametrize(("text", "target"), [("Kings Cross", "incident/AIAAIC0288"),
                                              ("Met Police", "org/metropolitan-police-service"),
                                              ("AIAAIC099", "incident/AIAAIC0099")])
def test_what_people_type_finds_its_target_first(live_server: LiveServer, text: str, target: str) -> None:
    answer = found(live_server, q=text, size=5)
    assert answer["hits"][0]["iri"] == str(ID[target]), [h["iri"] for h in answer["hits"]]
    assert answer["hits"][0]["page"] == f"/doc/{target}"
    assert httpx.get(live_server.url + answer["hits"][0]["page"], timeout=30).status_code == 200


def test_facets_combine_and_count_what_the_store_holds(live_server: LiveServer, store: TripleStore) -> None:
    country = export(live_server, filter=f"country:{GB}")
    assert {h["iri"] for h in country["hits"]} == incidents_where(store, f"?incident kg:jurisdiction <{GB}>")
    both = export(live_server, filter=[f"country:{GB}", f"technology:{FACIAL}"])
    expected = incidents_where(store, f"?incident kg:jurisdiction <{GB}> ; kg:involvesSystem/kg:technology <{FACIAL}>")
    assert {h["iri"] for h in both["hits"]} == expected and both["total"] == len(expected) > 5
    counted = found(live_server, filter=f"country:{GB}")["facets"]["technology"]
    assert next(v["count"] for v in counted if v["value"] == FACIAL) == both["total"]
    for value in counted[:3]:  # every count is the total its filter gives
        assert found(live_server, filter=[f"country:{GB}", value["filter"]])["total"] == value["count"]


def test_the_export_holds_the_whole_result_set_in_csv_and_json(live_server: LiveServer) -> None:
    page = found(live_server, q="police", size=5)
    assert len(page["hits"]) == 5 < page["total"]
    whole = export(live_server, q="police")
    response = get(live_server, {"q": "police", "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(whole["hits"]) == whole["total"] == page["total"]
    assert [r["iri"] for r in rows] == [h["iri"] for h in whole["hits"]]
    by_accept = get(live_server, {"q": "police"}, headers={"Accept": "text/csv"})
    assert by_accept.text == response.text
    assert page["links"]["csv"] == "/api/search?q=police&format=csv"


@pytest.mark.parametrize(("params", "named"), [
    ({"q": "x" * 201}, "q"), ({"q": " ".join(["word"] * 13)}, "q"), ({"filter": "colour:red"}, "filter"),
    ({"filter": "country"}, "filter"), ({"kind": "animal"}, "kind"), ({"page": "0"}, "page"),
    ({"page": "two"}, "page"), ({"page": "900", "size": "100"}, "page"), ({"size": "101"}, "size"),
    ({"format": "xml"}, "format")])
def test_a_bad_parameter_is_refused_by_name(live_server: LiveServer, params: dict[str, str], named: str) -> None:
    response = get(live_server, params)
    assert response.status_code == 400, response.text
    assert f"'{named}'" in response.json()["message"], response.text


@pytest.fixture(scope="module")
def impatient(backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose searches may run for a microsecond."""
    log = tmp_path_factory.mktemp(f"impatient-{backend.name}") / "server.log"
    process, server = start_server(backend.store_path, log, search_timeout="0.000001", **backend.environment())
    yield server
    stop_server(process)


def test_a_search_past_its_deadline_answers_504(impatient: LiveServer) -> None:
    response = get(impatient, {"q": "a"})
    assert response.status_code == 504, response.text
    assert response.json()["error"] == "search-timeout" and "deadline" in response.json()["message"]
