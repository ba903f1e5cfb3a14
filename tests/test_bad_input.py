"""Bad input gets a clear refusal, never a crash: fuzzed requests and SPARQL, fuzzed RDF files, bombs, remote fetches.

- schemathesis sends requests generated from the server's own OpenAPI description: no answer is a 5xx;
- hypothesis sends SPARQL fragments (random text, grammar-ish token soup, deep nesting, unicode) to ``/sparql``:
  only the statuses the README lists, never 500, never a traceback;
- hypothesis writes RDF fragments (Turtle, N-Triples, JSON-LD, RDF/XML) that the loading path (``kg build``,
  ``kg validate FILE``) reads: they load, or fail with a DataSyntaxError naming the file;
- bombs (billion laughs, external entities, deep JSON-LD, a 200 MB line, an oversized file) run through the real
  ``kg`` script are refused with a clear error within a memory bound (RLIMIT_AS 256 MiB; peak RSS sampled);
- nothing is ever fetched: a local HTTP server counts the requests that remote JSON-LD contexts, external
  entities, ``FROM``, ``SERVICE``, ``LOAD`` and ``default-graph-uri`` pointing at it would cause, and gets none.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_server import LiveServer, start_server, stop_server, wait_for_descriptions
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from kg.build import build
from kg.errors import DataSyntaxError, QueryError, StoreError
from kg.file_checks import Limits
from kg.loading import RdfFile, graph_for, load_files
from kg.builds import build_into
from kg.store import CURRENT, EmbeddedStore, convert_rdf, count_results

REPO = Path(__file__).resolve().parents[1]
KG_SCRIPT = Path(sys.executable).with_name("kg")
BOMBS = REPO / "tests" / "data" / "bombs"
MIB = 1024 * 1024
SPARQL_STATUSES = {200, 400, 403, 406, 413, 414, 422, 429, 503}
"""What /sparql may answer to anything (README, "The SPARQL endpoint"); 503 only with a message."""
FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))


# -- a server that counts the requests it gets --------------------------------------------------------------


@dataclass
class Tripwire:
    """A loopback HTTP server that answers everything with a JSON-LD context and records each request path."""

    url: str
    hits: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def tripwire() -> Iterator[Tripwire]:
    found = Tripwire("")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            found.hits.append(f"{self.command} {self.path}")
            body = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found.url = f"http://127.0.0.1:{server.server_port}"
    yield found
    server.shutdown()
    server.server_close()


# -- the server under fuzzing ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_server(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    """The session's embedded store served with the budget off (so fuzzing reaches the query path) and its log."""
    log = tmp_path_factory.mktemp("fuzz-server") / "server.log"
    process, server = start_server(store_path, log, client_budget="0", query_timeout="2")
    wait_for_descriptions(lambda path: httpx.get(server.url + path, timeout=30))  # fuzzing the steady state
    yield server, log
    stop_server(process)


