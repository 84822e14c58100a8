"""Themes of free-text comments: the codebook file and its checks, assignment, merging, grouping
for pages in random order, keywords. No database, no network: plain functions over strings."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import yaml

from survey.domain import check_catalog
from survey.domain.catalog import check_leitbild_text
from survey.errors import FileProblems, Problem
from survey.text.themes import (
    Codebook,
    CodebookFileError,
    MergedComment,
    assign,
    check_codebook_text,
    group_comments,
    keywords,
    load_codebook,
    merge_near_duplicates,
    read_codebook_text,
)
from survey.text.themes._assign import Matcher

ROOT = Path(__file__).resolve().parent.parent.parent
QUESTIONNAIRES = ROOT / "questionnaires"
SHIPPED = QUESTIONNAIRES / "_codebooks" / "lindenau.yaml"

THEME_KEYS = {
    "gemeinsam": ["abstimmung", "informationsfluss", "silodenken"],
    "kundenorientiert": ["wartezeit", "terminvergabe", "freundlichkeit", "erreichbarkeit"],
    "vertrauen": ["fuehrung", "fehlerkultur", "wertschaetzung"],
    "transparenz": ["entscheidungen", "information"],
    "unbuerokratisch": ["formulare", "digitalisierung", "genehmigungswege"],
    "nachhaltig": ["personal", "umsetzung", "ausstattung"],
}


@pytest.fixture(scope="module")
def value_keys() -> list[str]:
    leitbild = QUESTIONNAIRES / "leitbild.yaml"
    checked = check_leitbild_text(leitbild.read_text(encoding="utf-8"), str(leitbild), key="lindenau")
    assert checked.leitbild is not None, checked.problems
    return checked.leitbild.value_keys


@pytest.fixture(scope="module")
def codebook(value_keys: list[str]) -> Codebook:
    return load_codebook(SHIPPED, value_keys, leitbild="lindenau")


# --- the shipped codebook ---------------------------------------------------------------------


def test_the_shipped_codebook_loads_against_the_leitbild(codebook: Codebook, value_keys: list[str]) -> None:
    assert codebook.leitbild == "lindenau"
    assert codebook.languages == ("de", "en")
    assert list(codebook.values) == value_keys
    assert {v: [t.key for t in ts] for v, ts in codebook.by_value().items()} == THEME_KEYS
    written = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["values"]
    for theme in codebook.themes:
        words = next(t["lemmas"] for t in written[theme.value] if t["key"] == theme.key)
        assert 15 <= len(words) <= 30, theme.key
        assert theme.label["de"] and theme.label["en"]
    assert codebook.theme("terminvergabe").value == "kundenorientiert"
    assert "termin" in codebook.theme("terminvergabe").lemmas  # lemmatised, small letters
    assert ("an", "ein", "strang") in codebook.theme("abstimmung").phrases
    with pytest.raises(KeyError, match="no theme `nope`"):
        codebook.theme("nope")


def test_the_shipped_codebook_checks_clean_as_text(value_keys: list[str]) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert check_codebook_text(text, "lindenau.yaml", value_keys, leitbild="lindenau") == []


def test_the_catalog_does_not_read_the_codebook() -> None:
    """The codebook sits in a folder the catalog walk skips (`_codebooks`), not beside leitbild.yaml,
    where it would be read as a Leitbild file."""
    catalog, problems = check_catalog(QUESTIONNAIRES)
    assert "lindenau" in catalog.leitbilder
    assert not [p for p in problems if "codebook" in p.file]


# --- bad codebooks: one rule each ------------------------------------------------------------

GOOD = """\
codebook: lindenau
languages: [de, en]
values:
  gemeinsam:
    - key: abstimmung
      label: {de: "Abstimmung", en: "Coordination"}
      lemmas: [Abstimmung, Absprache]
      phrases: ["an einem Strang"]
    - key: silodenken
      label: {de: "Zuständigkeitsdenken", en: "Silo thinking"}
      lemmas: [Zuständigkeit, zuständig]
  kundenorientiert:
    - key: wartezeit
      label: {de: "Wartezeiten", en: "Waiting times"}
      lemmas: [Wartezeit, warten]
