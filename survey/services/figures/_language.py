"""The figures in the reader's language: the Leitbild's value names and the items' texts as the
questionnaire files give them in that language, the waves' titles as the office gave them (German
where a text has no translation).

The figures are computed once, language-free (their names German); a page or report in another
language swaps the names in, by key, from the newest version its waves used.
"""

from __future__ import annotations

from msgspec import structs

from survey.domain import QuestionnaireVersion
from survey.domain.figures import OrganisationOverview, UnitFigures
from survey.domain.questionnaire import Texts
from survey.store import catalog as catalog_store
from survey.store import waves as wave_store

__all__ = ["overview_in_language", "unit_in_language", "wave_titles_in"]


def _text(texts: Texts, language: str, fallback: str) -> str:
    return texts.get(language) or texts.get("de") or fallback


async def _names(questionnaire: str, version: int) -> tuple[QuestionnaireVersion | None, dict[str, Texts]]:
    newest = await catalog_store.load_published_version(questionnaire, version)
    leitbild = await catalog_store.load_leitbild(newest.leitbild) if newest else None
    return newest, {v.key: v.name for v in (leitbild.values if leitbild else [])}


async def unit_in_language(figures: UnitFigures, language: str) -> UnitFigures:
    if language == "de" or not figures.waves:
        return figures
    newest, values = await _names(figures.questionnaire, max(w.version for w in figures.waves))
    items = {i.id: i.text for i in (newest.items if newest else [])}
    keys = sorted({w.wave for w in [*figures.waves, *figures.open_waves]})
    titles = await wave_store.titles_by_key(keys)

    def title(wave: str, german: str) -> str:
        return _text(titles.get(wave, {}), language, german)

    return structs.replace(
        figures,
        waves=[structs.replace(w, title=title(w.wave, w.title)) for w in figures.waves],
        open_waves=[structs.replace(w, title=title(w.wave, w.title)) for w in figures.open_waves],
        values=[
            structs.replace(
                v,
                name=_text(values.get(v.value, {}), language, v.name),
                series=[structs.replace(p, title=title(p.wave, p.title)) for p in v.series],
            )
            for v in figures.values
        ],
        items=[
            structs.replace(i, text=_text(items.get(i.item, {}), language, i.text)) for i in figures.items
        ],
    )


async def overview_in_language(overview: OrganisationOverview, language: str) -> OrganisationOverview:
    if language == "de":
        return overview
    wave = await _wave_version(overview)
    if wave is None:
        return overview
    newest, values = await _names(overview.questionnaire, wave)
    titles = await wave_titles_in([overview.wave], language)
    return structs.replace(
        overview,
        title=_text(newest.title if newest else {}, language, overview.title),
        wave_title=titles.get(overview.wave, overview.wave_title),
        values={key: _text(values.get(key, {}), language, name) for key, name in overview.values.items()},
    )


async def _wave_version(overview: OrganisationOverview) -> int | None:
    wave = await wave_store.get_wave(overview.wave)
    return wave.version if wave else None


async def wave_titles_in(keys: list[str], language: str) -> dict[str, str]:
    """The titles the office gave the waves `keys` in `language` (only those it gave one in)."""
    titles = await wave_store.titles_by_key(keys)
    return {key: _text(texts, language, "") for key, texts in titles.items() if _text(texts, language, "")}
