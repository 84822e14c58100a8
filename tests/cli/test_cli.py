"""The `survey` command: output, exit codes and clear errors.

The commands run in this process through click's test runner (tests/conftest.py run_cli: the
real command, its option parsing, error handling and exit codes, without a second of imports
per call); the first tests run the real `python -m survey` in a subprocess, and so does every
test that serves over HTTP.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]
SURVEY = [sys.executable, "-m", "survey"]


def process(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m survey ARGS` as a separate process, as a person runs it."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SURVEY_QUESTIONNAIRES")}
    environment.update(env)
    result = subprocess.run(
        [*SURVEY, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def survey(*args: str, url: str | None = None, stdin: str = "", **env: str):  # type: ignore[no-untyped-def]
    """`survey ARGS` in this process; click's Result (exit_code, stdout, stderr)."""
    return run_cli(*args, url=url, stdin=stdin, **env)


# --- questionnaires check and diff (files only) ---------------------------------------------


def test_check_passes_on_the_shipped_files() -> None:
    result = process("questionnaires", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "citizen-contact v1, staff-pulse v1, staff-pulse v2" in result.stdout


def test_check_lists_every_problem_by_file_and_path(questionnaires_copy: Path) -> None:
    v1 = questionnaires_copy / "staff-pulse" / "v1.yaml"
    data = yaml.safe_load(v1.read_text(encoding="utf-8"))
    data["items"][2]["scale"] = "agree7"
    data["items"][4]["values"] = ["effizienz"]
    del data["items"][5]["text"]["en"]
    v1.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    citizen = questionnaires_copy / "citizen-contact" / "v1.yaml"
    citizen.write_text(
        citizen.read_text(encoding="utf-8").replace("audience: citizen", "audience: buerger"),
        encoding="utf-8",
    )
    result = survey("questionnaires", "check", "--dir", str(questionnaires_copy))
    assert result.exit_code == 1
    out = result.stdout
    assert f"{v1}:" in out
    assert "items[2].scale: no scale named `agree7`" in out
    assert "items[4].values[0]: `effizienz` is not a value of the Leitbild `lindenau`" in out
    assert "items[5].text: no text for `en`: add `en: ...`" in out
    assert (
        f"{citizen}:" in out and "audience: `buerger` is not allowed here: use one of staff, citizen" in out
    )
    assert "4 problem(s) in 2 file(s)" in result.stderr  # v2 is compared once v1 is clean


def test_check_names_a_missing_folder(tmp_path: Path) -> None:
    result = survey("questionnaires", "check", "--dir", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "no such folder" in result.stdout


def test_diff_reports_each_kind_of_change() -> None:
    result = survey("questionnaires", "diff", "staff-pulse", "1", "2")
    assert result.exit_code == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:6]}
    assert "wissen-geteilt" in lines["editorial"]
    assert "ablaeufe-vereinfachen → vereinfachungen-umgesetzt" in lines["substantive"]
    assert lines["added"].split()[1:] == ["wissen-gesichert"]
    assert lines["retired"].split()[1:] == ["rueckmeldungen-genutzt"]
    assert "freundlich-respektvoll" in lines["identical"]
    assert "unbuerokratisch    comparable over 2 common item(s)" in result.stdout


def test_diff_as_json_and_with_v_prefix() -> None:
    result = survey("questionnaires", "diff", "staff-pulse", "v1", "v2", "--json")
    data = json.loads(result.stdout)
    assert data["replaced"] == [["ablaeufe-vereinfachen", "vereinfachungen-umgesetzt"]]
    assert {v["value"] for v in data["values"] if v["comparable"]} >= {"gemeinsam", "nachhaltig"}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("staff-pulse", "eins", "2"), 2, "'eins' is not a version"),
        (("staff-pulse", "1", "9"), 1, "staff-pulse has no version 9"),
        (("kantine", "1", "2"), 1, "there is no questionnaire `kantine`"),
        (("staff-pulse", "2", "2"), 1, "compare two different versions"),
    ],
)
def test_diff_refuses_bad_arguments_clearly(args: tuple[str, ...], code: int, message: str) -> None:
    result = survey("questionnaires", "diff", *args)
    assert result.exit_code == code
    assert message in result.stderr