"""
VALUES = ["gemeinsam", "kundenorientiert", "vertrauen", "transparenz", "unbuerokratisch", "nachhaltig"]

BAD = [
    # (id, replace this, by this, path, fragment of the message, text on the problem's line)
    (
        "unknown value",
        "  kundenorientiert:",
        "  kundenorientirt:",
        "values.kundenorientirt",
        "is not a value of the Leitbild: use one of gemeinsam, kundenorientiert",
        "kundenorientirt:",
    ),
    (
        "theme key twice",
        "key: wartezeit",
        "key: abstimmung",
        "values.kundenorientiert[0].key",
        "is used at values.gemeinsam[0].key (line 5) already: give each theme its own key",
        'key: abstimmung\n      label: {de: "Wartezeiten"',
    ),
    (
        "bad key syntax",
        "key: wartezeit",
        "key: Warte_Zeit",
        "values.kundenorientiert[0].key",
        "use small letters, digits and hyphens",
        "Warte_Zeit",
    ),
    (
        "label missing a language",
        '{de: "Wartezeiten", en: "Waiting times"}',
        '{de: "Wartezeiten"}',
        "values.kundenorientiert[0].label",
        "no label in `en`: add `en: ...`",
        '{de: "Wartezeiten"}',
    ),
    (
        "label in an undeclared language",
        '{de: "Wartezeiten", en: "Waiting times"}',
        '{de: "Wartezeiten", en: "Waiting times", fr: "Attente"}',
        "values.kundenorientiert[0].label.fr",
        "does not declare: add it to `languages` or remove it",
        "Attente",
    ),
    (
        "empty label",
        '{de: "Wartezeiten", en: "Waiting times"}',
        '{de: "", en: "Waiting times"}',
        "values.kundenorientiert[0].label.de",
        "found an empty text: write it",
        'de: ""',
    ),
    (
        "empty lemma list",
        "lemmas: [Wartezeit, warten]",
        "lemmas: []",
        "values.kundenorientiert[0].lemmas",
        "found an empty list: add at least one",
        "lemmas: []",
    ),
    (
        "lemmas missing",
        "      lemmas: [Wartezeit, warten]\n",
        "",
        "values.kundenorientiert[0].lemmas",
        "`lemmas` is missing: list the words",
        "- key: wartezeit",
    ),
    (
        "lemma in two themes of one value",
        "lemmas: [Zuständigkeit, zuständig]",
        "lemmas: [Absprachen, zuständig]",
        "values.gemeinsam[1].lemmas[0]",
        "(`absprache` once lemmatised) is in the theme `abstimmung` of the same value already, at "
        "values.gemeinsam[0].lemmas[1] (line 7): keep it in one theme",
        "[Absprachen",
    ),
    (
        "phrase in two themes of one value",
        "lemmas: [Zuständigkeit, zuständig]",
        'lemmas: [Zuständigkeit]\n      phrases: ["an einem Strang"]',
        "values.gemeinsam[1].phrases[0]",
        "is in the theme `abstimmung` of the same value already",
        '["an einem Strang"]\n  kundenorientiert',
    ),
    (
        "one word twice in a theme",
        "lemmas: [Wartezeit, warten]",
        "lemmas: [Wartezeit, Wartezeiten]",
        "values.kundenorientiert[0].lemmas[1]",
        "is `wartezeit` once lemmatised, as values.kundenorientiert[0].lemmas[0] (line 15) is: keep one",
        "Wartezeiten]",
    ),
    (
        "a number as a lemma",
        "lemmas: [Wartezeit, warten]",
        "lemmas: [Wartezeit, 115]",
        "values.kundenorientiert[0].lemmas[1]",
        "expected a word, found a number: quote it or remove it",
        "115",
    ),
    (
        "a mapping as a lemma",
        "lemmas: [Wartezeit, warten]",
        "lemmas: [Wartezeit, {warten: 1}]",
        "values.kundenorientiert[0].lemmas[1]",
        "expected a word, found a mapping",
        "{warten: 1}",
    ),
    (
        "several words as a lemma",
        "lemmas: [Wartezeit, warten]",
        "lemmas: [Wartezeit, lange warten]",
        "values.kundenorientiert[0].lemmas[1]",
        "has several words: put it under `phrases`",
        "lange warten",
    ),
    (
        "digits in a lemma",
        "lemmas: [Wartezeit, warten]",
        "lemmas: [Wartezeit, Raum3]",
        "values.kundenorientiert[0].lemmas[1]",
        "use letters only",
        "Raum3",
    ),
    (
        "one-word phrase",
        'phrases: ["an einem Strang"]',
        'phrases: ["Strang!"]',
        "values.gemeinsam[0].phrases[0]",
        "is not two words or more: put a single word under `lemmas`",
        '["Strang!"]',
    ),
    (
        "digits in a phrase",
        'phrases: ["an einem Strang"]',
        'phrases: ["an 1 Strang"]',
        "values.gemeinsam[0].phrases[0]",
        "holds digits: write words only",
        '["an 1 Strang"]',
    ),
    (
        "unknown theme key",
        "      lemmas: [Wartezeit, warten]",
        "      lemmas: [Wartezeit, warten]\n      lemma: [x]",
        "values.kundenorientiert[0].lemma",
        "unknown key `lemma`: remove it or fix the spelling",
        "lemma: [x]",
    ),
    (
        "value without themes",
        "  kundenorientiert:\n",
        "  kundenorientiert: []\n  nachhaltig:\n",
        "values.kundenorientiert",
        "found an empty list: add one or remove the value",
        "kundenorientiert: []",
    ),
    (
        "theme that is a text",
        "  kundenorientiert:\n",
        "  nachhaltig:\n    - Personal\n  kundenorientiert:\n",
        "values.nachhaltig[0]",
        "expected a theme (`key`, `label`, `lemmas`), found a text",
        "- Personal",
    ),
    (
        "wrong Leitbild",
        "codebook: lindenau",
        "codebook: musterstadt",
        "codebook",
        "is `musterstadt` but this codebook belongs to the Leitbild `lindenau`",
        "codebook: musterstadt",
    ),
    (
        "no German",
        "languages: [de, en]",
        "languages: [en]",
        "languages",
        "German (`de`) is missing",
        "languages:",
    ),
    (
        "unknown language",
        "languages: [de, en]",
        "languages: [de, en, xx-yy]",
        "languages[2]",
        "`xx-yy` is not a known language",
        "languages:",
    ),
    (
        "duplicate YAML key",
        "  kundenorientiert:\n",
        "  gemeinsam:\n",
        "values.gemeinsam",
        "the key `gemeinsam` appears twice here: keep one",
        "  gemeinsam:\n    - key: wartezeit",
    ),
    (
        "values as a list",
        "values:\n  gemeinsam:",
        "values:\n- gemeinsam:",
        "values",
        "expected the Leitbild's values, each with a list of themes",
        "values:",
    ),
]


def _line_of(text: str, fragment: str) -> int:
    assert fragment in text, fragment
    return text[: text.index(fragment)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "path", "fragment", "line_at"), [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
def test_each_bad_codebook_is_reported_at_its_place_with_the_fix(
    old: str, new: str, path: str, fragment: str, line_at: str
) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    problems = check_codebook_text(text, "codebook.yaml", VALUES, leitbild="lindenau")
    matching = [p for p in problems if p.path == path and fragment in p.message]
    assert matching, "\n".join(map(str, problems)) or "no problem found"
    assert matching[0].file == "codebook.yaml"
    assert matching[0].line == _line_of(text, line_at), str(matching[0])
    with pytest.raises(CodebookFileError) as raised:
        read_codebook_text(text, "codebook.yaml", VALUES, leitbild="lindenau")
    assert matching[0] in raised.value.problems


def test_the_good_example_is_good() -> None:
    book = read_codebook_text(GOOD, "codebook.yaml", VALUES)
    assert [t.key for t in book.themes] == ["abstimmung", "silodenken", "wartezeit"]


def test_every_problem_is_listed_not_only_the_first() -> None:
    text = GOOD.replace("key: wartezeit", "key: Wartezeit").replace(
        "lemmas: [Zuständigkeit, zuständig]", "lemmas: []"
    )
    with pytest.raises(CodebookFileError) as raised:
        read_codebook_text(text, "codebook.yaml", VALUES)
    assert isinstance(raised.value, FileProblems)
    assert [p.path for p in raised.value.problems] == [
        "values.gemeinsam[1].lemmas",
        "values.kundenorientiert[0].key",
    ]
    assert "codebook.yaml:11: values.gemeinsam[1].lemmas:" in str(raised.value)


def test_a_word_may_be_shared_by_themes_of_different_values() -> None:
    """Decided: only themes of the same value must not share a word (a comment would count twice for
    that value); across values it is allowed, and the comment counts for both values."""
    text = GOOD.replace("lemmas: [Wartezeit, warten]", "lemmas: [Wartezeit, warten, Absprache]")
    book = read_codebook_text(text, "codebook.yaml", VALUES)
    assert assign("Die Absprache fehlt.", book) == ("abstimmung", "wartezeit")


def test_a_file_that_cannot_be_read_is_a_problem_of_the_file(tmp_path: Path) -> None:
    with pytest.raises(CodebookFileError, match="cannot be read"):
        load_codebook(tmp_path / "missing.yaml", VALUES)
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(CodebookFileError, match="expected a mapping with codebook, languages, values"):
        load_codebook(tmp_path / "list.yaml", VALUES)


# --- assignment --------------------------------------------------------------------------------

COMMENTS = [
    # (comment, expected themes in codebook order)
    ("Die Wartezeit im Bürgerbüro ist viel zu lang, ich habe zwei Stunden gewartet.", ("wartezeit",)),
    ("Bei der Kfz-Zulassung musste ich drei Stunden anstehen.", ("wartezeit",)),
    ("Die Bearbeitungsdauer für meine Meldebescheinigung war unzumutbar.", ("wartezeit", "formulare")),
    ("Einen Bürgerbürotermin bekommt man erst in sechs Wochen.", ("terminvergabe",)),
    ("Online gibt es keine freien Terminen mehr, alles ausgebucht.", ("terminvergabe", "digitalisierung")),
    ("terminvergabe ist eine katastrophe, nie gibt es termine", ("terminvergabe",)),
    ("Frau [Name] war sehr freundlich und hilfsbereit.", ("freundlichkeit",)),
    ("Herr [Name] hat mich angeschnauzt.", ("freundlichkeit",)),
    ("Man fühlt sich wie ein Bittsteller behandelt.", ("freundlichkeit",)),
    ("Telefonisch kommt man nie durch, immer besetzt.", ("erreichbarkeit",)),
    ("Auf meine E-Mail habe ich nie eine Antwort bekommen.", ("erreichbarkeit",)),
    ("Die Öffnungszeiten sind für Berufstätige ungünstig.", ("erreichbarkeit",)),
    ("Die Ämter arbeiten nicht zusammen, man wird von Pontius zu Pilatus geschickt.", ("abstimmung",)),
    ("Wir ziehen nicht an einem Strang.", ("abstimmung",)),
    ("Informationen kommen bei uns nicht an.", ("informationsfluss", "information")),
    ("Wichtige Neuigkeiten erfahren wir immer als Letzte.", ("informationsfluss",)),
    ("Keiner fühlt sich zuständig.", ("silodenken",)),
    ("Jeder kocht sein eigenes Süppchen, Schubladendenken überall.", ("silodenken",)),
    ("Die Abteilungsleiterin hört uns nicht zu.", ("fuehrung",)),
    ("Mein Chef kontrolliert jede Kleinigkeit.", ("fuehrung",)),
    ("Bei Fehlern wird immer ein Schuldiger gesucht.", ("fehlerkultur",)),
    ("Gute Arbeit wird nie anerkannt.", ("wertschaetzung",)),
    ("Lob gibt es nie, nur Kritik.", ("wertschaetzung",)),
    ("Entscheidungen werden über unsere Köpfe hinweg getroffen.", ("entscheidungen",)),
    ("Die Kriterien für die Vergabe der Kita-Plätze sind nicht nachvollziehbar.", ("entscheidungen",)),
    ("Ich musste dreimal nachfragen, bis mir jemand den Sachstand sagen konnte.", ("information",)),
    ("Ich weiß nicht, wie lange das noch geht.", ("information",)),  # a phrase across a comma
    ("Die Formulare sind unverständlich und viel zu lang.", ("formulare",)),
    ("Warum muss ich alle Nachweise doppelt einreichen?", ("formulare",)),
    ("Die E-Akte stürzt ständig ab.", ("digitalisierung",)),
    ("Für jede Kleinigkeit braucht man drei Unterschriften.", ("genehmigungswege",)),
    ("Jede Beschaffung muss über drei Ebenen genehmigt werden.", ("genehmigungswege",)),
    ("Wir sind seit Monaten unterbesetzt, Vertretungen gibt es keine.", ("personal",)),
    ("Die Kolleginnen sind völlig überlastet, Überstunden sind normal.", ("personal",)),
    ("Nach der letzten Befragung ist alles im Sande verlaufen.", ("umsetzung",)),
    ("Nach der Mitarbeiterbefragung hat sich nichts geändert.", ("umsetzung",)),
    ("Die Räume sind viel zu eng und die Drucker ständig kaputt.", ("ausstattung",)),
    ("die räume sind zu eng und die technik ist alt", ("ausstattung",)),
    ("Wir haben zu wenige Dienstfahrzeuge.", ("ausstattung",)),
    # words simplemma does not know: endings, umlaut plurals, `ss` for `ß`
    ("Unsere Vorgesetzten loben nie.", ("fuehrung", "wertschaetzung")),
    ("Die Massnahmen aus dem Workshop sind versandet.", ("umsetzung",)),
    ("Viele Krankheitsausfälle, keiner springt ein.", ("personal",)),
    ("Die Mitarbeiterin am Schalter war gereizt und unhöflich.", ("freundlichkeit",)),
    # Leichte Sprache writes compounds with a hyphen
    ("Die Warte-Zeit war zu lang.", ("wartezeit",)),
    ("Ich habe den Termin-Kalender nicht verstanden.", ("terminvergabe",)),
    # fits no theme
    ("Ich wollte meinen Personalausweis abholen, alles prima.", ()),
    ("Schöne Grünanlagen, weiter so!", ()),
    ("Ich finde die Stadt gut.", ()),
    ("Danke für alles!", ()),
    ("Die Straßenbeleuchtung in der Lindenstraße ist kaputt.", ()),
]


@pytest.mark.parametrize(("text", "expected"), COMMENTS, ids=[c[0][:40] for c in COMMENTS])
def test_realistic_comments_get_their_themes(
    codebook: Codebook, text: str, expected: tuple[str, ...]
) -> None:
    assert assign(text, codebook) == expected


COMPOUNDS = """\
codebook: lindenau
languages: [de]
values:
  transparenz:
    - key: stand
      label: {de: "Stand"}
      lemmas: [Stand, Name, Amt]
  nachhaltig:
    - key: personal
      label: {de: "Personal"}
      lemmas: [Personal]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der Sachstand ist unklar.", ("stand",)),  # the head of a compound
        ("Den Bearbeitungsständen fehlt jede Ordnung.", ("stand",)),  # inflected head, umlaut plural
        ("Er hat den Verstand verloren.", ()),  # `ver` is a particle, no noun
        ("Der Vorstand tagt.", ()),
        ("Der Standort ist gut.", ()),  # the front of a compound is not matched
        ("Das Fachpersonal fehlt.", ("personal",)),
        ("Der Personalausweis ist fertig.", ()),
        ("Das Standesamt hat zu.", ()),  # `Amt` has three letters: matched alone only
        ("Das Amt hat zu.", ("stand",)),
    ],
)
def test_compounds_match_at_their_head(text: str, expected: tuple[str, ...]) -> None:
    book = read_codebook_text(COMPOUNDS, "c.yaml", VALUES)
    assert assign(text, book) == expected


