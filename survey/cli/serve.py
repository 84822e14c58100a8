"""`survey serve`: the web app."""

from __future__ import annotations

import os
import sys

import click
import uvicorn

from survey.cli.common import run_async, settings, surface_errors
from survey.services.database import check_upgraded

#: how long uvicorn's supervisor waits for a worker to answer its health check before it kills the
#: worker and starts another (uvicorn's default: 5 s). The first chart a worker renders, in its
#: warm-up, holds Python's lock for about half a second of CPU (vl-convert starting its JavaScript
#: engine); on a busy host that stretched past 5 s, the worker was killed and started again, and
#: every start (some 7 s of CPU with its report process) slowed all other requests: under load,
#: workers went on being killed (seen in the benchmark's runs with four workers on two cores)
WORKER_HEALTHCHECK_SECONDS = 60
#: how long an idle keep-alive connection stays open (uvicorn's default: 5 s). A reverse proxy keeps
#: its connections to the app open longer (nginx: 60 s) and may send a request on one just as the
#: app closes it; a POST then fails (nginx answers 502, a client a broken connection). Seen in the
#: crash test: a client reused a connection idle for 5 s and got no answer
KEEP_ALIVE_SECONDS = 75


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: SURVEY_HOST or 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port (default: SURVEY_PORT or 8000)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes; sessions, lock-outs and counters live in the database, so any number works.",
)
@surface_errors
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Start the web app (litestar on uvicorn)."""
    config = settings()
    run_async(check_upgraded, needs_schema=False)
    # One BLAS thread per process: the statistics' small matrices gain nothing from more, and on
    # a busy server OpenBLAS threads spinning against each other made them many times slower.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    # each worker loads what the results pages need at its start, not at the first page
    os.environ.setdefault("SURVEY_WARM_UP", "1")
    # a report, which takes seconds anyway, waits where answers being sent want the CPU
    os.environ.setdefault("SURVEY_REPORT_NICENESS", "10")
    host = host or config.host
    port = port or config.port
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Leitbild-Puls läuft auf http://{shown}:{port}/  (Strg+C beendet)")
    sys.stdout.flush()
    uvicorn.run(
        "survey.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        workers=workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
