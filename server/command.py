"""The ``kg`` command as installed: the library's commands (kg.cli) plus ``kg serve``, which starts this server.

``kg serve`` lives here, not in kg.cli, because the library must not import the server (the layers go
sources → ingest → validate → store → serve); the console script points at :data:`main`.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from kg.build import build
from kg.cli import default_store, echo_progress, exit_with, format_report, main
from kg.errors import InvalidData, KgError, NotFound
from kg.resources import resolve_data_dir
from kg.settings import get_settings
from kg.store import EmbeddedStore


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), help="Store directory (built first if missing).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1), help="HTTP worker processes (each starts its own query workers).")
@click.option("--store-url", help="Serve from this remote SPARQL store (loaded by 'kg build --store-url'; default: $KG_STORE_URL).")
def serve_command(host: str, port: int, store_path: Path | None, workers: int, store_url: str | None) -> None:
    """Serve the SPARQL endpoint (/sparql), the pages (home at /, the query page at /query) and /health; build the store first if there is none."""
    import uvicorn

    from server import create_app
    from server.serving import uvicorn_options

    settings = get_settings()
    path = default_store(store_path)
    url = store_url or (None if store_path else settings.store_url)
    try:
        if url:
            from kg.remote_store import remote_from_settings

            remote_from_settings(url).version()  # says clearly when the store is down or holds no load
        else:
            EmbeddedStore.open(path)
    except NotFound:
        echo_progress(f"no store at {path} yet: building it")
        try:
            build(resolve_data_dir(settings.data), path, progress=echo_progress)
        except InvalidData as error:
            click.echo(format_report(error.report))
            exit_with(error)
        except KgError as error:
            exit_with(error)
    except KgError as error:
        exit_with(error)
    update: dict[str, object] = {"store": path, "store_url": url}
    if "public_url" not in settings.model_fields_set:
        update["public_url"] = f"http://{host}:{port}"
    settings = settings.model_copy(update=update)
    click.echo(f"serving {url or path} at {settings.public_url}/sparql (home page at {settings.public_url}/, query page at {settings.public_url}/query)", err=True)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, **uvicorn_options(settings.access_log))
        return
    os.environ["KG_STORE"] = str(path)
    os.environ["KG_PUBLIC_URL"] = settings.public_url
    if url:
        os.environ["KG_STORE_URL"] = url
    else:
        os.environ.pop("KG_STORE_URL", None)
    uvicorn.run("server.main:app_from_environment", factory=True, host=host, port=port, workers=workers,
                **uvicorn_options(settings.access_log))


main.add_command(serve_command)

__all__ = ["main"]
