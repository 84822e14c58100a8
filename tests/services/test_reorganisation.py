"""Figures across a reorganisation (issue 24), on SQLite and PostgreSQL: the waves before it keep
their response rates and parent figures; a split unit's successors carry its earlier value, a
merged unit its predecessors' together; the 3 of a split into 40 and 3 are never shown."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path

import msgspec
from staff_waves import closed_staff_wave

from survey.domain.figures import HiddenFigure, Reorganisation, Reorganised, Score, UnitFigures
from survey.services.exports import raw_export
from survey.services.figures import organisation_overview, unit_figures
from survey.services.org import import_org

TODAY = dt.date.today()

BEFORE = """kommune: Kleinstadt
units:
  - {key: rathaus, name: Rathaus, kind: Verwaltung, headcount: 0}
  - {key: d1, name: Dezernat 1, kind: Dezernat, parent: rathaus, headcount: 0}
  - {key: d2, name: Dezernat 2, kind: Dezernat, parent: rathaus, headcount: 0}
  - {key: fb, name: Schul- und Sportverwaltung, kind: Fachbereich, parent: d1, headcount: 45}
  - {key: y, name: Archiv, kind: Fachbereich, parent: d1, headcount: 12}
  - {key: m1, name: Bürgerbüro Nord, kind: Fachbereich, parent: d2, headcount: 10}
  - {key: m2, name: Bürgerbüro Süd, kind: Fachbereich, parent: d2, headcount: 10}
  - {key: x, name: Ordnungsamt, kind: Fachbereich, parent: d2, headcount: 12}
"""
AFTER = """kommune: Kleinstadt
units:
  - {key: rathaus, name: Rathaus, kind: Verwaltung, headcount: 0}
  - {key: d1, name: Dezernat 1, kind: Dezernat, parent: rathaus, headcount: 0}
  - {key: d2, name: Dezernat 2, kind: Dezernat, parent: rathaus, headcount: 0}
  - {key: fa, name: Schulverwaltung, kind: Fachbereich, parent: d1, headcount: 42}
  - {key: fz, name: Sportamt, kind: Fachbereich, parent: d1, headcount: 3}
  - {key: y, name: Archiv, kind: Fachbereich, parent: d1, headcount: 12}
  - {key: m, name: Bürgerbüro, kind: Fachbereich, parent: d2, headcount: 25}
  - {key: x, name: Ordnungsamt, kind: Fachbereich, parent: d1, headcount: 14}
changes:
  - {kind: split, from: fb, to: [fa, fz], shares: {fa: 93, fz: 7}}
  - {kind: merged, from: [m1, m2], to: m}
  - {kind: moved, from: x, to: x}