@pytest.fixture(scope="module")
def http(fuzz_server: tuple[LiveServer, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fuzz_server[0].url, timeout=60) as client:
        yield client


def assert_clean(response: httpx.Response, allowed: set[int] = SPARQL_STATUSES) -> None:
    """An answer the README allows, with a message when it refuses, and no trace of the server's insides."""
    body = response.text
    assert response.status_code in allowed, f"{response.status_code}: {body[:500]}"
    assert "Traceback" not in body and 'File "/' not in body, body[:2000]
    if response.status_code >= 400:
        assert len(body.strip()) >= 10, f"{response.status_code} without a message: {body!r}"


def send(http: httpx.Client, query: str, how: str) -> httpx.Response:
    """Send ``query`` by GET, by POST form or by POST body (the protocol's three ways; httpx refuses URLs over 64 KiB)."""
    if how == "get" and len(query.encode("utf-8")) < 20_000:
        return http.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    if how == "form":
        return http.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    return http.post(
        "/sparql", content=query.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/turtle, application/sparql-results+xml"},
    )


def test_the_openapi_description_lists_the_sparql_endpoint_and_its_parameters(http):
    spec = http.get("/openapi.json").json()
    get = spec["paths"]["/sparql"]["get"]
    names = {parameter["name"] for parameter in get.get("parameters", [])}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= names
    assert "requestBody" in spec["paths"]["/sparql"]["post"]


def test_no_generated_request_gets_a_server_error(fuzz_server):
    """Every operation of /openapi.json, with valid and invalid parameters and bodies (schemathesis's two modes).

    Operations are walked here rather than with schemathesis's pytest plugin, whose lazy schemas fail on pytest 9.
    """
    schema = schemathesis.openapi.from_url(fuzz_server[0].url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert "GET /sparql" in {operation.label for operation in operations}
    for operation in operations:
        cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=cases)
        def call(case: schemathesis.Case) -> None:
            response = case.call(timeout=60)
            case.validate_response(response, checks=[not_a_server_error])
            assert "Traceback" not in response.text

        call()


# -- SPARQL fragments -------------------------------------------------------------------------------------------

TOKENS = (
    "SELECT", "*", "?s", "?p", "?o", "$x", "WHERE", "{", "}", "(", ")", "[", "]", ".", ";", ",", "a", "FILTER",
    "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "SILENT", "VALUES", "BIND", "AS", "GROUP BY", "HAVING",
    "ORDER BY", "DESC", "LIMIT", "OFFSET", "0", "10", "-1", "99999999999999999999999", "1e308", "ASK", "CONSTRUCT",
    "DESCRIBE", "FROM", "NAMED", "PREFIX", "BASE", "ex:", "kg:Incident", "dct:title", "<http://ex/a>", "<>", "<a b>",
    '"x"', '"x"@en', '"1"^^xsd:integer', "'''y'''", "_:b", "UNDEF", "REGEX", "STR", "LANG", "COUNT", "SUM",
    "GROUP_CONCAT", "SEPARATOR", "DISTINCT", "EXISTS", "NOT", "IN", "+", "/", "|", "^", "?", "!", "=", "!=", "&&",
    "||", "INSERT DATA", "DELETE WHERE", "LOAD", "CLEAR ALL", "DROP GRAPH", "\\u0053ERVICE", "#", "\n", "<<", ">>",
    "TRIPLE", "STRLEN", "SUBSTR", "COALESCE", "IF", "NOW()", "RAND()", "UUID()", "SHA512", "REPLACE", "xsd:dateTime",
    "bif:contains", "DEFINE", "sql:", "\x00", "\u202e", "😀",
)
NESTINGS = (
    ("SELECT * WHERE ", "{", " ?s ?p ?o ", "}"),
    ("SELECT * WHERE { FILTER(", "(", "1", ")", ) + (") }",),
    ("SELECT * WHERE { ?s ?p ", "[ ?p ", "?o", " ]", " }"),
    ("SELECT * WHERE ", "{ SELECT * WHERE ", "{}", " }"),
    ("SELECT * WHERE { ?s ", "(", "kg:p", ")*", " ?o }"),
    ("SELECT * WHERE { ?s ?p ", "(", "1", " )", " }"),
    ("ASK { FILTER(", "!", "true", "", ") }"),
)
unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
token_soup = st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join)


def nested(shape: tuple[str, ...], depth: int) -> str:
    head, opening, core, closing, *tail = shape
    return head + opening * depth + core + closing * depth + "".join(tail)


sparql_fragments = st.one_of(
    unicode_text,
    token_soup,
    token_soup.map(lambda body: f"SELECT * WHERE {{ {body} }} LIMIT 5"),
    st.builds(nested, st.sampled_from(NESTINGS), st.integers(1, 20_000)),
    unicode_text.map(lambda text: f"SELECT * WHERE {{ ?s ?p {json.dumps(text)} }} LIMIT 5"),
    unicode_text.map(lambda text: f"SELECT * WHERE {{ <{text}> ?p ?o }} LIMIT 5"),
    unicode_text.map(lambda text: f"PREFIX {text}: <http://ex/> SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1"),
)


@FUZZ
@given(query=sparql_fragments, how=st.sampled_from(["get", "form", "body"]))
def test_sparql_fragments_get_a_listed_status_and_never_a_traceback(http, query, how):
    assert_clean(send(http, query, how))


CHAINS = {
    "braces": ("SELECT * WHERE ", "{", "", "}", ""),
    "parentheses": ("ASK { FILTER(", "(", "true", ")", ") }"),
    "negations": ("ASK { FILTER(", "!", "true", "", ") }"),
    "collections": ("ASK { ", "(", "", ")", " ?p ?o }"),
    "sub-selects": ("SELECT * WHERE ", "{ SELECT * WHERE ", "{}", " }", ""),
    "optionals": ("SELECT * { ", "OPTIONAL { ?s ?p ?o } ", "", "", "} LIMIT 1"),
    "minuses": ("SELECT * { ", "MINUS { ?s ?p ?o } ", "", "", "} LIMIT 1"),
    "sums": ("ASK { FILTER(1", " + 1", "", "", ") }"),
}


