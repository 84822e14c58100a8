"""`survey user add|passwd|roles|disable|list`, run in-process through click's test runner (the
real command, its option parsing, its error handling and exit codes, without a process start per
call); `tests/web/test_workers.py` runs `survey user add` as a process."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from survey.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def _run(url: str, *args: str, stdin: str = "") -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin, env={"DATABASE_URL": url})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_user_commands_and_their_clear_refusals(database_url: str) -> None:
    assert _run(database_url, "db", "upgrade").exit_code == 0
    assert "no users yet" in _run(database_url, "user", "list").stdout
    org = _run(database_url, "org", "import", str(ROOT / "survey" / "demo" / "org.yaml"))
    assert org.exit_code == 0, org.stderr
    password = "ein-langes-passwort\n"
    added = _run(
        database_url,
        "user",
        "add",
        "m.schmidt",
        "--name",
        "Maria Schmidt",
        "--role",
        "lead:jugendamt",
        "--role",
        "analyst:kjfs",
        "--password-stdin",
        stdin=password,
    )
    assert added.exit_code == 0 and "added m.schmidt: lead:jugendamt, analyst:kjfs" in added.stdout
    for args, stdin, message in (
        (("add", "m.schmidt", "--role", "office"), password, "a user `m.schmidt` exists already"),
        (("add", "Chef In", "--role", "office"), password, "`Chef In` is not a user name"),
        (("add", "neu", "--role", "boss"), password, "`boss` is not a role; use one of admin, office"),
        (("add", "neu", "--role", "lead"), password, "a lead leads a unit; write lead:UNIT"),
        (("add", "neu", "--role", "lead:mond"), password, "there is no unit `mond`"),
        (("add", "neu", "--role", "office"), "kurz\n", "the password is too short (4 characters)"),
        (("passwd", "niemand"), password, "there is no user `niemand`"),
        (("disable", "niemand"), "", "there is no user `niemand`"),
    ):
        stdin_option = ("--password-stdin",) if args[0] in ("add", "passwd") else ()
        refused = _run(database_url, "user", *args, *stdin_option, stdin=stdin)
        assert refused.exit_code == 1 and message in refused.stderr, (args, refused.stderr)
    missing_role = _run(database_url, "user", "add", "neu", "--password-stdin", stdin=password)
    assert missing_role.exit_code == 2 and "--role" in missing_role.stderr
    assert _run(database_url, "user", "roles", "m.schmidt", "--role", "lead:sozialamt").exit_code == 0
    assert (
        _run(
            database_url, "user", "passwd", "m.schmidt", "--password-stdin", stdin="ein-anderes-passwort\n"
        ).exit_code
        == 0
    )
    assert _run(database_url, "user", "disable", "m.schmidt").exit_code == 0
    listing = _run(database_url, "user", "list").stdout
    assert "m.schmidt" in listing and "lead:sozialamt" in listing and "disabled" in listing
    assert "lead:jugendamt" not in listing
