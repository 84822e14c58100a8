"""The `survey` command."""

from survey.cli.main import main

__all__ = ["main"]