# --- database, publishing, organisation, demo (SQLite and PostgreSQL) -----------------------


def _hashes(url: str) -> list[tuple]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url[len("sqlite:///") :]) as connection:
            return connection.execute(
                "SELECT questionnaire, version, content_hash, content FROM questionnaire_version ORDER BY id"
            ).fetchall()
    import asyncio

    import asyncpg

    async def fetch() -> list[tuple]:
        connection = await asyncpg.connect(url)
        try:
            rows = await connection.fetch(
                "SELECT questionnaire, version, content_hash, content FROM questionnaire_version ORDER BY id"
            )
            return [tuple(r) for r in rows]
        finally:
            await connection.close()

    return asyncio.run(fetch())


def test_edited_published_version_is_refused(database_url: str, questionnaires_copy: Path) -> None:
    folder = ("--dir", str(questionnaires_copy))
    assert survey("db", "upgrade", url=database_url).exit_code == 0
    first = survey("questionnaires", "publish", *folder, url=database_url)
    assert first.exit_code == 0, first.stderr
    assert "published: staff-pulse v2" in first.stdout
    before = _hashes(database_url)
    v1 = questionnaires_copy / "staff-pulse" / "v1.yaml"
    data = yaml.safe_load(v1.read_text(encoding="utf-8"))
    v1.write_text(
        v1.read_text(encoding="utf-8").replace(data["title"]["de"], "Neuer Titel"), encoding="utf-8"
    )
    again = survey("questionnaires", "publish", *folder, url=database_url)
    assert again.exit_code == 1
    assert f"{v1}: staff-pulse v1 was published on" in again.stderr
    assert "undo the change and create v3 instead" in again.stderr
    assert _hashes(database_url) == before
    listing = survey("questionnaires", "list", *folder, url=database_url)
    assert "(file changed!)" in listing.stdout


def test_upgrade_and_demo_the_same_way_on_both_engines(database_url: str) -> None:
    upgrade = survey("db", "upgrade", url=database_url)
    assert upgrade.exit_code == 0 and re.search(r"applied [1-9][0-9]* migration\(s\)", upgrade.stdout)
    assert "up to date" in survey("db", "upgrade", url=database_url).stdout
    demo = survey("demo", "--waves", "2", "--citizen-ratings", "100", url=database_url)
    assert demo.exit_code == 0, demo.stderr
    assert "Stadt Lindenau: 28 units, 10 service points" in demo.stdout
    assert "waves created: 4, already there: 0" in demo.stdout
    again = survey("demo", "--waves", "2", "--citizen-ratings", "100", url=database_url)
    assert "waves created: 0, already there: 4" in again.stdout
    listing = json.loads(survey("org", "list", "--json", url=database_url).stdout)
    kjfs = next(u for u in listing["units"] if u["key"] == "kjfs")
    assert kjfs["kind"] == "Dezernat" and kjfs["subtree_headcount"] > kjfs["headcount"]
    assert len(listing["service_points"]) == 10
    table = survey("org", "list", url=database_url).stdout
    assert "kjfs" in table and "Jugendamt" in table


def test_org_import_bad_file_imports_nothing(database_url: str, tmp_path: Path) -> None:
    assert survey("db", "upgrade", url=database_url).exit_code == 0
    bad = tmp_path / "org.yaml"
    bad.write_text(
        "kommune: Stadt X\nunits:\n"
        "  - {key: a, name: A, kind: Verwaltung, headcount: 5}\n"
        "  - {key: b, name: B, kind: Dezernat, parent: c, headcount: 5}\n"
        "  - {key: c, name: C, kind: Fachbereich, parent: b, headcount: zwölf}\n",
        encoding="utf-8",
    )
    result = survey("org", "import", str(bad), url=database_url)
    assert result.exit_code == 1
    assert f"{bad}:5: units[2].headcount: expected a whole number, found a text" in result.stdout
    assert "the parents form a cycle" in result.stdout
    assert "nothing was imported" in result.stderr
    assert "no organisation yet" in survey("org", "list", url=database_url).stderr


