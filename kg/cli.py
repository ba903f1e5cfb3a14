"""The ``kg`` command: a thin shell that calls the library and turns values and errors into output and exit codes.

Exit codes: 0 success, 1 the data does not conform (or a query found a problem), 2 usage, parse or store errors.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click
from rdflib import Graph, URIRef

from kg import queries
from kg.build import build, load_and_validate
from kg.dump import dump
from kg.errors import DataSyntaxError, InvalidData, KgError
from kg.ingest.report import RowsRejected, repair_lines, summary_table
from kg.ingest.review import to_csv as review_csv
from kg.loading import RDF_SUFFIXES, RdfFile, discover_ontology, graph_for
from kg.namespaces import bind_prefixes
from kg.resources import resolve_data_dir
from kg.settings import get_settings
from kg.store import Boolean, EmbeddedStore, Solutions, TripleStore
from kg.submissions.database import SubmissionDatabase
from kg.submissions.passwords import hash_password
from kg.validation import ValidationReport, validate_store

RESULT_MEDIA_TYPES = {"csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/sparql-results+json"}


def default_store(option: Path | None) -> Path:
    return option or get_settings().store


def _open_store(store_path: Path | None, store_url: str | None) -> TripleStore:
    """--store-url, else --store, else KG_STORE_URL, else the embedded store at KG_STORE."""
    url = store_url or (None if store_path else get_settings().store_url)
    if url:
        from kg.remote_store import remote_from_settings

        return remote_from_settings(url)
    return EmbeddedStore.open(default_store(store_path))


STORE_URL_HELP = "SPARQL endpoint of a remote store (e.g. Virtuoso's http://host:8890/sparql; default: $KG_STORE_URL)."


def echo_progress(message: str) -> None:
    click.echo(f"… {message}", err=True)


def exit_with(error: KgError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(1 if isinstance(error, InvalidData) else 2)


def format_report(report: ValidationReport) -> str:
    """A report a person can read: one block per violation, grouped by where it was stated."""
    if report.conforms:
        return "Conforms: the data satisfies every shape."
    lines = [f"Does not conform: {len(report.results)} violation(s)."]
    for v in report.results:
        lines.append("")
        lines.append(f"{', '.join(v.origins) or '(unknown origin)'}")
        lines.append(f"  focus node: {v.focus}")
        if v.path:
            lines.append(f"  path:       {v.path}")
        if v.value:
            lines.append(f"  value:      {v.value}")
        lines.append(f"  message:    {v.message}")
        lines.append(f"  shape:      {v.shape or '(anonymous)'}   [{v.severity}]")
    return "\n".join(lines)


def format_table(result: Solutions) -> str:
    """An aligned text table of a SELECT's rows."""
    cells = [[str(row.get(v, "")) for v in result.variables] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    line = lambda values: "  ".join(value.ljust(w) for value, w in zip(values, widths)).rstrip()
    out = [line(result.variables), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)


@click.group()
@click.version_option(package_name="ai-incidents-kg")
def main() -> None:
    """An open knowledge graph of AI incidents: build it, validate it, query it, serve it."""


@main.command("build")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), help="Data folder (default: ./data, else the packaged copy).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), help="Store directory (default: $KG_STORE, else a per-user data directory).")
@click.option("--strict", is_flag=True, help="Fail (exit 1, old store kept) if any source row is rejected.")
@click.option("--warnings", "show_warnings", is_flag=True, help="List every import warning, not only their number.")
@click.option("--review-out", type=click.Path(dir_okay=False, path_type=Path), help="Write the organisations that may be one and the same (CSV) here.")
@click.option("--store-url", help="Also load the built store into this remote SPARQL store (its graphs replaced), in bulk.")
@click.option("--coverage", is_flag=True, help="Also count, per reporting-framework field, the incidents of each source that can fill it (into the build folder).")
def build_command(data_dir: Path | None, store_path: Path | None, strict: bool, show_warnings: bool, review_out: Path | None, store_url: str | None, coverage: bool) -> None:
    """Load the ontology and data, import the sources, validate, and write a fresh store (the old one stays if this fails)."""
    import tempfile

    data = resolve_data_dir(data_dir or get_settings().data)
    store_url = store_url or (None if store_path else get_settings().store_url)
    staging = tempfile.TemporaryDirectory(prefix="kg-build-") if store_url and not store_path else None
    try:
        target = Path(staging.name) if staging else default_store(store_path)
        result = build(data, target, progress=echo_progress, strict=strict, submissions=_submissions_db(store_path),
                       coverage=coverage)
        if store_url:
            from kg.remote_store import remote_from_settings

            loaded = remote_from_settings(store_url).replace_with(EmbeddedStore.open(target), echo_progress)
            click.echo(
                f"Loaded {loaded.statements} statements ({loaded.graphs} graphs and their merge) into {store_url} "
                f"in {loaded.seconds:.1f} s ({loaded.per_second:,.0f} statements/s)."
            )
    except RowsRejected as error:
        click.echo("\n".join(f"rejected: {problem}" for problem in error.rejected))
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except InvalidData as error:
        click.echo(format_report(error.report))
        exit_with(error)
    except KgError as error:
        exit_with(error)
    finally:
        if staging:
            staging.cleanup()
    click.echo(f"Built {result.triples} triples ({result.quads} quads in {result.graphs} graphs) from {result.files} files in {data}.")
    if result.sources:
        click.echo(summary_table(list(result.sources)))
        click.echo("".join(f"{line}\n" for line in repair_lines(list(result.sources))), nl=False)
        for report in result.sources:
            click.echo("".join(f"rejected: {problem}\n" for problem in report.rejected), nl=False)
            click.echo("".join(f"warning: {problem}\n" for problem in report.warnings if show_warnings), nl=False)
    if result.coverage:
        from kg.frameworks.coverage import COVERAGE_FILE, table

        for framework in result.coverage["frameworks"]:
            click.echo(f"\nIncidents that can fill each {framework} field, per source:\n{table(result.coverage, framework)}")
        click.echo(f"coverage figures written to {result.location / COVERAGE_FILE}")
    if review_out:
        review_out.write_text(review_csv(list(result.review)), encoding="utf-8")
        click.echo(f"{len(result.review)} organisation pairs to review written to {review_out}")


