"""`survey import`: questionnaires and earlier results from LimeSurvey."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich import box
from rich.table import Table

from survey.cli.common import (
    DATE,
    console,
    fail,
    folder_option,
    folder_path,
    input_file,
    output_file,
    run_async,
    surface_errors,
    write_file,
)
from survey.domain.limesurvey.convert import LEFT_OUT, TEXT_TYPES
from survey.domain.limesurvey.lss import MAX_LSS_BYTES
from survey.domain.limesurvey.mapping import ImportMapping
from survey.domain.limesurvey.responses import MAX_RESPONSE_BYTES
from survey.domain.yamlfile import MAX_FILE_BYTES
from survey.services.limesurvey import (
    choose_leitbild,
    import_responses,
    import_structure,
    mapping_template_text,
    read_mapping_file,
    read_structure,
)


@click.group("import")
def import_group() -> None:
    """Bring questionnaires and earlier results over from LimeSurvey."""


def _print_notes(notes) -> None:  # type: ignore[no-untyped-def]
    if not notes:
        click.echo("everything was carried over")
        return
    table = Table("question", "what happened", "why", title="Import report", box=box.SIMPLE)
    for note in notes:
        table.add_row(note.question or "(survey)", note.kind, note.message)
    console.print(table)


def _ask_values(survey, leitbild):  # type: ignore[no-untyped-def]
    """Ask, question by question, which Leitbild values it measures (a terminal only)."""
    base = survey.languages[0]
    keys = leitbild.value_keys
    click.echo("Leitbild values: " + ", ".join(f"{n}={key}" for n, key in enumerate(keys, 1)))
    click.echo(
        "For each question, type the numbers of the values it measures (e.g. 1,3), or Enter to leave it out."
    )
    values: dict[str, list[str]] = {}
    for question in survey.questions:
        if question.type in LEFT_OUT or question.type in TEXT_TYPES or question.type == "Q":
            continue
        text = " ".join((question.texts.get(base) or "").split())[:100]
        rows = f" ({len(question.rows)} rows)" if question.rows else ""
        while True:
            answer = click.prompt(f"{question.code}{rows}: {text}", default="", show_default=False)
            numbers = [part.strip() for part in answer.split(",") if part.strip()]
            if all(n.isdigit() and 1 <= int(n) <= len(keys) for n in numbers):
                values[question.code] = [keys[int(n) - 1] for n in dict.fromkeys(numbers)]
                break
            click.echo(f"  type numbers from 1 to {len(keys)}, separated by commas, or press Enter")
    return ImportMapping(file="(answers typed in)", values=values)


@import_group.command("limesurvey")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--questionnaire", required=True, help="Key of the questionnaire to write, e.g. mitarbeiterbefragung."
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Mapping file: Leitbild values per LimeSurvey question (without it, asked in the terminal).",
)
@click.option(
    "--mapping-template",
    "template_out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write a mapping file to fill in, listing every rated question, and stop.",
)
@click.option(
    "--ask",
    is_flag=True,
    help="Ask for the values question by question (the default without --mapping in a terminal).",
)
@click.option("--audience", type=click.Choice(["staff", "citizen"]), default="staff", show_default=True)
@click.option("--leitbild", default=None, help="Leitbild key (default: the only one in the folder).")
@click.option(
    "--version", type=click.IntRange(1), default=None, help="Version number (default: the next one)."
)
@folder_option()
@surface_errors
def import_limesurvey(
    file: Path,
    questionnaire: str,
    mapping_file: Path | None,
    template_out: Path | None,
    ask: bool,
    audience: str,
    leitbild: str | None,
    version: int | None,
    folder: Path | None,
) -> None:
    """Turn the LimeSurvey survey structure FILE (.lss) into a questionnaire version file."""
    input_file(file, "FILE", max_bytes=MAX_LSS_BYTES)
    survey = read_structure(file)
    chosen = choose_leitbild(folder_path(folder), leitbild)
    if template_out is not None:
        output_file(template_out, "--mapping-template")
        if template_out.exists():
            fail(f"--mapping-template {template_out} exists already: give a new file name")
        write_file(template_out, "--mapping-template", mapping_template_text(survey, chosen))
        click.echo(f"wrote {template_out}: fill in the values, then run again with --mapping {template_out}")
        return
    if mapping_file is not None:
        input_file(mapping_file, "--mapping", max_bytes=MAX_FILE_BYTES)
        mapping = read_mapping_file(mapping_file)
    elif ask or sys.stdin.isatty():
        mapping = _ask_values(survey, chosen)
    else:
        fail(
            "--mapping FILE is needed when no one can be asked (not a terminal): "
            "write one with --mapping-template FILE"
        )
    result = import_structure(
        survey,
        questionnaires=folder_path(folder),
        questionnaire=questionnaire,
        audience=audience,
        leitbild=chosen,
        mapping=mapping,
        version=version,
    )
    languages = ", ".join(result.conversion.data["languages"])
    click.echo(
        f"wrote {result.version_file}: {result.conversion.items} items in "
        f"{len(result.conversion.data['languages'])} languages ({languages}), and {result.link_file}"
    )
    _print_notes(result.notes)


@import_group.command("limesurvey-responses")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--questionnaire", required=True, help="The questionnaire imported with `survey import limesurvey`."
)
@click.option(
    "--version", type=click.IntRange(1), default=None, help="Its version (default: the newest imported)."
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(path_type=Path),
    required=True,
    help="Mapping file whose `units:` names the question or token attribute and its codes' unit keys.",
)
@click.option("--wave", "wave_key", required=True, help="Key of the past wave to create, e.g. puls-2024.")
@click.option("--opens", type=DATE, default=None, help="First day (default: the first submission's day).")
@click.option("--closes", type=DATE, default=None, help="Last day (default: the last submission's day).")
@click.option("--title", default=None, help="Title of the wave in reports.")
@click.option("--k", type=int, default=5, show_default=True, help="Smallest group whose scores are shown.")
@click.option(
    "--k-text", type=int, default=10, show_default=True, help="Smallest group for distributions and texts."
)
@click.option(
    "--skip-incomplete", is_flag=True, help="Leave out responses without a submit date (else refused)."
)
@folder_option()
@surface_errors
def import_limesurvey_responses(
    file: Path,
    questionnaire: str,
    version: int | None,
    mapping_file: Path,
    wave_key: str,
    opens,  # type: ignore[no-untyped-def]
    closes,  # type: ignore[no-untyped-def]
    title: str | None,
    k: int,
    k_text: int,
    skip_incomplete: bool,
    folder: Path | None,
) -> None:
    """Load LimeSurvey responses FILE (CSV with answer codes, or a .lsa archive) as a closed past wave."""
    input_file(file, "FILE", max_bytes=MAX_RESPONSE_BYTES)
    input_file(mapping_file, "--mapping", max_bytes=MAX_FILE_BYTES)
    mapping = read_mapping_file(mapping_file)
    result = run_async(
        lambda: import_responses(
            file,
            questionnaires=folder_path(folder),
            questionnaire=questionnaire,
            version=version,
            mapping=mapping,
            wave_key=wave_key,
            opens_on=opens.date() if opens else None,
            closes_on=closes.date() if closes else None,
            title=title,
            k=k,
            k_text=k_text,
            skip_incomplete=skip_incomplete,
        )
    )
    click.echo(
        f"imported {result.responses} responses ({result.answers} answers, {result.comments} free texts) "
        f"as the closed wave {result.wave} of {result.questionnaire} v{result.version}, "
        f"{result.opens_on} to {result.closes_on}"
    )
    for unit, count in result.per_unit.items():
        click.echo(f"  {unit}: {count}")
    if result.skipped_incomplete:
        click.echo(f"left out {result.skipped_incomplete} incomplete responses (--skip-incomplete)")
    if result.absent_texts:
        click.echo(f"the export holds no column for the free-text item(s) {', '.join(result.absent_texts)}")
    if result.other_answers:
        click.echo(
            f'{result.other_answers} "other" answers count as no answer (their texts are not carried over)'
        )
