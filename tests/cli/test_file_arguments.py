"""File arguments of the `survey` command: a folder, a missing file, a device (/dev/zero, /dev/full),
a pipe, a symbolic link loop or a file far too large each get one clear line naming the argument
and what to do, exit code 1 or 2, never a traceback, and never a hang (reading a pipe or
/dev/zero would wait or fill the memory for ever). Questionnaire files name their Leitbild by key,
never by a path.

Most refusals come before the database is opened; where a command reaches it, it runs on SQLite
and on PostgreSQL. The good case sits next to the bad ones.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from cli_runner import run_cli

from survey.domain import check_catalog
from survey.domain.yamlfile import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[2]
DEMO_ORG = ROOT / "survey" / "demo" / "org.yaml"


@pytest.fixture
def odd_files(tmp_path: Path) -> dict[str, Path]:
    """A folder, a missing file, a device, a pipe, a link loop, a dangling link and a large file."""
    folder = tmp_path / "ordner"
    folder.mkdir()
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    os.symlink(tmp_path / "loop-b.yaml", tmp_path / "loop-a.yaml")
    os.symlink(tmp_path / "loop-a.yaml", tmp_path / "loop-b.yaml")
    os.symlink(tmp_path / "nowhere.yaml", tmp_path / "dangling.yaml")
    large = tmp_path / "large.yaml"
    with large.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space needed
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    return {
        "folder": folder,
        "missing": tmp_path / "fehlt.yaml",
        "device": Path("/dev/zero"),
        "pipe": pipe,
        "loop": tmp_path / "loop-a.yaml",
        "dangling": tmp_path / "dangling.yaml",
        "large": large,
        "under a file": plain / "x.yaml",
    }


def _refused(result, *words: str, code: int = 1) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    assert "Traceback" not in result.output


#: what each odd input to a file that is read gets told
READ_MESSAGES = {
    "folder": "is a folder: give the path of a file in it",
    "missing": "there is no such file; check the path",
    "device": "is not a regular file (a device, a pipe or a socket)",
    "pipe": "is not a regular file (a device, a pipe or a socket)",
    "loop": "the link leads round in a loop",
    "dangling": "there is no such file",
    "large": f"is {MAX_FILE_BYTES + 1:,} bytes; files over {MAX_FILE_BYTES:,} bytes are refused",
    "under a file": "there is no such file",
}


def test_org_import_refuses_odd_files(database_url: str, odd_files: dict[str, Path]) -> None:
    for kind, path in odd_files.items():
        result = run_cli("org", "import", str(path), url=database_url)
        _refused(result, f"FILE {path}", READ_MESSAGES[kind])
    # The good one: the demo organisation file, once the database is there.
    assert run_cli("db", "upgrade", url=database_url).exit_code == 0
    imported = run_cli("org", "import", str(DEMO_ORG), url=database_url)
    assert imported.exit_code == 0 and "imported Stadt Lindenau" in imported.stdout, imported.stderr


def test_demo_org_and_restore_refuse_odd_files(odd_files: dict[str, Path], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/nichts.sqlite3"
    for kind in ("device", "pipe", "large"):
        path = odd_files[kind]
        _refused(run_cli("demo", "--org", str(path), url=url), f"--org {path}", READ_MESSAGES[kind])
    # click's own check comes first for a folder and for what does not exist
    _refused(run_cli("demo", "--org", str(odd_files["folder"]), url=url), "is a directory", code=2)
    _refused(run_cli("demo", "--org", str(odd_files["missing"]), url=url), "does not exist", code=2)
    for kind, path in odd_files.items():
        if kind == "large":
            continue  # a backup may be large: that one is refused as not being a backup
        result = run_cli("restore", str(path), "--yes", url=url)
        _refused(result, f"PATH {path}", READ_MESSAGES[kind])
    assert not (tmp_path / "nichts.sqlite3").exists(), "no database was opened for any of them"


def test_output_files_refuse_folders_devices_pipes_and_loops(
    odd_files: dict[str, Path], tmp_path: Path
) -> None:
    """`--out` of report, poster and receipts, and the backup PATH: checked before anything is
    computed or written; a missing folder on the way is created."""
    url = f"sqlite:///{tmp_path}/nichts.sqlite3"
    messages = {
        "folder": "is a folder: give the name of a file",
        "device": "is not a regular file (a device, a pipe or a socket)",
        "pipe": "is not a regular file (a device, a pipe or a socket)",
        "loop": "the link leads round in a loop",
        "dangling": "is a link to a file that does not exist",
        "under a file": "a part of the path is a file, not a folder",
    }
    odd = {**odd_files, "device": Path("/dev/full")}
    for kind, message in messages.items():
        path = odd[kind]
        _refused(run_cli("report", "jugendamt", "--out", str(path), url=url), f"--out {path}", message)
        if kind != "folder":  # for a folder the receipts and the poster name the file themselves
            _refused(run_cli("receipts", "buergerbuero-mitte", "--count", "1", "--out", str(path), url=url))
    for kind in ("device", "pipe", "loop", "dangling"):
        path = odd[kind]
        _refused(run_cli("backup", str(path), "--force", url=url), f"PATH {path}", messages[kind])
    pipe_png, folder_png = tmp_path / "qr.png", tmp_path / "qr-ordner.png"
    os.mkfifo(pipe_png)
    folder_png.mkdir()
    _refused(run_cli("poster", "buergerbuero-mitte", "--out", str(pipe_png), url=url), f"--out {pipe_png}")
    _refused(
        run_cli("poster", "buergerbuero-mitte", "--out", str(folder_png), url=url), f"--out {folder_png}"
    )
    assert odd_files["pipe"].is_fifo() and not (tmp_path / "nowhere.yaml").exists(), "nothing was written"
    assert not (tmp_path / "nichts.sqlite3").exists(), "refused before the database was opened"


def test_invite_refuses_an_out_folder_under_a_file(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    result = run_cli("invite", "puls", "--unit", "jugendamt", "--count", "1", "--out", str(plain / "briefe"))
    _refused(result, "a part of the path is a file, not a folder")


def test_report_writes_into_a_new_folder(database_url: str, tmp_path: Path) -> None:
    """The good case next to the refusals above: --out in folders that do not exist yet."""
    assert (
        run_cli(
            "demo", "--waves", "1", "--citizen-ratings", "0", "--staff", "200", url=database_url
        ).exit_code
        == 0
    )
    out = tmp_path / "neu" / "tiefer" / "bericht.html"
    written = run_cli("report", "verwaltung", "--out", str(out), url=database_url)
    assert written.exit_code == 0, written.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- questionnaire folders ---------------------------------------------------------------------


def test_questionnaire_folder_with_odd_files_is_checked_without_hanging(questionnaires_copy: Path) -> None:
    ok = run_cli("questionnaires", "check", "--dir", str(questionnaires_copy))
    assert ok.exit_code == 0 and "ok: 1 Leitbild, 3 versions" in ok.stdout, ok.stderr
    folder = questionnaires_copy
    os.mkfifo(folder / "staff-pulse" / "v3.yaml")
    os.symlink("/dev/zero", folder / "zero.yaml")
    os.symlink(folder / "loop-b.yaml", folder / "loop-a.yaml")
    os.symlink(folder / "loop-a.yaml", folder / "loop-b.yaml")
    with (folder / "citizen-contact" / "v2.yaml").open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)
    result = run_cli("questionnaires", "check", "--dir", str(folder))
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.stdout.splitlines()
    for name in ("staff-pulse/v3.yaml", "zero.yaml", "loop-a.yaml", "loop-b.yaml"):
        assert any(name in line and "not a regular file" in line for line in lines), (name, result.stdout)
    assert any("citizen-contact/v2.yaml" in line and "files over" in line for line in lines), result.stdout
    assert "5 problem(s) in 5 file(s)" in result.stderr

    for odd in (folder / "pyproject.toml", folder / "fehlt"):
        if odd.name == "pyproject.toml":
            odd.write_text("x", encoding="utf-8")
        refused = run_cli("questionnaires", "check", "--dir", str(odd))
        assert refused.exit_code in (1, 2) and "Traceback" not in refused.output
        assert str(odd) in refused.output


@pytest.mark.parametrize(
    "reference",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "leitbild.yaml",
        "lindenau/../lindenau",
        "C:\\leitbild",
        "~/leitbild",
    ],
)
def test_a_leitbild_is_named_by_key_never_by_path(questionnaires_copy: Path, reference: str) -> None:
    path = questionnaires_copy / "staff-pulse" / "v2.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["leitbild"] = reference
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, problems = check_catalog(questionnaires_copy)
    found = [p for p in problems if p.path == "leitbild"]
    assert found and all(p.file.endswith("staff-pulse/v2.yaml") for p in found), problems
    assert f"`{reference}` is not valid here: name the key of a Leitbild file" in str(found[0])


def test_a_leitbild_file_stem_is_not_a_key(questionnaires_copy: Path) -> None:
    """The Leitbild is looked up by the key inside its file (`lindenau`), not by the file's name."""
    path = questionnaires_copy / "staff-pulse" / "v2.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["leitbild"] = "leitbild"  # questionnaires/leitbild.yaml exists, its key is `lindenau`
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, problems = check_catalog(questionnaires_copy)
    assert any("no Leitbild with key `leitbild`" in str(p) for p in problems), problems
    own = yaml.safe_load((questionnaires_copy / "leitbild.yaml").read_text(encoding="utf-8"))
    own["leitbild"] = "../../etc/passwd"  # a Leitbild's own key is an id as well
    (questionnaires_copy / "leitbild.yaml").write_text(
        yaml.safe_dump(own, allow_unicode=True), encoding="utf-8"
    )
    _, problems = check_catalog(questionnaires_copy)
    assert any(p.file.endswith("leitbild.yaml") and p.path == "leitbild" for p in problems), problems