@pytest.mark.parametrize("chain", list(CHAINS))
def test_the_deepest_query_that_fits_the_body_limit_does_not_kill_a_worker(http, chain):
    """The engine recurses per level; on an 8 MiB stack some 5,000 levels killed the worker (SIGSEGV)."""
    head, opening, core, closing, tail = CHAINS[chain]
    depth = (64 * 1024 - 64 - len(head) - len(core) - len(tail)) // (len(opening) + len(closing))
    response = send(http, nested((head, opening, core, closing, tail), depth), "body")
    assert_clean(response)
    assert "worker died" not in response.text, response.text


def test_the_server_logged_no_crash_while_fuzzed(fuzz_server, http):
    assert http.get("/health").status_code == 200
    log = fuzz_server[1].read_text(errors="replace")
    assert "Traceback" not in log and "unexpected error" not in log, log[-3000:]


# -- RDF fragments through the loading path --------------------------------------------------------------------

TURTLE_TOKENS = (
    "@prefix", "PREFIX", "@base", "ex:", "ex:a", ":b", "<http://ex/a>", "<>", "<#x>", "<a b>", "a", ".", ";", ",",
    "[", "]", "(", ")", "{", "}", '"x"', '"""long\nliteral"""', "'y'", "@en", "@", "^^", "xsd:integer", "1", "1.5e3",
    "-0", "true", "_:b", "_:", "GRAPH", "#c\n", "\\u0041", "\\U0001F600", "<<", ">>", "\n", "\x00", "\u00e9",
)
NT_TERMS = ("<http://ex/a>", "<http://ex/p>", "_:b1", '"x"', '"x"@en', '"1"^^<http://www.w3.org/2001/XMLSchema#int>',
            "<bad iri>", '"\\u00e9"', '"unterminated', ".", "<>", "")
JSON_KEYS = ("@id", "@type", "@context", "@value", "@language", "@list", "@set", "@graph", "@reverse", "@vocab",
             "@base", "@index", "@nest", "@direction", "http://ex/p", "ex:p", "name", "")
XML_NAMES = ("rdf:Description", "rdf:RDF", "ex:p", "rdf:li", "rdf:Seq", "rdf:type", "ex:Thing", "x")
XML_ATTRIBUTES = ('rdf:about="http://ex/a"', 'rdf:resource="#r"', 'rdf:nodeID="n1"', 'rdf:parseType="Resource"',
                  'rdf:parseType="Literal"', 'rdf:parseType="Collection"', 'xml:lang="en"', 'rdf:ID="i"',
                  'rdf:datatype="http://www.w3.org/2001/XMLSchema#int"', 'ex:q="v"', 'rdf:about=""', 'rdf:bagID="b"')
XML_HEAD = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex/" '
            'xml:base="http://ex/base">')

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | unicode_text | st.sampled_from(JSON_KEYS),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(JSON_KEYS) | unicode_text, inner, max_size=5),
    max_leaves=30,
)
xml_elements = st.recursive(
    unicode_text.map(lambda text: text.replace("<", "&lt;").replace("&", "&amp;")),
    lambda inner: st.builds(
        lambda name, attributes, children: f"<{name} {' '.join(attributes)}>{''.join(children)}</{name}>",
        st.sampled_from(XML_NAMES), st.lists(st.sampled_from(XML_ATTRIBUTES), max_size=3, unique=True),
        st.lists(inner, max_size=3),
    ),
    max_leaves=12,
)
rdf_fragments = st.one_of(
    st.tuples(st.just(".ttl"), st.lists(st.sampled_from(TURTLE_TOKENS), max_size=50).map(" ".join)),
    st.tuples(st.just(".ttl"), unicode_text.map(lambda text: f"@prefix ex: <http://ex/> .\nex:a ex:p {text} .")),
    st.tuples(st.just(".ttl"), st.integers(1, 5000).map(lambda n: "<http://ex/a> <http://ex/p> " + "[ <http://ex/p> " * n + "1" + " ]" * n + " .")),
    st.tuples(st.just(".nt"), st.lists(st.lists(st.sampled_from(NT_TERMS), max_size=5).map(" ".join), max_size=8).map("\n".join)),
    st.tuples(st.just(".nt"), unicode_text),
    st.tuples(st.just(".jsonld"), json_values.map(json.dumps)),
    st.tuples(st.just(".jsonld"), unicode_text),
    st.tuples(st.just(".rdf"), st.lists(xml_elements, max_size=3).map(lambda parts: XML_HEAD + "".join(parts) + "</rdf:RDF>")),
    st.tuples(st.just(".rdf"), unicode_text),
)