def test_commands_need_an_upgraded_database(tmp_path: Path) -> None:
    result = survey("org", "list", url=f"sqlite:///{tmp_path}/new.sqlite3")
    assert result.exit_code == 1
    assert "run `survey db upgrade` first" in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///:memory:", "must be a file"),
        ("mysql://db/survey", "use sqlite:///path/to/file.sqlite3 or postgresql://"),
        (
            "postgresql://lp:geheim@127.0.0.1:1/nowhere",
            "cannot open the database postgresql://lp:***@127.0.0.1:1",
        ),
    ],
)
def test_bad_database_url_gives_a_clear_error(url: str, message: str) -> None:
    result = survey("db", "upgrade", url=url)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "geheim" not in result.stderr


def test_bad_setting_gives_a_clear_error() -> None:
    result = process("serve", SURVEY_PORT="achtzig")
    assert result.returncode == 1
    assert "SURVEY_PORT='achtzig' is not valid: give a whole number" in result.stderr


def test_serve_answers_over_http(database_url: str, running_server) -> None:  # type: ignore[no-untyped-def]
    assert survey("db", "upgrade", url=database_url).exit_code == 0
    with running_server(database_url) as server:
        with urllib.request.urlopen(f"{server.base}/health", timeout=2) as response:
            health = json.loads(response.read())
        assert health["status"] == "ok"
        assert health["database"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
        with urllib.request.urlopen(f"{server.base}/", timeout=5) as response:
            page = response.read().decode()
        assert '<html lang="de">' in page
    assert f"{server.base}/" in server.out


def _spawned_children(parent: int) -> list[int]:
    """multiprocessing's spawned children of a process, from /proc: a worker's report processes,
    or the workers of `survey serve --workers N`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if ppid == parent and b"spawn_main" in command:
                found.append(int(entry.name))
    return found


def test_serve_starts_a_report_process_below_its_priority_that_ends_with_it(  # type: ignore[no-untyped-def]
    database_url: str, running_server
) -> None:
    """`survey serve` starts the worker's report process at once, at a lower CPU priority; killed
    (SIGKILL, no shutdown code run), the worker takes the report process with it."""
    assert survey("db", "upgrade", url=database_url).exit_code == 0
    with running_server(database_url, SURVEY_WARM_UP=None, SURVEY_REPORT_NICENESS=None) as server:
        deadline = time.monotonic() + 30
        while not (children := _spawned_children(server.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        [child] = children
        lower = min(os.getpriority(os.PRIO_PROCESS, server.pid) + 10, 19)
        while os.getpriority(os.PRIO_PROCESS, child) != lower and time.monotonic() < deadline:
            time.sleep(0.2)  # it lowers its priority once it has started
        assert os.getpriority(os.PRIO_PROCESS, child) == lower
        os.kill(server.pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not Path(f"/proc/{child}").exists(), "the report process lives on without its worker"


def test_a_worker_busy_longer_than_uvicorns_default_health_check_is_not_killed(  # type: ignore[no-untyped-def]
    database_url: str, running_server
) -> None:
    """A worker that cannot answer uvicorn's health check for 8 s (here: stopped; under load, one
    whose first chart holds Python's lock) is waited for, not killed and started again as with
    uvicorn's default of 5 s (survey.cli.serve.WORKER_HEALTHCHECK_SECONDS)."""
    assert survey("db", "upgrade", url=database_url).exit_code == 0
    with running_server(database_url, "--workers", "2") as server:
        deadline = time.monotonic() + 30
        while len(workers := _spawned_children(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2, workers
        os.kill(workers[0], signal.SIGSTOP)
        try:
            time.sleep(8)
        finally:
            os.kill(workers[0], signal.SIGCONT)
        time.sleep(1)
        assert sorted(_spawned_children(server.pid)) == sorted(workers), "a worker was killed and replaced"
        with urllib.request.urlopen(f"{server.base}/health", timeout=5) as response:
            assert response.status == 200


def test_an_idle_keep_alive_connection_outlives_uvicorns_default(database_url: str, running_server) -> None:  # type: ignore[no-untyped-def]
    """A connection idle for 6 s (uvicorn closes it after 5 s by default; a proxy keeps its own for
    60 s) still takes the next request (survey.cli.serve.KEEP_ALIVE_SECONDS)."""
    import http.client

    assert survey("db", "upgrade", url=database_url).exit_code == 0
    with running_server(database_url) as server:
        host, port = server.base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.request("GET", "/health")
            assert connection.getresponse().read() and connection.sock is not None
            first = connection.sock
            time.sleep(6)
            connection.request("GET", "/health")
            answer = connection.getresponse()
            assert answer.status == 200 and answer.read()
            assert connection.sock is first, "the connection was opened again"
        finally:
            connection.close()


def test_waves_invitations_receipts_and_posters(database_url: str, tmp_path: Path) -> None:
    import datetime as dt

    today = dt.date.today()
    assert survey("db", "upgrade", url=database_url).exit_code == 0
    assert (
        survey("org", "import", str(ROOT / "survey" / "demo" / "org.yaml"), url=database_url).exit_code == 0
    )
    created = survey(
        "wave",
        "create",
        "puls",
        "--questionnaire",
        "staff-pulse",
        "--units",
        "kjfs",
        "--opens",
        today.strftime("%d.%m.%Y"),
        "--closes",
        str(today + dt.timedelta(days=7)),
        "--k",
        "4",
        url=database_url,
    )
    assert created.exit_code == 0, created.stderr
    assert "staff-pulse v2, staff" in created.stdout and "draft, k=4, k_text=10" in created.stdout
    bad = survey(
        "wave",
        "create",
        "x",
        "--questionnaire",
        "staff-pulse",
        "--units",
        "kjfs",
        "--opens",
        "2026-13-01",
        "--closes",
        "2026-12-01",
        url=database_url,
    )
    assert bad.exit_code == 2 and "'2026-13-01' does not match the formats" in bad.stderr
    _add_user(database_url, "pr-vorsitz", "personalrat")
    by = ("--by", "pr-vorsitz")
    assert survey("approve", "version", "staff-pulse", "2", *by, url=database_url).exit_code == 0
    assert survey("approve", "wave", "puls", *by, url=database_url).exit_code == 0
    assert "open, k=4" in survey("wave", "open", "puls", url=database_url).stdout
    locked = survey("wave", "edit", "puls", "--k", "6", url=database_url)
    assert locked.exit_code == 1 and "--k are locked once a wave opens" in locked.stderr
    listing = json.loads(survey("wave", "list", "--json", url=database_url).stdout)
    assert listing[0]["key"] == "puls" and listing[0]["units"] == 12 and listing[0]["status"] == "open"

    out = tmp_path / "briefe"
    invited = survey(
        "invite",
        "puls",
        "--unit",
        "jobcenter",
        "--count",
        "4",
        "--out",
        str(out),
        url=database_url,
        SURVEY_BASE_URL="https://umfrage.lindenau.de",
    )
    assert invited.exit_code == 0, invited.stderr
    rows = (out / "puls-jobcenter-codes.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "code;link" and len(rows) == 5
    code, link = rows[1].split(";")
    assert link == f"https://umfrage.lindenau.de/i/{code}"
    assert (out / "puls-jobcenter-letters.pdf").read_bytes().startswith(b"%PDF")
    assert code in (out / "puls-jobcenter-letters.html").read_text(encoding="utf-8")
    again = survey(
        "invite", "puls", "--unit", "jobcenter", "--count", "4", "--out", str(out), url=database_url
    )
    assert again.exit_code == 1 and "exists already: codes are written once" in again.stderr
    wrong_unit = survey(
        "invite", "puls", "--unit", "bauhof", "--count", "1", "--out", str(tmp_path / "b"), url=database_url
    )
    assert wrong_unit.exit_code == 1 and "`bauhof` is not among the units of `puls`" in wrong_unit.stderr

    link_out = survey("unit-link", "puls", "--unit", "musikschule", url=database_url).stdout
    assert "/t/" in link_out and re.search(r"access code .*: [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", link_out)

    receipts = survey(
        "receipts", "buergerbuero-mitte", "--count", "3", "--out", str(tmp_path / "r.csv"), url=database_url
    )
    assert receipts.exit_code == 0, receipts.stderr
    assert "/s/buergerbuero-mitte?beleg=" in (tmp_path / "r.csv").read_text(encoding="utf-8")

    png = survey("poster", "buergerbuero-mitte", "--out", str(tmp_path / "qr.png"), url=database_url)
    assert png.exit_code == 0 and (tmp_path / "qr.png").read_bytes().startswith(b"\x89PNG")
    pdf = survey(
        "poster", "jobcenter-eingangszone", "--kiosk", "--out", str(tmp_path / "p.pdf"), url=database_url
    )
    assert pdf.exit_code == 0 and "/s/jobcenter-eingangszone/kiosk" in pdf.stdout
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    unknown = survey("poster", "nirgendwo", "--out", str(tmp_path / "n.pdf"), url=database_url)
    assert unknown.exit_code == 1 and "no service point `nirgendwo`" in unknown.stderr


# --- co-determination: survey approve ---------------------------------------------------------


def _add_user(url: str, username: str, *roles: str) -> None:
    """A user made with `survey user add`, the password from stdin."""
    role_options = [part for role in roles for part in ("--role", role)]
    result = survey(
        "user",
        "add",
        username,
        "--name",
        username.title(),
        *role_options,
        "--password-stdin",
        url=url,
        stdin="ein langes Testpasswort\n",
    )
    assert result.exit_code == 0, result.stderr


def test_approve_commands(database_url: str, questionnaires_copy: Path) -> None:
    import datetime as dt

    folder = ("--dir", str(questionnaires_copy))
    today = dt.date.today()
    assert survey("db", "upgrade", url=database_url).exit_code == 0
    assert (
        survey("org", "import", str(ROOT / "survey" / "demo" / "org.yaml"), url=database_url).exit_code == 0
    )
    period = ("--opens", str(today), "--closes", str(today + dt.timedelta(days=7)))
    staff = ("--questionnaire", "staff-pulse", "--units", "kjfs")
    created = survey("wave", "create", "puls", *staff, *period, *folder, url=database_url)
    assert created.exit_code == 0, created.stderr
    _add_user(database_url, "pr-vorsitz", "personalrat")
    _add_user(database_url, "lead-x", "lead:jugendamt", "admin")

    refused = survey("wave", "open", "puls", *folder, url=database_url)
    assert refused.exit_code == 1
    # the command line shows each reason with the command that removes it (the pages never do)
    assert refused.stderr == (
        "error: `puls` cannot open (co-determination by the Personalrat):\n"
        "  - the Personalrat has not approved staff-pulse v2 as published: "
        "`survey approve version staff-pulse 2 --by USER`\n"
        "  - the Personalrat has not approved the wave `puls` (its version, thresholds k=5, k_text=10 "
        "and units): `survey approve wave puls --by USER`\n"
    )
    unknown = survey("wave", "open", "nirgendwo", *folder, url=database_url)
    assert unknown.exit_code == 1
    assert "error: there is no wave `nirgendwo`: `survey wave list` shows the waves" in unknown.stderr

    for args, message in [
        (("version", "staff-pulse", "2", "--by", "niemand"), "there is no user `niemand`"),
        (("version", "staff-pulse", "2", "--by", "lead-x"), "`lead-x` is not a Personalrat member"),
        (("wave", "puls", "--by", "lead-x"), "`lead-x` is not a Personalrat member"),
        (("version", "staff-pulse", "9", "--by", "pr-vorsitz"), "staff-pulse has no version 9"),
        (("version", "citizen-contact", "v1", "--by", "pr-vorsitz"), "is a citizen questionnaire"),
        (("wave", "nirgendwo", "--by", "pr-vorsitz"), "there is no wave `nirgendwo`"),
    ]:
        bad = survey("approve", *args, *(folder if args[0] == "version" else ()), url=database_url)
        assert bad.exit_code == 1 and message in bad.stderr, (args, bad.stderr)
    assert survey("approve", "version", "staff-pulse", "zwei", "--by", "x", url=database_url).exit_code == 2
    assert survey("approve", "wave", "puls", url=database_url).exit_code == 2  # --by is required

    by = ("--by", "pr-vorsitz")
    version = survey("approve", "version", "staff-pulse", "v2", *by, *folder, url=database_url)
    assert version.exit_code == 0, version.stderr
    assert "approved: staff-pulse v2 by pr-vorsitz" in version.stdout
    assert re.search(r"^sha256 [0-9a-f]{64}$", version.stdout, re.MULTILINE)
    wave = survey("approve", "wave", "puls", *by, url=database_url)
    assert wave.exit_code == 0 and "approved: wave puls by pr-vorsitz" in wave.stdout
    # approved as it is already: said, nothing recorded again, no failure for a script
    for args in (("version", "staff-pulse", "v2", *folder), ("wave", "puls")):
        again = survey("approve", *args, *by, url=database_url)
        assert again.exit_code == 0, again.stderr
        assert re.search(
            r"^already approved: (wave )?\S+( v2)? by pr-vorsitz on \d{4}-\d\d-\d\d; nothing recorded$",
            again.stdout,
            re.MULTILINE,
        ), again.stdout

    listing = survey("approve", "list", *folder, url=database_url)
    assert listing.exit_code == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert any(re.search(r"staff-pulse v2 .* published +yes +pr-vorsitz", line) for line in lines), lines
    assert any(re.search(r"staff-pulse v1 .* unpublished +no +– ", line) for line in lines), lines
    status = json.loads(survey("approve", "list", "--json", *folder, url=database_url).stdout)
    assert [(w["subject"], w["approved"], w["stale"]) for w in status["waves"]] == [("puls", True, False)]
    assert {v["subject"]: v["approved"] for v in status["versions"]} == {
        "staff-pulse v1": False,
        "staff-pulse v2": True,
    }

    # A changed file after the approval: opening is refused, nothing changes.
    v2 = questionnaires_copy / "staff-pulse" / "v2.yaml"
    original = v2.read_text(encoding="utf-8")
    title = yaml.safe_load(original)["title"]["de"]
    v2.write_text(original.replace(title, "Anderer Titel"), encoding="utf-8")
    changed = survey("wave", "open", "puls", *folder, url=database_url)
    assert changed.exit_code == 1 and "has changed since it was approved/published" in changed.stderr
    assert json.loads(survey("wave", "list", "--json", url=database_url).stdout)[0]["status"] == "draft"
    v2.write_text(original, encoding="utf-8")
    opened = survey("wave", "open", "puls", *folder, url=database_url)
    assert opened.exit_code == 0 and "open, k=5" in opened.stdout
    twice = survey("wave", "open", "puls", *folder, url=database_url)
    assert twice.exit_code == 1 and twice.stderr == "error: `puls` is open already\n"
