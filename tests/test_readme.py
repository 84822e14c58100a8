"""The README documents every command, every option and every setting (datasette's rule)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from survey.cli import main
from survey.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "survey") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            out.extend(_commands(command, path))
        else:
            out.append((path, command))
    return out


COMMANDS = _commands(main)


def test_there_are_commands_to_check() -> None:
    assert len(COMMANDS) >= 9


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_and_option_is_in_the_readme(path: str, command: click.Command) -> None:
    rows = [line for line in README.splitlines() if line.startswith(f"| `{path}")]
    assert rows, f"the command reference in README.md lacks `{path}`"
    for param in command.params:
        if isinstance(param, click.Option):
            name = max(param.opts, key=len)
            if name == "--help":
                continue
            assert any(name in row for row in rows), f"README.md: `{path}` lacks {name}"
        else:
            shown = param.metavar or param.name.upper()
            assert any(shown in row for row in rows), f"README.md: `{path}` lacks {shown}"


@pytest.mark.parametrize(
    "variable", [*sorted(Settings.ENV.values()), "TEST_POSTGRES_URL", "REQUIRE_POSTGRES"]
)
def test_every_setting_is_in_the_readme(variable: str) -> None:
    assert f"| `{variable}` |" in README, f"README.md: the settings table lacks {variable}"


def test_readme_starts_with_the_two_commands() -> None:
    head = README.split("\n## ")[0]
    assert "make demo" in head and "make test" in head
