"""`survey report` on the demo Kommune: offline HTML whose embedded figures are the statistics'
own, German and English formats, and a PDF with pages that are not blank; on both engines.

`survey demo` and `survey report` run in this process through click's test runner (the real
commands; tests/cli/test_cli.py runs `survey demo` on both engines too). The figures the report
is checked against are computed again from the database, not taken from the cache the report
filled."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec


def _data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert match, "the report embeds its figures"
    return json.loads(match.group(1).replace("<\\/", "</"))


def test_reports_of_the_demo(database_url: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    def survey(*args: str):  # type: ignore[no-untyped-def]
        return cli(*args, url=database_url)

    assert survey("demo", "--waves", "5", "--citizen-ratings", "300").exit_code == 0
    german = tmp_path / "kjfs.html"
    result = survey("report", "kjfs", "--out", str(german))
    assert result.exit_code == 0, result.stderr
    html = german.read_text(encoding="utf-8")
    assert not re.search(r"https?://", html), "the report loads nothing from the network"
    assert '<html lang="de"' in html and re.search(r"\d,\d", html)
    assert re.search(
        r"(Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)", html
    )

    # The figures in the report are the statistics' own for the same unit and waves.
    import asyncio

    from survey.services import figures as figures_service
    from survey.store.engine import engine_from_url, is_sqlite, use_engine

    async def figures() -> dict:
        engine = engine_from_url(database_url)
        use_engine(engine)
        if not is_sqlite(engine):
            await engine.start_connection_pool(min_size=1, max_size=2)
        try:
            return msgspec.to_builtins(await figures_service.unit_figures("kjfs"))
        finally:
            if not is_sqlite(engine):
                await engine.close_connection_pool()

    cached = dict(figures_service._CACHE)
    figures_service._CACHE.clear()  # computed afresh, as the separate process used to
    try:
        expected = asyncio.run(figures())
    finally:
        figures_service._CACHE.update(cached)
    assert _data(html) == json.loads(json.dumps(expected))
    first = expected["values"][0]
    assert f"{first['latest']['mean']:.1f}".replace(".", ",") in html

    english = tmp_path / "kjfs-en.html"
    assert survey("report", "kjfs", "--lang", "en", "--out", str(english)).exit_code == 0
    text = english.read_text(encoding="utf-8")
    assert '<html lang="en"' in text and f"{first['latest']['mean']:.1f}" in text
    assert not re.search(r"\b(Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember) 20\d\d", text)

    overview = tmp_path / "overview.html"
    assert survey("report", "--overview", "--out", str(overview)).exit_code == 0
    rows = _data(overview.read_text(encoding="utf-8"))["rows"]
    assert {row["unit"] for row in rows} >= {"verwaltung", "kjfs", "jugendamt", "jobcenter"}
    for row in rows:
        for score in row["scores"].values():
            assert score is None or "hidden" in score or 0 <= score["mean"] <= 100

    pdf = tmp_path / "kjfs.pdf"
    assert survey("report", "kjfs", "--format", "pdf", "--out", str(pdf)).exit_code == 0
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    assert len(document) >= 3
    for index in range(len(document)):
        image = document[index].render(scale=0.5).to_pil().convert("L")
        white = sum(image.histogram()[246:]) / (image.width * image.height)
        assert white < 0.995, f"page {index + 1} is blank"
    text = document[0].get_textpage().get_text_range()
    assert f"1 / {len(document)}" in text

    usage = survey("report", "--out", str(tmp_path / "x.html"))
    assert usage.exit_code == 1 and "name a UNIT" in usage.stderr
    unknown = survey("report", "nirgendwo", "--out", str(tmp_path / "y.html"))
    assert unknown.exit_code == 1 and "no unit with key `nirgendwo`" in unknown.stderr