"""
#: respondents per unit and the answer each gives (1–5), in the two waves before and the one after
BEFORE_PEOPLE = {"fb": (43, 4), "y": (10, 3), "m1": (6, 2), "m2": (7, 5), "x": (8, 3)}
AFTER_PEOPLE = {"fa": (40, 4), "fz": (3, 1), "y": (10, 3), "m": (13, 4), "x": (8, 3)}


async def _wave(key: str, number: int, people: dict[str, tuple[int, int]], approve) -> None:  # type: ignore[no-untyped-def]
    await closed_staff_wave(key, TODAY - dt.timedelta(days=90 - 30 * number), approve, people)


async def _split(tmp_path: Path, approve) -> None:  # type: ignore[no-untyped-def]
    """w1 before the reorganisation, w3 after it."""
    path = tmp_path / "org.yaml"
    path.write_text(BEFORE, encoding="utf-8")
    await import_org(path)
    await _wave("w1", 0, BEFORE_PEOPLE, approve)
    path.write_text(AFTER, encoding="utf-8")
    await import_org(path)
    await _wave("w3", 2, AFTER_PEOPLE, approve)


def _gemeinsam(figures: UnitFigures, wave: str) -> object:
    value = next(v for v in figures.values if v.value == "gemeinsam")
    return next(p.score for p in value.series if p.wave == wave)


def _past(figures: UnitFigures) -> dict[str, object]:
    """What a page shows of the waves before the reorganisation: respondents, rate, a value."""
    return {
        w.wave: (
            msgspec.to_builtins(w.respondents),
            w.headcount,
            msgspec.to_builtins(w.response_rate),
            _gemeinsam(figures, w.wave),
        )
        for w in figures.waves
        if w.wave in ("w1", "w2")
    }


async def test_the_waves_before_a_reorganisation_keep_their_figures(db: str, tmp_path: Path, approve) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "org.yaml"
    path.write_text(BEFORE, encoding="utf-8")
    await import_org(path)
    for number, key in enumerate(("w1", "w2")):
        await _wave(key, number, BEFORE_PEOPLE, approve)
    before = {key: _past(await unit_figures(key)) for key in ("rathaus", "d1", "d2", "x", "y")}
    fb = await unit_figures("fb")
    merged_before = [await unit_figures(key) for key in ("m1", "m2")]
    overview_before = {r.unit: r for r in (await organisation_overview()).rows}

    path.write_text(AFTER, encoding="utf-8")
    await import_org(path)
    await _wave("w3", 2, AFTER_PEOPLE, approve)

    # past response rates and parent figures are what they were: the Ordnungsamt (8 people, 12
    # staff) still counts for Dezernat 2, where it was then, and not for Dezernat 1
    for key, past in before.items():
        assert _past(await unit_figures(key)) == past, key
    d2 = await unit_figures("d2")
    assert d2.waves[0].respondents == 6 + 7 + 8 and d2.waves[0].headcount == 10 + 10 + 12
    assert d2.waves[-1].respondents == 13 and d2.waves[-1].headcount == 25
    d1 = await unit_figures("d1")
    assert d1.waves[0].respondents == 43 + 10 and d1.waves[-1].respondents == 40 + 3 + 10 + 8
    # the overview was kept for the waves it showed; now it shows w2 and w3 from the new series
    overview = {r.unit: r for r in (await organisation_overview()).rows}
    assert overview_before["d2"].respondents == 21 and overview["d2"].respondents == 13

    # a split unit's earlier series is the value of the unit it came from, shared, and says so
    for key in ("fa", "fz"):
        successor = await unit_figures(key)
        assert [w.wave for w in successor.waves] == ["w1", "w2", "w3"]
        assert successor.waves[0].respondents == 43
        assert _gemeinsam(successor, "w1") == _gemeinsam(fb, "w1")
        assert successor.waves[0].reorganised == Reorganised("shared", ["Schul- und Sportverwaltung"])
        assert successor.waves[2].reorganised is None
        assert successor.reorganisations == [
            Reorganisation(TODAY, "split", ["Schul- und Sportverwaltung"], "w3")
        ]
    assert (await unit_figures("x")).reorganisations == [
        Reorganisation(TODAY, "moved", ["Ordnungsamt"], "w3")
    ]
    assert (await unit_figures("d1")).reorganisations == []
    # a merged unit's earlier series is its predecessors' together
    m = await unit_figures("m")
    assert m.waves[0].respondents == 13 and m.waves[0].headcount == 20
    assert m.waves[0].reorganised == Reorganised("merged", ["Bürgerbüro Nord", "Bürgerbüro Süd"])
    together = _gemeinsam(m, "w1")
    assert isinstance(together, Score) and together.n == 13
    parts = [_gemeinsam(f, "w1") for f in merged_before]
    assert all(isinstance(p, Score) for p in parts)
    assert together.mean == round((6 * parts[0].mean + 7 * parts[1].mean) / 13, 4)  # type: ignore[union-attr]


async def test_the_three_of_a_split_into_40_and_3_are_never_shown(db: str, tmp_path: Path, approve) -> None:  # type: ignore[no-untyped-def]
    await _split(tmp_path, approve)

    fz = await unit_figures("fz")
    assert isinstance(fz.waves[-1].respondents, HiddenFigure) and fz.waves[-1].respondents.reason == "below_k"
    assert isinstance(_gemeinsam(fz, "w3"), HiddenFigure)
    assert all(isinstance(i.latest, HiddenFigure) for i in fz.items)
    # Dezernat 1 less the 40 would be the 3 with the Archiv and the Ordnungsamt: the next-smallest
    # sibling is hidden as well, so the difference is never 3 people alone
    d1 = await unit_figures("d1")
    children = {c["unit"]: c["respondents"] for c in d1.children}
    assert children["fa"] == 40
    hidden = [k for k, n in children.items() if isinstance(n, dict)]
    assert "fz" in hidden and len(hidden) >= 2
    assert sum(n for n in children.values() if isinstance(n, int)) <= 61 - 5
    rows = {r.unit: r for r in (await organisation_overview()).rows}
    assert isinstance(rows["fz"].respondents, HiddenFigure)
    assert isinstance(rows["fz"].scores["gemeinsam"], HiddenFigure)


async def test_the_trend_charts_mark_the_reorganisation_in_both_languages(
    db: str, tmp_path: Path, approve
) -> None:  # type: ignore[no-untyped-def]
    from survey.report import charts

    await _split(tmp_path, approve)
    fa = await unit_figures("fa")
    value = next(v for v in fa.values if v.value == "gemeinsam")
    for language, label in (
        ("de", "Neuordnung: geteilt aus Schul- und Sportverwaltung"),
        ("en", "reorganisation: split from Schul- und Sportverwaltung"),
    ):
        chart = charts.value_trend(
            value, language, (), charts.reorganisation_markers(fa.reorganisations, language)
        )
        assert label in chart.svg and label[1:] in chart.summary
    merged = await unit_figures("m")
    de = charts.reorganisation_markers(merged.reorganisations, "de")
    assert [label for _, label, _ in de] == ["Neuordnung: Bürgerbüro Nord und Bürgerbüro Süd zusammengelegt"]
    # a unit without a reorganisation in its lineage gets no line
    assert charts.reorganisation_markers((await unit_figures("y")).reorganisations, "de") == []


async def _raw_rows(unit: str) -> dict[tuple[str, str], int]:
    """(wave, unit of the response) → responses in the unit's raw export (CSV)."""
    export = await raw_export(fmt="csv", unit=unit)
    text = export.content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text), dialect=csv.Sniffer().sniff(text.splitlines()[0]))
    return dict(Counter((row["wave"], row["unit"]) for row in reader))


async def test_a_raw_export_of_a_unit_follows_it_across_the_reorganisation(
    db: str, tmp_path: Path, approve
) -> None:  # type: ignore[no-untyped-def]
    """Row-level exports read each wave in the organisation it ran with, as the figures do: the
    Schulverwaltung's rows before the split are the old Fachbereich's, the merged Bürgerbüro's are
    both old ones', and the Ordnungsamt counts for the Dezernat it belonged to in each wave."""
    await _split(tmp_path, approve)
    assert await _raw_rows("fa") == {("w1", "fb"): 43, ("w3", "fa"): 40}
    assert await _raw_rows("fz") == {("w1", "fb"): 43, ("w3", "fz"): 3}
    assert await _raw_rows("m") == {("w1", "m1"): 6, ("w1", "m2"): 7, ("w3", "m"): 13}
    assert await _raw_rows("d1") == {
        ("w1", "fb"): 43,
        ("w1", "y"): 10,
        ("w3", "fa"): 40,
        ("w3", "fz"): 3,
        ("w3", "y"): 10,
        ("w3", "x"): 8,
    }
    assert await _raw_rows("d2") == {("w1", "m1"): 6, ("w1", "m2"): 7, ("w1", "x"): 8, ("w3", "m"): 13}
