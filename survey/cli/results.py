"""`survey stats` and `survey report`: figures on the terminal, reports as files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import msgspec
from rich import box
from rich.table import Table

from survey.cli.common import console, fail, output_file, progress_bar, run_async, surface_errors, write_file

# The figures and reports pull in scipy and altair (seconds of imports): only the two commands
# here import them, when they run, so that `survey --help` and every other command do not wait.


def _fmt(figure) -> str:  # type: ignore[no-untyped-def]
    if figure is None:
        return "–"
    if getattr(figure, "hidden", False):
        return f"hidden ({figure.reason})"
    if hasattr(figure, "mean"):
        if figure.low is None:
            return f"{figure.mean:.1f} (n={figure.n})"
        return f"{figure.mean:.1f} [{figure.low:.1f}–{figure.high:.1f}] n={figure.n}"
    return str(figure)


def _fmt_change(change) -> str:  # type: ignore[no-untyped-def]
    if change is None:
        return "–"
    if getattr(change, "hidden", False):
        return f"hidden ({change.reason})"
    mark = " *" if change.significant else ""
    if change.test == "Brunner–Munzel":  # items: the probability that an answer is now higher
        return f"p̂={0.5 + change.difference:.2f} (p_adj={change.p_adjusted:.3f}){mark}"
    return f"{change.difference:+.1f} (p_adj={change.p_adjusted:.3f}){mark}"


def _fmt_trend(trend) -> str:  # type: ignore[no-untyped-def]
    if trend.direction == "not_enough_waves":
        return f"not enough waves ({trend.waves})"
    slope = f", {trend.slope_per_wave:+.1f}/wave" if trend.slope_per_wave is not None else ""
    return f"{trend.direction} (τ={trend.tau:+.2f}, p_adj={trend.p_adjusted:.3f}{slope})"


@click.command()
@click.argument("unit")
@click.option("--questionnaire", default="staff-pulse", show_default=True, help="Questionnaire of the waves.")
@click.option(
    "--waves", "last", type=click.IntRange(1, 200), default=None, help="Only the last N waves (default: all)."
)
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
@surface_errors
def stats(unit: str, questionnaire: str, last: int | None, as_json: bool) -> None:
    """Figures and trends of UNIT (with its sub-units) for the latest wave; hidden figures say why."""
    from survey.services.figures import unit_figures

    figures = run_async(lambda: unit_figures(unit, questionnaire, last))
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(figures), indent=2).decode())
        return
    latest = figures.waves[-1]
    respondents = latest.respondents if isinstance(latest.respondents, int) else _fmt(latest.respondents)
    rate = (
        f"response rate {latest.response_rate:.0%}"
        if isinstance(latest.response_rate, float)
        else latest.no_rate.explanation
        if latest.no_rate
        else f"response rate {_fmt(latest.response_rate)}"
    )
    click.echo(
        f"{figures.name} ({figures.kind}) — {latest.title}: {respondents} respondents, "
        f"{rate}; scores 0–100 with 95 % intervals; k={figures.k}"
    )
    table = Table("value", "latest", "change", "trend", "parent", "organisation", "citizens", box=box.SIMPLE)
    for value in figures.values:
        if not value.asked:
            table.add_row(value.name, "not asked in this questionnaire", *[""] * 5)
            continue
        table.add_row(
            value.name,
            _fmt(value.latest),
            _fmt_change(value.change),
            _fmt_trend(value.trend),
            _fmt(value.parent),
            _fmt(value.organisation),
            _fmt(value.external),
        )
    console.print(table)
    items = Table("item", "latest", "top-2", "change", box=box.SIMPLE)
    for item in figures.items:
        top = f"{item.top_box:.0%}" if item.top_box is not None else "–"
        items.add_row(item.item, _fmt(item.latest), top, _fmt_change(item.change))
    console.print(items)
    click.echo(f"* significant after Benjamini–Hochberg across the {figures.tests} tests shown (FDR 5 %)")


@click.command()
@click.argument("unit", required=False)
@click.option("--overview", is_flag=True, help="The organisation overview (all Dezernate and Fachbereiche).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf"]),
    default="html",
    show_default=True,
    help="One self-contained HTML file, or a PDF for print.",
)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True, help="Language.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option(
    "--waves", "last", type=click.IntRange(1, 200), default=None, help="Only the last N waves (default: all)."
)
@click.option("--questionnaire", default="staff-pulse", show_default=True, help="Questionnaire of the waves.")
@surface_errors
def report(
    unit: str | None, overview: bool, fmt: str, lang: str, out: Path, last: int | None, questionnaire: str
) -> None:
    """Write the department trend report of UNIT (with its sub-units), or the organisation overview."""
    from survey.report.render import to_pdf
    from survey.services.reports import department_report, overview_report

    if overview == bool(unit):
        fail("name a UNIT for its department report, or give --overview for the organisation overview")
    output_file(out, "--out")  # before the figures are computed: a wrong --out fails at once
    with progress_bar() as bar:
        task = bar.add_task("Bericht", total=4)

        def step(description: str) -> None:
            bar.update(task, description=description, advance=1)

        # the same report as the dashboard's report pages (survey.services.reports)
        today = dt.date.today()
        if overview:
            built = run_async(
                lambda: overview_report(questionnaire, lang, today, with_citizens=True, progress=step)
            )
        else:
            built = run_async(
                lambda: department_report(unit or "", questionnaire, lang, today, last=last, progress=step)
            )
        html = built.html
        if fmt == "pdf":
            step("PDF")
            write_file(out, "--out", to_pdf(html))
        else:
            write_file(out, "--out", html)
        bar.update(task, completed=4)
    click.echo(f"wrote {out}")
