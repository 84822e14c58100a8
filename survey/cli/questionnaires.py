"""`survey questionnaires`: check, compare, list and publish questionnaire files; export and import
versions and Leitbilder kept in the database (the drafts and versions of the office's pages)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click
from rich import box
from rich.table import Table

from survey.cli.common import (
    console,
    fail,
    folder_option,
    folder_path,
    input_file,
    output_file,
    run_async,
    surface_errors,
    version_number,
    write_file,
)
from survey.domain.yamlfile import MAX_FILE_BYTES
from survey.services.catalog import (
    check_folder,
    compare_versions,
    publish_folder,
    published_versions,
    read_folder,
)
from survey.services.draft_import import import_text
from survey.services.drafts import version_yaml
from survey.services.leitbild_drafts import leitbild_yaml


@click.group()
def questionnaires() -> None:
    """Check, compare, list and publish Leitbild and questionnaire files."""


@questionnaires.command("check")
@folder_option()
@surface_errors
def questionnaires_check(folder: Path | None) -> None:
    """Check every file; list every problem as `file:line: path: what to do`."""
    root = folder_path(folder)
    catalog, problems = check_folder(root)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        files = len({p.file for p in problems})
        fail(f"{len(problems)} problem(s) in {files} file(s) under {root}")
    versions = ", ".join(v.label for v in catalog.versions.values())
    click.echo(f"ok: {len(catalog.leitbilder)} Leitbild, {len(catalog.versions)} versions ({versions})")


@questionnaires.command("diff")
@click.argument("questionnaire")
@click.argument("a", callback=version_number)
@click.argument("b", callback=version_number)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@folder_option()
@surface_errors
def questionnaires_diff(questionnaire: str, a: int, b: int, as_json: bool, folder: Path | None) -> None:
    """Compare version A with version B of QUESTIONNAIRE: what changed, which trends stay comparable."""
    diff = compare_versions(folder_path(folder), questionnaire, a, b)
    if as_json:
        click.echo(json.dumps(asdict(diff), indent=2, ensure_ascii=False))
        return
    click.echo(f"{questionnaire} v{a} → v{b}")
    rows = [
        ("identical", ", ".join(diff.identical) or "–"),
        ("editorial", ", ".join(diff.editorial) or "–"),
        ("substantive", ", ".join(f"{o} → {n} (replaced)" for o, n in diff.replaced) or "–"),
        ("added", ", ".join(diff.added) or "–"),
        ("retired", ", ".join(diff.retired) or "–"),
    ]
    for label, text in rows:
        click.echo(f"  {label:<12} {text}")
    click.echo("values:")
    for trend in diff.values:
        if trend.comparable:
            state = f"comparable over {len(trend.common_items)} common item(s): " + ", ".join(
                trend.common_items
            )
        else:
            state = "trend breaks: no comparable item in both versions"
        click.echo(f"  {trend.value:<18} {state}")


@questionnaires.command("publish")
@folder_option()
@surface_errors
def questionnaires_publish(folder: Path | None) -> None:
    """Freeze every new version in the database; refuse edited published versions."""
    _, result = run_async(lambda: publish_folder(folder_path(folder)))
    for label in result.published:
        click.echo(f"published: {label}")
    for label in result.unchanged:
        click.echo(f"unchanged: {label}")


@questionnaires.command("list")
@folder_option()
@surface_errors
def questionnaires_list(folder: Path | None) -> None:
    """List the versions on disk and whether each is published."""
    catalog = read_folder(folder_path(folder))
    published = run_async(published_versions)
    table = Table(
        "questionnaire", "version", "audience", "languages", "items", "published", "file", box=box.SIMPLE
    )
    for ref, version in sorted(catalog.versions.items()):
        record = published.get(ref)
        state = "no"
        if record is not None:
            state = f"{record.published_at:%Y-%m-%d}"
            if record.content_hash != version.content_hash:
                state += " (file changed!)"
        table.add_row(
            version.questionnaire,
            f"v{version.version}",
            version.audience,
            " ".join(version.languages),
            str(len(version.items)),
            state,
            catalog.files[ref],
        )
    console.print(table)


def _optional_version(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    return None if value is None else version_number(ctx, param, value)


@questionnaires.command("export")
@click.argument("key")
@click.argument("version", required=False, callback=_optional_version)
@click.option(
    "--out", type=click.Path(path_type=Path), default=None, help="Write the file here (default: print it)."
)
@surface_errors
def questionnaires_export(key: str, version: int | None, out: Path | None) -> None:
    """Write VERSION of questionnaire KEY (without VERSION: the Leitbild KEY) as a file (YAML), from
    the database: a draft as saved, a published version so that it reads back to its content hash."""
    if out is not None:
        output_file(out, "--out")
    if version is None:
        text, state = run_async(lambda: leitbild_yaml(key))
        what = f"Leitbild {key}"
    else:
        text, state = run_async(lambda: version_yaml(key, version))
        what = f"{key} v{version}"
    if out is None:
        click.echo(text, nl=False)
        return
    write_file(out, "--out", text)
    click.echo(f"wrote {out}: {what} ({state})")


@questionnaires.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Replace a draft of the same version, if there is one.")
@click.option("--publish", is_flag=True, help="Publish it at once if the check finds no problem.")
@surface_errors
def questionnaires_import(file: Path, replace: bool, publish: bool) -> None:
    """Check a version or Leitbild FILE as `check` does (its version before it from the database)
    and keep it as a draft, as the office's upload does; the very content of a published version
    changes nothing. Exits 1 if the check finds a problem (the draft is kept, to be fixed)."""
    input_file(file, "FILE", max_bytes=MAX_FILE_BYTES)
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"FILE {file}: not UTF-8 text (byte {exc.start}): save the file as UTF-8")
        raise  # unreachable
    outcome = run_async(lambda: import_text(text, str(file), "cli", replace=replace, publish=publish))
    for problem in outcome.problems:
        click.echo(str(problem))
    if outcome.problems:
        fail(outcome.message.for_cli())
    click.echo(f"{outcome.kind}: {outcome.message.for_cli()}")