@FUZZ
@given(fragment=rdf_fragments)
def test_rdf_fragments_load_or_fail_with_a_clear_error_naming_the_file(tmp_path_factory, tripwire, fragment):
    suffix, text = fragment
    path = tmp_path_factory.mktemp("fragment") / f"fragment{suffix}"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    try:
        dataset = load_files([RdfFile(path, graph_for(path, path.parent))], Limits())
    except DataSyntaxError as error:
        assert str(path) in str(error) and error.reason
    else:
        assert len(dataset) >= 0
    assert tripwire.hits == []


@pytest.mark.parametrize(("text", "line"), [
    ('<http://ex/a> <http://ex/p> "' + "a" * 900 + '" .\n', None),
    ("<http://ex/a> <http://ex/p> <http://ex/o> .\n" + "#" * 1025, 2),
    ("\n" * 5000 + "#" * 1025 + "\n" + "#" * 100, 5001),
    ("#" * 1024 + "\n" + "#" * 1024, None),
])
def test_the_line_limit_is_exact_and_names_the_line(tmp_path, text, line):
    path = tmp_path / "lines.nt"
    path.write_text(text, encoding="utf-8")
    small = Limits(file_bytes=1 * MIB, line_bytes=1024)
    if line is None:
        assert len(load_files([RdfFile(path, graph_for(path, tmp_path))], small)) <= 1
        return
    with pytest.raises(DataSyntaxError, match="over the 1,024-byte limit") as refused:
        load_files([RdfFile(path, graph_for(path, tmp_path))], small)
    assert refused.value.line == line


def test_a_bad_file_fails_the_build_before_the_store_is_touched(tmp_path):
    store = tmp_path / "store"
    first = build_into(store, lambda s: s.load(b'<http://ex/a> <http://ex/p> "kept" .', "application/n-triples"))
    data = tmp_path / "data"
    data.mkdir()
    (data / "ok.ttl").write_text("<http://ex/b> <http://ex/p> <http://ex/c> .\n", encoding="utf-8")
    (data / "zz-broken.jsonld").write_text('{"@id": "http://ex/a", "http://ex/p": {"@value": 1, "@language": 3}}')
    with pytest.raises(DataSyntaxError, match="zz-broken.jsonld"):
        build(data, store)
    assert (store / CURRENT).resolve() == first.resolve()
    assert [p.name for p in (store / "builds").iterdir()] == [first.name]
    assert EmbeddedStore.open(store).triple_count() == 1


# -- bombs, run through the real kg script with their peak memory measured ------------------------------------


@dataclass(frozen=True)
class Run:
    """A finished ``kg`` process: exit code, output, its peak resident memory (bytes, sampled) and duration."""

    code: int
    stdout: str
    stderr: str
    peak: int
    seconds: float


MEMORY_BOUND = 256 * MIB
"""Address space (RLIMIT_AS) a ``kg`` process gets here: enough to validate a small file, far too little to expand
a bomb (billion laughs: 3 GB); a bomb that got past the checks would end in MemoryError, not in the clear error."""
LIMITED = "import os, resource, sys; b = int(sys.argv[1]); resource.setrlimit(resource.RLIMIT_AS, (b, b)); os.execv(sys.argv[2], sys.argv[2:])"


def peak_rss(pid: int) -> int:
    """The process's resident high-water mark (VmHWM) in bytes, 0 once it is gone."""
    try:
        status = (Path("/proc") / str(pid) / "status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def run_kg(*args: object, cwd: Path, timeout: float = 120, memory: int = MEMORY_BOUND) -> Run:
    """Run the installed ``kg`` script with at most ``memory`` bytes of address space; sample its peak RSS."""
    out, err = cwd / "stdout.txt", cwd / "stderr.txt"
    env = {**os.environ, "KG_STORE": str(cwd / "no-store")}
    command = [sys.executable, "-c", LIMITED, str(memory), str(KG_SCRIPT), *map(str, args)]
    started, peak = time.monotonic(), 0
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=cwd, env=env)
        while process.poll() is None:
            peak = max(peak, peak_rss(process.pid))
            if time.monotonic() - started > timeout:
                process.kill()
            time.sleep(0.005)
    return Run(process.returncode, out.read_text(errors="replace"), err.read_text(errors="replace"), peak,
               time.monotonic() - started)


