"""Redaction of free-text comments (survey.text.redaction): each kind with exact outputs beside its
look-alikes, the Kommune's rules file, markers in the comment's language, and the acceptance test
on a seeded corpus of comments (tests/text/redaction_corpus.py): recall per kind and ordinary words
removed. `pytest -s` prints the table."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from redaction_corpus import DAY, corpus, evaluate

from survey.errors import FileProblems
from survey.text.redaction import (
    KINDS,
    LIMITS,
    LIMITS_DE,
    MARKERS,
    RedactionFileError,
    Redactor,
    check_rules_text,
    load_redactor,
    markers_for,
)

ROOT = Path(__file__).resolve().parent.parent.parent
RULES = ROOT / "questionnaires" / "_redaction" / "rules.yaml"
LANGUAGES = ("de", "de-x-ls", "en", "tr", "ar", "uk", "ru")


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return load_redactor(rules_file=RULES)


def redact(redactor: Redactor, text: str, language: str = "de") -> str:
    return redactor.redact(text, language, today=DAY).text


def check(redactor: Redactor, cases: list[tuple[str, str, str]]) -> None:
    for text, language, expected in cases:
        assert redact(redactor, text, language) == expected, text


# --- names ------------------------------------------------------------------------------------------

NAMES = [
    ("Frau Schmidt hat mir geholfen.", "de", "Frau [Name] hat mir geholfen."),
    ("Unsere Leitung ist immer Herr der Lage.", "de", "Unsere Leitung ist immer Herr der Lage."),
    ("Ich habe mit Thomas Oderwald gesprochen.", "de", "Ich habe mit [Name] gesprochen."),
    ("Hans Peter Müller leitet das Amt 51.", "de", "[Name] leitet das Amt 51."),
    ("Frau Koch und Herr Richter waren da.", "de", "Frau [Name] und Herr [Name] waren da."),
    (
        "Der Koch der Kantine ist nett, unser Koch auch.",
        "de",
        "Der Koch der Kantine ist nett, unser Koch auch.",
    ),
    ("Der Richter gab mir recht, der Fischer nicht.", "de", "Der Richter gab mir recht, der Fischer nicht."),
    ("Frau K. war freundlich.", "de", "Frau [Name]. war freundlich."),
    (
        "Frau Dr. Sommer war da, im Sommer ist es voll.",
        "de",
        "Frau Dr. [Name] war da, im Sommer ist es voll.",
    ),
    (
        "Im Mai heult der Wolf, man fühlt sich wie ein König.",
        "de",
        "Im Mai heult der Wolf, man fühlt sich wie ein König.",
    ),
    (
        "Die Kollegin am Empfang ist ein Engel, eine Rose, ein Stern.",
        "de",
        "Die Kollegin am Empfang ist ein Engel, eine Rose, ein Stern.",
    ),
    ("Im Stadtteil Mitte fehlt eine Außenstelle.", "de", "Im Stadtteil Mitte fehlt eine Außenstelle."),
    (
        "Kollegin Yılmaz und Sachbearbeiter Wolf sind super.",
        "de",
        "Kollegin [Name] und Sachbearbeiter [Name] sind super.",
    ),
    ("Danke an Sabine und Peter aus dem Team!", "de", "Danke an [Name] und [Name] aus dem Team!"),
    (
        "Die Zusammenarbeit mit Pruschke klappt, mit Personal nicht.",
        "de",
        "Die Zusammenarbeit mit [Name] klappt, mit Personal nicht.",
    ),
    ("Will you call me? May I ask Mark Johnson?", "en", "Will you call me? May I ask [name]?"),
    ("Please mark the form. Mrs Baker helped.", "en", "Please mark the form. Mrs [name] helped."),
    (
        "Ahmet Bey çok yardımcı oldu, Ayşe'nin dosyası da.",
        "tr",
        "[isim] Bey çok yardımcı oldu, [isim] dosyası da.",
    ),
    ("Güzel bir hizmet. Umut ediyorum.", "tr", "Güzel bir hizmet. Umut ediyorum."),
    ("Господин Иванов помог мне, а Ольга Петровна тоже.", "ru", "Господин [имя] помог мне, а [имя] тоже."),
    ("Пані Коваленко дуже допомогла.", "uk", "Пані [ім’я] дуже допомогла."),
    ("السيدة لوليا حجازي كانت لطيفة جدا.", "ar", "السيدة [اسم] كانت لطيفة جدا."),
    ("الخدمة جميلة والموظف كريم.", "ar", "الخدمة جميلة والموظف كريم."),
]


def test_names_and_their_look_alikes(redactor: Redactor) -> None:
    check(redactor, NAMES)


def test_a_first_and_last_name_become_one_marker(redactor: Redactor) -> None:
    result = redactor.redact("Gespräch mit Anna-Lena van der Dussen war gut.", "de")
    assert result.text == "Gespräch mit [Name] war gut."
    assert result.found == {"name": 1}


def test_the_kommunes_names_are_found_in_any_case_and_its_words_kept() -> None:
    redactor = load_redactor(extra_names=["Anna Xylophonia", "Dr. Kai Qwertz", "Zyx"], rules_file=RULES)
    text = "anna und XYLOPHONIA, Qwertz und zyx; Grüße aus Lindenau von der Lindenauer Tafel."
    assert (
        redact(redactor, text)
        == "[Name] und [Name], [Name] und [Name]; Grüße aus Lindenau von der Lindenauer Tafel."
    )
    # particles and function words of a listed name are no names
    redactor = load_redactor(extra_names=["Max von der Heide"])
    assert redact(redactor, "von der Post") == "von der Post"


# --- shapes ------------------------------------------------------------------------------------------

SHAPES = [
    (
        "Schreiben Sie an anna.schmidt@lindenau.de oder max (at) web.de.",
        "de",
        "Schreiben Sie an [E-Mail] oder [E-Mail].",
    ),
    ("Tel. 0351 4881234, Durchwahl -123, gerne abends.", "de", "Tel. [Telefonnummer], gerne abends."),
    ("Rückruf bitte unter +49 (0)30 12345-678.", "de", "Rückruf bitte unter [Telefonnummer]."),
    ("Bitte die Durchwahl 456 nutzen.", "de", "Bitte die Durchwahl [Telefonnummer] nutzen."),
    (
        "Seit 2019 zahle ich 1.250 Euro, bis 16:30 Uhr im Zimmer 204.",
        "de",
        "Seit 2019 zahle ich 1.250 Euro, bis 16:30 Uhr im Zimmer 204.",
    ),
    ("IBAN DE89 3704 0044 0532 0130 00 und DE12345678901234567890.", "de", "IBAN [IBAN] und [IBAN]."),
    (
        "Geboren am 12.03.1985, Termin am 12.03.2026.",
        "de",
        "Geboren am [Geburtsdatum], Termin am 12.03.2026.",
    ),
    (
        "Meine Mutter (3. März 1941) und Jahrgang 1985, seit 2019 hier.",
        "de",
        "Meine Mutter ([Geburtsdatum]) und Jahrgang [Geburtsdatum], seit 2019 hier.",
    ),
    ("My son was born on March 3, 2015.", "en", "My son was born on [date of birth]."),
    ("Мой сын родился 3 марта 1985 г.", "ru", "Мой сын родился [дата рождения]"),
    ("Ich wohne in der Hans-Böckler-Str. 12a, 12345 Lindenau.", "de", "Ich wohne in der [Adresse]."),
    (
        "Früher Am Markt 3 und Berliner Straße 5, heute 04109 Leipzig.",
        "de",
        "Früher [Adresse] und [Adresse], heute [Adresse].",
    ),
    (
        "Auf Platz 3 der Liste, 10000 Euro, Parkplatz 5, Amt 51.",
        "de",
        "Auf Platz 3 der Liste, 10000 Euro, Parkplatz 5, Amt 51.",
    ),
    (
        "Autos B-AB 1234, M XY 123E und LIN-K 77.",
        "de",
        "Autos [Kennzeichen], [Kennzeichen] und [Kennzeichen].",
    ),
    (
        "Nach SGB II 2019 und Paragraph 31 SGB II, § 22 Abs. 1 SGB XII.",
        "de",
        "Nach SGB II 2019 und Paragraph 31 SGB II, § 22 Abs. 1 SGB XII.",
    ),
    (
        "Aktenzeichen 123/45, Az. 51.2-0815/24, AZ: K12345.",
        "de",
        "Aktenzeichen [Aktenzeichen], Az. [Aktenzeichen], AZ: [Aktenzeichen].",
    ),
    (
        "BG-Nummer 12345BG0012345, auch 98765BG0001234, Kundennummer 123456789.",
        "de",
        "BG-Nummer [Aktenzeichen], auch [Aktenzeichen], Kundennummer [Aktenzeichen].",
    ),
    (
        "Formular 4711, Vordruck A12 und Antrag Nr. 3 fehlen.",
        "de",
        "Formular 4711, Vordruck A12 und Antrag Nr. 3 fehlen.",
    ),
    # the Kommune's own patterns (questionnaires/_redaction/rules.yaml)
    (
        "Bitte 12.345.678.9 und ABH-2026-004711 prüfen.",
        "de",
        "Bitte [Aktenzeichen] und [Aktenzeichen] prüfen.",
    ),
]


def test_shapes_and_their_look_alikes(redactor: Redactor) -> None:
    check(redactor, SHAPES)


def test_counts_per_kind(redactor: Redactor) -> None:
    result = redactor.redact(
        "Frau Schmidt, Tel. 0351 4881234, IBAN DE89 3704 0044 0532 0130 00, Herr Wolf", "de"
    )
    assert result.found == {"name": 2, "phone": 1, "iban": 1}
    assert redactor.redact("", "de") == redactor.redact("", "de")
    assert redactor.redact("   ", "de").text == "   "


def test_a_birth_date_is_fourteen_years_back() -> None:
    redactor = load_redactor()
    text = "Am 01.06.2012 und am 02.06.2012."
    assert (
        redactor.redact(text, "de", today=dt.date(2026, 6, 1)).text == "Am [Geburtsdatum] und am 02.06.2012."
    )


# --- markers and limits ---------------------------------------------------------------------------------


def test_markers_come_in_the_comments_language(redactor: Redactor) -> None:
    text = "Frau Schmidt, Tel. 0351 4881234."
    for language in LANGUAGES:
        markers = MARKERS[language]
        assert redact(redactor, text, language) == f"Frau {markers['name']}, Tel. {markers['phone']}."
    assert markers_for("en-GB") is MARKERS["en"]
    assert markers_for("fr") is MARKERS["de"]
    assert redact(redactor, text, "fr") == "Frau [Name], Tel. [Telefonnummer]."


def test_every_language_has_every_marker_and_says_what_it_cannot_check() -> None:
    assert set(MARKERS) == set(LANGUAGES) == set(LIMITS) == set(LIMITS_DE)
    for language in LANGUAGES:
        assert set(MARKERS[language]) == set(KINDS)
        assert len(set(MARKERS[language].values())) == len(KINDS)
        assert LIMITS[language] and LIMITS_DE[language]


def test_a_redacted_comment_stays_as_it_is(redactor: Redactor) -> None:
    for comment in corpus()[::7]:
        once = redact(redactor, comment.text, comment.language)
        assert redact(redactor, once, comment.language) == once


# --- the Kommune's rules -----------------------------------------------------------------------------------


def test_the_shipped_rules_load() -> None:
    text = RULES.read_text(encoding="utf-8")
    assert check_rules_text(text, "rules.yaml") == []
    rules = load_redactor(rules_file=RULES).rules
    assert "lindenau" in rules.keep
    assert [label for label, _ in rules.case_numbers] == [
        "Kassenzeichen",
        "Vorgang der Ausländerbehörde",
        "Wohngeld-Fall",
    ]
    assert check_rules_text("# nothing yet\n", "rules.yaml") == []


BAD_RULES = [
    ("kep: [Lindenau]\n", "kep", 1, "unknown key `kep`"),
    ("keep: Lindenau\n", "keep", 1, "expected a list"),
    ("keep: [Lindenau, 3]\n", "keep[1]", 1, "expected a text"),
    ("case_numbers:\n  - label: X\n", "case_numbers[0].pattern", 2, "`pattern` is missing"),
    (
        "case_numbers:\n  - label: X\n    pattern: 'AB[12'\n",
        "case_numbers[0].pattern",
        3,
        "escape the bracket",
    ),
    (
        "case_numbers:\n  - label: X\n    pattern: '(\\d+)+'\n",
        "case_numbers[0].pattern",
        3,
        "repetition inside a repetition",
    ),
    (
        "case_numbers:\n  - label: X\n    pattern: '(a|ab)+x'\n",
        "case_numbers[0].pattern",
        3,
        "alternatives that can start alike",
    ),
    (
        "case_numbers:\n  - label: X\n    pattern: '" + "x" * 301 + "'\n",
        "case_numbers[0].pattern",
        3,
        "at most 300",
    ),
    (
        "case_numbers:\n  - label: X\n    pattern: 'x*'\n",
        "case_numbers[0].pattern",
        3,
        "matches an empty text",
    ),
    (
        "case_numbers:\n  - label: X\n    pattern: '[A-Z]\\w+'\n",
        "case_numbers[0].pattern",
        3,
        "matches ordinary words",
    ),
    (
        "case_numbers:\n  - label: X\n    pattern: 'K\\d'\n    flags: i\n",
        "case_numbers[0].flags",
        4,
        "unknown key",
    ),
    ("keep: [a]\nkeep: [b]\n", "keep", 2, "appears twice"),
    ("keep: [a\n", "", 2, "not valid YAML"),
]


@pytest.mark.parametrize(("text", "path", "line", "message"), BAD_RULES)
def test_each_bad_rules_file_names_the_place_and_the_fix(
    text: str, path: str, line: int, message: str
) -> None:
    problems = check_rules_text(text, "rules.yaml")
    assert any(p.path == path and p.line == line and message in p.message for p in problems), problems
    with pytest.raises(RedactionFileError) as raised:
        load_redactor(rules_text=text)
    assert isinstance(raised.value, FileProblems)
    assert raised.value.problems == [
        type(p)(p.file.replace("rules.yaml", "redaction rules"), p.path, p.message, p.line) for p in problems
    ]
    assert "Traceback" not in str(raised.value)


def test_a_bad_rules_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("case_numbers:\n  - label: X\n    pattern: '(a+)+'\n", encoding="utf-8")
    with pytest.raises(RedactionFileError) as raised:
        load_redactor(rules_file=path)
    assert str(raised.value).startswith(f"{path}:3: case_numbers[0].pattern: refused")


# --- the corpus ---------------------------------------------------------------------------------------------


def test_the_corpus_is_large_enough_and_the_same_each_time() -> None:
    comments = corpus()
    assert sum(c.language == "de" for c in comments) >= 300
    assert sum(c.language != "de" for c in comments) >= 50
    planted = [p for c in comments for p in c.planted]
    for kind in KINDS:
        assert sum(p.kind == kind for p in planted) >= 40, kind
    assert sum(p.kind == "name" for p in planted) >= 150
    assert sum(len(c.lookalikes) for c in comments) >= 150
    for comment in comments:
        for item in comment.planted:
            assert comment.text[item.start : item.end] == item.text
    assert [c.text for c in corpus()] == [c.text for c in comments]


def test_recall_per_kind_and_ordinary_words_removed(redactor: Redactor) -> None:
    score = evaluate(corpus(), lambda text, language: redact(redactor, text, language), MARKERS)
    print("\nkind          planted  found  recall  right marker  false removals")
    for kind in KINDS:
        planted = score.planted.get(kind, 0)
        print(
            f"{kind:<13} {planted:>7} {score.found.get(kind, 0):>6} {score.recall(kind):>7.1%}"
            f" {score.right_marker.get(kind, 0) / max(1, planted):>13.1%} {score.removed.get(kind, 0):>15}"
        )
    total = sum(score.planted.values())
    print(f"{'overall':<13} {total:>7} {sum(score.found.values()):>6} {score.recall():>7.1%}")
    print(
        f"ordinary words: {score.words}, removed {sum(score.removed.values())} ({score.false_removal():.2%})"
    )
    print("names by how they were written:", {f: f"{a}/{b}" for f, (a, b) in sorted(score.by_form.items())})
    for kind, text, redacted in score.missed:
        print(f"  missed {kind}: {text!r} in {redacted!r}")
    assert score.recall() >= 0.97
    for kind in KINDS:
        assert score.recall(kind) >= 0.95, kind
    assert score.false_removal() <= 0.02


def test_the_name_list_is_read_once_and_small() -> None:
    """In a process of its own: what reading the lists costs in time and memory."""
    code = "\n".join(
        (
            "import time, tracemalloc",
            "from survey.text.redaction import load_redactor",
            "tracemalloc.start(); start = time.perf_counter()",
            "redactor = load_redactor(); redactor.redact('Frau Schmidt', 'de')",
            "seconds = time.perf_counter() - start; size = tracemalloc.get_traced_memory()[0] / 2**20",
            "print(seconds, size, load_redactor() is redactor)",
        )
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    seconds, megabytes, same = out.stdout.split()
    # what it costs is said, not asserted: speed and memory are the benchmarks' business
    print(f"\nreading the lists: {float(seconds):.2f} s, {float(megabytes):.0f} MB")
    assert same == "True"