@main.command("audit")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), help="Data folder whose source files are audited (default: ./data, else the packaged copy).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), help="Store to audit (default: $KG_STORE).")
@click.option("--store-url", help=STORE_URL_HELP)
def audit_command(data_dir: Path | None, store_path: Path | None, store_url: str | None) -> None:
    """Check that every raw name, place and classification cell of each source file is quotable from the store (exit 1 if not)."""
    from kg.audit import audit

    try:
        report = audit(_open_store(store_path, store_url), resolve_data_dir(data_dir or get_settings().data))
    except KgError as error:
        exit_with(error)
    click.echo(report.table())
    click.echo("Audit passed: every audited cell and name is recoverable." if report.passed else "Audit failed.")
    sys.exit(0 if report.passed else 1)


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), help="Store to validate when no file is given.")
def validate_command(paths: tuple[Path, ...], store_path: Path | None) -> None:
    """Validate RDF files (Turtle, TriG, N-Triples, JSON-LD, RDF/XML) with the ontology, or the store when no file is given."""
    try:
        if paths:
            files = _files_to_validate(paths)
            _, report = load_and_validate(files)
        else:
            report = validate_store(EmbeddedStore.open(default_store(store_path)))
    except KgError as error:
        exit_with(error)
    click.echo(format_report(report))
    sys.exit(0 if report.conforms else 1)


def _files_to_validate(paths: tuple[Path, ...]) -> list[RdfFile]:
    ontology = discover_ontology()
    known = {f.path.resolve() for f in ontology}
    extra = []
    for path in paths:
        if path.suffix not in RDF_SUFFIXES:
            raise DataSyntaxError(path, None, f"not an RDF file this command reads ({', '.join(RDF_SUFFIXES)})")
        if path.resolve() not in known:
            graph = None if path.suffix == ".trig" else graph_for(path.resolve(), path.resolve().parent)
            extra.append(RdfFile(path, graph))
    return ontology + extra