@pytest.fixture(scope="module")
def baseline_peak(tmp_path_factory: pytest.TempPathFactory) -> int:
    """Peak memory of ``kg validate`` on a small valid file (the ontology and shapes loaded, validation run)."""
    folder = tmp_path_factory.mktemp("baseline")
    valid = folder / "valid.ttl"
    valid.write_text("<https://w3id.org/ai-incidents/id/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .\n")
    run = run_kg("validate", valid, cwd=folder)
    assert run.code == 0, run.stderr
    return run.peak


def write_deep_json_ld(path: Path, depth: int) -> None:
    path.write_text('{"@id": "http://ex/a", "http://ex/p": ' * depth + "1" + "}" * depth, encoding="utf-8")


def write_huge_line(path: Path, size: int) -> None:
    """One N-Triples statement whose literal is ``size`` bytes, written in chunks (never held in memory)."""
    chunk = b"x" * MIB
    with path.open("wb") as out:
        out.write(b'<http://ex/a> <http://ex/p> "')
        for _ in range(size // MIB):
            out.write(chunk)
        out.write(b'" .\n')


def write_many_triples(path: Path, size: int) -> None:
    """A valid N-Triples file of about ``size`` bytes (so only its size is wrong)."""
    line = b'<https://w3id.org/ai-incidents/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "a label" .\n'
    with path.open("wb") as out:
        out.write(line * (size // len(line) + 1))


BOMB_CASES = {
    "billion-laughs": ("billion-laughs.rdf", None, "entity declarations are not accepted"),
    "deep-json-ld": ("deep.jsonld", lambda p: write_deep_json_ld(p, 100_000), "nested deeper than"),
    "huge-literal-200MB": ("huge.nt", lambda p: write_huge_line(p, 200 * MIB), "over the 16,777,216-byte limit"),
    "long-line-8MB": ("long.ttl", lambda p: write_huge_line(p, 8 * MIB), ":1: the line is"),
    "oversized-file-40MB": ("big.nt", lambda p: write_many_triples(p, 40 * MIB), "over the 16,777,216-byte limit"),
}


@pytest.mark.parametrize("case", list(BOMB_CASES))
def test_kg_validate_refuses_a_bomb_clearly_within_a_memory_bound(case, tmp_path, baseline_peak):
    name, write, message = BOMB_CASES[case]
    bomb = tmp_path / name
    if write is None:
        shutil.copy(BOMBS / name, bomb)
    else:
        write(bomb)
    run = run_kg("validate", bomb, cwd=tmp_path)
    assert run.code == 2, run.stdout + run.stderr
    assert f"error: {bomb}" in run.stderr and message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert "MemoryError" not in run.stderr and 0 < run.peak < MEMORY_BOUND
    assert run.seconds < 60
    print(f"{case}: refused in {run.seconds:.1f} s, peak {run.peak / MIB:.0f} MiB (baseline {baseline_peak / MIB:.0f} MiB)")


@pytest.mark.parametrize("case", ["billion-laughs", "deep-json-ld"])
def test_kg_build_refuses_a_bomb_in_the_data_folder_and_keeps_the_previous_store(case, tmp_path, baseline_peak):
    store = tmp_path / "store"
    first = build_into(store, lambda s: s.load(b'<http://ex/a> <http://ex/p> "kept" .', "application/n-triples"))
    name, write, message = BOMB_CASES[case]
    data = tmp_path / "data" / "curated"
    data.mkdir(parents=True)
    if write is None:
        shutil.copy(BOMBS / name, data / name)
    else:
        write(data / name)
    run = run_kg("build", "--data", data.parent, "--store", store, cwd=tmp_path)
    assert run.code == 2 and message in run.stderr and str(data / name) in run.stderr, run.stderr
    assert "MemoryError" not in run.stderr and run.peak < MEMORY_BOUND
    assert (store / CURRENT).resolve() == first.resolve()
    assert [p.name for p in (store / "builds").iterdir()] == [first.name]


# -- nothing is ever fetched -------------------------------------------------------------------------------------


def test_external_entities_and_dtds_are_never_fetched(tmp_path, tripwire):
    entity = tmp_path / "entity.rdf"
    entity.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{tripwire.url}/entity">]>\n'
                      f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&x;</rdf:RDF>\n')
    dtd = tmp_path / "dtd.rdf"
    dtd.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{tripwire.url}/dtd">\n'
                   f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
    for path, message in ((entity, ":2: entity declarations are not accepted"), (dtd, ":2: the DOCTYPE names an external DTD")):
        run = run_kg("validate", path, cwd=tmp_path)
        assert run.code == 2 and f"{path}{message}" in run.stderr, run.stderr
    assert tripwire.hits == []


CONTEXTS = {
    "string": lambda url: {"@context": url, "@id": "http://ex/a", "name": "x"},
    "array": lambda url: {"@context": [{"ex": "http://ex/"}, url], "@id": "http://ex/a"},
    "scoped": lambda url: {"@context": {"p": {"@id": "http://ex/p", "@context": url}}, "@id": "http://ex/a", "p": {}},
    "nested-node": lambda url: {"@id": "http://ex/a", "http://ex/p": {"@context": url, "name": "x"}},
    "import": lambda url: {"@context": {"@version": 1.1, "@import": url}, "@id": "http://ex/a"},
}


@pytest.mark.parametrize("shape", list(CONTEXTS))
def test_remote_json_ld_contexts_are_refused_on_the_loading_path_and_never_fetched(shape, tmp_path, tripwire):
    path = tmp_path / "remote-context.jsonld"
    path.write_text(json.dumps(CONTEXTS[shape](f"{tripwire.url}/{shape}"), indent=1))
    with pytest.raises(DataSyntaxError, match="never fetched") as refused:
        load_files([RdfFile(path, graph_for(path, tmp_path))], Limits())
    assert refused.value.path == path and refused.value.line is not None
    assert tripwire.hits == []


def test_kg_validate_refuses_a_remote_json_ld_context_without_fetching_it(tmp_path, tripwire):
    path = tmp_path / "remote-context.jsonld"
    path.write_text(json.dumps(CONTEXTS["string"](f"{tripwire.url}/cli")))
    run = run_kg("validate", path, cwd=tmp_path)
    assert run.code == 2 and f"error: {path}:1: remote JSON-LD context" in run.stderr, run.stderr
    assert tripwire.hits == []


def test_the_engine_never_fetches_a_remote_context_where_it_reads_json_ld(tripwire):
    document = json.dumps(CONTEXTS["string"](f"{tripwire.url}/engine")).encode()
    with pytest.raises(StoreError, match="remote context"):
        convert_rdf([(document, None)], "application/ld+json", io.BytesIO(), "text/turtle")
    with pytest.raises(QueryError, match="remote context"):
        count_results(document, "application/ld+json")
    assert tripwire.hits == []


def fetching_queries(url: str) -> dict[str, str]:
    return {
        "from": f"SELECT * FROM <{url}/from> WHERE {{ ?s ?p ?o }} LIMIT 1",
        "from-named": f"SELECT * FROM NAMED <{url}/named> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1",
        "graph": f"SELECT * WHERE {{ GRAPH <{url}/graph> {{ ?s ?p ?o }} }} LIMIT 1",
        "service": f"SELECT * WHERE {{ SERVICE <{url}/service> {{ ?s ?p ?o }} }}",
        "service-silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}/silent> {{ ?s ?p ?o }} }}",
        "load": f"LOAD <{url}/load>",
        "describe": f"DESCRIBE <{url}/describe>",
        "virtuoso-sponger": f'DEFINE get:soft "replace" SELECT * FROM <{url}/sponge> WHERE {{ ?s ?p ?o }} LIMIT 1',
    }


@pytest.mark.slow
def test_queries_never_make_the_server_fetch(live_server, tripwire):
    """FROM and GRAPH name stored graphs (an unknown one is empty), SERVICE and LOAD are refused; nothing is sent."""
    with httpx.Client(timeout=60) as client:
        for name, query in fetching_queries(tripwire.url).items():
            response = client.get(live_server.endpoint, params={"query": query},
                                  headers={"Accept": "application/sparql-results+json, text/turtle"})
            assert_clean(response, {200, 400, 403})
            if name in ("service", "service-silent", "load", "virtuoso-sponger"):
                assert response.status_code in (400, 403), (name, response.text)
            elif name != "describe":
                assert response.status_code == 200 and response.json()["results"]["bindings"] == [], (name, response.text)
        response = client.get(live_server.endpoint, headers={"Accept": "application/sparql-results+json"},
                              params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "default-graph-uri": f"{tripwire.url}/dg",
                                      "named-graph-uri": f"{tripwire.url}/ng"})
        assert_clean(response, {200, 400})
    time.sleep(0.5)  # a fetch made in the background would have arrived by now
    assert tripwire.hits == []
