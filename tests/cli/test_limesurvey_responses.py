"""`survey import limesurvey-responses`: responses of a LimeSurvey-shaped export built here become
a closed past wave, and `survey stats` gives the means computed directly from the CSV; rows that
do not fit are named with line and reason and nothing is imported; a `.lsa` archive with SGQA
columns and a participant list maps units through a token attribute. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import random
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "limesurvey" / "ls6_sample_survey_multilingual_fr_de_en_it_ru.lss"
SID = "282267"
UNITS = {"A1": "personal-organisation", "A2": "finanzen", "A3": "it"}
MAPPING = """\
values:
  F: [gemeinsam]
  A: [vertrauen]
  q5: [nachhaltig]
  Y: [unbuerokratisch]
  L: [kundenorientiert]
units:
  from: ldd
  codes:
    A1: personal-organisation
    A2: finanzen
    A3: it
"""
#: LimeSurvey answer code → our code, written down here independently of the importer: F's
#: options A1…A4 in their order, L's in LimeSurvey's sort order (A0 is third), Y as no/yes
CODES = {
    "F": {"A1": 1, "A2": 2, "A3": 3, "A4": 4},
    "L": {"A1": 1, "A2": 2, "A0": 3, "A3": 4, "A4": 5},
    "A": {str(n): n for n in range(1, 6)},
    "q5": {str(n): n for n in range(1, 6)},
    "Y": {"N": 0, "Y": 1},
}
RANGES = {"F": (1, 4), "L": (1, 5), "A": (1, 5), "q5": (1, 5), "Y": (0, 1)}
#: CSV column → (item id, question)
COLUMNS = {
    **{f"F[SQ0{r}]": (f"f-sq0{r}", "F") for r in range(1, 5)},
    **{f"A[SQ0{r}]": (f"a-sq0{r}", "A") for r in range(1, 5)},
    "q5": ("q5", "q5"),
    "Y": ("y", "Y"),
    "L": ("l", "L"),
}
FIXED = ["id", "submitdate", "lastpage", "startlanguage", "seed", "token", "ipaddr"]


@pytest.fixture
def kommune(database_url: str, tmp_path: Path) -> Path:
    """An empty database with the demo organisation, and a questionnaire folder holding the
    LimeSurvey sample imported as `ls-beispiel` v1; returns the folder."""
    folder = tmp_path / "questionnaires"
    shutil.copytree(ROOT / "questionnaires", folder)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    assert run_cli("db", "upgrade", url=database_url).exit_code == 0
    assert (
        run_cli("org", "import", str(ROOT / "survey" / "demo" / "org.yaml"), url=database_url).exit_code == 0
    )
    imported = run_cli(
        "import", "limesurvey", str(SAMPLE), "--questionnaire", "ls-beispiel", "--mapping", str(mapping),
        "--dir", str(folder),
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    return folder


def _rows(seed: int = 7, per_unit: int = 20) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for unit in UNITS:
        for _ in range(per_unit):
            row = {
                "id": str(len(rows) + 1),
                "submitdate": f"2024-03-{rng.randint(4, 22):02d} 10:{rng.randint(0, 59):02d}:00",
                "lastpage": "7",
                "startlanguage": rng.choice(["en", "fr", "de-informal"]),
                "seed": str(rng.randint(1, 10**9)),
                "token": f"tok-geheim-{len(rows)}",
                "ipaddr": "192.0.2.44",
                "ldd": unit,
                "N": str(rng.randint(1, 99)),  # a question left out: its column is ignored
                "S": rng.choice(["", "Mehr Personal, bitte.", 'Alles gut; danke, "wirklich"']),
            }
            for column, (_, question) in COLUMNS.items():
                options = list(CODES[question])
                row[column] = "" if rng.random() < 0.1 else rng.choice(options)
            rows.append(row)
    return rows


def _csv(rows: list[dict[str, str]], path: Path, delimiter: str = ",") -> Path:
    header = [*FIXED, "ldd", "N", "S", *COLUMNS]
    out = io.StringIO()
    writer = csv.DictWriter(out, header, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _expected(rows: list[dict[str, str]]) -> dict[str, tuple[int, float]]:
    """Item id → (n, mean on 0–100), straight from the CSV."""
    expected = {}
    for column, (item, question) in COLUMNS.items():
        codes = [CODES[question][r[column]] for r in rows if r[column]]
        low, high = RANGES[question]
        mean = sum(codes) / len(codes)
        expected[item] = (len(codes), (mean - low) / (high - low) * 100)
    return expected


def _stats(url: str, unit: str) -> dict:
    """`survey stats UNIT --json` (scores to four decimals, hence the tolerance of the comparisons)."""
    result = run_cli("stats", unit, "--questionnaire", "ls-beispiel", "--json", url=url)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _import(url: str, folder: Path, source: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "import", "limesurvey-responses", str(source), "--questionnaire", "ls-beispiel",
        "--mapping", str(folder.parent / "mapping.yaml"), "--wave", "umfrage-2024",
        "--dir", str(folder), *extra,
        url=url,
    )  # fmt: skip


def _query(url: str, sql: str) -> list[tuple]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return [tuple(r) for r in db.execute(sql)]

    async def read() -> list[tuple]:
        import asyncpg

        connection = await asyncpg.connect(url)
        try:
            return [tuple(r) for r in await connection.fetch(sql)]
        finally:
            await connection.close()

    return asyncio.run(read())


def test_round_trip_stats_give_the_means_of_the_csv(database_url: str, kommune: Path, tmp_path: Path) -> None:
    rows = _rows()
    source = _csv(rows, tmp_path / "results-survey282267.csv", delimiter=";")
    result = _import(database_url, kommune, source)
    assert result.exit_code == 0, result.output
    assert (
        "imported 60 responses" in result.stdout
        and "closed wave umfrage-2024 of ls-beispiel v1" in result.stdout
    )
    assert "finanzen: 20" in result.stdout
    listed = run_cli("wave", "list", "--json", url=database_url)
    wave = next(w for w in json.loads(listed.stdout) if w["key"] == "umfrage-2024")
    assert wave["status"] == "closed" and wave["responses"] == 60
    submitted = sorted(r["submitdate"][:10] for r in rows)
    assert (wave["opens_on"], wave["closes_on"]) == (submitted[0], submitted[-1])

    for unit, members in (
        ("finanzen", [r for r in rows if r["ldd"] == "A2"]),
        ("it", [r for r in rows if r["ldd"] == "A3"]),
        ("zentral", rows),  # the parent: all three units
    ):
        figures = _stats(database_url, unit)
        items = {i["item"]: i["latest"] for i in figures["items"]}
        for item, (n, mean) in _expected(members).items():
            assert items[item]["n"] == n, (unit, item)
            assert items[item]["mean"] == pytest.approx(mean, abs=5e-5), (unit, item)
        # A value with one item (q5 → nachhaltig) has that item's score.
        value = next(v for v in figures["values"] if v["value"] == "nachhaltig")
        assert value["latest"]["mean"] == pytest.approx(_expected(members)["q5"][1], abs=5e-5)

    # Anonymous stays anonymous: no id, token, IP, seed or time of LimeSurvey is stored; only
    # the wave's last day, the unit, the language, codes and free texts.
    days = _query(database_url, "SELECT DISTINCT submitted_on FROM response")
    assert [str(d[0])[:10] for d in days] == [submitted[-1]]
    languages = {r[0] for r in _query(database_url, "SELECT DISTINCT language FROM response")}
    assert languages == {"en", "fr", "de"}
    texts = sorted(r[0] for r in _query(database_url, "SELECT text FROM comment"))
    assert texts == sorted(r["S"] for r in rows if r["S"])
    if database_url.startswith("sqlite"):
        stored = Path(database_url.removeprefix("sqlite:///")).read_bytes()
        assert b"tok-geheim" not in stored and b"192.0.2.44" not in stored
    audit = _query(database_url, "SELECT action, target FROM audit_log WHERE action = 'wave.imported'")
    assert audit == [("wave.imported", "umfrage-2024")]

    again = _import(database_url, kommune, source)
    assert again.exit_code == 1 and "a wave `umfrage-2024` exists already" in again.stderr


def test_rows_that_do_not_fit_are_named_and_nothing_is_imported(
    database_url: str, kommune: Path, tmp_path: Path
) -> None:
    rows = _rows(per_unit=5)
    rows[1]["ldd"] = "A4"  # line 3: a unit code the mapping lacks
    rows[3]["F[SQ02]"] = "A9"  # line 5: no answer code of F
    rows[4]["submitdate"] = ""  # line 6: incomplete
    rows[6]["ldd"] = ""  # line 8: no unit
    rows[7]["startlanguage"] = "xx"  # line 9
    source = _csv(rows, tmp_path / "results.csv")
    result = _import(database_url, kommune, source)
    assert result.exit_code == 1
    error = result.stderr
    for fragment in (
        f"{source}:3: row 3: `ldd` is `A4`, which `units.codes` does not map: add it",
        f"{source}:5: row 5: `F[SQ02]` is `A9`, which is no answer code of it (A1, A2, A3, A4)",
        f"{source}:6: row 6: incomplete response (no submitdate)",
        f"{source}:8: row 8: no unit: `ldd` is empty",
        f"{source}:9: row 9: the language `xx` is not one of the questionnaire",
        "5 of 15 rows do not fit: nothing imported",
    ):
        assert fragment in error, error
    assert "Traceback" not in result.output
    assert _query(database_url, "SELECT COUNT(*) FROM response") == [(0,)]
    assert _query(database_url, "SELECT COUNT(*) FROM wave") == [(0,)]

    # Fixed, with the incomplete row left out on purpose: 14 responses.
    rows[1]["ldd"], rows[3]["F[SQ02]"], rows[6]["ldd"], rows[7]["startlanguage"] = "A1", "A2", "A3", "en"
    fixed = _import(database_url, kommune, _csv(rows, source), "--skip-incomplete")
    assert fixed.exit_code == 0, fixed.output
    assert "imported 14 responses" in fixed.stdout and "left out 1 incomplete" in fixed.stdout


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda rows: rows, "mapping.yaml:12: units.codes.A3: there is no unit `itt`"),
        (
            lambda rows: [{k: v for k, v in r.items() if k != "ldd"} for r in rows],
            "no column for the question `ldd`",
        ),
        (
            lambda rows: [{k: v for k, v in r.items() if k != "A[SQ03]"} for r in rows],
            "no column for the item(s) a-sq03",
        ),
    ],
    ids=["unknown unit", "no unit column", "no item column"],
)
def test_a_mapping_or_export_that_does_not_fit_is_refused(
    database_url: str,
    kommune: Path,
    tmp_path: Path,
    change,
    fragment: str,  # type: ignore[no-untyped-def]
) -> None:
    if fragment.startswith("mapping.yaml"):
        (kommune.parent / "mapping.yaml").write_text(MAPPING.replace("A3: it", "A3: itt"), encoding="utf-8")
    rows = change(_rows(per_unit=5))
    header = [*FIXED, "ldd", "N", "S", *COLUMNS]
    out = io.StringIO()
    writer = csv.DictWriter(out, [h for h in header if h in rows[0]], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    source = tmp_path / "results.csv"
    source.write_text(out.getvalue(), encoding="utf-8")
    result = _import(database_url, kommune, source, "--opens", "2024-03-01", "--closes", "2024-03-31")
    assert result.exit_code == 1
    assert fragment in result.stderr, result.stderr
    assert _query(database_url, "SELECT COUNT(*) FROM wave") == [(0,)]


def _lsa(tmp_path: Path, rows: list[dict[str, str]], *, anonymized: bool) -> Path:
    """A LimeSurvey archive: the structure, the responses with SGQA columns (written `_282267X…`
    as LimeSurvey does in XML) and the participant list with attribute_1 = Abteilung."""
    structure = SAMPLE.read_text(encoding="utf-8")
    if not anonymized:
        structure = structure.replace(
            "<anonymized><![CDATA[Y]]></anonymized>", "<anonymized><![CDATA[N]]></anonymized>"
        )
    sgqa = {"F": "2471X22813", "A": "2471X22814", "q5": "2471X22802", "Y": "2471X22800", "L": "2471X22805"}

    def column(name: str) -> str:
        question, _, row = name.partition("[")
        return f"_{SID}X{sgqa[question]}{row.rstrip(']')}"

    def element(tag: str, text: str) -> str:
        return f"<{tag}><![CDATA[{text}]]></{tag}>"

    response_rows = []
    token_rows = []
    for index, row in enumerate(rows):
        fields = [
            element("id", row["id"]),
            element("submitdate", row["submitdate"]),
            element("token", row["token"]),
        ]
        fields += [element("startlanguage", row["startlanguage"])]
        fields += [element(column(c), row[c]) for c in COLUMNS if row[c]]
        response_rows.append("<row>" + "".join(fields) + "</row>")
        unit = {"A1": "Personal", "A2": "Finanzen", "A3": "IT"}[row["ldd"]]
        token_rows.append(
            f"<row>{element('tid', str(index))}{element('token', row['token'])}"
            f"{element('email', f'person{index}@lindenau.example')}{element('attribute_1', unit)}</row>"
        )
    responses = (
        "<?xml version='1.0' encoding='UTF-8'?><document><LimeSurveyDocType>Responses</LimeSurveyDocType>"
        f"<responses><rows>{''.join(response_rows)}</rows></responses></document>"
    )
    tokens = (
        "<?xml version='1.0' encoding='UTF-8'?><document><LimeSurveyDocType>Tokens</LimeSurveyDocType>"
        f"<tokens><rows>{''.join(token_rows)}</rows></tokens></document>"
    )
    path = tmp_path / f"survey_archive_{SID}.lsa"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"survey_{SID}.lss", structure)
        archive.writestr(f"survey_{SID}_responses.lsr", responses)
        archive.writestr(f"survey_{SID}_tokens.lst", tokens)
    return path


def test_an_archive_maps_units_through_a_token_attribute(
    database_url: str, kommune: Path, tmp_path: Path
) -> None:
    rows = _rows(per_unit=6)
    mapping = kommune.parent / "mapping.yaml"
    mapping.write_text(
        "units:\n  from: attribute_1\n  codes:\n    Personal: personal-organisation\n"
        "    Finanzen: finanzen\n    IT: it\n",
        encoding="utf-8",
    )
    anonymous = _import(database_url, kommune, _lsa(tmp_path, rows, anonymized=True))
    assert anonymous.exit_code == 1
    assert "the survey is anonymous, so its responses carry no token" in anonymous.stderr
    assert _query(database_url, "SELECT COUNT(*) FROM wave") == [(0,)]

    archive = _lsa(tmp_path, rows, anonymized=False)
    result = _import(database_url, kommune, archive)
    assert result.exit_code == 0, result.output
    assert "imported 18 responses" in result.stdout
    figures = _stats(database_url, "finanzen")
    items = {i["item"]: i["latest"] for i in figures["items"]}
    for item, (n, mean) in _expected([r for r in rows if r["ldd"] == "A2"]).items():
        assert (items[item]["n"], items[item]["mean"]) == (n, pytest.approx(mean, abs=5e-5)), item
    # The participant list was read for the unit only: no e-mail address or token is stored.
    if database_url.startswith("sqlite"):
        stored = Path(database_url.removeprefix("sqlite:///")).read_bytes()
        assert b"lindenau.example" not in stored and b"tok-geheim" not in stored


def test_dates_are_needed_where_the_export_has_none(database_url: str, kommune: Path, tmp_path: Path) -> None:
    rows = _rows(per_unit=5)
    for row in rows:
        row["submitdate"] = "1980-01-01 00:00:00"  # LimeSurvey's date in anonymous surveys without dates
    source = _csv(rows, tmp_path / "results.csv")
    refused = _import(database_url, kommune, source)
    assert refused.exit_code == 1 and "give --opens and --closes" in refused.stderr
    future = _import(database_url, kommune, source, "--opens", "1.3.2024", "--closes", str(dt.date.today()))
    assert future.exit_code == 1 and "is not in the past" in future.stderr
    done = _import(database_url, kommune, source, "--opens", "1.3.2024", "--closes", "31.3.2024")
    assert done.exit_code == 0, done.output
    assert "2024-03-01 to 2024-03-31" in done.stdout
