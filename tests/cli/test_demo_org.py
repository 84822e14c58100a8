"""`survey demo --org FILE`: the demo simulated on another organisation file (the benchmarks grow
the Kommune this way), in-process through click's test runner; a broken or missing file is refused
with the place and the fix, and nothing is stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from survey.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"


def _run(url: str, *args: str) -> Result:
    result = CliRunner().invoke(
        main, list(args), env={"DATABASE_URL": url, "SURVEY_QUESTIONNAIRES": str(QUESTIONNAIRES)}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _small_org(tmp_path: Path) -> Path:
    """Only the Dezernat `zentral` of the demo Kommune (no Jugendamt), with its own headcounts."""
    data = yaml.safe_load((ROOT / "survey" / "demo" / "org.yaml").read_text(encoding="utf-8"))
    keep = {"verwaltung", "zentral", "personal-organisation", "finanzen", "it"}
    data["kommune"] = "Gemeinde Kleinau"
    data["units"] = [u for u in data["units"] if u["key"] in keep]
    for unit in data["units"]:
        unit["headcount"] = {"finanzen": 30, "it": 20}.get(unit["key"], unit["headcount"])
    data["service_points"] = []
    path = tmp_path / "kleinau.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_demo_on_another_organisation(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/kleinau.sqlite3"
    built = _run(url, "demo", "--org", str(_small_org(tmp_path)), "--waves", "2", "--citizen-ratings", "0")
    assert built.exit_code == 0, built.output
    assert "Gemeinde Kleinau: 5 units, 0 service points" in built.stdout
    # Demo users whose unit this organisation lacks are left out; the others are there.
    assert "leitung-jugendamt" not in built.stdout and "leitung-kjfs" not in built.stdout
    assert "personalrat" in built.stdout and "admin" in built.stdout
    with sqlite3.connect(tmp_path / "kleinau.sqlite3") as db:
        units = {key for (key,) in db.execute("SELECT key FROM org_unit")}
        answered = {
            key
            for (key,) in db.execute("SELECT DISTINCT u.key FROM answer a JOIN org_unit u ON u.id = a.unit")
        }
        users = {name for (name,) in db.execute("SELECT username FROM app_user")}
    assert units == {"verwaltung", "zentral", "personal-organisation", "finanzen", "it"}
    assert answered <= units and {"finanzen", "it"} <= answered
    assert users == {"admin", "buero", "personalrat", "auswertung"}


def test_demo_refuses_a_missing_or_broken_organisation_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/nothing.sqlite3"
    missing = _run(url, "demo", "--org", str(tmp_path / "fehlt.yaml"))
    assert missing.exit_code == 2 and "fehlt.yaml" in missing.stderr and "does not exist" in missing.stderr
    broken = tmp_path / "kaputt.yaml"
    broken.write_text("kommune: Kaputtstadt\nunits:\n  - key: a\n    parent: b\n", encoding="utf-8")
    refused = _run(url, "demo", "--org", str(broken))
    assert refused.exit_code == 1 and "kaputt.yaml" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.output
    with sqlite3.connect(tmp_path / "nothing.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM org_unit").fetchone() == (0,)
