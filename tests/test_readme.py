"""The docs stay complete and findable (datasette's rule).

`docs/cli.md` documents every command and option, `docs/settings.md` every setting, each only
there; the README stays short, starts with the two commands and maps every page of `docs/`; no
relative link in the README or `docs/` points to a file or heading that is not there.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from survey.cli import main
from survey.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
CLI_REFERENCE = (DOCS / "cli.md").read_text(encoding="utf-8")
SETTINGS_PAGE = (DOCS / "settings.md").read_text(encoding="utf-8")
PAGES = sorted(DOCS.glob("*.md"))
#: every Markdown file a reader may land on; the command and settings tables live in one each
MARKDOWN = [README_PATH, *PAGES, ROOT / "SECURITY.md", ROOT / "BENCHMARKS.md"]
MAX_README_LINES = 150


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
SETTINGS = [*sorted(Settings.ENV.values()), "TEST_POSTGRES_URL", "REQUIRE_POSTGRES", "REQUIRE_BROWSER"]


def test_there_are_commands_to_check() -> None:
    assert len(COMMANDS) >= 9


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_and_option_is_in_the_cli_reference(path: str, command: click.Command) -> None:
    rows = [line for line in CLI_REFERENCE.splitlines() if line.startswith(f"| `{path}")]
    assert rows, f"the command reference in docs/cli.md lacks `{path}`"
    for param in command.params:
        if isinstance(param, click.Option):
            name = max(param.opts, key=len)
            if name == "--help":
                continue
            assert any(name in row for row in rows), f"docs/cli.md: `{path}` lacks {name}"
        else:
            shown = param.metavar or param.name.upper()
            assert any(shown in row for row in rows), f"docs/cli.md: `{path}` lacks {shown}"


@pytest.mark.parametrize("variable", SETTINGS)
def test_every_setting_is_in_the_settings_page(variable: str) -> None:
    assert f"| `{variable}` |" in SETTINGS_PAGE, f"docs/settings.md: the settings table lacks {variable}"


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_commands_and_settings_are_documented_once(page: Path) -> None:
    """Other pages link to the reference instead of keeping a second table that drifts."""
    if page.name in ("cli.md", "settings.md") and page.parent == DOCS:
        return
    lines = page.read_text(encoding="utf-8").splitlines()
    commands = [line for line in lines if line.startswith("| `survey ")]
    assert not commands, f"{page.name}: command rows belong in docs/cli.md: {commands[0]}"
    settings = [v for v in SETTINGS if any(line.startswith(f"| `{v}` |") for line in lines)]
    assert not settings, f"{page.name}: setting rows belong in docs/settings.md: {settings}"


def test_readme_starts_with_the_two_commands() -> None:
    head = README.split("\n## ")[0]
    assert "make demo" in head and "make test" in head
    first_block = README.split("```")[1].splitlines()[1:]
    assert [line.split()[:2] for line in first_block[:2]] == [["make", "demo"], ["make", "test"]]


def test_readme_is_short() -> None:
    lines = len(README.splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; move detail into docs/"


def test_there_are_docs_pages() -> None:
    names = {page.name for page in PAGES}
    assert {"cli.md", "settings.md", "glossary.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_docs_page_is_in_the_readme_map(page: Path) -> None:
    sections = [s for s in README.split("\n## ") if s.startswith("Documentation\n")]
    assert sections, "README.md lacks its map of docs/ (the section `## Documentation`)"
    assert f"](docs/{page.name})" in sections[0], f"README.md's map of docs/ lacks {page.name}"


_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _prose(text: str) -> str:
    """The text outside code, where `[x](y)` is a link."""
    return _CODE.sub("", _FENCE.sub("", text))


def _anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    out = set()
    for heading in _HEADING.findall(_FENCE.sub("", text)):
        plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
        out.add(re.sub(r"[^\w\- ]", "", plain.lower()).replace(" ", "-"))
    return out


@pytest.mark.parametrize("page", [README_PATH, *PAGES], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_a_file_that_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    links = [t for t in _LINK.findall(_prose(text)) if not re.match(r"[a-z]+:", t)]
    assert page != README_PATH or links, "no links found: the pattern is broken"
    for target in links:
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.is_file(), f"{page.name}: the link `{target}` points to no file"
        if anchor and file.suffix == ".md":
            known = _anchors(file.read_text(encoding="utf-8"))
            assert anchor in known, f"{page.name}: `{target}`: {file.name} has no heading `#{anchor}`"