@main.command("query")
@click.argument("sparql", required=False)
@click.option("--file", "query_file", type=click.File("r", encoding="utf-8"), help="Read the query from a file.")
@click.option("--example", "example_name", help="Run a shipped example query (see 'kg examples').")
@click.option("--param", "params", multiple=True, metavar="NAME=IRI", help="Bind a variable to an IRI (repeatable).")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--store-url", help=STORE_URL_HELP)
def query_command(sparql: str | None, query_file: io.TextIOBase | None, example_name: str | None, params: tuple[str, ...], output_format: str, store_path: Path | None, store_url: str | None) -> None:
    """Run a SPARQL query (text, --file or --example) against the store."""
    given = [x for x in (sparql, query_file, example_name) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of QUERY, --file or --example")
    try:
        bindings: dict[str, URIRef] = {}
        if example_name:
            found = queries.example(example_name)
            text, bindings = found.text, dict(found.params)
        else:
            text = sparql or query_file.read()  # type: ignore[union-attr]
        for param in params:
            name, sep, value = param.partition("=")
            if not sep:
                raise click.UsageError(f"--param takes NAME=IRI, not {param!r}")
            bindings[name.lstrip("?")] = URIRef(value.strip("<>"))
        store = _open_store(store_path, store_url)
        if output_format != "table":
            wanted = RESULT_MEDIA_TYPES[output_format]
            store.query_into(sys.stdout.buffer, text, {"solutions": wanted, "boolean": wanted, "graph": "text/turtle"}, bindings)
            return
        result = store.query(text, bindings)
    except KgError as error:
        exit_with(error)
    if isinstance(result, Solutions):
        click.echo(format_table(result))
    elif isinstance(result, Boolean):
        click.echo("yes" if result.value else "no")
    else:
        graph = bind_prefixes(Graph())
        for triple in result.triples:
            graph.add(triple)
        click.echo(graph.serialize(format="turtle"), nl=False)


@main.command("examples")
def examples_command() -> None:
    """List the example queries shipped with the package, with each one's parameters and their defaults."""
    found = queries.examples()
    width = max(map(len, found), default=0)
    for example in found.values():
        click.echo(f"{example.name:<{width}}  {example.title}: {example.description}")
        for name, default in example.params.items():
            click.echo(f"{'':<{width}}    --param {name}=IRI  (default: {default})")
        if example.service:
            click.echo(f"{'':<{width}}    needs federation: SERVICE ?{example.service} calls a remote endpoint")


@main.command("dump")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--store-url", help=STORE_URL_HELP)
def dump_command(out_dir: Path, store_path: Path | None, store_url: str | None) -> None:
    """Write the whole graph as Turtle (all graphs merged) and N-Quads (with provenance graphs)."""
    try:
        written = dump(_open_store(store_path, store_url), out_dir)
    except KgError as error:
        exit_with(error)
    for path in written:
        click.echo(f"{path}  {path.stat().st_size} bytes")


@main.command("release")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--version", "version", default=None, help="Release version (default: today's date, YYYY-MM-DD).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path))
def release_command(out_dir: Path, version: str | None, store_path: Path | None) -> None:
    """Write a versioned, reproducible dump set with a DCAT catalogue and a changelog."""
    from datetime import date

    from kg.release import write_release

    try:
        release = write_release(EmbeddedStore.open(default_store(store_path)), out_dir, version or date.today().isoformat())
    except KgError as error:
        exit_with(error)
    for item in release.files:
        click.echo(f"{item.name:<24} {item.size:>10} bytes  sha256 {item.sha256}")
    changes = release.changes
    if changes.previous:
        click.echo(f"since {changes.previous}: +{changes.added} -{changes.removed} triples, {len(changes.new_incidents)} new incidents, "
                   f"{len(changes.incidents) - len(changes.new_incidents)} changed")
    click.echo(f"release {release.version} written to {release.folder}")


@main.command("export")
@click.option("--framework", required=True, type=click.Choice(["oecd-crf", "eu-ai-act-73"]), help="The reporting framework whose record to write.")
@click.option("--incident", "incident", help="The IRI of one incident (default: every incident).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON here (default: standard output).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--store-url", help=STORE_URL_HELP)
def export_command(framework: str, incident: str | None, out_file: Path | None, store_path: Path | None, store_url: str | None) -> None:
    """Write incidents as records of a reporting framework (JSON; unmapped fields empty and marked)."""
    from kg.frameworks.export import export, to_json
    from kg.frameworks.values import store_runner

    try:
        store = _open_store(store_path, store_url)
        text = to_json(export(store_runner(store), framework, URIRef(incident.strip("<>")) if incident else None, store.version()))
    except KgError as error:
        exit_with(error)
    if out_file:
        out_file.write_text(text, encoding="utf-8")
        click.echo(f"{framework} export written to {out_file}", err=True)
    else:
        click.echo(text, nl=False)


@main.command("link")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), help="Store to read the incidents, organisations and places from.")
@click.option("--out", "review_path", type=click.Path(dir_okay=False, path_type=Path), help="Review file to (re)write, keeping the decisions in it [default: <data>/review/incident-candidates.csv].")
@click.option("--links", "links_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write the automatic and reviewed links as Turtle (e.g. data/links/incidents.ttl).")
@click.option("--incidents/--no-incidents", default=True, show_default=True, help="Link incidents across databases.")
@click.option("--model", "model_path", type=click.Path(dir_okay=False, path_type=Path), help="Link model to score with [default: <data>/links/incident-model.json].")
@click.option("--train", is_flag=True, help="Refit the link model first, on every <data>/links/samples/*.csv and the review file's decisions (then run kg link-score --fit).")
@click.option("--duplicates", "duplicates_path", type=click.Path(dir_okay=False, path_type=Path), help="AIAAIC near-duplicates review file to (re)write [default: <data>/review/aiaaic-duplicates.csv].")
@click.option("--wikidata", "use_wikidata", is_flag=True, help="Ask the Wikidata endpoint of $KG_WIKIDATA_ENDPOINT (default https://query.wikidata.org/sparql) for candidates.")
@click.option("--wikidata-endpoint", help="Ask this Wikidata-compatible SPARQL endpoint for candidates of our organisations, places and jurisdictions.")
@click.option("--wikidata-review", "wikidata_review", type=click.Path(dir_okay=False, path_type=Path), help="Wikidata review file to (re)write, keeping its decisions [default: <data>/review/wikidata-candidates.csv].")
@click.option("--wikidata-links", "wikidata_links", type=click.Path(dir_okay=False, path_type=Path), help="Write the accepted Wikidata links as Turtle (e.g. data/links/wikidata.ttl); needs no endpoint.")
def link_command(store_path: Path | None, review_path: Path | None, links_path: Path | None, incidents: bool, model_path: Path | None, train: bool, duplicates_path: Path | None, use_wikidata: bool, wikidata_endpoint: str | None, wikidata_review: Path | None, wikidata_links: Path | None) -> None:
    """Recompute incident candidates across AIAAIC, AIID and OECD and write the review file (and the links);
    with a Wikidata endpoint, also the Wikidata candidates of organisations, places and jurisdictions."""
    from kg.link import link_incidents
    from kg.link.wikidata_links import link_wikidata

    settings = get_settings()
    endpoint = wikidata_endpoint or (settings.wikidata_endpoint if use_wikidata else None)
    try:
        data = resolve_data_dir(settings.data)
        store = EmbeddedStore.open(default_store(store_path))
        if incidents:
            review_path = review_path or data / "review" / "incident-candidates.csv"
            samples = data / "links" / "samples"
            result = link_incidents(
                store, review_path, links_path, model_path=model_path or data / "links" / "incident-model.json",
                embeddings=data / "links" / "incident-embeddings.npz", embedding_model=settings.embedding_model,
                duplicates=duplicates_path or data / "review" / "aiaaic-duplicates.csv",
                train_on=sorted(samples.glob("*.csv")) if train else None)
            if result.training is not None:
                t = result.training
                click.echo(f"model refitted on {t.positives} twins, {t.negatives} labelled non-twins and "
                           f"{t.unlabelled_negatives} unlabelled pairs; threshold {t.threshold} (cross-validated "
                           f"precision {t.precision:.2f}, recall {t.recall:.2f})", err=True)
            click.echo(f"{len(result.candidates)} candidates, {result.exact} proposed as skos:exactMatch; "
                       f"{result.review_rows} rows for review in {review_path}; {result.duplicate_rows} AIAAIC "
                       "near-duplicates to review" + (f"; links in {links_path}" if links_path else ""), err=True)
        if endpoint or wikidata_links:
            wikidata_review = wikidata_review or data / "review" / "wikidata-candidates.csv"
            found = link_wikidata(store, endpoint, wikidata_review, wikidata_links)
            if endpoint:
                click.echo(f"Wikidata ({endpoint}): {len(found.candidates)} candidates, {found.suggested} suggested; "
                           f"{found.review_rows} rows for review in {wikidata_review}", err=True)
            if wikidata_links:
                click.echo(f"{found.accepted} accepted Wikidata links in {wikidata_links}", err=True)
    except KgError as error:
        exit_with(error)


