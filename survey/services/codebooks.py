"""The codebook of each Leitbild: its values → themes → German lemmas and phrases
(survey.text.themes), which group a unit's comments into themes.

The survey office edits it in the browser; it lives in the database (table `codebook`), so that
every worker and host groups alike. `survey demo` installs the demo's file
`questionnaires/_codebooks/<leitbild>.yaml`. A save based on an older state is refused (the typed text comes
back), as for questionnaire drafts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from survey.errors import Problem
from survey.services.audit import record
from survey.store import catalog as catalog_store
from survey.store import comments as store
from survey.store.engine import write_transaction
from survey.text.themes import Codebook, check_codebook_text, read_codebook_text

__all__ = [
    "CODEBOOK_FILE",
    "CodebookPage",
    "CodebookSaveError",
    "codebook_page",
    "current_codebook",
    "install_codebook_file",
    "leitbild_key",
    "save_codebook_text",
]

#: the demo's codebooks, one file per Leitbild key, beside the questionnaires
CODEBOOK_FOLDER = "_codebooks"
CODEBOOK_FILE = "codebook.yaml"
_cache: dict[tuple[str, str], Codebook] = {}


async def leitbild_key() -> str | None:
    """The Leitbild whose codebook the office edits: the newest published one."""
    records = (await catalog_store.published_leitbilder()).values()
    return max(records, key=lambda r: r.id).key if records else None


async def _value_keys(leitbild: str) -> list[str] | None:
    found = await catalog_store.load_leitbild(leitbild)
    return None if found is None else list(found.value_keys)


async def current_codebook(leitbild: str) -> Codebook | None:
    """The Leitbild's codebook as saved (parsed once per text and worker); None where there is none
    or it no longer fits (a save checks it, so only a Leitbild changed since can do that)."""
    stored = await store.codebook(leitbild)
    if stored is None:
        return None
    key = (leitbild, stored.text)
    if key not in _cache:
        values = await _value_keys(leitbild)
        if values is None or check_codebook_text(stored.text, CODEBOOK_FILE, values):
            return None
        _cache.clear()  # one codebook text per Leitbild is current; older ones are not needed
        _cache[key] = read_codebook_text(stored.text, CODEBOOK_FILE, values)
    return _cache[key]


async def install_codebook_file(questionnaires: Path, leitbild: str, value_keys: list[str], by: str) -> bool:
    """Store `questionnaires/_codebooks/<leitbild>.yaml` as the codebook of `leitbild` where none
    is stored yet; whether it was."""
    path = questionnaires / CODEBOOK_FOLDER / f"{leitbild}.yaml"
    if not path.is_file() or await store.codebook(leitbild) is not None:
        return False
    text = path.read_text(encoding="utf-8")
    codebook = read_codebook_text(text, str(path), value_keys)  # a broken shipped file is an error
    if codebook.leitbild != leitbild:
        return False
    async with write_transaction():
        await store.save_codebook(leitbild, text, None, by)
    await record(by, "codebook.save", leitbild, f"from {path.name}")
    return True


@dataclass(frozen=True)
class CodebookPage:
    leitbild: str
    text: str
    #: None: none saved yet
    revision: int | None
    updated_by: str = ""


async def codebook_page(leitbild: str) -> CodebookPage:
    stored = await store.codebook(leitbild)
    if stored is None:
        return CodebookPage(leitbild, "", None)
    return CodebookPage(leitbild, stored.text, stored.revision, stored.updated_by)


class CodebookSaveError(Exception):
    """The codebook was not saved: its problems, or `stale` (another save came first)."""

    def __init__(self, problems: list[Problem], stale: bool = False) -> None:
        super().__init__("; ".join(str(p) for p in problems) or "saved by someone else in between")
        self.problems = problems
        self.stale = stale


async def save_codebook_text(leitbild: str, text: str, based_on: int | None, by: str) -> int:
    """Check and save; the new revision, or CodebookSaveError (nothing saved)."""
    values = await _value_keys(leitbild)
    if values is None:
        raise CodebookSaveError([Problem(CODEBOOK_FILE, "codebook", f"no published Leitbild `{leitbild}`")])
    problems = check_codebook_text(text, CODEBOOK_FILE, values)
    if problems:
        raise CodebookSaveError(problems)
    async with write_transaction():
        revision = await store.save_codebook(leitbild, text, based_on, by)
    if revision is None:
        raise CodebookSaveError([], stale=True)
    await record(by, "codebook.save", leitbild, f"revision {revision}")
    return revision