def test_markers_are_no_words() -> None:
    book = read_codebook_text(COMPOUNDS, "c.yaml", VALUES)
    assert assign("Der Name ist falsch geschrieben.", book) == ("stand",)
    assert assign("[Name] vom [Amt] hat geholfen.", book) == ()
    assert assign("[Name] hat den [Aktenzeichen] nicht genannt", book) == ()
    assert assign("Die [Akten-Nummer] von [Name] ist falsch.", book) == ()  # Leichte Sprache's markers


def test_themes_come_in_codebook_order(codebook: Codebook) -> None:
    keys = assign("Der Drucker ist kaputt, die Wartezeit lang und Termine gibt es nicht.", codebook)
    assert keys == ("wartezeit", "terminvergabe", "ausstattung")


def test_german_only_other_languages_are_refused(codebook: Codebook) -> None:
    assert assign("Die Warte-Zeit war lang.", codebook, language="de-x-ls") == ("wartezeit",)
    with pytest.raises(ValueError, match="German comments only, not `en`"):
        assign("The waiting time was too long.", codebook, language="en")


def test_ten_thousand_comments_are_assigned_within_two_seconds(codebook: Codebook) -> None:
    rng = random.Random(7)
    picked = [rng.randrange(len(COMMENTS)) for _ in range(10_000)]
    texts = [f"{COMMENTS[i][0]} Vorgang {rng.randint(1, 10_000)}" for i in picked]
    matcher = Matcher(codebook)  # a fresh word cache
    start = time.perf_counter()
    found = [matcher.themes_of(text) for text in texts]
    assert time.perf_counter() - start < 2.0
    assert found == [COMMENTS[i][1] for i in picked]


