"""`survey invite`, `survey unit-link`, `survey receipts`, `survey poster`: ways in for respondents."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from survey.cli.common import fail, output_file, run_async, settings, surface_errors, write_file
from survey.report.printing import html_to_pdf, invitation_letters_html, poster_html, qr_png
from survey.services.invitations import (
    create_unit_link,
    issue_invitations,
    issue_receipt_codes,
    service_point_details,
    service_point_url,
)


def _new_file(path: Path) -> Path:
    if path.exists() or path.is_symlink():
        fail(f"{path} exists already: codes are written once; choose another --out or move the file away")
    return output_file(path, "--out")


@click.command()
@click.argument("wave_key", metavar="WAVE")
@click.option("--unit", "unit", required=True, help="Unit key the codes are for.")
@click.option("--count", type=int, required=True, help="Number of codes (one per person).")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the CSV (mail merge), the letters as HTML and as PDF.",
)
@click.option(
    "--lang",
    type=click.Choice(["de", "en"]),
    default="de",
    show_default=True,
    help="Language of the letters.",
)
@surface_errors
def invite(wave_key: str, unit: str, count: int, out: Path, lang: str) -> None:
    """Issue single-use invitation codes for staff of a unit in WAVE.

    The codes exist in plain text only in the files written now; the database keeps their
    keyed hashes, and deletes each when it is used.
    """
    stem = f"{wave_key}-{unit}"
    paths = [
        _new_file(out / f"{stem}-codes.csv"),
        _new_file(out / f"{stem}-letters.html"),
        _new_file(out / f"{stem}-letters.pdf"),
    ]
    issued = run_async(lambda: issue_invitations(settings(), wave_key, unit, count))
    table = io.StringIO(newline="")
    writer = csv.writer(table, delimiter=";")
    writer.writerow(["code", "link"])
    writer.writerows([code, f"{issued.entry_url}/{code}"] for code in issued.codes)
    write_file(paths[0], "--out", table.getvalue())
    html = invitation_letters_html(
        kommune=issued.kommune,
        wave_title=issued.wave.title,
        unit_name=issued.unit_name,
        closes_on=issued.wave.closes_on,
        entry_url=issued.entry_url,
        codes=issued.codes,
        language=lang,
    )
    write_file(paths[1], "--out", html)
    write_file(paths[2], "--out", html_to_pdf(html))
    click.echo(f"{count} codes for {issued.unit_name} in {wave_key}:")
    for path in paths:
        click.echo(f"  {path}")


@click.command("unit-link")
@click.argument("wave_key", metavar="WAVE")
@click.option("--unit", "unit", required=True, help="Unit key the link is for.")
@surface_errors
def unit_link(wave_key: str, unit: str) -> None:
    """Create a link for a whole unit (staff without e-mail) with a shared access code."""
    link = run_async(lambda: create_unit_link(settings(), wave_key, unit))
    click.echo(f"link for {link.unit_name}: {link.url}")
    click.echo(f"access code (post it in the unit, not online): {link.access_code}")


@click.command()
@click.argument("service_point", metavar="SERVICE_POINT")
@click.option("--count", type=int, required=True, help="Number of receipt codes.")
@click.option("--valid-days", type=int, default=90, show_default=True, help="Days each code stays valid.")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="CSV file for printing the codes on receipts.",
)
@surface_errors
def receipts(service_point: str, count: int, valid_days: int, out: Path) -> None:
    """Issue one-time receipt codes for citizens of SERVICE_POINT (optional)."""
    _new_file(out)
    config = settings()
    name, codes = run_async(lambda: issue_receipt_codes(config, service_point, count, valid_days))
    base = service_point_url(config, service_point)
    table = io.StringIO(newline="")
    writer = csv.writer(table, delimiter=";")
    writer.writerow(["code", "link"])
    writer.writerows([code, f"{base}?beleg={code}"] for code in codes)
    write_file(out, "--out", table.getvalue())
    click.echo(f"{count} receipt codes for {name}: {out}")


@click.command()
@click.argument("service_point", metavar="SERVICE_POINT")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write: .pdf (A4 poster) or .png (the QR code alone).",
)
@click.option(
    "--lang", type=click.Choice(["de", "en"]), default="de", show_default=True, help="Language of the poster."
)
@click.option("--kiosk", is_flag=True, help="Link to the kiosk form instead (for a tablet at the counter).")
@surface_errors
def poster(service_point: str, out: Path, lang: str, kiosk: bool) -> None:
    """Write the QR code poster of SERVICE_POINT (its permanent link)."""
    if out.suffix.lower() not in (".pdf", ".png"):
        fail(f"--out {out}: end the file name in .pdf (poster) or .png (QR code)")
    output_file(out, "--out")
    config = settings()
    kommune, name = run_async(lambda: service_point_details(service_point))
    url = service_point_url(config, service_point) + ("/kiosk" if kiosk else "")
    output_file(out, "--out")
    if out.suffix.lower() == ".png":
        write_file(out, "--out", qr_png(url))
    else:
        write_file(
            out,
            "--out",
            html_to_pdf(poster_html(kommune=kommune, service_point_name=name, url=url, language=lang)),
        )
    click.echo(f"{name}: {url} → {out}")
