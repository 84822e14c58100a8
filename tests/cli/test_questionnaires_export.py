"""`survey questionnaires export` and `import`: the Kommune's IT moves versions and Leitbilder
between the database and files, with the same checks as `check` and the office's upload; an
exported version passes `check` beside its predecessors and reads back to the same content hash
(acceptance 5 of the office's pages, where the version is made in the browser:
tests/web/test_questionnaire_pages.py). On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml
from cli_runner import run_cli
from every_language import in_every_language

from survey.domain.yamlfile import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"


def _ok(result, *words: str) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, (result.stdout, result.stderr)
    for word in words:
        assert word in result.output, (word, result.output)
    return result.stdout


def test_export_check_and_import_give_the_same_version(database_url: str, tmp_path: Path) -> None:
    _ok(run_cli("db", "upgrade", url=database_url))
    _ok(run_cli("questionnaires", "publish", "--dir", str(QUESTIONNAIRES), url=database_url))
    # v3 from the export of v2: one question reworded (editorial), one added in every language
    v2 = _ok(run_cli("questionnaires", "export", "staff-pulse", "v2", url=database_url))
    data = yaml.safe_load(v2)
    data["version"] = 3
    for item in data["items"]:
        item.pop("change", None)
        item.pop("replaces", None)
    data["items"][0]["text"]["de"] = "Bei Aufgaben über Fachbereiche hinweg ziehen alle an einem Strang."
    data["items"][0]["change"] = "editorial"
    data["items"].append(
        {
            "id": "digital-arbeiten",
            "text": in_every_language("Digital geht es leichter.", "Digital is easier.", data["languages"]),
            "scale": "agree5",
            "values": ["unbuerokratisch"],
        }
    )
    made = tmp_path / "v3.yaml"
    made.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _ok(run_cli("questionnaires", "import", str(made), "--publish", url=database_url), "published")

    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    out = folder / "staff-pulse" / "v3.yaml"
    _ok(run_cli("questionnaires", "export", "staff-pulse", "3", "--out", str(out), url=database_url), "wrote")
    _ok(run_cli("questionnaires", "check", "--dir", str(folder)), "4 versions")
    again = run_cli("questionnaires", "import", str(out), url=database_url)
    _ok(again, "unchanged", "with this very content")
    listed = _ok(run_cli("questionnaires", "list", "--dir", str(folder), url=database_url))
    assert "file changed" not in listed, "the exported file has the published content hash"

    # the Leitbild the same way
    leitbild = tmp_path / "leitbild.yaml"
    _ok(
        run_cli("questionnaires", "export", "lindenau", "--out", str(leitbild), url=database_url),
        "Leitbild lindenau",
    )
    _ok(run_cli("questionnaires", "import", str(leitbild), url=database_url), "unchanged")


def test_import_refuses_what_it_cannot_take(database_url: str, tmp_path: Path) -> None:
    """Each refusal names the file, the line and what to do; the good file beside the bad ones."""
    _ok(run_cli("db", "upgrade", url=database_url))
    _ok(run_cli("questionnaires", "publish", "--dir", str(QUESTIONNAIRES), url=database_url))
    broken = tmp_path / "kaputt.yaml"
    broken.write_text("questionnaire: citizen-contact\nversion: 2\n  title: x\n", encoding="utf-8")
    refused = run_cli("questionnaires", "import", str(broken), url=database_url)
    assert refused.exit_code == 1 and f"{broken}:3" in refused.stderr, refused.output
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Ä".encode("latin-1"))
    assert "not UTF-8" in run_cli("questionnaires", "import", str(latin), url=database_url).stderr
    large = tmp_path / "large.yaml"
    with large.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)
    assert "bytes are refused" in run_cli("questionnaires", "import", str(large), url=database_url).stderr
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    assert "not a regular file" in run_cli("questionnaires", "import", str(pipe), url=database_url).stderr
    assert "is a folder" in run_cli("questionnaires", "import", str(tmp_path), url=database_url).stderr

    # a v2 with a missing translation: kept as a draft, each problem named, exit 1
    v1 = yaml.safe_load(_ok(run_cli("questionnaires", "export", "citizen-contact", "1", url=database_url)))
    v1["version"] = 2
    v1["items"][0]["text"].pop("en")
    draft = tmp_path / "v2.yaml"
    draft.write_text(yaml.safe_dump(v1, allow_unicode=True, sort_keys=False), encoding="utf-8")
    kept = run_cli("questionnaires", "import", str(draft), url=database_url)
    assert kept.exit_code == 1 and "items[0].text: no text for `en`" in kept.stdout, kept.output
    assert "stored as a draft" in kept.stderr and "Traceback" not in kept.output
    twice = run_cli("questionnaires", "import", str(draft), url=database_url)
    assert twice.exit_code == 1 and "there is a draft of `citizen-contact v2` already" in twice.stderr
    exported = run_cli("questionnaires", "export", "citizen-contact", "2", url=database_url)
    assert exported.exit_code == 0 and "staff" not in exported.stdout.split("audience:")[1][:10]
    # what does not exist, and output files that cannot be written
    assert (
        "there is no version 7"
        in run_cli("questionnaires", "export", "citizen-contact", "7", url=database_url).stderr
    )
    assert (
        "is not a version"
        in run_cli("questionnaires", "export", "citizen-contact", "sieben", url=database_url).stderr
    )
    assert (
        "is a folder"
        in run_cli(
            "questionnaires", "export", "citizen-contact", "1", "--out", str(tmp_path), url=database_url
        ).stderr
    )