# --- merging --------------------------------------------------------------------------------


def test_identical_comments_and_case_or_punctuation_variants_merge() -> None:
    merged = merge_near_duplicates(
        [
            "Zu lange Wartezeit!",
            "zu lange wartezeit",
            "Zu lange Wartezeit!",
            "  Zu   lange Wartezeit!!! ",
            "Die Formulare sind unverständlich.",
        ]
    )
    assert merged == [("Zu lange Wartezeit!", 4), ("Die Formulare sind unverständlich.", 1)]
    assert isinstance(merged[0], MergedComment) and merged[0].count == 4


def test_markers_do_not_keep_comments_apart() -> None:
    merged = merge_near_duplicates(["[Name] war sehr nett.", "[Vorname] war sehr nett", "[Name]", "!!!"])
    assert merged == [("[Name] war sehr nett.", 2)]


def test_near_identical_comments_merge() -> None:
    merged = merge_near_duplicates(
        [
            "Die Wartezeit im Bürgerbüro ist viel zu lang",
            "Die Wartezeit im Bürgerbüro ist viel zu lange",  # one letter more
            "Im Bürgerbüro ist die Wartezeit viel zu lang",  # the words in another order
            "Die Wartezeit im Bürgerbüro ist fiel zu lang",  # a typo
        ]
    )
    assert [count for _, count in merged] == [4]