@main.command("link-score")
@click.argument("samples", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), help="Store to read the incidents from (built by kg build).")
@click.option("--model", "model_path", type=click.Path(dir_okay=False, path_type=Path), help="Link model [default: <data>/links/incident-model.json].")
@click.option("--fit", is_flag=True, help="First refit the model's two thresholds on SAMPLES (leave-one-sample-out) and write them into the model.")
def link_score_command(samples: tuple[Path, ...], store_path: Path | None, model_path: Path | None, fit: bool) -> None:
    """Print the exactMatch precision and recall of the linker on each sample file (labelled pairs, or records
    drawn at random and searched by hand: see data/links/samples/README.md)."""
    from dataclasses import replace

    from kg.link.candidates import find_candidates, score_pairs
    from kg.link.embeddings import record_vectors
    from kg.link.model import LinkModel
    from kg.link.records import read_records
    from kg.link.thresholds import fit_thresholds, score_file

    try:
        settings = get_settings()
        links = resolve_data_dir(settings.data) / "links"
        model_path = model_path or links / "incident-model.json"
        model = LinkModel.read(model_path)
        records = read_records(EmbeddedStore.open(default_store(store_path)))
        vectors = record_vectors(list(records.values()), links / "incident-embeddings.npz", settings.embedding_model)
        if fit:
            scored = [(left, right, p) for left, right, _, _, p in score_pairs(records, model, vectors)]
            found = fit_thresholds(scored, list(samples))
            for name, ((threshold, mutual), fold) in found.folds.items():
                click.echo(f"cross-validated {name}: thresholds {threshold} / mutual {mutual} fitted without it; "
                           f"precision {fold.precision:.3f} recall {fold.recall:.3f} ({len(fold.true_positives)} "
                           f"right, {len(fold.false_positives)} wrong, {len(fold.false_negatives)} missed)")
            model = replace(model, threshold=found.threshold, mutual_threshold=found.mutual)
            model_path.write_text(model.to_json(), encoding="utf-8")
            click.echo(f"threshold {found.threshold} and mutual threshold {found.mutual} written to {model_path}",
                       err=True)
        candidates = find_candidates(records, model, vectors, minimum=0.0)
        for path in samples:
            s = score_file(candidates, path)
            click.echo(f"{path.name}: precision {s.precision:.3f} recall {s.recall:.3f} ({len(s.true_positives)} "
                       f"right, {len(s.false_positives)} wrong, {len(s.false_negatives)} missed)")
    except KgError as error:
        exit_with(error)


