"""`survey` in the test process through click's test runner (importable from any test module:
tests/ is on sys.path as the folder of the top conftest.py)."""

from __future__ import annotations

import contextlib
import traceback
from pathlib import Path

from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["run_cli"]


def run_cli(*args: str, url: str | None = None, stdin: str = "", **env: str) -> Result:
    """`survey ARGS` in this process through click's test runner: the real command with its option
    parsing, error handling and exit code, without a process start (about a second of imports)
    per call. DATABASE_URL is `url` (unset without one), SURVEY_QUESTIONNAIRES is unset, `env`
    sets more variables, and the working directory is the project's, as for `survey` in a shell
    there. Returns click's Result (`exit_code`, `stdout`, `stderr`); a traceback fails the test,
    as in a subprocess it would have been one on stderr.

    Only from a test that is not itself async: the command runs its own event loop."""
    from survey.cli.main import main

    environment: dict[str, str | None] = {"DATABASE_URL": url, "SURVEY_QUESTIONNAIRES": None, **env}
    with contextlib.chdir(ROOT):
        result = CliRunner().invoke(main, list(args), input=stdin, env=environment)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"survey {' '.join(args)} raised:\n{trace}\n{result.output}")
    return result