def test_different_comments_do_not_merge() -> None:
    merged = merge_near_duplicates(
        [
            "Die Wartezeit im Bürgerbüro ist viel zu lang",
            "Die Wartezeit im Bürgerbüro ist nicht zu lang",  # a negation says the opposite
            "Die Parkplätze am Bürgerbüro sind viel zu knapp",
            "Termin",
            "Termine online",
        ]
    )
    assert len(merged) == 5


def test_merging_depends_on_the_comments_not_their_order() -> None:
    texts = [
        "Mehr Personal!",
        "mehr personal",
        "Mehr Personal bitte",
        "Bessere Drucker",
        "bessere drucker.",
    ] * 3
    texts += ["mehr personal", "Mehr Personal"]
    expected = merge_near_duplicates(texts)
    for seed in range(5):
        shuffled = texts[:]
        random.Random(seed).shuffle(shuffled)
        assert merge_near_duplicates(shuffled) == expected
    # the most frequent wording shows; groups by size, then alphabetically
    assert expected == [("mehr personal", 8), ("Bessere Drucker", 6), ("Mehr Personal bitte", 3)]


# --- grouping for a page ----------------------------------------------------------------------


def test_comments_are_grouped_per_value_and_theme(codebook: Codebook) -> None:
    texts = [
        "Die Wartezeit war zu lang.",
        "die Wartezeit war zu lang!",
        "Ich habe ewig gewartet.",
        "Termine gibt es keine.",
        "Die Wartezeit ist lang und Termine gibt es nie.",  # two themes of one value
        "Der Drucker ist kaputt.",
        "Die Grünanlagen sind schön.",
        "[Name]",
        "The waiting time was long.",
        "Bekleme süresi çok uzundu.",
    ]
    languages = ["de", "de", "de-x-ls", "de", "de", None, "de", "de", "en", "tr"]
    groups = group_comments(texts, codebook, rng=random.Random(1), languages=languages)
    assert [v.value for v in groups.values] == list(THEME_KEYS)
    customer = groups.value("kundenorientiert")
    assert customer.count == 5  # the comment with two themes counts once for the value
    assert [(t.theme.key, t.count) for t in customer.themes] == [("wartezeit", 4), ("terminvergabe", 2)]
    waiting = customer.themes[0]
    assert sorted(waiting.comments, key=lambda m: -m.count)[0] == ("Die Wartezeit war zu lang.", 2)
    assert sum(m.count for m in waiting.comments) == waiting.count
    assert groups.value("vertrauen").count == 0 and groups.value("vertrauen").themes == ()
    assert groups.value("nachhaltig").themes[0].theme.key == "ausstattung"
    assert groups.unassigned == (("Die Grünanlagen sind schön.", 1),)
    assert groups.unassigned_count == 1
    assert [(g.language, g.count) for g in groups.other_languages] == [("en", 1), ("tr", 1)]
    assert groups.total == 9 and groups.skipped == 1