def _submissions_db(store_path: Path | None) -> Path:
    settings = get_settings()
    return settings.submissions_db or default_store(store_path) / "submissions.sqlite"


@main.group("editors")
def editors_group() -> None:
    """Editors who review submissions."""


@editors_group.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (else it is asked for).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), help="Store whose submissions database holds the editors.")
def editors_add_command(name: str, password_stdin: bool, store_path: Path | None) -> None:
    """Create editor NAME, or set a new password for NAME (stored as a salted scrypt hash)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        database = SubmissionDatabase(_submissions_db(store_path))
        database.set_editor(name, hash_password(password))
    except KgError as error:
        exit_with(error)
    click.echo(f"editor {name} can now sign in ({database.path})")


@main.group("submissions")
def submissions_group() -> None:
    """Back up and restore the submissions database."""


@submissions_group.command("export")
@click.option("--out", "out_file", required=True, type=click.File("w", encoding="utf-8"), help="JSON-lines file to write ('-': standard output).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path))
def submissions_export_command(out_file: io.TextIOBase, store_path: Path | None) -> None:
    """Write every submission, its state, decisions and history as JSON lines."""
    try:
        count = SubmissionDatabase(_submissions_db(store_path)).export(out_file)  # type: ignore[arg-type]
    except KgError as error:
        exit_with(error)
    click.echo(f"{count} submissions exported", err=True)


@submissions_group.command("import")
@click.argument("in_file", type=click.File("r", encoding="utf-8"))
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path))
def submissions_import_command(in_file: io.TextIOBase, store_path: Path | None) -> None:
    """Read what 'kg submissions export' wrote (all or nothing; submissions already present are kept)."""
    try:
        count = SubmissionDatabase(_submissions_db(store_path)).import_(in_file)  # type: ignore[arg-type]
    except KgError as error:
        exit_with(error)
    click.echo(f"{count} submissions imported")
