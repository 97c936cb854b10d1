"""The ``cubegraph`` command line.

One click group with the global options (``--store``, ``--base-iri``, ``--token``,
``--config``, ``--debug``); each face of the tool registers its commands from its own
module. Every error ends as ONE clear line on stderr and a non-zero exit code; ``--debug``
shows the traceback.
"""

from __future__ import annotations

import sys

import click

from cubegraph.config import Settings, load_settings
from cubegraph.errors import CubegraphError
from cubegraph.kg import Store, open_store
from cubegraph.kg.errors import StoreUnavailable
from cubegraph.kg.served import served_url


class Context:
    """What every command needs: the settings, and the store opened on first use."""

    def __init__(self, settings: Settings, debug: bool):
        self.settings = settings
        self.debug = debug
        self._store: Store | None = None

    def store(self, *, read_only: bool = False) -> Store:
        if self._store is None:
            # The token goes to a remote store (a cubegraph server needs it for writes).
            try:
                self._store = open_store(self.settings.store, base_iri=self.settings.base_iri,
                                         read_only=read_only, token=self.settings.token,
                                         data_root=self.settings.data_root)
            except StoreUnavailable as exc:
                self._store = self._through_server(read_only, exc)
        return self._store

    def _through_server(self, read_only: bool, locked: StoreUnavailable) -> Store:
        """The store folder is locked: when ``cubegraph serve`` serves it, go through the
        server (saying so), else let the lock error stand."""
        location = str(self.settings.store)
        url = None if "://" in location else served_url(location)
        if url is None:
            raise locked
        token = self.settings.token
        click.echo(f"the store {location} is served by 'cubegraph serve' at {url}: going "
                   f"through it ({'writes with the token of CUBEGRAPH_TOKEN' if token else 'no token: writes will be refused; set CUBEGRAPH_TOKEN to the server’s'})",
                   err=True)
        return open_store(url + "sparql", base_iri=self.settings.base_iri, read_only=read_only,
                          token=token, data_root=self.settings.data_root)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class _Group(click.Group):
    """Turns every known error into one line on stderr (a traceback only with --debug)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (CubegraphError, OSError, ValueError) as exc:
            if "--debug" in sys.argv:
                raise
            click.echo(f"error: {_one_line(exc)}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, FileNotFoundError) and exc.filename and str(exc.filename) not in text:
        text = f"{text}: '{exc.filename}'"
    return " ".join(text.split())


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", envvar="CUBEGRAPH_STORE", metavar="PATH",
              help="Store folder or SPARQL endpoint URL (default ./data/store; env CUBEGRAPH_STORE; "
                   "':memory:' for a throw-away store).")
@click.option("--base-iri", envvar="CUBEGRAPH_BASE_IRI", metavar="IRI",
              help="Base of every minted IRI (default http://127.0.0.1:8765/).")
@click.option("--token", metavar="TOKEN",
              help="Bearer token for writes to a remote --store URL (env CUBEGRAPH_TOKEN, "
                   "preferred: a flag shows in ps).")
@click.option("--data-root", metavar="DIR",
              help="Folder that recorded file locations are kept relative to, so the data can "
                   "move (env CUBEGRAPH_DATA_ROOT; default none: absolute paths only).")
@click.option("--config", "config_file", envvar="CUBEGRAPH_CONFIG", metavar="FILE",
              help="TOML config file (default ./cubegraph.toml when present).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="cubegraph")
@click.pass_context
def main(ctx: click.Context, store, base_iri, token, data_root, config_file, debug):
    """cubegraph: a knowledge graph of Earth-observation data cubes and explainable ML runs."""
    settings = load_settings({"store": store, "base_iri": base_iri, "token": token,
                              "data_root": data_root}, config_file=config_file)
    ctx.obj = Context(settings, debug)
    ctx.call_on_close(ctx.obj.close)
    if debug:  # cubegraph's own debug log (e.g. the traceback of a cube that failed oddly)
        import logging

        log = logging.getLogger("cubegraph")
        log.setLevel(logging.DEBUG)
        if not log.handlers:
            log.addHandler(logging.StreamHandler())


# Each module defines the commands of one face; the group adds them here, so that no
# command module imports this package back (no import circle).
from cubegraph.api.cli import (  # noqa: E402
    demo_commands,
    discovery_commands,
    ingest_commands,
    ml_commands,
    reasoning_commands,
    serve_commands,
    store_commands,
)

for _module in (demo_commands, discovery_commands, ingest_commands, ml_commands,
                reasoning_commands, serve_commands, store_commands):
    for _command in _module.COMMANDS:
        main.add_command(_command)