def test_themes_with_equal_counts_keep_the_codebook_order(codebook: Codebook) -> None:
    texts = ["Der Drucker ist kaputt.", "Mehr Personal!", "Die Maßnahmen versanden."]
    groups = group_comments(texts, codebook, rng=random.Random(0))
    assert [t.theme.key for t in groups.value("nachhaltig").themes] == [
        "personal",
        "umsetzung",
        "ausstattung",
    ]
    texts.append("Zu wenig Personal.")
    groups = group_comments(texts, codebook, rng=random.Random(0))
    assert [t.theme.key for t in groups.value("nachhaltig").themes] == [
        "personal",
        "umsetzung",
        "ausstattung",
    ]
    texts += ["Die Drucker sind alt.", "Die Räume sind zu klein."]
    groups = group_comments(texts, codebook, rng=random.Random(0))
    assert [t.theme.key for t in groups.value("nachhaltig").themes] == [
        "ausstattung",
        "personal",
        "umsetzung",
    ]


def _order(codebook: Codebook, texts: list[str], seed: int) -> list[str]:
    groups = group_comments(texts, codebook, rng=random.Random(seed))
    return [m.text for m in groups.value("kundenorientiert").themes[0].comments]


def test_comments_come_in_random_order_reproducible_by_seed(codebook: Codebook) -> None:
    texts = [
        "Die Wartezeit war zu lang.",
        "Ich habe zwei Stunden gewartet.",
        "Warten im Flur ohne Sitzplatz.",
        "Die Warteschlange reichte bis zur Tür.",
        "Bearbeitungszeit von drei Monaten für einen Bauantrag.",
        "Wartenummer 112 wurde nie aufgerufen.",
        "Beim Standesamt wartet man ewig.",
        "Die Wartezeit am Telefon war okay, vor Ort nicht.",
        "Eine Stunde anstehen für eine Unterschrift.",
        "Zu lange Bearbeitungsdauer beim Elterngeld.",
        "Kurze Wartezeit, schnelle Hilfe.",
        "Im Wartebereich gibt es kein Wasser.",
        "Nach Verzögerungen kam der Bescheid endlich.",
        "Wir warten seit Wochen auf eine Rückmeldung zum Wohngeld.",
        "Die Wartezimmer sind überfüllt.",
        "Monatelang passiert nichts mit meinem Antrag.",
        "Der Andrang am Montag ist riesig.",
        "Wartezeit vor der Kfz-Stelle unzumutbar.",
        "Warum dauert eine Ummeldung drei Wochen?",
        "Das hat wirklich ewig gedauert.",
    ]
    first = _order(codebook, texts, seed=42)
    assert sorted(first) == sorted(texts)
    assert first != texts  # not the order they came in
    assert first != sorted(texts)  # not alphabetical
    assert _order(codebook, texts, seed=42) == first  # the same seed, the same page
    assert _order(codebook, list(reversed(texts)), seed=42) == first  # whatever order the rows came in
    assert _order(codebook, texts, seed=43) != first


