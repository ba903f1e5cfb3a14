"""The framework exports over HTTP (the session's uvicorn on each backend): the incident page links them, the JSON
equals what ``kg export`` writes from the same store, and bad frameworks, keys or incidents get 404."""

from __future__ import annotations

import re

import httpx
import jsonschema
from live_server import LiveServer

from kg.frameworks.crosswalk import FRAMEWORKS
from kg.frameworks.export import export, schema
from kg.frameworks.values import store_runner
from kg.namespaces import ID
from kg.store import TripleStore


def test_incident_page_links_its_framework_records(live_server: LiveServer) -> None:
    page = httpx.get(f"{live_server.url}/doc/incident/AIAAIC0288", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    links = dict(re.findall(r'<a href="(/export/[^"]+)">([^<]+)</a>', page.text))
    assert links == {"/export/oecd-crf/incident/AIAAIC0288": "Export as OECD report",
                     "/export/eu-ai-act-73/incident/AIAAIC0288": "Export as EU AI Act Art. 73 report"}


def test_export_over_http_equals_kg_export(live_server: LiveServer, store: TripleStore) -> None:
    for framework in FRAMEWORKS:
        answer = httpx.get(f"{live_server.url}/export/{framework}/incident/AIAAIC0288", timeout=60)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        found = answer.json()
        jsonschema.validate(found, schema(framework))
        expected = export(store_runner(store), framework, ID["incident/AIAAIC0288"], found["dataVersion"])
        assert found == expected


def test_export_refuses_what_it_does_not_know(live_server: LiveServer) -> None:
    for path in ("/export/nist/incident/AIAAIC0288", "/export/oecd-crf/incident/AIAAIC9999",
                 "/export/oecd-crf/incident/..%2Fsecret"):
        answer = httpx.get(live_server.url + path, headers={"Accept": "application/json"}, timeout=30)
        assert answer.status_code == 404, path
        assert answer.json()["error"] == "not-found"


def test_frameworks_page_lists_every_field(live_server: LiveServer) -> None:
    page = httpx.get(f"{live_server.url}/frameworks", timeout=30)
    assert page.status_code == 200
    for field in ("Submitter information", "Maximum autonomy level of AI system(s)", "EU database registration ID"):
        assert field in page.text