def test_one_language_per_text(codebook: Codebook) -> None:
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        group_comments(["a", "b"], codebook, rng=random.Random(0), languages=["de"])


# --- keywords ---------------------------------------------------------------------------------


def test_keywords_leave_out_markers_and_stopwords() -> None:
    texts = [
        "Frau [Name] im Bürgerbüro war sehr freundlich, aber die Wartezeit war zu lang.",
        "Herr [Name] hat mir nicht geholfen, die Wartezeit im Bürgerbüro war wieder lang.",
        "Die Wartezeit ist eine Zumutung, [Name] hat sich nicht entschuldigt.",
        "Terminvergabe online klappt nicht, [Telefonnummer] ist immer besetzt.",
        "Im Bürgerbüro fehlt Personal und die Wartezeit steigt.",
    ]
    found = keywords(texts, top=6)
    assert 0 < len(found) <= 6
    words = {w.casefold() for keyword in found for w in keyword.split()}
    assert "wartezeit" in words and "bürgerbüro" in words
    assert not words & {"name", "telefonnummer", "frau", "herr", "die", "und", "nicht", "war", "ist", "im"}
    assert not any("[" in keyword for keyword in found)
    for index, keyword in enumerate(found):  # no keyword only repeats the words of better ones
        before = {w.casefold() for k in found[:index] for w in k.split()}
        assert not {w.casefold() for w in keyword.split()} <= before, found


def test_keywords_of_nothing() -> None:
    assert keywords([]) == []
    assert keywords(["[Name]", "  "]) == []


def test_problems_are_the_projects_problems(value_keys: list[str]) -> None:
    problems = check_codebook_text("codebook: lindenau\n", "c.yaml", value_keys)
    assert all(isinstance(p, Problem) for p in problems)
    assert {p.path for p in problems} == {"languages", "values"}
